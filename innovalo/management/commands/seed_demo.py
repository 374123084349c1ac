from importlib import import_module

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from innovalo.enums import Role
from innovalo.models import User

DEMO_ACCOUNTS = [
    ("bureau@innovalo.demo", "Claire", "Bureau", Role.BUREAU),
    ("directeur@innovalo.demo", "Denis", "Directeur", Role.DIRECTOR),
    ("ministere@innovalo.demo", "Marie", "Ministère", Role.MINISTRY),
]


def demo_user(email, first_name, last_name, role, **extra):
    """Create a demo account once; never change it afterwards."""
    user, created = User.objects.get_or_create(
        email=email,
        defaults={"first_name": first_name, "last_name": last_name, "role": role, **extra},
    )
    if created:
        user.set_password(settings.DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


class Command(BaseCommand):
    help = "Load the demo data (idempotent). Refused in production."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing if the database has users."
        )

    def handle(self, *args, if_empty=False, **options):
        if if_empty and User.objects.exists():
            self.stdout.write("database not empty: demo data not loaded")
            return
        if not settings.ALLOW_DEMO_DATA:
            raise CommandError("Demo data is only for development (DEBUG or ALLOW_DEMO_DATA).")
        with transaction.atomic():
            for account in DEMO_ACCOUNTS:
                demo_user(*account)
            self.stdout.write("demo accounts ready")
            for app in ("members", "meetings", "surveys", "projects"):
                try:
                    module = import_module(f"{app}.demo")
                except ModuleNotFoundError as error:
                    if error.name != f"{app}.demo":
                        raise
                    continue
                module.seed(self.stdout)
        self.stdout.write(self.style.SUCCESS("demo data loaded"))
