import os

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from marketplace_ops.actors import acting_as, system_user


class Command(BaseCommand):
    help = "Create the demo superuser if missing and print how to log in."

    def add_arguments(self, parser):
        parser.add_argument("--username", default=os.environ.get("DEMO_SUPERUSER", "admin"))
        parser.add_argument("--password", default=os.environ.get("DEMO_SUPERUSER_PASSWORD", "marketplace-ops-demo"))
        parser.add_argument("--quiet", action="store_true", help="create only, print nothing")

    def handle(self, *args, username, password, quiet, **options):
        from django.conf import settings

        user_model = get_user_model()
        with acting_as(system_user(), reason="ensure_demo_superuser", via="command"):
            user, created = user_model.objects.get_or_create(
                username=username, defaults={"email": f"{username}@marketplace.example", "is_staff": True, "is_superuser": True}
            )
            if created or not user.check_password(password):
                user.set_password(password)
                user.is_staff = user.is_superuser = user.is_active = True
                user.save()
        if quiet:
            return
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS("Marketplace Ops is starting"))
        self.stdout.write(f"  admin:    {settings.SITE_URL}/admin/")
        self.stdout.write(f"  username: {username}")
        self.stdout.write(f"  password: {password}")
        self.stdout.write("  mail:     var/mail/ (each email is a file)")
        self.stdout.write("")
