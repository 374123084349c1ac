"""Dues services: allocation, states, cancellation, numbering, documents."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from freezegun import freeze_time

from innovalo.audit import entries_for
from innovalo.exceptions import ServiceError
from members.enums import DuesDocumentKind, DuesStatus, PaymentMethod
from members.models import (
    Allocation,
    DocumentCounter,
    DuesDocument,
    DuesExemption,
    DuesLine,
    DuesRate,
    Payment,
    PaymentCancellation,
)
from members.services import dues as services

from .dues_factories import (  # noqa: F401 - fixtures
    DuesLineFactory,
    DuesPlatformFactory,
    DuesRateFactory,
    pdf_text,
    stored_amounts_agree_fixture,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("stored_amounts_agree")]

TODAY = datetime.date(2026, 11, 25)


def pay(lines_amounts, amount=None, **kwargs):
    allocations = [(line, Decimal(value)) for line, value in lines_amounts]
    total = amount if amount is not None else sum((a for _, a in allocations), Decimal(0))
    kwargs.setdefault("received_on", TODAY)
    kwargs.setdefault("method", PaymentMethod.TRANSFER)
    kwargs.setdefault("issue_documents", False)
    return services.dues_record_payment(amount=total, allocations=allocations, **kwargs)


def state(line):
    return DuesLine.objects.get(pk=line.pk)


# Constraints ----------------------------------------------------------------------


def test_one_dues_line_per_platform_and_year():
    line = DuesLineFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        DuesLineFactory(platform=line.platform, year=line.year)


def test_amounts_must_be_positive_in_the_database():
    line = DuesLineFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.create(received_on=TODAY, amount=Decimal("-1"), method="cheque")
    payment = Payment.objects.create(received_on=TODAY, amount=Decimal("10"), method="cheque")
    with pytest.raises(IntegrityError), transaction.atomic():
        Allocation.objects.create(payment=payment, line=line, amount=Decimal("0"))
    with pytest.raises(IntegrityError), transaction.atomic():
        DuesRate.objects.create(year=2030, amount=Decimal("0"), due_date=TODAY)


def test_one_number_per_kind_and_year_in_the_database():
    line = DuesLineFactory()
    other = DuesLineFactory()
    DuesDocument.objects.create(
        kind="notice",
        year=2026,
        sequence=1,
        number="AC-2026-0001",
        line=line,
        amount=Decimal(1),
        filename="a.pdf",
        content=b"x",
        sha256="0",
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        DuesDocument.objects.create(
            kind="notice",
            year=2026,
            sequence=1,
            number="AC-2026-9999",
            line=other,
            amount=Decimal(1),
            filename="b.pdf",
            content=b"x",
            sha256="0",
        )


def test_money_is_deleted_never():
    line = DuesLineFactory()
    payment = pay([(line, "100")])
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        payment.delete()
    with pytest.raises(ProtectedError):
        line.delete()


# Payments and allocation ----------------------------------------------------------


@freeze_time(TODAY)
def test_partial_payments_add_up_in_decimal():
    line = DuesLineFactory(amount_due=Decimal("300.00"))
    pay([(line, "100.10")])
    line.refresh_from_db()
    assert line.status == DuesStatus.PARTLY_PAID
    pay([(line, "0.20")])
    pay([(line, "199.70")])
    line = state(line)
    assert line.paid_amount == Decimal("300.00")
    assert isinstance(line.paid_amount, Decimal)
    assert line.balance == Decimal("0.00")
    assert line.status == DuesStatus.PAID


@freeze_time(TODAY)
def test_one_payment_split_across_two_platforms():
    first, second = DuesLineFactory(), DuesLineFactory()
    payment = pay([(first, "300"), (second, "150")], payer="Lycée Condorcet")
    assert payment.amount == Decimal("450.00")
    assert state(first).status == DuesStatus.PAID
    assert state(second).status == DuesStatus.PARTLY_PAID
    assert state(second).balance == Decimal("150.00")


@freeze_time(TODAY)
def test_a_line_is_never_over_allocated():
    line = DuesLineFactory(amount_due=Decimal("300.00"))
    pay([(line, "250")])
    with pytest.raises(ServiceError, match="dépasse le reste dû"):
        pay([(line, "50.01")])
    assert state(line).paid_amount == Decimal("250.00")
    assert Payment.objects.count() == 1


@freeze_time(TODAY)
@pytest.mark.parametrize("amount", ["300", "500"])
def test_allocations_must_equal_the_payment(amount):
    """The rule is the service's (it was checked only in the view)."""
    first, second = DuesLineFactory(), DuesLineFactory()
    with pytest.raises(ServiceError, match="doit être égale au montant") as error:
        pay([(first, "200"), (second, "200")], amount=Decimal(amount))
    assert error.value.field == "amount"
    assert not Payment.objects.exists()


