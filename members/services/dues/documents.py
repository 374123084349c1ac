"""Numbered documents (notices, receipts, certificates), issued once, voided never erased.

**Numbers** are gap-free per (kind, year) and never change once issued: the
counter row of (kind, year) is locked (select_for_update) in the transaction that
stores the document, so a rolled-back issue rolls its number back too.

**PDFs are rendered outside every lock** (WeasyPrint takes a fraction of a second):
the number is *predicted* (the counter's next value, read without a lock), the PDF
rendered, then one short transaction locks the rows the document is about, then the
counter, checks that the predicted number and the printed data are still current,
and stores it. When another document took the number meanwhile, the PDF is rendered
again with the next one (a bounded number of attempts). Lock order everywhere:
payment, lines (by pk), counter, documents — never a deadlock.

A GET never calls these: documents are issued by the call's email, a payment, a
line becoming paid (task), or an explicit POST of the bureau.
"""

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from innovalo.exceptions import ServiceError

from ... import pdf
from ...enums import DuesDocumentKind, DuesStatus
from ...models import DocumentCounter, DuesDocument, DuesLine, Payment, PaymentCancellation
from ...models.dues import FIRST_POSSIBLE_YEAR
from .lines import lock_line, log_line

logger = logging.getLogger(__name__)

ATTEMPTS = 5
NOTICE_STATES = (DuesStatus.CALLED, DuesStatus.PARTLY_PAID, DuesStatus.PAID)
CERTIFICATE_STATES = (DuesStatus.PAID, DuesStatus.EXEMPT)


class Stale(Exception):
    """The predicted number was taken, or what is printed changed: render again."""


@dataclass
class Draft:
    """A rendered document waiting for its number to be confirmed."""

    kind: str
    year: int
    sequence: int
    number: str
    issued_at: datetime
    filename: str
    content: bytes


def _predict(kind, year) -> int:
    last = (
        DocumentCounter.objects.filter(kind=kind, year=year)
        .values_list("last_number", flat=True)
        .first()
    )
    return (last or 0) + 1


def take_number(draft: Draft) -> None:
    """In the storing transaction, after the document's own rows are locked: take the
    predicted number under the counter's row lock (held until commit), or Stale."""
    counter, _created = DocumentCounter.objects.get_or_create(kind=draft.kind, year=draft.year)
    counter = DocumentCounter.objects.select_for_update().get(pk=counter.pk)
    if counter.last_number + 1 != draft.sequence:
        raise Stale
    counter.last_number = draft.sequence
    counter.save(update_fields=["last_number"])


def issue(kind: str, year: int, *, render: Callable, store: Callable):
    """Render outside any lock, then store in one short transaction (see the module).

    `render(number, issued_at) -> (filename, bytes)`; `store(draft)` runs in the
    transaction: it locks its rows, checks, calls `take_number(draft)` (or returns an
    existing document without it) and returns what the caller wants.
    """
    if year < FIRST_POSSIBLE_YEAR:
        raise ServiceError(_("Année de document invalide."))
    for _attempt in range(ATTEMPTS):
        sequence = _predict(kind, year)
        number = DuesDocument.format_number(kind, year, sequence)
        issued_at = timezone.now()
        filename, content = render(number, issued_at)
        draft = Draft(kind, year, sequence, number, issued_at, filename, content)
        try:
            with transaction.atomic():
                return store(draft)
        except Stale:
            logger.info("dues document %s taken meanwhile: rendering again", number)
    raise ServiceError(_("Trop de documents émis en même temps : réessayez dans un instant."))


def create_document(draft: Draft, *, amount, line=None, payment=None, actor=None):
    document = DuesDocument.objects.create(
        kind=draft.kind,
        year=draft.year,
        sequence=draft.sequence,
        number=draft.number,
        line=line,
        payment=payment,
        amount=amount,
        filename=draft.filename,
        content=draft.content,
        sha256=hashlib.sha256(draft.content).hexdigest(),
        issued_at=draft.issued_at,
        issued_by=actor,
    )
    logger.info("dues document %s issued", draft.number)
    return document


def log_issued(document, lines, *, actor=None):
    for line in lines:
        log_line(
            line,
            "dues.document_issued",
            _("%(kind)s %(number)s émis")
            % {"kind": document.get_kind_display(), "number": document.number},
            amount=document.amount,
            actor=actor,
            target=document,
        )


# Notices and certificates: one line each ------------------------------------------------


def _printed(line) -> tuple:
    """What a notice or certificate prints about a line (compared under the lock)."""
    return (line.amount_due, line.due_date, line.purchase_order, line.status)


def _check_notice(line):
    if line.status not in NOTICE_STATES:
        raise ServiceError(
            _("Pas d'appel de cotisation pour une ligne %(status)s.")
            % {"status": line.get_status_display().lower()}
        )


def _check_certificate(line):
    if line.status not in CERTIFICATE_STATES:
        raise ServiceError(_("L'attestation n'est délivrée qu'une fois la cotisation payée."))


