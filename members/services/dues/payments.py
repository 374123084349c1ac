"""Payments: recorded with their allocation and receipt, cancelled never deleted."""

import datetime
import logging
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from innovalo.exceptions import ServiceError
from innovalo.money import ZERO, amount_text, parse_amount
from innovalo.tasks import enqueue

from ... import pdf
from ...enums import DuesDocumentKind, DuesStatus, PaymentMethod
from ...models import Allocation, DuesDocument, DuesLine, Payment, PaymentCancellation
from ...selectors.dues import earliest_payment_date
from .documents import (
    ATTEMPTS,
    Stale,
    create_document,
    issue,
    log_issued,
    render_void_copy,
    take_number,
    void_documents,
)
from .lines import add_paid, log_line, required_reason

logger = logging.getLogger(__name__)

MAX_ID = 10**18 - 1


def check_received_on(value) -> datetime.date:
    """Not in the future, not before the association's first dues year minus one."""
    if not isinstance(value, datetime.date):
        raise ServiceError(_("Date de réception invalide."), "received_on")
    if value > timezone.localdate():
        raise ServiceError(_("La date de réception est dans le futur."), "received_on")
    earliest = earliest_payment_date()
    if value < earliest:
        raise ServiceError(
            _("La date de réception ne peut pas précéder le %(date)s.")
            % {"date": earliest.strftime("%d/%m/%Y")},
            "received_on",
        )
    return value


def _line_id(target) -> int:
    if isinstance(target, DuesLine):
        return target.pk
    try:
        line_id = int(str(target).strip())
    except (TypeError, ValueError):
        raise ServiceError(_("Ligne de cotisation introuvable."), "allocations") from None
    if not 0 < line_id <= MAX_ID:
        raise ServiceError(_("Ligne de cotisation introuvable."), "allocations")
    return line_id


def _wanted(allocations, amount) -> dict[int, Decimal]:
    wanted: dict[int, Decimal] = {}
    for target, value in allocations:
        line_id = _line_id(target)
        if line_id in wanted:
            raise ServiceError(
                _("Une même ligne apparaît deux fois dans la répartition."), "allocations"
            )
        wanted[line_id] = parse_amount(value, field="allocations")
    if not wanted:
        raise ServiceError(
            _("Affectez le paiement à au moins une ligne de cotisation."), "allocations"
        )
    total = sum(wanted.values(), ZERO)
    if total != amount:
        raise ServiceError(
            _(
                "La somme répartie (%(total)s €) doit être égale au montant "
                "du paiement (%(amount)s €)."
            )
            % {"total": amount_text(total), "amount": amount_text(amount)},
            "amount",
        )
    return wanted


def _check_lines(lines: dict[int, DuesLine], wanted: dict[int, Decimal]) -> None:
    if len(lines) != len(wanted):
        raise ServiceError(_("Ligne de cotisation introuvable."), "allocations")
    for line_id, value in wanted.items():
        line = lines[line_id]
        if not line.is_open:
            raise ServiceError(
                _("%(line)s est %(status)s : elle ne peut pas recevoir de paiement.")
                % {"line": line, "status": line.get_status_display().lower()},
                "allocations",
            )
        if value > line.balance:
            raise ServiceError(
                _("%(line)s : %(value)s € dépasse le reste dû (%(balance)s €).")
                % {
                    "line": line,
                    "value": amount_text(value),
                    "balance": amount_text(line.balance),
                },
                "allocations",
            )


