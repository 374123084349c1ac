"""Reads about dues: the board's figures, a line's page, a platform's page, the
digest, the reminders due, and the check of the stored amounts.

Lines store their paid amount and status (kept by the services), so every figure
is one aggregate query over stored columns: no correlated subquery per line. Only
`recomputed()` (for `manage.py check_dues` and the tests) sums the allocations.
"""

import datetime
from decimal import Decimal
from typing import NamedTuple

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Concat
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS

from innovalo.audit import entries_for, key_of
from innovalo.enums import Role
from innovalo.french import search_words
from innovalo.models import SentReminder, User
from innovalo.rows import url_maker
from innovalo.templatetags.innovalo import euros

from ..enums import DuesDocumentKind, DuesStatus
from ..models import (
    Allocation,
    DuesDocument,
    DuesLine,
    DuesRate,
    DuesReminderStep,
    Payment,
    Platform,
    PlatformMembership,
)
from ..models.dues import CLOSED, FIRST_POSSIBLE_YEAR, MONEY, UNPAID, ZERO
from ..perms import PLATFORM_ROLES_FOR_DUES

MONEY_OUT = DecimalField(**MONEY)
# A scheduled reminder whose date passed more than this long ago is not sent late
# (e.g. after the schedule changed, or for old unpaid years): the bureau may still
# send one by hand.
REMINDER_CATCH_UP_DAYS = 30
DIGEST_LATE_LINES = 50
LINE_RULES = ("dues_call", "dues_reminder", "dues_reminder_manual")


def _money_sum(field, **kwargs):
    return Coalesce(Sum(field, **kwargs), Value(ZERO), output_field=MONEY_OUT)


# The board ------------------------------------------------------------------------------


def _dues_years_sql() -> str:
    """The rated years, and the years that have lines by a loose index scan (a recursive
    walk from one year to the next on the index of `year`): twenty probes of the index
    instead of reading every line of twenty years. Plain SQL that PostgreSQL and SQLite
    both run."""
    rates, lines = DuesRate._meta.db_table, DuesLine._meta.db_table
    return f"""
        WITH RECURSIVE line_years (year) AS (
            SELECT MIN(year) FROM {lines}
            UNION ALL
            SELECT (SELECT MIN(next.year) FROM {lines} next WHERE next.year > line_years.year)
            FROM line_years WHERE line_years.year IS NOT NULL
        )
        SELECT year, 1 FROM {rates}
        UNION ALL
        SELECT year, 0 FROM line_years WHERE year IS NOT NULL
    """  # noqa: S608 - table names from the models, no input


def dues_years() -> tuple[list[int], set[int]]:
    """(years to choose from, newest first; years that have a rate), in one query."""
    with connection.cursor() as cursor:
        cursor.execute(_dues_years_sql())
        rows = cursor.fetchall()
    years, rated = {timezone.localdate().year}, set()
    for year, has_rate in rows:
        years.add(year)
        if has_rate:
            rated.add(year)
    return sorted(years, reverse=True), rated


REGION = "platform__department__region__name"
CALLED_STATUSES = (DuesStatus.CALLED, DuesStatus.PARTLY_PAID, DuesStatus.PAID)
STATUS_COUNTS = {
    DuesStatus.TO_CALL: "to_call",
    DuesStatus.PAID: "paid",
    DuesStatus.PARTLY_PAID: "partly_paid",
    DuesStatus.EXEMPT: "exempt",
    DuesStatus.CANCELLED: "cancelled",
}


def _year_groups(lines, by_region=False) -> list[dict]:
    """Count and amounts of `lines` by status and lateness (and region): one GROUP BY
    query over stored columns, a few dozen groups that the figures below add up."""
    keys = ["status", "past_due", *([REGION] if by_region else [])]
    past_due = ExpressionWrapper(Q(due_date__lt=timezone.localdate()), output_field=BooleanField())
    return list(
        lines.annotate(past_due=past_due)
        .values(*keys)
        .annotate(count=Count("pk"), due=Sum("amount_due"), paid=Sum("paid_amount"))
        .order_by(*keys[2:])
    )


