from django.core.management.base import BaseCommand

from marketplace_ops.services.permissions_doc import matrix_markdown


class Command(BaseCommand):
    help = "Print the role × permission matrix of an app as it is in the database (for docs/permissions.md)."

    def add_arguments(self, parser):
        parser.add_argument("app_label")

    def handle(self, *args, app_label, **options):
        self.stdout.write(matrix_markdown(app_label))
