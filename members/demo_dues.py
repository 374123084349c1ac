"""Demo dues (issue 4): rates and dues from 2016 to the current year.

- 2016: the labelled member platforms are called and 11 paid (the first 11 by
  slug), as in the association's own minutes: "11 platforms had paid, a quarter".
- Later years: a growing share paid.
- The current year: called with a due date 50 days ago (so reminders are due
  now), several lines unpaid, partial payments, one cheque split across two
  platforms, one exemption; innovaltech (the demo director's platform) partly
  paid, with its notices, receipts and last year's certificate.

Idempotent: nothing is added once the 2016 lines exist. Written through the
services, without emails; PDFs (receipts, notices, certificates) only where the
demo shows them.
"""

import datetime
from decimal import Decimal

from django.utils import timezone

from .enums import LabelStatus, PaymentMethod, PlatformRole
from .models import DuesLine, DuesRate, Platform, PlatformMembership
from .services import dues as services

FIRST_YEAR = 2016
DEMO_SLUG = "innovaltech"


def _rate_amount(year):
    # 150 € in 2016, then +15 € every year.
    return Decimal("150.00") + Decimal("15.00") * (year - FIRST_YEAR)


def _pay(line, amount, received_on, *, method=PaymentMethod.TRANSFER, receipt=False, **extra):
    return services.dues_record_payment(
        received_on=received_on,
        amount=amount,
        method=method,
        allocations=[(line, amount)],
        reference=extra.pop("reference", f"VIR-{line.year}-{line.platform.slug[:12].upper()}"),
        issue_documents=receipt,
        **extra,
    )


def seed_dues(stdout):
    if DuesLine.objects.filter(year=FIRST_YEAR).exists():
        stdout.write("demo dues: already there")
        return
    today = timezone.localdate()
    current = today.year
    services.ensure_default_reminder_steps()
    members = list(Platform.objects.members().order_by("slug"))
    if not members:
        stdout.write("demo dues: no member platform, nothing to do")
        return
    _accounting_contact()

    for year in range(FIRST_YEAR, current + 1):
        due = datetime.date(year, 3, 31)
        if year == current:
            # Called in the autumn: 50 days late now, so the 45-day reminder is due.
            due = max(datetime.date(year, 1, 15), today - datetime.timedelta(days=50))
        services.dues_set_rate(year=year, amount=_rate_amount(year), due_date=due)
        # 2016: the 44 labelled platforms of the association's minutes.
        platforms = (
            Platform.objects.filter(label_status=LabelStatus.LABELLED)
            if year == FIRST_YEAR
            else None
        )
        services.dues_call_year(year=year, send=False, platforms=platforms)

    for year in range(FIRST_YEAR, current):
        lines = list(
            DuesLine.objects.filter(year=year).select_related("platform").order_by("platform__slug")
        )
        if year == FIRST_YEAR:
            paying = lines[:11]
        else:
            share = min(0.25 + 0.06 * (year - FIRST_YEAR), 0.85)
            paying = lines[: round(len(lines) * share)]
        demo = next((line for line in lines if line.platform.slug == DEMO_SLUG), None)
        if demo and demo not in paying and year >= FIRST_YEAR + 2:
            paying.append(demo)
        for index, line in enumerate(paying):
            received = datetime.date(year, 4 + index % 6, 1 + index % 27)
            method = PaymentMethod.MANDATE if index % 3 == 0 else PaymentMethod.TRANSFER
            _pay(
                line,
                line.amount_due,
                received,
                method=method,
                receipt=line.platform.slug == DEMO_SLUG and year >= current - 2,
            )

    _current_year(current, today)
    _demo_documents(current)
    stdout.write(
        f"demo dues: {DuesRate.objects.count()} rates, {DuesLine.objects.count()} dues lines"
    )


def _current_year(year, today):
    lines = list(
        DuesLine.objects.filter(year=year).select_related("platform").order_by("platform__slug")
    )
    others = [line for line in lines if line.platform.slug != DEMO_SLUG]
    received = today - datetime.timedelta(days=20)
    # A third paid in full, with their receipts.
    for index, line in enumerate(others[: len(others) // 3]):
        _pay(line, line.amount_due, received - datetime.timedelta(days=index % 10), receipt=True)
    rest = others[len(others) // 3 :]
    # Two partial payments.
    for line in rest[:2]:
        _pay(line, Decimal("100.00"), received, method=PaymentMethod.CHEQUE, receipt=True)
    # One cheque for two platforms of the same host establishment.
    if len(rest) >= 4:
        first, second = rest[2], rest[3]
        services.dues_record_payment(
            received_on=received,
            amount=first.amount_due + second.amount_due,
            method=PaymentMethod.CHEQUE,
            allocations=[(first, first.amount_due), (second, second.amount_due)],
            reference="CHQ 0004217",
            payer="Lycée polyvalent (pour deux plateformes)",
        )
    # One exemption.
    if len(rest) >= 5:
        services.dues_exempt(
            line=rest[4], reason="Plateforme labellisée en cours d'année : première année offerte"
        )
    # The demo director's platform: partly paid, so the director sees a balance.
    demo = next((line for line in lines if line.platform.slug == DEMO_SLUG), None)
    if demo:
        _pay(demo, Decimal("150.00"), received, method=PaymentMethod.MANDATE, receipt=True)


def _demo_documents(year):
    demo_lines = DuesLine.objects.filter(platform__slug=DEMO_SLUG, year__gte=year - 2)
    for line in demo_lines:
        services.dues_issue_notice(line)
        if line.year < year:
            services.dues_issue_certificate(line)


def _accounting_contact():
    """The demo platform's accounting contact, who receives notices and reminders."""
    from innovalo.enums import Role
    from innovalo.management.commands.seed_demo import demo_user

    platform = Platform.objects.filter(slug=DEMO_SLUG).first()
    if platform is None:
        return
    user = demo_user("comptable.innovaltech@innovalo.demo", "Chloé", "Comptable", Role.DIRECTOR)
    PlatformMembership.objects.get_or_create(
        platform=platform, user=user, defaults={"role": PlatformRole.ACCOUNTING}
    )