def _summary(year, groups) -> dict:
    summary = dict.fromkeys(["total", "called", "late", *STATUS_COUNTS.values()], 0)
    summary.update(expected_amount=ZERO, collected_amount=ZERO)
    for group in groups:
        status, count = group["status"], group["count"]
        summary["total"] += count
        if status in STATUS_COUNTS:
            summary[STATUS_COUNTS[status]] += count
        if status in CALLED_STATUSES:
            summary["called"] += count
        if status in UNPAID and group["past_due"]:
            summary["late"] += count
        if status not in CLOSED:
            summary["expected_amount"] += group["due"]
        summary["collected_amount"] += group["paid"]
    # The paid rate: lines paid among lines the association expects money from.
    summary["expected"] = summary["total"] - summary["exempt"] - summary["cancelled"]
    summary["outstanding_amount"] = summary["expected_amount"] - summary["collected_amount"]
    summary["year"] = year
    return summary


def _regions(groups) -> list[dict]:
    """Expected lines (neither exempt nor cancelled) by region, in the query's order."""
    regions = {}
    for group in groups:
        if group["status"] in CLOSED:
            continue
        name = group[REGION]
        region = regions.setdefault(
            name,
            {
                REGION: name,
                "expected": 0,
                "paid": 0,
                "expected_amount": ZERO,
                "collected_amount": ZERO,
            },
        )
        region["expected"] += group["count"]
        region["paid"] += group["count"] if group["status"] == DuesStatus.PAID else 0
        region["expected_amount"] += group["due"]
        region["collected_amount"] += group["paid"]
    return list(regions.values())


def dues_year_figures(year, lines=None) -> tuple[dict, list[dict]]:
    """The board's figures: the year's summary and its regions, from one query."""
    lines = lines if lines is not None else DuesLine.objects.filter(year=year)
    groups = _year_groups(lines, by_region=True)
    return _summary(year, groups), _regions(groups)


def cached_year_figures(year) -> tuple[dict, list[dict]]:
    """`dues_year_figures(year)` kept in the cache between two writes: the board and the
    bureau's home read them on every visit, and at federation scale the GROUP BY over
    the year's lines and their regions is a third of the board's time.

    They live under the dashboard's generation, which every save or delete of a line,
    payment, allocation, cancellation, exemption, platform, department or region
    increments (`innovalo/dashboard/signals.py`), with its writing window, and the key
    names today's date (lateness moves with it): a payment recorded shows at once."""
    from innovalo.dashboard import cache as figures_cache

    return figures_cache.kept("dues-year-figures", year, compute=lambda: dues_year_figures(year))


def dues_year_summary(year, lines=None) -> dict:
    """Counts and amounts of a year (paid, late, expected...): one query."""
    lines = lines if lines is not None else DuesLine.objects.filter(year=year)
    return _summary(year, _year_groups(lines))


def dues_by_region(year, lines=None) -> list[dict]:
    """The year's expected lines by region: one query."""
    return dues_year_figures(year, lines)[1]


def board_lines(year):
    return DuesLine.objects.filter(year=year).for_board()


BOARD_PAGE_SIZE = 50
BOARD_MAX_PAGE = 10**6
BOARD_COLUMNS = (
    "pk",
    "status",
    "amount_due",
    "paid_amount",
    "due_date",
    "platform__name",
    "platform__department__region__name",
)


