"""Bank statements: import (all or nothing, idempotent by bank reference), and the
treasurer's decisions on each credit: accept the proposed match (a payment through
`dues_record_payment`, with its numbered receipt), change it, or ignore the credit.
"""

import logging
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from innovalo.audit import log_action
from innovalo.exceptions import ServiceError
from innovalo.money import amount_text, parse_amount

from ..bank.matching import propose
from ..bank.parsers import StatementError, parse_statement
from ..enums import PaymentMethod
from ..models import DuesLine
from ..models.bank import (
    BankCsvMapping,
    BankStatement,
    BankTransaction,
    MatchConfidence,
    TransactionMatch,
    TransactionStatus,
)
from .dues import dues_record_payment

logger = logging.getLogger(__name__)
BATCH = 5000


def bank_save_csv_mapping(
    *,
    bank,
    date_column,
    amount_column,
    label_column,
    payer_column="",
    reference_column="",
    actor=None,
) -> BankCsvMapping:
    bank = (bank or "").strip()
    columns = [(c or "").strip() for c in (date_column, amount_column, label_column)]
    if not bank or not all(columns):
        raise ServiceError(_("Indiquez la banque et les colonnes de date, montant et libellé."))
    mapping, _created = BankCsvMapping.objects.update_or_create(
        bank=bank[:100],
        defaults={
            "date_column": columns[0][:100],
            "amount_column": columns[1][:100],
            "label_column": columns[2][:100],
            "payer_column": (payer_column or "").strip()[:100],
            "reference_column": (reference_column or "").strip()[:100],
        },
    )
    log_action(mapping, "bank.csv_mapping", actor=actor, message=_("Colonnes du CSV enregistrées"))
    return mapping


def bank_import_statement(*, data: bytes, file_name: str, mapping=None, actor=None):
    """Parse the whole file, then store the statement and its new credits with their
    proposed matches in one transaction. Credits already imported (same bank
    reference) are skipped: they keep their state. Returns (statement, new_count,
    known_count); raises ServiceError on a file we cannot read."""
    try:
        parsed = parse_statement(data, mapping)
    except StatementError as error:
        raise ServiceError(str(error), "file") from None
    if not parsed.credits:
        raise ServiceError(_("Ce relevé ne contient aucun crédit."), "file")
    references = [credit.bank_reference for credit in parsed.credits]
    if len(set(references)) != len(references):
        raise ServiceError(_("Ce relevé donne deux fois la même référence bancaire."), "file")
    with transaction.atomic():
        known = set()
        for start in range(0, len(references), BATCH):
            known.update(
                BankTransaction.objects.filter(
                    bank_reference__in=references[start : start + BATCH]
                ).values_list("bank_reference", flat=True)
            )
        new = [credit for credit in parsed.credits if credit.bank_reference not in known]
        if not new:
            raise ServiceError(
                _("Ce relevé a déjà été importé : aucune opération nouvelle."), "file"
            )
        statement = BankStatement.objects.create(
            file_name=(file_name or "")[:255],
            format=parsed.format,
            imported_by=actor if getattr(actor, "is_authenticated", False) else None,
            account_iban=parsed.account_iban[:34],
            period_start=parsed.period_start,
            period_end=parsed.period_end,
            sha256=parsed.sha256,
        )
        proposals = propose(new)
        rows = [
            BankTransaction(
                statement=statement,
                booking_date=credit.booking_date,
                amount=credit.amount,
                currency=credit.currency,
                remittance_info=credit.remittance_info,
                payer_name=credit.payer_name,
                payer_siret=credit.payer_siret,
                payer_iban=credit.payer_iban,
                bank_reference=credit.bank_reference,
                status=TransactionStatus.PROPOSED if found else TransactionStatus.UNMATCHED,
            )
            for credit, found in zip(new, proposals, strict=True)
        ]
        BankTransaction.objects.bulk_create(rows, batch_size=1000)
        TransactionMatch.objects.bulk_create(
            (
                TransactionMatch(
                    transaction=row,
                    line_id=p.line_id,
                    amount=p.amount,
                    confidence=p.confidence,
                )
                for row, found in zip(rows, proposals, strict=True)
                for p in found
            ),
            batch_size=1000,
        )
        log_action(
            statement,
            "bank.imported",
            actor=actor,
            message=_("Relevé importé : %(new)s opération(s) nouvelle(s), %(known)s déjà connue(s)")
            % {"new": len(new), "known": len(known)},
        )
    return statement, len(new), len(known)


