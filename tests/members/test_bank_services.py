from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from innovalo.exceptions import ServiceError
from members.enums import DuesDocumentKind, DuesStatus
from members.models import (
    BankStatement,
    BankTransaction,
    DuesDocument,
    TransactionMatch,
    TransactionStatus,
)
from members.services import bank as services

from .bank_helpers import camt, notice
from .dues_factories import (  # noqa: F401 - fixtures
    DuesLineFactory,
    DuesPlatformFactory,
    fast_pdf_fixture,
    frozen_fixture,
    stored_amounts_agree_fixture,
)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("stored_amounts_agree", "fast_pdf", "frozen"),
]
D = Decimal


@pytest.fixture
def lines(db):
    first = DuesLineFactory(platform=DuesPlatformFactory(billing_name="Lycée Alpha"))
    second = DuesLineFactory(platform=DuesPlatformFactory(billing_name="Lycée Beta"))
    notice(first, 1)
    return first, second


STATEMENT = [
    {"amount": "300.00", "ref": "R1", "info": "COTIS AC 2026 0001"},
    {"amount": "300.00", "ref": "R2", "payer": "LYCEE BETA"},
    {"amount": "42.00", "ref": "R3", "payer": "INCONNU"},
]


def test_import_proposes_and_is_idempotent(lines, bureau):
    first, second = lines
    statement, new, known = services.bank_import_statement(
        data=camt(STATEMENT), file_name="releve.xml", actor=bureau
    )
    assert (new, known) == (3, 0)
    assert statement.format == "camt053" and statement.imported_by == bureau
    statuses = dict(statement.transactions.values_list("bank_reference", "status"))
    assert statuses == {"R1": "proposed", "R2": "proposed", "R3": "unmatched"}
    assert set(TransactionMatch.objects.values_list("line_id", "confidence")) == {
        (first.pk, "high"),
        (second.pk, "medium"),
    }
    services.bank_accept(bank_transaction=BankTransaction.objects.get(bank_reference="R1"))
    with pytest.raises(ServiceError, match="déjà été importé"):
        services.bank_import_statement(data=camt(STATEMENT), file_name="releve.xml")
    more = [*STATEMENT, {"amount": "10.00", "ref": "R4"}]
    _statement, new, known = services.bank_import_statement(data=camt(more), file_name="b.xml")
    assert (new, known) == (1, 3)
    assert BankTransaction.objects.count() == 4
    assert BankTransaction.objects.get(bank_reference="R1").status == TransactionStatus.MATCHED


def test_bad_file_imports_nothing():
    with pytest.raises(ServiceError, match="CAMT.053") as error:
        services.bank_import_statement(data=b"<html/>", file_name="x.html")
    assert error.value.field == "file"
    with pytest.raises(ServiceError, match="aucun crédit"):
        services.bank_import_statement(
            data=camt([{"amount": "5", "ref": "D", "debit": True}]), file_name="x.xml"
        )
    assert BankStatement.objects.count() == 0


def test_accept_records_a_payment_with_a_numbered_receipt(lines, bureau):
    first, _second = lines
    services.bank_import_statement(data=camt(STATEMENT), file_name="r.xml")
    credit = BankTransaction.objects.get(bank_reference="R1")
    payment = services.bank_accept(bank_transaction=credit, actor=bureau)
    assert payment.amount == D("300") and payment.reference == "R1"
    assert payment.received_on.isoformat() == "2026-11-20"
    receipt = DuesDocument.objects.get(kind=DuesDocumentKind.RECEIPT, payment=payment)
    assert receipt.number == "RE-2026-0001"
    first.refresh_from_db()
    assert first.status == DuesStatus.PAID
    match = credit.matches.get()
    assert match.payment == payment and match.accepted_by == bureau
    with pytest.raises(ServiceError, match="déjà été traitée"):
        services.bank_accept(bank_transaction=credit)


def test_change_and_ignore(lines, bureau):
    first, second = lines
    services.bank_import_statement(data=camt(STATEMENT), file_name="r.xml")
    unknown = BankTransaction.objects.get(bank_reference="R3")
    with pytest.raises(ServiceError, match="Aucun rapprochement"):
        services.bank_accept(bank_transaction=unknown)
    with pytest.raises(ServiceError, match="dépasse"):
        services.bank_change(bank_transaction=unknown, allocations=[(second.pk, "50")])
    payment = services.bank_change(
        bank_transaction=unknown, allocations=[(second.pk, "42")], actor=bureau
    )
    assert payment.allocations.get().line == second
    second.refresh_from_db()
    assert second.status == DuesStatus.PARTLY_PAID
    ignored = services.bank_ignore(
        bank_transaction=BankTransaction.objects.get(bank_reference="R2"), actor=bureau
    )
    assert ignored.status == TransactionStatus.IGNORED and not ignored.matches.exists()


def test_constraints_have_messages(lines):
    services.bank_import_statement(data=camt(STATEMENT), file_name="r.xml")
    credit = BankTransaction.objects.get(bank_reference="R1")
    credit.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        credit.save()
    assert "déjà été importée" in str(BankTransaction._meta.constraints[0].violation_error_message)