def board_page(lines, number, per_page=BOARD_PAGE_SIZE, *, count=None) -> Page:
    """A page of the board: `lines` (the filtered queryset) read as plain rows; a page
    number that is not a number is the first page, one out of range the last (as
    `Paginator.get_page`).

    `count` is the number of `lines` when the caller knows it (the unfiltered board: the
    year's figures hold it); otherwise one COUNT query. The rows are read with a LIMIT
    alone, so that PostgreSQL walks the platforms' French-name index and stops after
    the page: a count in the same query (COUNT(*) OVER ()) made it read and sort every
    line of the year (two thirds of the board's time at federation scale)."""
    paginator = Paginator(lines, per_page)
    paginator.count = lines.count() if count is None else count
    try:
        number = min(int(number), BOARD_MAX_PAGE)  # an OFFSET the database accepts
    except (TypeError, ValueError):
        number = 1
    if not 1 <= number <= paginator.num_pages:
        number = paginator.num_pages
    rows = _board_rows(lines, (number - 1) * per_page, per_page) if paginator.count else []
    return Page(rows, number, paginator)


def _board_rows(lines, offset, limit) -> list[dict]:
    """The board's rows as plain, ready-to-print values: what the template would
    otherwise compute per row (link, state label, lateness, amounts, date)."""
    today = timezone.localdate()
    labels = {status: str(label) for status, label in DuesStatus.choices}
    months = {number: str(name) for number, name in MONTHS.items()}
    url = url_maker("dues_line_detail")
    values = lines.values_list(*BOARD_COLUMNS)[offset : offset + limit]
    rows = []
    for pk, status, due, paid, due_date, platform, region in values:
        rows.append(
            {
                "pk": pk,
                "url": url(pk),
                "platform": platform,
                "region": region,
                "status": status,
                "status_label": labels[status],
                # DuesLine.is_unpaid and the due date passed; DuesLine.balance.
                "late": status in UNPAID and due_date < today,
                "amount_due": euros(due),
                "paid_amount": euros(paid),
                "balance": euros(ZERO if status in CLOSED else due - paid),
                # What {{ due_date|date:"j F Y" }} writes.
                "due_date": f"{due_date.day} {months[due_date.month]} {due_date.year}",
            }
        )
    return rows


def dues_late_totals(today=None) -> dict:
    """Late lines of every year: how many and what they still owe, in one SQL query."""
    totals = DuesLine.objects.late(today or timezone.localdate()).aggregate(
        count=Count("pk"), due=_money_sum("amount_due"), paid=_money_sum("paid_amount")
    )
    return {"count": totals["count"], "balance": totals["due"] - totals["paid"]}


def late_lines(today=None, limit=DIGEST_LATE_LINES) -> list[DuesLine]:
    return list(
        DuesLine.objects.late(today or timezone.localdate())
        .select_related("platform")
        .order_by("due_date", "platform__name", "pk")[:limit]
    )


def earliest_payment_date() -> datetime.date:
    """No payment before the year preceding the first dues year (nor before 2000)."""
    first = DuesRate.objects.order_by("year").values_list("year", flat=True).first()
    year = max(FIRST_POSSIBLE_YEAR, (first or FIRST_POSSIBLE_YEAR) - 1)
    return datetime.date(year, 1, 1)


class OpenLine(NamedTuple):
    pk: int
    platform: str
    year: int
    balance: Decimal
    notice: str = ""


def open_lines(
    *, ids=None, notice=None, platform_name=None, words=None, year=None, limit=None
) -> list[OpenLine]:
    """Lines that may receive a payment, for the payment form's picker: one query of
    plain values (no model instances), each with its valid notice's number if any;
    narrowed to `ids`, a valid notice's `notice` number, a platform named
    `platform_name` (case aside), a platform's name holding every one of `words`
    (accents and case aside), a `year`, and the first `limit` (a federation has
    20,000 open lines: the picker offers a few)."""
    rows = DuesLine.objects.open()
    if ids is not None:
        rows = rows.filter(pk__in=ids)
    if notice is not None:
        notices = DuesDocument.objects.filter(
            kind=DuesDocumentKind.NOTICE, voided_at__isnull=True, number__iexact=notice
        )
        rows = rows.filter(pk__in=notices.values("line_id"))
    if platform_name is not None:
        rows = rows.filter(platform__name__iexact=platform_name)
    if words:
        rows = search_words(rows, " ".join(words), ["platform__name"])
    if year is not None:
        rows = rows.filter(year=year)
    rows = (
        rows.annotate(notice=_valid_notice("number"))
        .order_by("-year", "platform__name", "pk")
        .values_list("pk", "platform__name", "year", "amount_due", "paid_amount", "notice")
    )
    if limit is not None:
        rows = rows[:limit]
    return [
        OpenLine(pk, name, year, due - paid, notice or "")
        for pk, name, year, due, paid, notice in rows
    ]


