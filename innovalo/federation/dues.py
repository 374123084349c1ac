"""Twenty years of dues for the federation's member platforms: a rate per year (those
missing), one line per platform and year from the year it joined, payments (whole or
partial) with their allocations, exemptions, cancelled lines, and the numbered
documents (a notice per called line, a receipt per payment).

The documents are tiny PDFs printing their number (``common.tiny_pdf``): WeasyPrint
would take hours for a hundred thousand. Their numbers follow each (kind, year)
counter's last number, and the counters are moved to the last number written, so the
next document issued by the services takes the next free number.
"""

import datetime
import hashlib
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from members.enums import DuesDocumentKind, DuesStatus, PaymentMethod
from members.models import (
    Allocation,
    DocumentCounter,
    DuesDocument,
    DuesExemption,
    DuesLine,
    DuesRate,
    Payment,
)

from .common import BATCH, aware, chunks, day_in, tiny_pdf, years

CENT = Decimal("0.01")
METHODS = [PaymentMethod.TRANSFER] * 6 + [PaymentMethod.CHEQUE] * 2 + [PaymentMethod.MANDATE] * 3


def rate_amount(year: int) -> Decimal:
    """The demo's rule (150 € in 2016, +15 € a year), 5 € less a year before 2016."""
    if year >= 2016:
        return Decimal("150.00") + Decimal("15.00") * (year - 2016)
    return Decimal("150.00") - Decimal("5.00") * (2016 - year)


def ensure_rates(all_years) -> dict:
    """{year: rate}: the missing years' rates created (due on 31 March)."""
    existing = {rate.year: rate for rate in DuesRate.objects.filter(year__in=all_years)}
    missing = [
        DuesRate(year=year, amount=rate_amount(year), due_date=datetime.date(year, 3, 31))
        for year in all_years
        if year not in existing
    ]
    for rate in DuesRate.objects.bulk_create(missing):
        existing[rate.year] = rate
    return existing


def _draw_status(rng, year, first, current):
    if year == current:
        weights = {"paid": 40, "partly": 10, "to_call": 10, "called": 38, "exempt": 2}
    else:
        paid = min(50 + 2 * (year - first), 90)
        weights = {"paid": paid, "partly": 4, "exempt": 2, "cancelled": 1}
        weights["called"] = max(0, 100 - sum(weights.values()))
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def generate(rng, platforms, report):
    today = timezone.localdate()
    all_years = years(today)
    first, current = all_years[0], all_years[-1]
    rates = ensure_rates(all_years)
    now = timezone.now()

    exemptions, lines, plans = [], [], []  # plans: (line index, status, exemption index)
    for platform in platforms:
        if not platform.is_member:
            continue
        for year in range(platform.joined, current + 1):
            rate = rates[year]
            status = _draw_status(rng, year, first, current)
            due = rate.due_date
            called_at = aware(day_in(rng, datetime.date(year, 1, 10), min(due, today)), 9)
            line = DuesLine(
                platform_id=platform.pk,
                year=year,
                amount_due=rate.amount,
                due_date=due,
                status=DuesStatus.CALLED,
                called_at=called_at,
            )
            if status == "to_call":
                line.status, line.called_at = DuesStatus.TO_CALL, None
            elif status == "exempt":
                line.status, line.called_at = DuesStatus.EXEMPT, None
                exemptions.append(
                    DuesExemption(
                        platform_id=platform.pk,
                        year=year,
                        reason="Plateforme en création : exonérée cette année.",
                        created_at=aware(datetime.date(year, 1, 5)),
                    )
                )
            elif status == "cancelled":
                line.status = DuesStatus.CANCELLED
                line.cancelled_at = called_at + datetime.timedelta(days=60)
                line.cancellation_reason = "Appel émis par erreur (doublon)."
            lines.append(line)
            plans.append((status, len(exemptions) - 1 if status == "exempt" else None))
    exemptions = DuesExemption.objects.bulk_create(exemptions, batch_size=BATCH)
    for line, (_status, exemption) in zip(lines, plans, strict=True):
        if exemption is not None:
            line.exemption = exemptions[exemption]

    # Payments and allocations: one payment per paid or partly paid line.
    payments, paid = [], []  # paid: (line, amount)
    for line, (status, _exemption) in zip(lines, plans, strict=True):
        if status not in ("paid", "partly"):
            continue
        amount = line.amount_due
        if status == "partly":
            amount = (line.amount_due * Decimal(rng.choice((25, 50, 60))) / 100).quantize(
                CENT, ROUND_HALF_UP
            )
            line.status = DuesStatus.PARTLY_PAID
        else:
            line.status = DuesStatus.PAID
        line.paid_amount = amount
        last = min(datetime.date(line.year, 12, 20), today)
        received = day_in(rng, line.called_at.date(), last)
        method = rng.choice(METHODS)
        payments.append(
            Payment(
                received_on=received,
                amount=amount,
                method=method,
                reference=f"{method[:3].upper()}-{line.year}-{len(payments) + 1:06d}",
                payer=f"Agent comptable {line.year}",
                recorded_at=aware(received, 16),
            )
        )
        paid.append((line, amount))
    lines = _bulk(DuesLine, lines)
    payments = _bulk(Payment, payments)
    Allocation.objects.bulk_create(
        [
            Allocation(payment=payment, line=line, amount=amount)
            for payment, (line, amount) in zip(payments, paid, strict=True)
        ],
        batch_size=BATCH,
    )
    report.add("dues lines", len(lines))
    report.add("dues exemptions", len(exemptions))
    report.add("payments", len(payments))

    names = {platform.pk: platform.name for platform in platforms}
    notices = [
        (DuesDocumentKind.NOTICE, line.year, line.called_at, line.amount_due, line, None)
        for line in lines
        if line.called_at is not None
    ]
    receipts = [
        (DuesDocumentKind.RECEIPT, payment.received_on.year, payment.recorded_at, payment.amount,
         None, payment)
        for payment in payments
    ]  # fmt: skip
    documents = _documents([*notices, *receipts], names, paid_lines=dict(zip(
        [payment.pk for payment in payments], [line for line, _amount in paid], strict=True
    )), now=now)  # fmt: skip
    report.add("dues documents", documents)


