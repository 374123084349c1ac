"""Every write about dues, payments, documents and reminders (issue 4).

Writes run inside `transaction.atomic` and lock what races matter on
(`select_for_update`): the dues lines a payment settles, the payment being
cancelled, the document counter of a (kind, year). Every change writes a
`DuesEvent` line (who, when, what), and money is never deleted or rewritten.

Emails are recorded in `SentReminder` under a unique key *before* they are sent
(`innovalo.reminders.send_once`): a second run, a retried task or a concurrent
worker sends nothing twice.
"""

import datetime
import hashlib
import logging
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from innovalo.emails import send_templated_email
from innovalo.enums import Role
from innovalo.models import SentReminder, User
from innovalo.reminders import already_sent, send_once

from ..enums import DuesDocumentKind, DuesEventKind, DuesStatus
from ..models import (
    Allocation,
    DocumentCounter,
    DuesDocument,
    DuesEvent,
    DuesExemption,
    DuesLine,
    DuesRate,
    DuesReminderStep,
    Payment,
    PaymentCancellation,
    Platform,
)
from ..models.dues import MONEY, ZERO, valid_allocations_sum
from ..perms import PLATFORM_ROLES_FOR_DUES

logger = logging.getLogger(__name__)

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("99999999.99")
# A scheduled reminder whose date passed more than this long ago is not sent late
# (e.g. after the schedule changed, or for old unpaid years): the bureau may still
# send one by hand.
REMINDER_CATCH_UP_DAYS = 30
DEFAULT_REMINDER_DAYS = (15, 45, 90)
DIGEST_LATE_LINES = 50


class DuesError(Exception):
    """A refused dues operation; `field` names the form field it is about, if any."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.message = message
        self.field = field


def money(value, *, field=None) -> Decimal:
    """A positive amount with two decimals, as Decimal; DuesError otherwise."""
    try:
        amount = Decimal(str(value).strip().replace(",", ".").replace("\u00a0", ""))
    except (InvalidOperation, ValueError, TypeError):
        raise DuesError(_("Montant invalide."), field) from None
    if not amount.is_finite():
        raise DuesError(_("Montant invalide."), field)
    if amount != amount.quantize(CENT, rounding=ROUND_HALF_UP):
        raise DuesError(_("Le montant a au plus deux décimales."), field)
    amount = amount.quantize(CENT)
    if amount <= 0:
        raise DuesError(_("Le montant doit être positif."), field)
    if amount > MAX_AMOUNT:
        raise DuesError(_("Montant trop élevé."), field)
    return amount


def amount_text(value) -> str:
    """An amount for a message, in the active language's format: "1 234,50"."""
    return number_format(Decimal(value).quantize(CENT), decimal_pos=2, force_grouping=True)


def _log(line, kind, message="", *, amount=None, actor=None):
    return DuesEvent.objects.create(
        line=line, kind=kind, message=message[:255], amount=amount, actor=actor
    )