# A line's page, a platform's page, a document ---------------------------------------------


def line_page(line: DuesLine) -> dict:
    allocations = list(
        Allocation.objects.filter(line=line)
        .select_related("payment__cancellation__cancelled_by", "payment__recorded_by")
        .order_by("-payment__received_on", "-pk")
    )
    payment_ids = [a.payment_id for a in allocations]
    documents = list(
        DuesDocument.objects.without_content()
        .filter(Q(line=line) | Q(payment_id__in=payment_ids))
        .order_by("kind", "sequence")
    )
    receipts = {d.payment_id: d for d in documents if d.kind == DuesDocumentKind.RECEIPT}
    # A payment split over several lines: the other lines it paid, linked both ways.
    siblings = {}
    for other in (
        Allocation.objects.filter(payment_id__in=payment_ids)
        .exclude(line=line)
        .select_related("line__platform")
        .order_by("line__platform__name", "line__year", "pk")
    ):
        siblings.setdefault(other.payment_id, []).append(other)
    for allocation in allocations:
        allocation.receipt = receipts.get(allocation.payment_id)
        allocation.siblings = siblings.get(allocation.payment_id, [])
    own = [d for d in documents if d.kind != DuesDocumentKind.RECEIPT]
    has_notice = any(d.kind == DuesDocumentKind.NOTICE for d in own)
    has_certificate = any(d.kind == DuesDocumentKind.CERTIFICATE and not d.is_void for d in own)
    return {
        "allocations": allocations,
        "documents": own,
        "receipts": list(receipts.values()),
        # The bureau's POSTs for what no service issued yet (a GET never issues).
        "can_issue_notice": not has_notice
        and line.status in (DuesStatus.CALLED, DuesStatus.PARTLY_PAID, DuesStatus.PAID),
        "can_issue_certificate": not has_certificate
        and line.status in (DuesStatus.PAID, DuesStatus.EXEMPT),
        "reminders": list(
            SentReminder.objects.filter(rule__in=LINE_RULES, target=key_of(line))
            .select_related("sent_by")
            .order_by("-created_at", "-pk")
        ),
        "history": list(entries_for(line, limit=50)),
    }


def platform_dues(platform) -> list[DuesLine]:
    """A platform's lines, newest first, each with `document_list` (three queries)."""
    lines = list(platform.dues_lines.order_by("-year", "pk"))
    documents = list(
        DuesDocument.objects.without_content()
        .visible_to_platform(platform)
        .order_by("year", "kind", "sequence")
    )
    paid_by_payment = {}
    for payment_id, line_id in Allocation.objects.filter(line__platform=platform).values_list(
        "payment_id", "line_id"
    ):
        paid_by_payment.setdefault(payment_id, set()).add(line_id)
    by_line = {line.pk: [] for line in lines}
    for document in documents:
        targets = (
            paid_by_payment.get(document.payment_id, ())
            if document.kind == DuesDocumentKind.RECEIPT
            else [document.line_id]
        )
        for line_id in targets:
            by_line.setdefault(line_id, []).append(document)
    for line in lines:
        line.document_list = by_line.get(line.pk, [])
        line.notice = next(
            (
                d
                for d in line.document_list
                if d.kind == DuesDocumentKind.NOTICE and d.line_id == line.pk and not d.is_void
            ),
            None,
        )
    return lines


def platform_outstanding(platform) -> dict:
    """What a platform still owes: its called and unsettled lines (count, amount), in one
    aggregate query."""
    return DuesLine.objects.filter(platform=platform, status__in=UNPAID).aggregate(
        count=Count("pk"),
        amount=Coalesce(
            Sum(F("amount_due") - F("paid_amount"), output_field=MONEY_OUT),
            Value(ZERO),
            output_field=MONEY_OUT,
        ),
    )


