from marketplace_ops.actors import ActorContext, _current, client_ip


class ActorContextMiddleware:
    """Puts the request's user and client IP in the actor context for history and audit."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.client_ip = client_ip(request)
        # The user is resolved lazily: DRF authenticates later, so read it at write time.
        token = _current.set(_LazyRequestActor(request))
        try:
            return self.get_response(request)
        finally:
            _current.reset(token)


class _LazyRequestActor(ActorContext):
    """ActorContext whose user/token come from the request when first read."""

    def __init__(self, request):
        object.__setattr__(self, "_request", request)

    @property
    def user(self):
        user = getattr(self._request, "user", None)
        return user if getattr(user, "is_authenticated", False) else None

    @property
    def ip_address(self):
        return getattr(self._request, "client_ip", None)

    @property
    def reason(self):
        return None

    @property
    def api_token(self):
        return getattr(self._request, "api_token", None)

    @property
    def via(self):
        return "api" if getattr(self._request, "api_token", None) else "web"