def _paid_amounts(line_ids) -> dict[int, Decimal]:
    """Valid (non-cancelled) allocations per line, summed in SQL."""
    rows = (
        Allocation.objects.filter(line_id__in=line_ids, payment__cancellation__isnull=True)
        .values("line_id")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    return {row["line_id"]: row["total"] for row in rows}


def dues_refresh_status(line: DuesLine) -> DuesLine:
    """Keep the stored status equal to the state derived from the allocations."""
    if line.status in (DuesStatus.EXEMPT, DuesStatus.CANCELLED):
        return line
    state = DuesLine.objects.with_amounts().values_list("state", flat=True).get(pk=line.pk)
    if state != line.status:
        line.status = state
        line.save(update_fields=["status"])
    return line


# Rates, exemptions, the call of a year -------------------------------------------


def dues_set_rate(*, year, amount, due_date, note="", actor=None) -> DuesRate:
    amount = money(amount, field="amount")
    with transaction.atomic():
        rate = DuesRate.objects.select_for_update().filter(year=year).first()
        if rate is None:
            return DuesRate.objects.create(year=year, amount=amount, due_date=due_date, note=note)
        if rate.amount != amount and DuesLine.objects.filter(year=year).exists():
            raise DuesError(
                _(
                    "La cotisation %(year)s est déjà appelée à %(amount)s € : "
                    "le montant ne peut plus changer."
                )
                % {"year": year, "amount": amount_text(rate.amount)},
                "amount",
            )
        rate.amount, rate.due_date, rate.note = amount, due_date, note or rate.note
        rate.save()
        return rate


@dataclass
class CallResult:
    created: int
    called: list[int]


def dues_call_year(*, year, actor=None, send=True, platforms=None) -> CallResult:
    """Open the call of a year: a dues line for every member platform, then each
    line still "to call" is called and its notice emailed (on commit, by a task).

    Running it again creates nothing twice: the unique constraint (platform, year)
    holds, existing lines are skipped, and each email has its own key.
    `platforms` narrows the member platforms called (the demo's 2016 network).
    """
    from .. import tasks

    with transaction.atomic():
        rate = DuesRate.objects.select_for_update().filter(year=year).first()
        if rate is None:
            raise DuesError(_("Aucun tarif n'est défini pour %(year)s.") % {"year": year}, "year")
        existing = set(DuesLine.objects.filter(year=year).values_list("platform_id", flat=True))
        exemptions = {
            e.platform_id: e for e in DuesExemption.objects.filter(year=year, line__isnull=True)
        }
        created = 0
        candidates = platforms if platforms is not None else Platform.objects.all()
        for platform in candidates.members().exclude(pk__in=existing).order_by("pk"):
            exemption = exemptions.get(platform.pk)
            line = DuesLine.objects.create(
                platform=platform,
                year=year,
                amount_due=rate.amount,
                due_date=rate.due_date,
                status=DuesStatus.EXEMPT if exemption else DuesStatus.TO_CALL,
                exemption=exemption,
            )
            _log(line, DuesEventKind.CREATED, str(rate), amount=rate.amount, actor=actor)
            created += 1
        to_call = list(
            DuesLine.objects.select_for_update()
            .filter(year=year, status=DuesStatus.TO_CALL)
            .order_by("pk")
        )
        now = timezone.now()
        for line in to_call:
            line.status = DuesStatus.CALLED
            line.called_at = now
            line.save(update_fields=["status", "called_at"])
            _log(line, DuesEventKind.CALLED, actor=actor)
        called = [line.pk for line in to_call]
        if send:
            actor_id = actor.pk if actor else None
            for pk in called:
                tasks.dues_send_notice.delay_on_commit(pk, actor_id)
    logger.info("dues call %s: %s lines created, %s called", year, created, len(called))
    return CallResult(created=created, called=called)


def dues_exempt(*, line: DuesLine, reason: str, actor=None) -> DuesLine:
    reason = (reason or "").strip()
    if not reason:
        raise DuesError(_("Indiquez le motif de l'exonération."), "reason")
    with transaction.atomic():
        line = DuesLine.objects.select_for_update().get(pk=line.pk)
        if line.status in (DuesStatus.EXEMPT, DuesStatus.CANCELLED):
            raise DuesError(
                _("Cette ligne est déjà %(status)s.")
                % {"status": line.get_status_display().lower()}
            )
        if _paid_amounts([line.pk]).get(line.pk):
            raise DuesError(
                _("Cette ligne a reçu des paiements : annulez-les avant d'exonérer."), "reason"
            )
        exemption, _created = DuesExemption.objects.get_or_create(
            platform_id=line.platform_id,
            year=line.year,
            defaults={"reason": reason, "created_by": actor},
        )
        line.exemption = exemption
        line.status = DuesStatus.EXEMPT
        line.save(update_fields=["exemption", "status"])
        _log(line, DuesEventKind.EXEMPTED, reason, actor=actor)
    return line


def dues_exempt_platform(*, platform, year, reason: str, actor=None) -> DuesExemption:
    """Exempt a platform for a year, before or after the call.

    Before the call, the exemption is recorded and the call then creates the
    line as exempt (no notice is sent); after it, the existing line is exempted.
    """
    reason = (reason or "").strip()
    if not reason:
        raise DuesError(_("Indiquez le motif de l'exonération."), "reason")
    line = DuesLine.objects.filter(platform=platform, year=year).first()
    if line is not None:
        return dues_exempt(line=line, reason=reason, actor=actor).exemption
    try:
        with transaction.atomic():
            return DuesExemption.objects.create(
                platform=platform, year=year, reason=reason, created_by=actor
            )
    except IntegrityError:
        raise DuesError(
            _("Cette plateforme est déjà exonérée pour cette année."), "platform"
        ) from None


def dues_cancel_line(*, line: DuesLine, reason: str, actor=None) -> DuesLine:
    reason = (reason or "").strip()
    if not reason:
        raise DuesError(_("Indiquez le motif de l'annulation."), "reason")
    with transaction.atomic():
        line = DuesLine.objects.select_for_update().get(pk=line.pk)
        if line.status == DuesStatus.CANCELLED:
            raise DuesError(_("Cette ligne est déjà annulée."))
        if _paid_amounts([line.pk]).get(line.pk):
            raise DuesError(_("Cette ligne a reçu des paiements : annulez-les d'abord."), "reason")
        line.status = DuesStatus.CANCELLED
        line.cancelled_at = timezone.now()
        line.cancelled_by = actor
        line.cancellation_reason = reason
        line.save(update_fields=["status", "cancelled_at", "cancelled_by", "cancellation_reason"])
        _log(line, DuesEventKind.CANCELLED, reason, actor=actor)
    return line


def dues_set_purchase_order(*, line: DuesLine, purchase_order: str, actor=None) -> DuesLine:
    """The purchase-order number is printed on the notice: only before it is issued."""
    with transaction.atomic():
        line = DuesLine.objects.select_for_update().get(pk=line.pk)
        if line.documents.filter(kind=DuesDocumentKind.NOTICE).exists():
            raise DuesError(
                _("L'appel de cotisation est déjà émis : il ne peut plus changer."),
                "purchase_order",
            )
        line.purchase_order = (purchase_order or "").strip()
        line.save(update_fields=["purchase_order"])
        _log(
            line,
            DuesEventKind.UPDATED,
            _("Bon de commande : %s") % (line.purchase_order or "—"),
            actor=actor,
        )
    return line


# Payments -------------------------------------------------------------------------


def dues_record_payment(
    *,
    received_on: datetime.date,
    amount,
    method: str,
    allocations: list[tuple[DuesLine | int, object]],
    reference: str = "",
    payer: str = "",
    note: str = "",
    actor=None,
    issue_receipt: bool = True,
) -> Payment:
    """Record a payment and allocate it across dues lines, never over-allocated.

    The lines are locked (in pk order, so two treasurers never deadlock) and
    their paid amounts re-read in SQL under the lock. The receipt is issued in
    the same transaction: a payment never exists without its numbered receipt.
    """
    amount = money(amount, field="amount")
    if received_on > timezone.localdate():
        raise DuesError(_("La date de réception est dans le futur."), "received_on")
    wanted: dict[int, Decimal] = {}
    for target, value in allocations:
        line_id = target.pk if isinstance(target, DuesLine) else int(target)
        if line_id in wanted:
            raise DuesError(_("Une même ligne apparaît deux fois dans la répartition."))
        wanted[line_id] = money(value, field="allocations")
    if not wanted:
        raise DuesError(_("Affectez le paiement à au moins une ligne de cotisation."))
    total = sum(wanted.values(), ZERO)
    if total > amount:
        raise DuesError(
            _("La répartition (%(total)s €) dépasse le montant du paiement (%(amount)s €).")
            % {"total": amount_text(total), "amount": amount_text(amount)},
            "amount",
        )
    with transaction.atomic():
        lines = {
            line.pk: line
            for line in DuesLine.objects.select_for_update()
            .select_related("platform")
            .filter(pk__in=wanted)
            .order_by("pk")
        }
        if len(lines) != len(wanted):
            raise DuesError(_("Ligne de cotisation introuvable."), "allocations")
        paid = _paid_amounts(list(lines))
        for line_id, value in wanted.items():
            line = lines[line_id]
            if not line.is_open:
                raise DuesError(
                    _("%(line)s est %(status)s : elle ne peut pas recevoir de paiement.")
                    % {"line": line, "status": line.get_status_display().lower()},
                    "allocations",
                )
            balance = line.amount_due - paid.get(line_id, ZERO)
            if value > balance:
                raise DuesError(
                    _("%(line)s : %(value)s € dépasse le reste dû (%(balance)s €).")
                    % {
                        "line": line,
                        "value": amount_text(value),
                        "balance": amount_text(balance),
                    },
                    "allocations",
                )
        payment = Payment.objects.create(
            received_on=received_on,
            amount=amount,
            method=method,
            reference=(reference or "").strip(),
            payer=(payer or "").strip(),
            note=note or "",
            recorded_by=actor,
        )
        Allocation.objects.bulk_create(
            [Allocation(payment=payment, line_id=pk, amount=value) for pk, value in wanted.items()]
        )
        for line_id, value in wanted.items():
            line = lines[line_id]
            dues_refresh_status(line)
            _log(
                line,
                DuesEventKind.PAYMENT,
                f"{payment.get_method_display()} {payment.reference}".strip(),
                amount=value,
                actor=actor,
            )
        if issue_receipt:
            dues_issue_document(DuesDocumentKind.RECEIPT, payment=payment, actor=actor)
    logger.info("payment %s of %s recorded by %s", payment.pk, amount, actor)
    return payment


def dues_cancel_payment(*, payment: Payment, reason: str, actor=None) -> PaymentCancellation:
    """Cancel a mistaken payment with an entry (who, when, why); nothing is deleted.
    Its receipt stays (shown as cancelled); the lines go back to what they owe."""
    reason = (reason or "").strip()
    if not reason:
        raise DuesError(_("Indiquez le motif de l'annulation."), "reason")
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        if PaymentCancellation.objects.filter(payment=payment).exists():
            raise DuesError(_("Ce paiement est déjà annulé."))
        cancellation = PaymentCancellation.objects.create(
            payment=payment, reason=reason, cancelled_by=actor
        )
        allocations = list(payment.allocations.select_related("line__platform").order_by("line_id"))
        locked = DuesLine.objects.select_for_update().filter(
            pk__in=[a.line_id for a in allocations]
        )
        lines = {line.pk: line for line in locked.order_by("pk")}
        for allocation in allocations:
            line = lines[allocation.line_id]
            dues_refresh_status(line)
            _log(
                line,
                DuesEventKind.PAYMENT_CANCELLED,
                reason,
                amount=allocation.amount,
                actor=actor,
            )
    return cancellation


# Documents ------------------------------------------------------------------------


def _next_sequence(kind: str, year: int) -> int:
    """The next number of (kind, year), with the counter row locked until commit.

    Two concurrent transactions: the second waits on the row lock (or on the
    unique index when both create the counter), then reads the first's number.
    A rolled-back issue rolls the counter back too: no gaps.
    """
    counter, _created = DocumentCounter.objects.get_or_create(kind=kind, year=year)
    counter = DocumentCounter.objects.select_for_update().get(pk=counter.pk)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number


def dues_issue_document(kind: str, *, line=None, payment=None, actor=None) -> DuesDocument:
    """Issue a numbered document once; a second call returns the same document."""
    from .. import pdf

    with transaction.atomic():
        if kind == DuesDocumentKind.RECEIPT:
            payment = Payment.objects.select_for_update().get(pk=payment.pk)
            existing = DuesDocument.objects.filter(kind=kind, payment=payment).first()
            if existing:
                return existing
            if PaymentCancellation.objects.filter(payment=payment).exists():
                raise DuesError(_("Ce paiement est annulé : pas de reçu."))
            year = payment.received_on.year
            allocations = list(
                payment.allocations.select_related("line__platform").order_by(
                    "line__platform__name", "pk"
                )
            )
            amount = payment.amount
        else:
            line = DuesLine.objects.select_for_update().select_related("platform").get(pk=line.pk)
            existing = DuesDocument.objects.filter(kind=kind, line=line).first()
            if existing:
                return existing
            year = line.year
            amount = line.amount_due
            if kind == DuesDocumentKind.NOTICE:
                if line.status in (DuesStatus.TO_CALL, DuesStatus.EXEMPT, DuesStatus.CANCELLED):
                    raise DuesError(
                        _("Pas d'appel de cotisation pour une ligne %(status)s.")
                        % {"status": line.get_status_display().lower()}
                    )
            elif kind == DuesDocumentKind.CERTIFICATE:
                state = (
                    DuesLine.objects.with_amounts().values_list("state", flat=True).get(pk=line.pk)
                )
                if state not in (DuesStatus.PAID, DuesStatus.EXEMPT):
                    raise DuesError(
                        _("L'attestation n'est délivrée qu'une fois la cotisation payée.")
                    )
        sequence = _next_sequence(kind, year)
        number = DuesDocument.format_number(kind, year, sequence)
        issued_at = timezone.now()
        if kind == DuesDocumentKind.RECEIPT:
            filename, content = pdf.render_receipt(
                payment, allocations, number=number, issued_at=issued_at
            )
        elif kind == DuesDocumentKind.NOTICE:
            filename, content = pdf.render_notice(line, number=number, issued_at=issued_at)
        else:
            filename, content = pdf.render_certificate(line, number=number, issued_at=issued_at)
        document = DuesDocument.objects.create(
            kind=kind,
            year=year,
            sequence=sequence,
            number=number,
            line=line if kind != DuesDocumentKind.RECEIPT else None,
            payment=payment if kind == DuesDocumentKind.RECEIPT else None,
            amount=amount,
            filename=filename,
            content=content,
            sha256=hashlib.sha256(content).hexdigest(),
            issued_at=issued_at,
            issued_by=actor,
        )
        targets = [line] if line else [a.line for a in allocations]
        for target in {t.pk: t for t in targets}.values():
            _log(target, DuesEventKind.DOCUMENT, number, amount=amount, actor=actor)
    logger.info("dues document %s issued", number)
    return document


# Emails: the call, reminders, the weekly digest ------------------------------------


def dues_recipients(platform) -> list[str]:
    return sorted(platform.people_emails(*PLATFORM_ROLES_FOR_DUES))


class _Skip(Exception):
    """Raised inside send_once's callback: roll the key back, send nothing."""


def _email_line(name, line, *, key, kind, actor=None, extra=None) -> bool:
    """Send an email about a dues line with its notice attached, once per key."""
    if already_sent(key):
        return False
    recipients = dues_recipients(line.platform)
    if not recipients:
        logger.warning("dues line %s: no director or accounting contact to email", line.pk)
        return False
    notice = dues_issue_document(DuesDocumentKind.NOTICE, line=line, actor=actor)

    def send():
        if kind != "dues_call":
            # Stop when paid: re-read the state under a lock, in send_once's transaction.
            current = DuesLine.objects.select_for_update().get(pk=line.pk)
            state = DuesLine.objects.with_amounts().values_list("state", flat=True).get(pk=line.pk)
            if state not in (DuesStatus.CALLED, DuesStatus.PARTLY_PAID) or current.status in (
                DuesStatus.EXEMPT,
                DuesStatus.CANCELLED,
            ):
                raise _Skip
        amounts = DuesLine.objects.with_amounts().get(pk=line.pk)
        context = {
            "line": amounts,
            "platform": line.platform,
            "notice": notice,
            "line_url": settings.SITE_URL + platform_dues_url(line.platform),
            **(extra or {}),
        }
        send_templated_email(
            name,
            recipients,
            context,
            attachments=[(notice.filename, bytes(notice.content), "application/pdf")],
        )
        return recipients

    try:
        sent = send_once(key, kind=kind, send=send, actor=actor)
    except _Skip:
        return False
    if sent:
        _log(
            line,
            DuesEventKind.REMINDER if kind != "dues_call" else DuesEventKind.CALLED,
            _("E-mail envoyé à %s") % ", ".join(recipients),
            actor=actor,
        )
    return sent


def platform_dues_url(platform) -> str:
    from django.urls import reverse

    return reverse("platform_dues", args=[platform.slug])


def dues_send_notice(line: DuesLine, *, actor=None) -> bool:
    """The call email: the notice to the director and the accounting contact, once."""
    line = DuesLine.objects.select_related("platform").get(pk=line.pk)
    if line.status not in (DuesStatus.CALLED, DuesStatus.PARTLY_PAID, DuesStatus.PAID):
        return False
    return _email_line("dues_call", line, key=f"dues:call:{line.pk}", kind="dues_call", actor=actor)


def dues_send_manual_reminder(line: DuesLine, *, actor, today=None) -> bool:
    """A reminder sent by hand by the bureau, recorded too (one per line and day)."""
    today = today or timezone.localdate()
    line = DuesLine.objects.select_related("platform").get(pk=line.pk)
    if line.status not in (DuesStatus.CALLED, DuesStatus.PARTLY_PAID):
        raise DuesError(_("Seule une cotisation appelée et non soldée peut être relancée."))
    if not dues_recipients(line.platform):
        raise DuesError(_("Cette plateforme n'a ni directeur ni contact comptable."))
    return _email_line(
        "dues_reminder",
        line,
        key=f"dues:manual:{line.pk}:{today.isoformat()}",
        kind="dues_reminder_manual",
        actor=actor,
        extra={"manual": True},
    )


def dues_save_reminder_steps(formset, *, actor=None):
    """Save the bureau's reminder schedule (history kept by simple_history)."""
    with transaction.atomic():
        steps = formset.save()
    logger.info("dues reminder steps changed by %s: %s", actor, [str(s) for s in steps])
    return steps


def reminder_steps():
    steps = list(DuesReminderStep.objects.filter(is_active=True).order_by("days_after_due"))
    return steps


def ensure_default_reminder_steps():
    if not DuesReminderStep.objects.exists():
        for days in DEFAULT_REMINDER_DAYS:
            DuesReminderStep.objects.get_or_create(days_after_due=days)


def reminder_key(step, line) -> str:
    return f"dues:{step.pk}:{line.pk}:{step.days_after_due}"


def due_reminders(today=None) -> list[tuple[DuesLine, DuesReminderStep]]:
    """(line, step) pairs due now: the latest step reached by each late line, if
    that step's date is recent (catch-up window) and its key was not sent yet."""
    today = today or timezone.localdate()
    steps = reminder_steps()
    if not steps:
        return []
    earliest = min(s.days_after_due for s in steps)
    lines = list(
        DuesLine.objects.late(today)
        .filter(due_date__lte=today - datetime.timedelta(days=earliest))
        .with_amounts()
        .filter(state__in=[DuesStatus.CALLED, DuesStatus.PARTLY_PAID])
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
            key__in=[reminder_key(step, line) for line, step in pairs]
        ).values_list("key", flat=True)
    )
    return [(line, step) for line, step in pairs if reminder_key(step, line) not in sent]