def _valid_notice(field):
    return Subquery(
        DuesDocument.objects.filter(
            line=OuterRef("pk"), kind=DuesDocumentKind.NOTICE, voided_at__isnull=True
        )
        .order_by("pk")
        .values(field)[:1]
    )


MY_DUES_LIMIT = 10


def dues_owed(platform_ids, limit=MY_DUES_LIMIT) -> list[dict]:
    """The called, unsettled lines of these platforms, oldest due first, each with its
    valid notice (number and link) if one was issued: one query."""
    if not platform_ids:
        return []
    rows = (
        DuesLine.objects.filter(status__in=UNPAID, platform_id__in=platform_ids)
        .annotate(
            owed=ExpressionWrapper(F("amount_due") - F("paid_amount"), output_field=MONEY_OUT),
            notice_pk=_valid_notice("pk"),
            notice_number=_valid_notice("number"),
        )
        .order_by("due_date", "platform__name", "pk")
        .values(
            "pk",
            "year",
            "owed",
            "due_date",
            "platform__name",
            "platform__slug",
            "notice_pk",
            "notice_number",
        )[:limit]
    )
    today = timezone.localdate()
    owed = []
    for row in rows:
        number = row["notice_number"]
        owed.append(
            {
                **row,
                "late": row["due_date"] < today,
                "notice_url": reverse("dues_document", args=[row["notice_pk"], number])
                if number
                else "",
                "platform_url": reverse("platform_dues", args=[row["platform__slug"]]),
            }
        )
    return owed


def document_platforms(document) -> list[Platform]:
    if document.kind == DuesDocumentKind.RECEIPT:
        return list(
            Platform.objects.filter(dues_lines__allocations__payment_id=document.payment_id)
            .distinct()
            .order_by("pk")
        )
    return [document.line.platform]


def current_document(line, kind):
    """The valid notice or certificate of a line, or None (a GET never issues one)."""
    return DuesDocument.objects.filter(line=line, kind=kind, voided_at__isnull=True).first()


# The call of a year: what the bureau proposes, the summary, the progress ---------------------


def proposed_rate(year) -> dict:
    """The form's initial values: the year's rate if set, else last year's (or the latest
    earlier one) carried over, its due date moved to `year`. One query."""
    rate = DuesRate.objects.filter(year__lte=year).order_by("-year").first()
    if rate is None:
        return {"year": year}
    due_date = rate.due_date
    if rate.year != year:
        try:
            due_date = due_date.replace(year=due_date.year + year - rate.year)
        except ValueError:  # 29 February
            due_date = due_date.replace(day=28, year=due_date.year + year - rate.year)
    return {"year": year, "amount": rate.amount, "due_date": due_date, "from_year": rate.year}


CALL_PREVIEW_ROWS = 100


def _to_call(year):
    """The platforms the call of `year` would call: the member platforms without a line
    nor an exemption yet, and those whose line was not called yet."""
    from ..models import DuesExemption

    lines = DuesLine.objects.filter(year=year, platform=OuterRef("pk"))
    exempt = DuesExemption.objects.filter(year=year, line__isnull=True, platform=OuterRef("pk"))
    waiting = lines.filter(
        called_at__isnull=True, status__in=[DuesStatus.TO_CALL, DuesStatus.PARTLY_PAID]
    )
    return Platform.objects.filter(
        (Q(is_member=True) & ~Exists(lines) & ~Exists(exempt)) | Exists(waiting)
    )


def _has_dues_contact():
    from ..models import PlatformMembership

    return Exists(
        PlatformMembership.objects.filter(
            platform=OuterRef("pk"), role__in=PLATFORM_ROLES_FOR_DUES, user__is_active=True
        )
    )