def _issue_for_line(kind, line, *, check, render_pdf, actor=None) -> DuesDocument:
    pk = line.pk

    def current():
        return DuesDocument.objects.filter(kind=kind, line_id=pk, voided_at__isnull=True).first()

    existing = current()
    if existing:
        return existing
    seen = {}

    def render(number, issued_at):
        fresh = DuesLine.objects.select_related("platform").get(pk=pk)
        check(fresh)
        seen["printed"] = _printed(fresh)
        return render_pdf(fresh, number=number, issued_at=issued_at)

    def store(draft):
        locked = lock_line(pk)
        existing = current()
        if existing:
            return existing
        check(locked)
        if _printed(locked) != seen["printed"]:
            raise Stale
        take_number(draft)
        document = create_document(draft, amount=locked.amount_due, line=locked, actor=actor)
        log_issued(document, [locked], actor=actor)
        return document

    return issue(kind, line.year, render=render, store=store)


def dues_issue_notice(line, *, actor=None) -> DuesDocument:
    """The notice of a called line, issued once (the call's email, or the bureau's POST)."""
    return _issue_for_line(
        DuesDocumentKind.NOTICE,
        line,
        check=_check_notice,
        render_pdf=pdf.render_notice,
        actor=actor,
    )


def dues_issue_certificate(line, *, actor=None) -> DuesDocument:
    """The certificate of a paid (or exempt) line, issued once while it stays valid."""
    return _issue_for_line(
        DuesDocumentKind.CERTIFICATE,
        line,
        check=_check_certificate,
        render_pdf=pdf.render_certificate,
        actor=actor,
    )


def dues_issue_missing_certificates(limit: int = 200) -> int:
    """The certificates of paid lines that have none valid (the task after a payment
    could not be enqueued, the broker being down): the `dues_certificates` job catches
    up. Idempotent: a line that has its certificate is not selected again."""
    valid = DuesDocument.objects.filter(
        kind=DuesDocumentKind.CERTIFICATE, line=OuterRef("pk"), voided_at__isnull=True
    )
    lines = list(
        DuesLine.objects.filter(status=DuesStatus.PAID)
        .exclude(Exists(valid))
        .order_by("pk")[:limit]
    )
    issued = 0
    for line in lines:
        try:
            dues_issue_certificate(line)
        except ServiceError as error:  # paid no more since the query
            logger.info("certificate of line %s not issued: %s", line.pk, error)
            continue
        issued += 1
    return issued


# Receipts: one payment each --------------------------------------------------------------


def receipt_allocations(payment):
    return list(
        payment.allocations.select_related("line__platform").order_by("line__platform__name", "pk")
    )


def dues_issue_receipt(payment, *, actor=None) -> DuesDocument:
    """The receipt of a payment recorded without one (the bureau's POST).
    A new payment gets its receipt in its own transaction (`dues_record_payment`)."""
    pk = payment.pk

    def current():
        return DuesDocument.objects.filter(kind=DuesDocumentKind.RECEIPT, payment_id=pk).first()

    existing = current()
    if existing:
        return existing
    payment = Payment.objects.get(pk=pk)
    allocations = receipt_allocations(payment)

    def render(number, issued_at):
        return pdf.render_receipt(payment, allocations, number=number, issued_at=issued_at)

    def store(draft):
        locked = Payment.objects.select_for_update().get(pk=pk)
        existing = current()
        if existing:
            return existing
        if PaymentCancellation.objects.filter(payment=locked).exists():
            raise ServiceError(_("Ce paiement est annulé : pas de reçu."))
        take_number(draft)
        document = create_document(draft, amount=locked.amount, payment=locked, actor=actor)
        log_issued(document, [a.line for a in allocations], actor=actor)
        return document

    return issue(DuesDocumentKind.RECEIPT, payment.received_on.year, render=render, store=store)


# Void copies -----------------------------------------------------------------------------


def render_void_copy(document, *, at, reason) -> bytes:
    """The document as issued (same number, same date), stamped "ANNULÉ"."""
    void = {"at": at, "reason": reason}
    if document.kind == DuesDocumentKind.RECEIPT:
        _name, content = pdf.render_receipt(
            document.payment,
            receipt_allocations(document.payment),
            number=document.number,
            issued_at=document.issued_at,
            void=void,
        )
    else:
        render_pdf = (
            pdf.render_notice
            if document.kind == DuesDocumentKind.NOTICE
            else pdf.render_certificate
        )
        _name, content = render_pdf(
            document.line, number=document.number, issued_at=document.issued_at, void=void
        )
    return content


def void_documents(documents, copies: dict[int, bytes], *, at, reason) -> None:
    """In the cancelling transaction, documents locked: mark them void with their copy.
    A document without a pre-rendered copy appeared meanwhile: Stale (render again)."""
    for document in documents:
        if document.pk not in copies:
            raise Stale
        document.voided_at = at
        document.void_reason = reason[:255]
        document.void_content = copies[document.pk]
        document.save(update_fields=["voided_at", "void_reason", "void_content"])
        logger.info("dues document %s voided", document.number)


__all__ = [
    "dues_issue_certificate",
    "dues_issue_notice",
    "dues_issue_receipt",
]
