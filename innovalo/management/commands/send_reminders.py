from django.core.management.base import BaseCommand, CommandError

from innovalo.reminders import registered_jobs, run_jobs


class Command(BaseCommand):
    help = (
        "Send every reminder that is due now, across apps, and what the outbox still holds. "
        "Running it twice sends nothing twice. Exits non-zero when a job failed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--only", nargs="*", help="Names of the jobs to run.")
        parser.add_argument("--list", action="store_true", help="List the jobs and stop.")

    def handle(self, *args, only=None, list=False, **options):
        if list:
            for name in sorted(registered_jobs()):
                self.stdout.write(name)
            return
        report = run_jobs(only)
        for name, count in report.sent.items():
            self.stdout.write(f"{name}: {count}")
        for name, error in report.failed.items():
            self.stderr.write(f"{name}: FAILED ({error})")
        self.stdout.write(f"{sum(report.sent.values())} email(s) sent")
        if not report.ok:
            raise CommandError(f"{len(report.failed)} job(s) failed: {', '.join(report.failed)}")
