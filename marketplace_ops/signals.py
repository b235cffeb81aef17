"""Logins, logouts and failed logins go to the audit log; role permissions follow migrate."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import transaction
from django.db.models.signals import post_migrate
from django.dispatch import receiver

from marketplace_ops.actors import client_ip
from marketplace_ops.choices import AuditOutcome
from marketplace_ops.services.audit import audit_log


def _ip(request):
    return getattr(request, "client_ip", None) or (client_ip(request) if request is not None else None)


@receiver(user_logged_in)
def audit_login(sender, request, user, **kwargs):
    audit_log(event_type="auth.login", action="login", acting_user=user, resource=user, ip_address=_ip(request))


@receiver(user_logged_out)
def audit_logout(sender, request, user, **kwargs):
    if user is not None:
        audit_log(event_type="auth.logout", action="logout", acting_user=user, resource=user, ip_address=_ip(request))


@receiver(user_login_failed)
def audit_login_failed(sender, credentials, request=None, **kwargs):
    # Runs outside any request transaction worth keeping: commit the failure on its own.
    with transaction.atomic():
        audit_log(
            event_type="auth.login_failed",
            action="login",
            outcome=AuditOutcome.FAILURE,
            ip_address=_ip(request),
            details={"username": str(credentials.get("username", ""))[:150]},
        )


def sync_roles_after_migrate(sender, **kwargs):
    """After each app's post_migrate (which creates that app's permissions) the role groups are
    brought up to date, so grants of apps migrated after the kernel are applied too."""
    from marketplace_ops.services.roles import sync_role_permissions

    sync_role_permissions()


def connect_post_migrate(app_config):
    # No sender filter: auth's create_permissions runs first for every app (connected earlier).
    post_migrate.connect(sync_roles_after_migrate, dispatch_uid="mko_sync_roles")