def _locked(bank_transaction) -> BankTransaction:
    locked = BankTransaction.objects.select_for_update().get(pk=bank_transaction.pk)
    if locked.status in (TransactionStatus.MATCHED, TransactionStatus.IGNORED):
        raise ServiceError(_("Cette opération a déjà été traitée."))
    return locked


def bank_accept(*, bank_transaction, actor=None):
    """The proposed matches become one payment (transfer, the bank reference, the
    booking date), with its numbered receipt."""
    with transaction.atomic():
        locked = _locked(bank_transaction)
        matches = list(locked.matches.filter(payment__isnull=True).order_by("pk"))
        if not matches:
            raise ServiceError(_("Aucun rapprochement proposé : choisissez une ligne."))
        total = sum((m.amount for m in matches), Decimal("0.00"))
        payment = dues_record_payment(
            received_on=locked.booking_date,
            amount=total,
            method=PaymentMethod.TRANSFER,
            allocations=[(m.line_id, m.amount) for m in matches],
            reference=locked.bank_reference,
            payer=locked.payer_name,
            note=locked.remittance_info[:500],
            actor=actor,
        )
        now = timezone.now()
        user = actor if getattr(actor, "is_authenticated", False) else None
        TransactionMatch.objects.filter(pk__in=[m.pk for m in matches]).update(
            accepted_by=user, accepted_at=now, payment=payment
        )
        locked.status = TransactionStatus.MATCHED
        locked.decided_by, locked.decided_at = user, now
        locked.save(update_fields=["status", "decided_by", "decided_at"])
        log_action(
            locked,
            "bank.accepted",
            actor=actor,
            message=_("Rapprochement accepté : paiement de %(amount)s €")
            % {"amount": amount_text(total)},
            scope=locked.statement,
            amount=total,
        )
    return payment


def bank_change(*, bank_transaction, allocations, actor=None):
    """Replace the proposal by the treasurer's choice [(line id, amount)] and accept it."""
    wanted = {}
    for line_id, value in allocations:
        try:
            line_id = int(str(line_id).strip())
        except (TypeError, ValueError):
            raise ServiceError(_("Ligne de cotisation introuvable."), "line") from None
        wanted[line_id] = parse_amount(value, field="amount")
    if not wanted:
        raise ServiceError(_("Choisissez au moins une ligne de cotisation."), "line")
    with transaction.atomic():
        locked = _locked(bank_transaction)
        if sum(wanted.values()) > locked.amount:
            raise ServiceError(_("La somme dépasse le montant du crédit."), "amount")
        found = set(DuesLine.objects.filter(pk__in=wanted).values_list("pk", flat=True))
        if found != set(wanted):
            raise ServiceError(_("Ligne de cotisation introuvable."), "line")
        locked.matches.filter(payment__isnull=True).delete()
        TransactionMatch.objects.bulk_create(
            TransactionMatch(
                transaction=locked, line_id=pk, amount=value, confidence=MatchConfidence.HIGH
            )
            for pk, value in wanted.items()
        )
        locked.status = TransactionStatus.PROPOSED
        locked.save(update_fields=["status"])
        return bank_accept(bank_transaction=locked, actor=actor)


def bank_ignore(*, bank_transaction, actor=None):
    with transaction.atomic():
        locked = _locked(bank_transaction)
        locked.matches.filter(payment__isnull=True).delete()
        locked.status = TransactionStatus.IGNORED
        locked.decided_by = actor if getattr(actor, "is_authenticated", False) else None
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "decided_by", "decided_at"])
        log_action(
            locked,
            "bank.ignored",
            actor=actor,
            message=_("Opération ignorée"),
            scope=locked.statement,
        )
    return locked


__all__ = [
    "bank_accept",
    "bank_change",
    "bank_ignore",
    "bank_import_statement",
    "bank_save_csv_mapping",
]
