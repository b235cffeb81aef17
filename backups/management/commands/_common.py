import sys

from django.core.management.base import CommandError

from marketplace_ops.actors import system_user


def get_run(value):
    from backups.models import BackupRun

    try:
        return BackupRun.objects.select_related("policy").get(pk=int(value))
    except (BackupRun.DoesNotExist, ValueError):
        raise CommandError(f"no backup run #{value}")


def get_user(username):
    from django.contrib.auth import get_user_model

    if not username:
        return None
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"no user '{username}'")
    return user


def actor_or_system(user):
    return user or system_user()


class ProgressBar:
    """A one-line progress bar on a terminal; plain percentage lines otherwise."""

    def __init__(self, stream, width=30):
        self.stream, self.width, self.last = stream, width, -1
        self.tty = hasattr(stream, "isatty") and stream.isatty()

    def __call__(self, percent, message=""):
        if percent == self.last:
            return
        previous, self.last = self.last, percent
        filled = int(self.width * percent / 100)
        line = f"[{'#' * filled}{'.' * (self.width - filled)}] {percent:3d}% {message[:60]}"
        if self.tty:
            self.stream.write("\r" + line.ljust(110), ending="")
            self.stream.flush()
        elif percent // 25 != previous // 25:
            self.stream.write(line)

    def done(self):
        if self.tty:
            self.stream.write("")


def fail(message, code=1):
    sys.stderr.write(message + "\n")
    raise SystemExit(code)
