"""`manage.py check_dues`: do the lines' stored amounts agree with their allocations?

Each dues line stores its paid amount and status, kept by the services under the
line's row lock. This command recomputes both from the allocations of non-cancelled
payments and lists every line where they differ; it exits non-zero if any does
(for a cron job or a deployment check).
"""

from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError

from members.selectors.dues import dues_mismatches


class Command(BaseCommand):
    help = "Compare the stored paid amount and status of each dues line with its allocations."

    def handle(self, *args, **options):
        count = 0
        for line in dues_mismatches().iterator():
            count += 1
            self.stdout.write(
                f"line {line.pk} ({line.platform.name} {line.year}): "
                f"stored {line.paid_amount} {line.status}, "
                f"recomputed {Decimal(line.recomputed_paid):.2f} {line.recomputed_status}"
            )
        if count:
            raise CommandError(f"{count} dues line(s) differ from their allocations.")
        self.stdout.write("dues: stored amounts agree with the allocations.")
