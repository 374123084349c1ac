from django.core.management.base import BaseCommand

from innovalo.reminders import registered_jobs, run_due_reminders


class Command(BaseCommand):
    help = "Send every reminder that is due now, across apps. Running it twice sends nothing twice."

    def add_arguments(self, parser):
        parser.add_argument("--only", nargs="*", help="Names of the jobs to run.")
        parser.add_argument("--list", action="store_true", help="List the jobs and stop.")

    def handle(self, *args, only=None, list=False, **options):
        if list:
            for name in sorted(registered_jobs()):
                self.stdout.write(name)
            return
        results = run_due_reminders(only)
        for name, count in results.items():
            self.stdout.write(f"{name}: {count}")
        self.stdout.write(self.style.SUCCESS(f"{sum(results.values())} email(s) sent"))