def call_preview(year, limit=CALL_PREVIEW_ROWS) -> dict:
    """What confirming the call of `year` would do, read only (nothing is written): the
    platforms called (the first `limit`, with the addresses their notice goes to), how
    many have nobody to write to, how many are exempt or were called already."""
    from innovalo.french import French

    from ..models import DuesExemption, PlatformMembership

    platforms = _to_call(year).annotate(has_contact=_has_dues_contact())
    counts = platforms.aggregate(
        total=Count("pk"), without_contact=Count("pk", filter=Q(has_contact=False))
    )
    contacts = PlatformMembership.objects.filter(
        role__in=PLATFORM_ROLES_FOR_DUES, user__is_active=True
    ).select_related("user")
    rows = list(
        platforms.only("pk", "name", "slug")
        .order_by(French("name"), "pk")
        .prefetch_related(Prefetch("memberships", contacts, to_attr="dues_contacts"))[:limit]
    )
    for platform in rows:
        platform.recipients = sorted({m.user.email for m in platform.dues_contacts})
    called = DuesLine.objects.filter(year=year, called_at__isnull=False).count()
    exempt = DuesExemption.objects.filter(year=year, line__isnull=True).count()
    return {
        "year": year,
        "platforms": rows,
        "count": counts["total"],
        "without_contact": counts["without_contact"],
        "more": max(counts["total"] - len(rows), 0),
        "already_called": called,
        "exempt": exempt,
    }


def call_progress(year) -> dict:
    """Where the call of `year` stands, from the database: lines called, and their call
    emails by state (the outbox's rows, one per line), in two queries."""
    from innovalo.enums import EmailStatus

    lines = DuesLine.objects.filter(year=year).aggregate(
        total=Count("pk"), called=Count("pk", filter=Q(called_at__isnull=False))
    )
    keys = (
        DuesLine.objects.filter(year=year, called_at__isnull=False)
        .annotate(key=Concat(Value(f"{DuesLine._meta.label_lower}:"), Cast("pk", CharField())))
        .values("key")
    )
    states = dict(
        SentReminder.objects.filter(rule="dues_call", target__in=keys)
        .values("status")
        .annotate(count=Count("pk"))
        .values_list("status", "count")
    )
    waiting = states.get(EmailStatus.PENDING, 0) + states.get(EmailStatus.SENDING, 0)
    emails = sum(states.values())
    progress = {
        "year": year,
        "lines": lines["total"],
        "called": lines["called"],
        "total": emails,
        "sent": states.get(EmailStatus.SENT, 0),
        "skipped": states.get(EmailStatus.SKIPPED, 0),
        "failed": states.get(EmailStatus.FAILED, 0),
        "waiting": waiting,
        # Lines called without an email (an import, or the bureau's choice): none to wait.
        "without_email": max(lines["called"] - emails, 0),
    }
    handled = emails - waiting
    progress["started"] = lines["called"] > 0
    progress["done"] = progress["started"] and not waiting
    progress["running"] = not progress["done"]
    progress["percent"] = round(100 * handled / emails) if emails else 100
    progress["handled"] = handled
    return progress


def call_problems(year, limit=50) -> list[dict]:
    """The year's call emails that did not leave (no one to write to, or an error)."""
    from innovalo.enums import EmailStatus

    keys = Concat(Value(f"{DuesLine._meta.label_lower}:"), Cast(OuterRef("pk"), CharField()))
    record = SentReminder.objects.filter(rule="dues_call", target=keys)
    return list(
        DuesLine.objects.filter(year=year, called_at__isnull=False)
        .annotate(email_status=Subquery(record.values("status")[:1]))
        .filter(email_status__in=[EmailStatus.SKIPPED, EmailStatus.FAILED])
        .order_by("platform__name", "pk")
        .values("pk", "platform__name", "email_status")[:limit]
    )


# Emails --------------------------------------------------------------------------------


def dues_recipients(platform) -> list[str]:
    return sorted(platform.people_emails(*PLATFORM_ROLES_FOR_DUES))