def dues_send_due_reminders(today=None) -> int:
    """The reminders due now (`send_reminders`, Celery beat); returns emails sent."""
    count = 0
    for line, step in due_reminders(today):
        count += _email_line(
            "dues_reminder",
            line,
            key=reminder_key(step, line),
            kind="dues_reminder",
            extra={"step": step},
        )
    return count


def bureau_emails() -> list[str]:
    return sorted(
        User.objects.filter(role=Role.BUREAU, is_active=True).values_list("email", flat=True)
    )


def dues_weekly_digest(today=None) -> int:
    """Once per ISO week (first run from Monday on): who paid, who is late."""
    today = today or timezone.localdate()
    iso = today.isocalendar()
    key = f"dues:digest:{iso.year}-W{iso.week:02d}"
    if already_sent(key):
        return 0
    recipients = bureau_emails()
    if not recipients:
        return 0
    since = today - datetime.timedelta(days=7)

    def send():
        payments = list(
            Payment.objects.valid()
            .filter(recorded_at__date__gte=since)
            .prefetch_related("allocations__line__platform")
            .order_by("received_on", "pk")
        )
        late = list(
            DuesLine.objects.late(today)
            .with_amounts()
            .select_related("platform")
            .order_by("due_date", "platform__name", "pk")[:DIGEST_LATE_LINES]
        )
        late_totals = dues_late_totals(today)
        context = {
            "payments": payments,
            "late": late,
            "late_count": late_totals["count"],
            "late_total": late_totals["balance"],
            "summary": dues_year_summary(today.year),
            "week": f"{iso.year}-W{iso.week:02d}",
            "since": since,
            "board_url": settings.SITE_URL + board_url(),
        }
        send_templated_email("dues_digest", recipients, context)
        return recipients

    return int(send_once(key, kind="dues_digest", send=send))