@pytest.mark.parametrize(
    "value, message",
    [
        ("-5", "positif"),
        ("0", "positif"),
        ("abc", "invalide"),
        ("10.001", "deux décimales"),
        ("1000000000000", "trop élevé"),
        ("NaN", "invalide"),
    ],
)
@freeze_time(TODAY)
def test_bad_amounts_are_refused(value, message):
    line = DuesLineFactory()
    with pytest.raises(ServiceError, match=message):
        services.dues_record_payment(
            received_on=TODAY, amount=value, method="cheque", allocations=[(line, "10")]
        )


@freeze_time(TODAY)
def test_allocation_to_a_cancelled_or_exempt_or_paid_line_is_refused():
    cancelled = DuesLineFactory(status=DuesStatus.CANCELLED)
    exempt = DuesLineFactory(status=DuesStatus.EXEMPT)
    paid = DuesLineFactory()
    pay([(paid, "300")])
    for line in (cancelled, exempt, paid):
        with pytest.raises(ServiceError, match="ne peut pas recevoir"):
            pay([(line, "10")])


@freeze_time(TODAY)
def test_payment_in_the_future_is_refused():
    line = DuesLineFactory()
    with pytest.raises(ServiceError, match="futur"):
        pay([(line, "10")], received_on=TODAY + datetime.timedelta(days=1))


@freeze_time(TODAY)
def test_cancelling_a_payment_keeps_it_and_reopens_the_line(bureau):
    line = DuesLineFactory()
    payment = pay([(line, "300")])
    assert state(line).status == DuesStatus.PAID
    services.dues_cancel_payment(payment=payment, reason="Chèque sans provision", actor=bureau)
    line.refresh_from_db()
    assert line.status == DuesStatus.CALLED
    assert state(line).paid_amount == Decimal("0.00")
    cancellation = PaymentCancellation.objects.get(payment=payment)
    assert cancellation.cancelled_by == bureau and cancellation.reason == "Chèque sans provision"
    assert Payment.objects.filter(pk=payment.pk).exists()
    assert Allocation.objects.filter(payment=payment).exists()
    history = list(entries_for(line))
    assert [e.action for e in history] == ["dues.payment_cancelled", "dues.paid"]
    assert history[0].actor == bureau and history[0].amount == Decimal("300.00")
    assert "Chèque sans provision" in history[0].message
    with pytest.raises(ServiceError, match="déjà annulé"):
        services.dues_cancel_payment(payment=payment, reason="encore", actor=bureau)
    with pytest.raises(ServiceError, match="motif"):
        services.dues_cancel_payment(payment=pay([(line, "10")]), reason=" ", actor=bureau)


@freeze_time(TODAY)
def test_exemption_and_line_cancellation(bureau):
    line = DuesLineFactory()
    services.dues_exempt(line=line, reason="Plateforme créée en cours d'année", actor=bureau)
    line.refresh_from_db()
    assert line.status == DuesStatus.EXEMPT and line.exemption.reason.startswith("Plateforme")
    paid = DuesLineFactory()
    pay([(paid, "10")])
    with pytest.raises(ServiceError, match="paiements"):
        services.dues_exempt(line=paid, reason="x", actor=bureau)
    with pytest.raises(ServiceError, match="paiements"):
        services.dues_cancel_line(line=paid, reason="x", actor=bureau)
    other = DuesLineFactory()
    services.dues_cancel_line(line=other, reason="A quitté le réseau", actor=bureau)
    other.refresh_from_db()
    assert other.status == DuesStatus.CANCELLED and other.cancelled_by == bureau


# The call of a year ----------------------------------------------------------------


@freeze_time(TODAY)
def test_call_of_a_year_run_twice_creates_nothing_twice(bureau, django_capture_on_commit_callbacks):
    DuesRateFactory(year=2026, amount=Decimal("250.00"))
    platforms = DuesPlatformFactory.create_batch(3)
    DuesPlatformFactory(is_member=False)
    DuesExemption.objects.create(platform=platforms[2], year=2026, reason="Exonérée")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        result = services.dues_call_year(year=2026, actor=bureau)
    assert result.created == 3 and len(result.called) == 2 and len(callbacks) == 2
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        again = services.dues_call_year(year=2026, actor=bureau)
    assert again.created == 0 and again.called == [] and callbacks == []
    lines = DuesLine.objects.filter(year=2026)
    assert lines.count() == 3
    assert set(lines.values_list("amount_due", flat=True)) == {Decimal("250.00")}
    assert lines.get(platform=platforms[2]).status == DuesStatus.EXEMPT


def test_call_without_rate_is_refused():
    with pytest.raises(ServiceError, match="tarif"):
        services.dues_call_year(year=2031)


