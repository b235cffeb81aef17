from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError
from django.utils import timezone

from marketplace_ops.actors import acting_as, system_user
from marketplace_ops.models import ApiToken
from marketplace_ops.services.tokens import InvalidScope, api_token_create, api_token_revoke


class Command(BaseCommand):
    help = "Manage API tokens: create NAME --scopes a:b,c:d [--days N] | revoke NAME | list"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a token and print it once.")
        create.add_argument("name")
        create.add_argument("--scopes", required=True, help="comma-separated, e.g. alerts:write,releases:read")
        create.add_argument("--days", type=int, default=None, help="expire after N days")
        create.add_argument("--user", default=None, help="account recorded in history for its writes")
        revoke = sub.add_parser("revoke", help="Revoke a token by name.")
        revoke.add_argument("name")
        sub.add_parser("list", help="List tokens (never their secrets).")

    def handle(self, *args, action, **options):
        with acting_as(system_user(), reason=f"manage.py api_token {action}", via="command"):
            getattr(self, f"_{action}")(**options)

    def _create(self, name, scopes, days, user, **_):
        account = None
        if user:
            account = get_user_model().objects.filter(username=user).first()
            if account is None:
                raise CommandError(f"--user: no user named '{user}'")
        expires = timezone.now() + timedelta(days=days) if days else None
        try:
            _, raw = api_token_create(name=name, scopes=scopes, expires_at=expires, user=account, acting_user=system_user())
        except InvalidScope as exc:
            raise CommandError(f"--scopes: {exc}")
        except IntegrityError:
            raise CommandError(f"a token named '{name}' already exists")
        self.stdout.write(raw)
        self.stderr.write("Store this token now; it is not shown again.")

    def _revoke(self, name, **_):
        token = ApiToken.objects.filter(name=name).first()
        if token is None:
            raise CommandError(f"no token named '{name}'")
        api_token_revoke(token=token, acting_user=system_user())
        self.stdout.write(f"revoked {name}")

    def _list(self, **_):
        for token in ApiToken.objects.order_by("name"):
            state = "revoked" if token.revoked_at else ("active" if token.is_active else "expired")
            self.stdout.write(f"{token.name}\t{token.key_prefix}\t{state}\t{','.join(token.scopes)}")