def board_url():
    from django.urls import reverse

    return reverse("dues_board")


# Reads used by pages and the digest ------------------------------------------------


MONEY_OUT = DecimalField(**MONEY)


def dues_late_totals(today=None) -> dict:
    """Late lines of every year: how many and what they still owe, in one SQL query."""
    totals = (
        DuesLine.objects.late(today or timezone.localdate())
        .with_amounts()
        .aggregate(
            count=Count("pk"),
            due=Coalesce(Sum("amount_due"), Value(ZERO), output_field=MONEY_OUT),
            paid=Coalesce(Sum("paid_amount"), Value(ZERO), output_field=MONEY_OUT),
        )
    )
    # Late lines are called or partly paid: what they owe is due minus paid.
    return {"count": totals["count"], "balance": totals["due"] - totals["paid"]}


def dues_year_summary(year, lines=None) -> dict:
    """Counts and amounts of a year, in SQL (one aggregate query)."""
    lines = (lines if lines is not None else DuesLine.objects.filter(year=year)).with_amounts()
    today = timezone.localdate()
    expected_states = [DuesStatus.CALLED, DuesStatus.PARTLY_PAID, DuesStatus.PAID]
    summary = lines.aggregate(
        total=Count("pk"),
        to_call=Count("pk", filter=Q(state=DuesStatus.TO_CALL)),
        called=Count("pk", filter=Q(state__in=expected_states)),
        paid=Count("pk", filter=Q(state=DuesStatus.PAID)),
        partly_paid=Count("pk", filter=Q(state=DuesStatus.PARTLY_PAID)),
        late=Count(
            "pk",
            filter=Q(state__in=[DuesStatus.CALLED, DuesStatus.PARTLY_PAID], due_date__lt=today),
        ),
        exempt=Count("pk", filter=Q(state=DuesStatus.EXEMPT)),
        cancelled=Count("pk", filter=Q(state=DuesStatus.CANCELLED)),
        expected_amount=Coalesce(
            Sum(
                "amount_due",
                filter=~Q(state__in=[DuesStatus.EXEMPT, DuesStatus.CANCELLED]),
            ),
            Value(ZERO),
            output_field=MONEY_OUT,
        ),
        collected_amount=Coalesce(Sum("paid_amount"), Value(ZERO), output_field=MONEY_OUT),
    )
    # The paid rate: lines paid among lines the association expects money from.
    summary["expected"] = summary["total"] - summary["exempt"] - summary["cancelled"]
    summary["outstanding_amount"] = summary["expected_amount"] - summary["collected_amount"]
    summary["year"] = year
    return summary