def dues_recipients_by_platform(platform_ids) -> dict[int, list[str]]:
    """{platform id: what `dues_recipients` gives} for many platforms, in one query;
    a platform with nobody to write to is left out."""
    found = {}
    rows = (
        PlatformMembership.objects.filter(
            platform_id__in=platform_ids,
            role__in=PLATFORM_ROLES_FOR_DUES,
            user__is_active=True,
        )
        .order_by()
        .values_list("platform_id", "user__email")
        .distinct()
    )
    for platform_id, email in rows:
        found.setdefault(platform_id, set()).add(email)
    return {platform_id: sorted(emails) for platform_id, emails in found.items()}


def bureau_emails() -> list[str]:
    return sorted(
        User.objects.filter(role=Role.BUREAU, is_active=True).values_list("email", flat=True)
    )


def payments_recorded_between(since, until) -> list[Payment]:
    """Valid payments recorded in (since, until]: consecutive digests never overlap."""
    return list(
        Payment.objects.valid()
        .filter(recorded_at__gt=since, recorded_at__lte=until)
        .prefetch_related(
            Prefetch("allocations", Allocation.objects.select_related("line__platform"))
        )
        .order_by("received_on", "pk")
    )


def due_reminders(today=None) -> list[tuple[DuesLine, DuesReminderStep]]:
    """(line, step) pairs due now: the latest step reached by each late line, if
    that step's date is recent (catch-up window) and it was not sent to the line."""
    today = today or timezone.localdate()
    steps = list(DuesReminderStep.objects.filter(is_active=True).order_by("days_after_due"))
    if not steps:
        return []
    earliest = steps[0].days_after_due
    lines = list(
        DuesLine.objects.late(today)
        .filter(due_date__lte=today - datetime.timedelta(days=earliest))
        .select_related("platform")
        .order_by("pk")
    )
    pairs = []
    for line in lines:
        reached = [
            s for s in steps if line.due_date + datetime.timedelta(s.days_after_due) <= today
        ]
        step = reached[-1]
        step_date = line.due_date + datetime.timedelta(step.days_after_due)
        if (today - step_date).days <= REMINDER_CATCH_UP_DAYS:
            pairs.append((line, step))
    sent = set(
        SentReminder.objects.filter(
            rule="dues_reminder",
            target__in={key_of(line) for line, _step in pairs},
            period__in={str(step.pk) for _line, step in pairs},
        ).values_list("target", "period")
    )
    return [(line, step) for line, step in pairs if (key_of(line), str(step.pk)) not in sent]


# The stored amounts, recomputed -------------------------------------------------------------


def recomputed(lines=None):
    """Annotate `recomputed_paid` (valid allocations, summed) and `recomputed_status`
    (the rule of `DuesLine.settled_status`), to compare with the stored columns."""
    lines = lines if lines is not None else DuesLine.objects.all()
    valid = (
        Allocation.objects.filter(line=OuterRef("pk"), payment__cancellation__isnull=True)
        .order_by()
        .values("line")
        .annotate(total=Sum("amount"))
        .values("total")[:1]
    )
    return lines.annotate(
        recomputed_paid=Coalesce(Subquery(valid, output_field=MONEY_OUT), Value(ZERO))
    ).annotate(
        recomputed_status=Case(
            When(status__in=CLOSED, then=F("status")),
            When(recomputed_paid__gte=F("amount_due"), then=Value(DuesStatus.PAID)),
            When(recomputed_paid__gt=0, then=Value(DuesStatus.PARTLY_PAID)),
            When(called_at__isnull=True, then=Value(DuesStatus.TO_CALL)),
            default=Value(DuesStatus.CALLED),
            output_field=CharField(),
        )
    )


def dues_mismatches(lines=None):
    """Lines whose stored paid amount or status differ from their allocations."""
    return (
        recomputed(lines)
        .exclude(recomputed_paid=F("paid_amount"), recomputed_status=F("status"))
        .select_related("platform")
        .order_by("year", "pk")
    )
