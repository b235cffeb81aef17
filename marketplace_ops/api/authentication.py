from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from marketplace_ops.actors import system_user
from marketplace_ops.services.tokens import api_token_lookup, api_token_record_use


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer <token>`. The request acts as the token's account (or the system
    actor); `request.auth` is the ApiToken. Every use is audited."""

    keyword = "bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        parts = header.split()
        if parts[0].lower() != self.keyword:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Malformed Authorization header; use 'Bearer <token>'.")
        token = api_token_lookup(parts[1])
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid API token.")
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed("This API token was revoked.")
        if not token.is_active:
            raise exceptions.AuthenticationFailed("This API token has expired.")
        django_request = request._request
        django_request.api_token = token
        api_token_record_use(
            token=token,
            ip_address=getattr(django_request, "client_ip", None),
            method=request.method,
            path=request.get_full_path(),
        )
        return (token.user or system_user(), token)

    def authenticate_header(self, request):
        return 'Bearer realm="marketplace-ops"'


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = BearerTokenAuthentication
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer"}
