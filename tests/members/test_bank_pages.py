from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from innovalo.models import AuditEntry
from members.models import (
    BankCsvMapping,
    BankStatement,
    BankTransaction,
    DuesDocument,
    Payment,
    TransactionMatch,
    TransactionStatus,
)
from members.services import bank as services
from tests.conftest import ROLES

from .bank_helpers import camt, notice
from .dues_factories import (  # noqa: F401 - fixtures
    DuesLineFactory,
    DuesPlatformFactory,
    fast_pdf_fixture,
    stored_amounts_agree_fixture,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("stored_amounts_agree", "fast_pdf")]
EXPECTED = {
    "anonymous": 302,
    "director": 403,
    "other_director": 403,
    "bureau": 200,
    "ministry": 403,
}


@pytest.fixture
def statement(db):
    lines = [
        DuesLineFactory(platform=DuesPlatformFactory(billing_name=f"Lycée {n}")) for n in range(4)
    ]
    for n, line in enumerate(lines, start=1):
        notice(line, n)
    entries = [
        {"amount": "300.00", "ref": f"R{n}", "info": f"AC-2026-{n:04d}"} for n in range(1, 5)
    ]
    entries.append({"amount": "12.00", "ref": "U1", "payer": "INCONNU"})
    statement, _new, _known = services.bank_import_statement(data=camt(entries), file_name="r.xml")
    return statement


