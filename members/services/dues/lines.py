"""Changes to one dues line: its stored amounts, exemption, cancellation, purchase order.

A line stores what it received (`paid_amount`) and its status. Only `add_paid`
changes them, always under the line's row lock (`select_for_update`) taken by the
calling service, so that the stored values follow the allocations exactly; the
database constraints refuse anything else, and `manage.py check_dues` compares
them with the allocations.
"""

import logging
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from innovalo.audit import labelled, log_action
from innovalo.exceptions import ServiceError
from innovalo.money import amount_text

from ...enums import DuesDocumentKind, DuesStatus
from ...models import DuesExemption, DuesLine
from ...models.dues import CLOSED

logger = logging.getLogger(__name__)


def log_line(line, action, message="", *, actor=None, amount=None, target=None, changes=None):
    """One history entry shown on the line's page (the change may be about a payment
    or a document of the line: `target`)."""
    return log_action(
        target if target is not None else line,
        action,
        actor=actor,
        message=message,
        scope=line,
        amount=amount,
        changes=labelled(DuesLine, changes) if changes else None,
    )


def required_reason(value, message) -> str:
    reason = (value or "").strip()
    if not reason:
        raise ServiceError(message, "reason")
    return reason[:255]


def lock_line(line_or_pk) -> DuesLine:
    pk = getattr(line_or_pk, "pk", line_or_pk)
    return DuesLine.objects.select_for_update().get(pk=pk)


def add_paid(line: DuesLine, delta: Decimal) -> tuple[str, str]:
    """Add `delta` (negative when a payment is cancelled) to what a locked line
    received, and set the status that goes with it; returns (old, new) status."""
    paid = line.paid_amount + delta
    if paid < 0 or paid > line.amount_due:
        raise ServiceError(
            _("%(line)s : %(value)s € dépasse le reste dû (%(balance)s €).")
            % {"line": line, "value": amount_text(delta), "balance": amount_text(line.balance)},
            "allocations",
        )
    before = line.status
    line.status = line.settled_status(paid)
    line.paid_amount = paid
    line.save(update_fields=["paid_amount", "status"])
    return before, line.status


def dues_exempt(*, line: DuesLine, reason: str, actor=None) -> DuesLine:
    reason = required_reason(reason, _("Indiquez le motif de l'exonération."))
    with transaction.atomic():
        line = lock_line(line)
        if line.status in CLOSED:
            raise ServiceError(
                _("Cette ligne est déjà %(status)s.")
                % {"status": line.get_status_display().lower()}
            )
        if line.paid_amount:
            raise ServiceError(
                _("Cette ligne a reçu des paiements : annulez-les avant d'exonérer."), "reason"
            )
        exemption, _created = DuesExemption.objects.get_or_create(
            platform_id=line.platform_id,
            year=line.year,
            defaults={"reason": reason, "created_by": actor},
        )
        before = line.status
        line.exemption = exemption
        line.status = DuesStatus.EXEMPT
        line.save(update_fields=["exemption", "status"])
        log_line(
            line,
            "dues.exempted",
            _("Exonérée : %(reason)s") % {"reason": exemption.reason},
            actor=actor,
            changes={"status": [before, line.status]},
        )
    return line


def dues_exempt_platform(*, platform, year, reason: str, actor=None) -> DuesExemption:
    """Exempt a platform for a year, before or after the call.

    Before the call, the exemption is recorded and the call then creates the
    line as exempt (no notice is sent); after it, the existing line is exempted.
    """
    reason = required_reason(reason, _("Indiquez le motif de l'exonération."))
    line = DuesLine.objects.filter(platform=platform, year=year).first()
    if line is not None:
        return dues_exempt(line=line, reason=reason, actor=actor).exemption
    try:
        with transaction.atomic():
            exemption = DuesExemption.objects.create(
                platform=platform, year=year, reason=reason, created_by=actor
            )
            log_action(
                exemption,
                "dues.exempted",
                actor=actor,
                message=_("Exonérée pour %(year)s avant l'appel : %(reason)s")
                % {"year": year, "reason": reason},
                scope=platform,
            )
    except IntegrityError:
        raise ServiceError(
            _("Cette plateforme est déjà exonérée pour cette année."), "platform"
        ) from None
    return exemption


def dues_cancel_line(*, line: DuesLine, reason: str, actor=None) -> DuesLine:
    reason = required_reason(reason, _("Indiquez le motif de l'annulation."))
    with transaction.atomic():
        line = lock_line(line)
        if line.status == DuesStatus.CANCELLED:
            raise ServiceError(_("Cette ligne est déjà annulée."))
        if line.paid_amount:
            raise ServiceError(
                _("Cette ligne a reçu des paiements : annulez-les d'abord."), "reason"
            )
        before = line.status
        line.status = DuesStatus.CANCELLED
        line.cancelled_at = timezone.now()
        line.cancelled_by = actor
        line.cancellation_reason = reason
        line.save(update_fields=["status", "cancelled_at", "cancelled_by", "cancellation_reason"])
        log_line(
            line,
            "dues.cancelled",
            _("Ligne annulée : %(reason)s") % {"reason": reason},
            actor=actor,
            changes={"status": [before, line.status]},
        )
    return line


def dues_set_purchase_order(*, line: DuesLine, purchase_order: str, actor=None) -> DuesLine:
    """The purchase-order number is printed on the notice: only before it is issued."""
    value = (purchase_order or "").strip()[:100]
    with transaction.atomic():
        line = lock_line(line)
        if line.documents.filter(kind=DuesDocumentKind.NOTICE).exists():
            raise ServiceError(
                _("L'appel de cotisation est déjà émis : il ne peut plus changer."),
                "purchase_order",
            )
        before = line.purchase_order
        if before == value:
            return line
        line.purchase_order = value
        line.save(update_fields=["purchase_order"])
        log_line(
            line,
            "dues.purchase_order",
            _("Bon de commande : %s") % (value or "—"),
            actor=actor,
            changes={"purchase_order": [before, value]},
        )
    return line
