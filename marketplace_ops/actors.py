"""Who is acting, from where, and why — for history and audit, in requests, Celery and commands.

Web requests fill the context from the middleware (real user, client IP). Celery tasks and
management commands enter `acting_as(system_user(), reason=...)` so history and audit never
say "unknown".
"""

import contextlib
import contextvars
import ipaddress
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model

SYSTEM_USERNAME = "system"


@dataclass(frozen=True)
class ActorContext:
    user: object | None = None
    ip_address: str | None = None
    reason: str | None = None
    api_token: object | None = None
    via: str = "web"  # web / api / celery / command


_current: contextvars.ContextVar[ActorContext | None] = contextvars.ContextVar("actor_context", default=None)


def current_actor() -> ActorContext:
    return _current.get() or ActorContext(via="unknown")


@contextlib.contextmanager
def acting_as(user=None, *, reason=None, ip_address=None, api_token=None, via=None):
    """Set the actor for everything written inside the block; nested blocks inherit."""
    outer = current_actor()
    ctx = ActorContext(
        user=user if user is not None else outer.user,
        ip_address=ip_address or outer.ip_address,
        reason=reason or outer.reason,
        api_token=api_token or outer.api_token,
        via=via or outer.via,
    )
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)


def system_user():
    """The explicit system actor (created by a migration; never logs in)."""
    user_model = get_user_model()
    user, _ = user_model.objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={"is_active": False, "first_name": "System", "email": ""},
    )
    return user


def resolve_actor(acting_user=None):
    """The user to record: the given one, else the context's, else the system actor."""
    if acting_user is not None and getattr(acting_user, "is_authenticated", False):
        return acting_user
    ctx_user = current_actor().user
    if ctx_user is not None and getattr(ctx_user, "is_authenticated", False):
        return ctx_user
    return system_user()


def _in_networks(address: str, networks) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    for net in networks:
        try:
            if ip in ipaddress.ip_network(net, strict=False):
                return True
        except ValueError:
            continue
    return False


def client_ip(request) -> str | None:
    """REMOTE_ADDR, or the nearest untrusted hop of X-Forwarded-For when the peer is a trusted proxy."""
    remote = request.META.get("REMOTE_ADDR") or None
    trusted = getattr(settings, "TRUSTED_PROXIES", [])
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if not (remote and forwarded and _in_networks(remote, trusted)):
        return remote
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _in_networks(hop, trusted):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return remote
    return remote