def dues_by_region(year, lines=None) -> list[dict]:
    lines = (lines if lines is not None else DuesLine.objects.filter(year=year)).with_amounts()
    return list(
        lines.exclude(state__in=[DuesStatus.EXEMPT, DuesStatus.CANCELLED])
        .values("platform__department__region__name")
        .annotate(
            expected=Count("pk"),
            paid=Count("pk", filter=Q(state=DuesStatus.PAID)),
            expected_amount=Coalesce(Sum("amount_due"), Value(ZERO), output_field=MONEY_OUT),
            collected_amount=Coalesce(Sum("paid_amount"), Value(ZERO), output_field=MONEY_OUT),
        )
        .order_by("platform__department__region__name")
    )


def dues_years() -> list[int]:
    years = set(DuesRate.objects.values_list("year", flat=True))
    years |= set(DuesLine.objects.values_list("year", flat=True).distinct())
    years.add(timezone.localdate().year)
    return sorted(years, reverse=True)


__all__ = [
    "DuesError",
    "dues_call_year",
    "dues_cancel_line",
    "dues_cancel_payment",
    "dues_exempt",
    "dues_exempt_platform",
    "dues_issue_document",
    "dues_record_payment",
    "dues_send_due_reminders",
    "dues_send_manual_reminder",
    "dues_send_notice",
    "dues_set_rate",
    "dues_weekly_digest",
    "valid_allocations_sum",
]