def test_rate_cannot_change_once_called():
    DuesRateFactory(year=2026, amount=Decimal("250.00"))
    DuesLineFactory(year=2026)
    with pytest.raises(ServiceError, match="ne peut plus changer"):
        services.dues_set_rate(year=2026, amount="300", due_date=TODAY)
    services.dues_set_rate(year=2026, amount="250", due_date=TODAY)
    assert DuesRate.objects.get(year=2026).due_date == TODAY


# Documents --------------------------------------------------------------------------


@freeze_time(TODAY)
def test_notice_pdf_shows_number_identities_amount_and_due_date(settings):
    line = DuesLineFactory(
        amount_due=Decimal("1234.50"),
        due_date=datetime.date(2026, 1, 21),
        purchase_order="BC-2026-77",
    )
    document = services.dues_issue_notice(line)
    assert document.number == "AC-2026-0001"
    text = pdf_text(bytes(document.content))
    association = settings.ASSOCIATION
    for expected in [
        "AC-2026-0001",
        "1 234,50 €",
        "21 janvier 2016".replace("2016", "2026"),
        association["name"],
        association["siret"],
        association["iban"],
        association["bic"],
        line.platform.billing_name,
        line.platform.siret,
        "SERV-COMPTA",
        "BC-2026-77",
    ]:
        assert expected in text, expected


@freeze_time(TODAY)
def test_documents_are_issued_once_and_identical():
    line = DuesLineFactory()
    first = services.dues_issue_notice(line)
    second = services.dues_issue_notice(line)
    assert first.pk == second.pk and bytes(first.content) == bytes(second.content)
    assert DuesDocument.objects.count() == 1


@freeze_time(TODAY)
def test_receipt_per_payment_with_its_own_numbers():
    first, second = DuesLineFactory(), DuesLineFactory()
    one = pay([(first, "300"), (second, "100")], issue_documents=True, reference="CHQ 123")
    two = pay([(second, "200")], issue_documents=True)
    receipts = DuesDocument.objects.filter(kind=DuesDocumentKind.RECEIPT).order_by("sequence")
    assert [r.number for r in receipts] == ["RE-2026-0001", "RE-2026-0002"]
    assert receipts[0].payment == one and receipts[1].payment == two
    text = pdf_text(bytes(receipts[0].content))
    assert "RE-2026-0001" in text and "400,00 €" in text and "CHQ 123" in text
    assert first.platform.name in text and second.platform.name in text


@freeze_time(TODAY)
def test_certificate_only_once_paid():
    line = DuesLineFactory()
    with pytest.raises(ServiceError, match="payée"):
        services.dues_issue_certificate(line)
    pay([(line, "300")])
    document = services.dues_issue_certificate(line)
    assert document.number == "AT-2026-0001"
    text = pdf_text(bytes(document.content))
    assert "Attestation d'adhésion 2026" in text and line.platform.name in text


@freeze_time(TODAY)
def test_numbers_follow_without_gaps_when_a_render_fails(monkeypatch):
    lines = DuesLineFactory.create_batch(3)
    services.dues_issue_notice(lines[0])
    from members import pdf

    def broken(*args, **kwargs):
        raise RuntimeError("render failed")

    with monkeypatch.context() as patch:
        patch.setattr(pdf, "render_notice", broken)
        with pytest.raises(RuntimeError):
            services.dues_issue_notice(lines[1])
    services.dues_issue_notice(lines[2])
    numbers = sorted(DuesDocument.objects.values_list("number", flat=True))
    assert numbers == ["AC-2026-0001", "AC-2026-0002"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
def test_numbering_without_gaps_under_two_concurrent_transactions():
    lines = DuesLineFactory.create_batch(6)
    barrier = threading.Barrier(2)
    errors = []

    def issue(chunk):
        try:
            barrier.wait()
            for line in chunk:
                services.dues_issue_notice(line)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=issue, args=(lines[0::2],)),
        threading.Thread(target=issue, args=(lines[1::2],)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    sequences = sorted(DuesDocument.objects.values_list("sequence", flat=True))
    assert sequences == [1, 2, 3, 4, 5, 6]
    assert DocumentCounter.objects.get(kind="notice", year=2026).last_number == 6


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
def test_two_treasurers_paying_the_same_line_at_once_never_over_allocate():
    line = DuesLineFactory(amount_due=Decimal("300.00"), due_date=datetime.date(2026, 1, 31))
    barrier = threading.Barrier(2)
    outcomes = []

    def record():
        try:
            barrier.wait()
            services.dues_record_payment(
                received_on=datetime.date(2026, 2, 1),
                amount="200",
                method="cheque",
                allocations=[(line.pk, "200")],
            )
            outcomes.append("ok")
        except ServiceError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=record) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok", "refused"]
    assert DuesLine.objects.get(pk=line.pk).paid_amount == Decimal("200.00")
    receipts = DuesDocument.objects.filter(kind="receipt").values_list("number", flat=True)
    assert list(receipts) == ["RE-2026-0001"]