def _bulk(model, rows):
    made = []
    for chunk in chunks(rows, BATCH):
        made += model.objects.bulk_create(chunk, batch_size=BATCH)
    return made


def _documents(specs, names, *, paid_lines, now) -> int:
    """The numbered documents of ``specs`` (kind, year, issued_at, amount, line,
    payment), in date order per (kind, year), after each counter's last number; the
    counters moved on. Returns how many were written."""
    specs.sort(key=lambda spec: (spec[0], spec[1], spec[2]))
    counters = {
        (counter.kind, counter.year): counter
        for counter in DocumentCounter.objects.filter(year__in={spec[1] for spec in specs})
    }
    last = {key: counter.last_number for key, counter in counters.items()}
    written = 0
    for chunk in chunks(specs, BATCH):
        rows = []
        for kind, year, issued_at, amount, line, payment in chunk:
            sequence = last.get((kind, year), 0) + 1
            last[(kind, year)] = sequence
            number = DuesDocument.format_number(kind, year, sequence)
            about = line or paid_lines[payment.pk]
            title = "Appel de cotisation" if kind == DuesDocumentKind.NOTICE else "Recu"
            content = tiny_pdf(
                [
                    f"{title} {number}",
                    f"{names.get(about.platform_id, '')} - cotisation {about.year}",
                    f"Montant : {amount} EUR",
                    "Document genere (donnees de demonstration, seed_federation)",
                ]
            )
            rows.append(
                DuesDocument(
                    kind=kind,
                    year=year,
                    sequence=sequence,
                    number=number,
                    line=line,
                    payment=payment,
                    amount=amount,
                    filename=f"{number}.pdf",
                    content=content,
                    sha256=hashlib.sha256(content).hexdigest(),
                    issued_at=issued_at,
                )
            )
        DuesDocument.objects.bulk_create(rows, batch_size=BATCH)
        written += len(rows)
    for (kind, year), number in last.items():
        updated = DocumentCounter.objects.filter(kind=kind, year=year).update(last_number=number)
        if not updated:
            DocumentCounter.objects.create(kind=kind, year=year, last_number=number)
    return written