def dues_record_payment(
    *,
    received_on: datetime.date,
    amount,
    method: str,
    allocations: list[tuple[DuesLine | int | str, object]],
    reference: str = "",
    payer: str = "",
    note: str = "",
    actor=None,
    issue_documents: bool = True,
) -> Payment:
    """Record a payment and allocate it across dues lines: the allocations equal the
    payment, no line receives more than it owes.

    The lines are locked (in pk order, so two treasurers never deadlock), checked
    again, and their stored paid amount and status updated. The receipt is rendered
    first, outside the locks, and stored in the same transaction as the payment: a
    payment never exists without its numbered receipt. Lines that become paid get
    their certificate from a task, after the commit.
    """
    amount = parse_amount(amount, field="amount")
    received_on = check_received_on(received_on)
    if method not in PaymentMethod.values:
        raise ServiceError(_("Moyen de paiement inconnu."), "method")
    wanted = _wanted(allocations, amount)
    lines = {
        line.pk: line for line in DuesLine.objects.select_related("platform").filter(pk__in=wanted)
    }
    _check_lines(lines, wanted)  # early, without locks; again under them
    fields = {
        "received_on": received_on,
        "amount": amount,
        "method": method,
        "reference": (reference or "").strip()[:100],
        "payer": (payer or "").strip()[:200],
        "note": note or "",
        "recorded_by": actor,
    }

    def store(draft=None):
        locked = {
            line.pk: line
            for line in DuesLine.objects.select_for_update().filter(pk__in=wanted).order_by("pk")
        }
        _check_lines(locked, wanted)
        payment = Payment.objects.create(**fields)
        Allocation.objects.bulk_create(
            [Allocation(payment=payment, line_id=pk, amount=value) for pk, value in wanted.items()]
        )
        label = f"{payment.get_method_display()} {payment.reference}".strip()
        for line_id, value in wanted.items():
            line = locked[line_id]
            before, after = add_paid(line, value)
            log_line(
                line,
                "dues.paid",
                _("Paiement enregistré : %(label)s") % {"label": label},
                amount=value,
                actor=actor,
                target=payment,
                changes={"status": [before, after]} if before != after else None,
            )
            if issue_documents and after == DuesStatus.PAID:
                from ...tasks import dues_issue_certificate

                enqueue(dues_issue_certificate, line.pk)
        if draft is not None:
            take_number(draft)
            document = create_document(draft, amount=amount, payment=payment, actor=actor)
            log_issued(document, [locked[pk] for pk in wanted], actor=actor)
        return payment

    if issue_documents:
        preview = Payment(**fields)
        rows = sorted(
            (Allocation(payment=preview, line=lines[pk], amount=v) for pk, v in wanted.items()),
            key=lambda row: (row.line.platform.name, row.line.pk),
        )

        def render(number, issued_at):
            return pdf.render_receipt(preview, rows, number=number, issued_at=issued_at)

        payment = issue(DuesDocumentKind.RECEIPT, received_on.year, render=render, store=store)
    else:
        with transaction.atomic():
            payment = store()
    logger.info("payment %s of %s recorded by %s", payment.pk, amount, actor)
    return payment


def _to_void(payment, line_ids):
    """The receipt of the payment and the valid certificates of its lines."""
    return DuesDocument.objects.filter(
        Q(kind=DuesDocumentKind.RECEIPT, payment=payment)
        | Q(kind=DuesDocumentKind.CERTIFICATE, line_id__in=line_ids),
        voided_at__isnull=True,
    ).order_by("pk")


def dues_cancel_payment(*, payment: Payment, reason: str, actor=None) -> PaymentCancellation:
    """Cancel a mistaken payment with an entry (who, when, why); nothing is deleted.

    The lines go back to what they owe. Its receipt, and the certificates of the
    lines it had paid, keep their numbers and bytes but are voided: a copy stamped
    "ANNULÉ" is rendered first, outside the locks, and served from then on.
    """
    reason = required_reason(reason, _("Indiquez le motif de l'annulation."))
    for _attempt in range(ATTEMPTS):
        if PaymentCancellation.objects.filter(payment_id=payment.pk).exists():
            raise ServiceError(_("Ce paiement est déjà annulé."))
        line_ids = list(
            Allocation.objects.filter(payment_id=payment.pk).values_list("line_id", flat=True)
        )
        at = timezone.now()
        copies = {
            document.pk: render_void_copy(document, at=at, reason=reason)
            for document in _to_void(payment, line_ids).select_related("line__platform", "payment")
        }
        try:
            with transaction.atomic():
                return _cancel(payment, reason, actor, at, copies)
        except Stale:
            logger.info("payment %s: a document appeared meanwhile, rendering again", payment.pk)
    raise ServiceError(_("Trop de changements en même temps : réessayez dans un instant."))


def _cancel(payment, reason, actor, at, copies):
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if PaymentCancellation.objects.filter(payment=payment).exists():
        raise ServiceError(_("Ce paiement est déjà annulé."))
    cancellation = PaymentCancellation.objects.create(
        payment=payment, reason=reason, cancelled_by=actor, cancelled_at=at
    )
    allocations = list(payment.allocations.order_by("line_id"))
    lines = {
        line.pk: line
        for line in DuesLine.objects.select_for_update()
        .filter(pk__in=[a.line_id for a in allocations])
        .order_by("pk")
    }
    for allocation in allocations:
        line = lines[allocation.line_id]
        before, after = add_paid(line, -allocation.amount)
        log_line(
            line,
            "dues.payment_cancelled",
            _("Paiement annulé : %(reason)s") % {"reason": reason},
            amount=allocation.amount,
            actor=actor,
            target=payment,
            changes={"status": [before, after]},
        )
    documents = list(_to_void(payment, list(lines)).select_for_update())
    void_documents(documents, copies, at=at, reason=reason)
    for document in documents:
        targets = [document.line_id] if document.line_id else list(lines)
        for line_id in targets:
            log_line(
                lines[line_id],
                "dues.document_voided",
                _("%(kind)s %(number)s annulé")
                % {
                    "kind": document.get_kind_display(),
                    "number": document.number,
                },
                actor=actor,
                target=document,
            )
    logger.info("payment %s cancelled by %s", payment.pk, actor)
    return cancellation
