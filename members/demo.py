"""Demo data of the members app, called by `manage.py seed_demo` (idempotent)."""


def seed(stdout):
    from django.conf import settings

    from .bank.demo import write_demo_statement
    from .demo_dues import seed_dues
    from .demo_platforms import seed_platforms

    seed_platforms(stdout)
    seed_dues(stdout)
    # A bank statement of this year's open dues, ready to import (issue 12).
    path = write_demo_statement(settings.BASE_DIR / "var" / "demo")
    stdout.write(f"bank statement to import at /cotisations/releves/: {path}")