def _counts():
    return (
        BankStatement.objects.count(),
        BankTransaction.objects.count(),
        TransactionMatch.objects.count(),
        Payment.objects.count(),
        AuditEntry.objects.count(),
        list(BankTransaction.objects.order_by("pk").values_list("status", flat=True)),
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", ["list", "detail"])
def test_roles(client_for, role, page, statement):
    url = (
        reverse("bank_statements")
        if page == "list"
        else reverse("bank_statement_detail", args=[statement.pk])
    )
    before = _counts()
    response = client_for(role).get(url)
    assert response.status_code == EXPECTED[role]
    if role == "anonymous":
        assert "/login" in response["Location"] or "connexion" in response["Location"]
    assert _counts() == before  # a GET never writes
    response = client_for(role).post(url, {"action": "ignore", "transaction": "1"})
    assert response.status_code in ({"bureau": (302, 400, 404)}.get(role) or (EXPECTED[role],))


def test_detail_lists_proposals_and_unmatched(client_for, statement):
    response = client_for("bureau").get(reverse("bank_statement_detail", args=[statement.pk]))
    text = response.content.decode()
    assert "INCONNU" in text and "Accepter" in text and "confiance élevée" in text


def test_unknown_statement_is_404(client_for):
    assert (
        client_for("bureau").get(reverse("bank_statement_detail", args=[999999])).status_code == 404
    )


def test_query_pins(client_for, statement, django_assert_max_num_queries):
    client = client_for("bureau")
    for _n in range(3):
        services.bank_import_statement(
            data=camt([{"amount": "5", "ref": f"X{_n}-{i}"} for i in range(3)]), file_name="x.xml"
        )
    with django_assert_max_num_queries(12):
        assert client.get(reverse("bank_statements")).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(reverse("bank_statement_detail", args=[statement.pk])).status_code == 200


def test_import_page_and_bad_file(client_for, statement):
    client = client_for("bureau")
    url = reverse("bank_statements")
    bad = SimpleUploadedFile("x.xml", b"<html/>", content_type="text/xml")
    response = client.post(url, {"action": "import", "file": bad})
    assert response.status_code == 400
    assert "CAMT.053" in response.content.decode()
    again = SimpleUploadedFile("r.xml", camt([{"amount": "300.00", "ref": "R1"}]))
    response = client.post(url, {"action": "import", "file": again})
    assert response.status_code == 400 and "déjà été importé" in response.content.decode()
    new = SimpleUploadedFile("n.xml", camt([{"amount": "7.00", "ref": "N1"}]))
    response = client.post(url, {"action": "import", "file": new})
    assert response.status_code == 302
    assert BankStatement.objects.count() == 2


def test_csv_mapping_then_csv_import(client_for, db):
    client = client_for("bureau")
    url = reverse("bank_statements")
    response = client.post(
        url,
        {
            "action": "mapping",
            "csv-bank": "Banque Test",
            "csv-date_column": "Date",
            "csv-amount_column": "Montant",
            "csv-label_column": "Libellé",
        },
    )
    assert response.status_code == 302
    mapping = BankCsvMapping.objects.get()
    data = "Date;Libellé;Montant\n20/11/2026;VIR;12,00\n".encode()
    response = client.post(
        url, {"action": "import", "file": SimpleUploadedFile("r.csv", data), "bank": mapping.pk}
    )
    assert response.status_code == 302
    assert BankTransaction.objects.get().amount == Decimal("12.00")


def test_accept_change_ignore_through_the_page(client_for, statement):
    client = client_for("bureau")
    url = reverse("bank_statement_detail", args=[statement.pk])
    first = statement.transactions.get(bank_reference="R1")
    assert client.post(url, {"action": "accept", "transaction": first.pk}).status_code == 302
    first.refresh_from_db()
    assert first.status == TransactionStatus.MATCHED
    assert DuesDocument.objects.filter(kind="receipt").count() == 1
    unknown = statement.transactions.get(bank_reference="U1")
    response = client.post(
        url,
        {"action": "change", "transaction": unknown.pk, "target": "AC-2026-9999", "amount": "12"},
    )
    assert response.status_code == 400 and "Aucune ligne" in response.content.decode()
    response = client.post(
        url, {"action": "change", "transaction": unknown.pk, "target": "AC 2026 2", "amount": "12"}
    )
    assert response.status_code == 302
    unknown.refresh_from_db()
    assert unknown.status == TransactionStatus.MATCHED
    third = statement.transactions.get(bank_reference="R3")
    assert client.post(url, {"action": "ignore", "transaction": third.pk}).status_code == 302
    third.refresh_from_db()
    assert third.status == TransactionStatus.IGNORED
    assert client.post(url, {"action": "ignore", "transaction": third.pk}).status_code == 400
    assert client.post(url, {"action": "nope", "transaction": first.pk}).status_code == 400


def test_change_settles_several_lines_with_one_credit(client_for, statement):
    """A host paying for two platforms in one transfer the matching did not recognise."""
    client = client_for("bureau")
    url = reverse("bank_statement_detail", args=[statement.pk])
    unknown = statement.transactions.get(bank_reference="U1")
    data = {"action": "change", "transaction": unknown.pk, "target": "AC-2026-0003"}
    response = client.post(url, {**data, "amount": "6", "target_2": "AC 2026 3", "amount_2": "6"})
    assert response.status_code == 400
    assert "déjà choisie plus haut" in response.content.decode()
    response = client.post(url, {**data, "amount": "6", "target_2": "AC 2026 4"})
    assert response.status_code == 400
    assert "Indiquez le montant pour cette ligne" in response.content.decode()
    assert 'value="AC 2026 4"' in response.content.decode()  # nothing typed is lost
    response = client.post(url, {**data, "amount": "10", "target_2": "AC 2026 4", "amount_2": "6"})
    assert response.status_code == 400
    assert "dépasse le montant du crédit" in response.content.decode()
    response = client.post(url, {**data, "amount": "6", "target_2": "AC 2026 4", "amount_2": "6"})
    assert response.status_code == 302
    payment = Payment.objects.get(reference="U1")
    assert sorted(
        (a.line.documents.get(kind="notice").number, a.amount) for a in payment.allocations.all()
    ) == [("AC-2026-0003", Decimal("6.00")), ("AC-2026-0004", Decimal("6.00"))]
    unknown.refresh_from_db()
    assert unknown.status == TransactionStatus.MATCHED
