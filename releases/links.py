"""Signed, expiring approval links bound to release, role, approval round and user."""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "releases.approval-link"


@dataclass(frozen=True)
class ApprovalLink:
    release_id: int
    role: str
    user_id: int
    round: int


def approval_token(*, release, role: str, user) -> str:
    payload = {"r": release.pk, "role": role, "u": user.pk, "n": release.approval_round}
    return signing.dumps(payload, salt=SALT, compress=True)


def approval_url(*, release, role: str, user) -> str:
    path = reverse("releases:approve", kwargs={"token": approval_token(release=release, role=role, user=user)})
    return settings.SITE_URL.rstrip("/") + path


def read_approval_token(token: str) -> ApprovalLink:
    """Raises signing.SignatureExpired or signing.BadSignature."""
    max_age = timedelta(hours=settings.RELEASES_APPROVAL_LINK_MAX_AGE_HOURS)
    data = signing.loads(token, salt=SALT, max_age=max_age)
    try:
        return ApprovalLink(release_id=int(data["r"]), role=str(data["role"]), user_id=int(data["u"]), round=int(data["n"]))
    except (KeyError, TypeError, ValueError):
        raise signing.BadSignature("malformed approval link")
