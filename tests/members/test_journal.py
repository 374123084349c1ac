"""The dues accounting journal and the financial report's figures (issue 12)."""

import csv
import datetime
import io
import zipfile
from decimal import Decimal

import pytest
from django.urls import reverse
from freezegun import freeze_time

from innovalo.models import AuditEntry
from members.models import Allocation, DuesDocument, Payment, PaymentCancellation
from members.selectors import journal as selectors
from members.services import dues as services

from .dues_factories import (  # noqa: F401 - fixtures
    DuesLineFactory,
    DuesPlatformFactory,
    DuesRateFactory,
    fast_pdf_fixture,
    frozen_fixture,
    stored_amounts_agree_fixture,
    unfrozen_fixture,
)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("frozen", "fast_pdf", "stored_amounts_agree"),
]

URL = reverse("dues_journal")


def _pay(lines, amounts, *, method="transfer", on=datetime.date(2026, 5, 4), payer="", ref=""):
    return services.dues_record_payment(
        received_on=on,
        amount=str(sum(Decimal(a) for a in amounts)),
        method=method,
        allocations=list(zip(lines, amounts, strict=True)),
        payer=payer,
        reference=ref,
    )


@pytest.fixture(name="books")
def books_fixture(platform, other_platform):
    """2026: a transfer paying two platforms' lines (2025 and 2026), a cheque, and a
    cheque cancelled; 2025: the other platform's line partly paid."""
    DuesRateFactory(year=2026)
    own = DuesLineFactory(platform=platform, year=2026)
    own_old = DuesLineFactory(platform=platform, year=2025)
    other = DuesLineFactory(platform=other_platform, year=2026)
    other_old = DuesLineFactory(platform=other_platform, year=2025)
    split = _pay([own, own_old, other], ["300", "300", "100"], payer="Lycée Curie", ref="VIR 1")
    cheque = _pay([other], ["50"], method="cheque", on=datetime.date(2026, 6, 1))
    mistaken = _pay([other_old], ["120"], method="cheque", on=datetime.date(2026, 7, 1))
    services.dues_cancel_payment(payment=mistaken, reason="Chèque sans provision")
    old = _pay([other_old], ["80"], on=datetime.date(2025, 12, 20))
    return {"split": split, "cheque": cheque, "mistaken": mistaken, "old": old}


def _login_url_in(response):
    return response.status_code == 302 and reverse("account_login") in response["Location"]


@pytest.mark.parametrize("fmt", ["", "csv", "xlsx"])
@pytest.mark.parametrize(
    "role, expected",
    [
        ("anonymous", "login"),
        ("director", 403),
        ("other_director", 403),
        ("ministry", 403),
        ("bureau", 200),
    ],
)
def test_journal_by_role(client_for, books, role, expected, fmt):
    response = client_for(role).get(URL, {"year": 2026, "format": fmt})
    if expected == "login":
        assert _login_url_in(response)
    else:
        assert response.status_code == expected


def _lines(year):
    return [
        dict(zip(selectors.COLUMNS, row[:6], strict=True)) for row in selectors.journal_lines(year)
    ]


def test_journal_balances_with_split_payment_and_cancellation(books):
    lines = _lines(2026)
    receipt = DuesDocument.objects.get(payment=books["split"]).number
    split = [line for line in lines if line["piece"] == receipt]
    # One debit of the whole payment, one credit per allocation.
    entries = [(line["account"], line["debit"], line["credit"]) for line in split]
    assert entries[0] == ("512000", Decimal("700.00"), Decimal("0.00"))
    assert sorted(entries[1:]) == [
        ("756000", Decimal("0.00"), Decimal("100.00")),
        ("756000", Decimal("0.00"), Decimal("300.00")),
        ("756000", Decimal("0.00"), Decimal("300.00")),
    ]
    assert split[0]["label"] == "Cotisation — Virement Lycée Curie VIR 1"
    assert {line["label"].split(" — ")[0] for line in split[1:]} == {
        "Cotisation 2026",
        "Cotisation 2025",
    }
    # The cancelled cheque: its receipt, then the reversal on the cancellation's date.
    voided = DuesDocument.objects.get(payment=books["mistaken"]).number
    mistaken = [line for line in lines if line["piece"] == voided]
    assert [
        (line["entry_date"], line["account"], line["debit"], line["credit"]) for line in mistaken
    ] == [
        (datetime.date(2026, 7, 1), "511200", Decimal("120.00"), Decimal("0.00")),
        (datetime.date(2026, 7, 1), "756000", Decimal("0.00"), Decimal("120.00")),
        (datetime.date(2026, 11, 25), "756000", Decimal("120.00"), Decimal("0.00")),
        (datetime.date(2026, 11, 25), "511200", Decimal("0.00"), Decimal("120.00")),
    ]
    assert "Chèque sans provision" in mistaken[-1]["label"]
    assert sum(line["debit"] for line in lines) == sum(line["credit"] for line in lines)
    totals = selectors.journal_totals(2026)
    assert totals["debit"] == totals["credit"] == Decimal("990.00")
    assert totals["balanced"] and totals["count"] == len(lines) == 10
    # 2025 holds only the payment of December.
    assert [line["debit"] + line["credit"] for line in _lines(2025)] == [Decimal("80.00")] * 2
    assert selectors.journal_totals(2025)["balanced"]


def test_accounts_from_settings(books, settings):
    settings.DUES_ACCOUNT = "756100"
    settings.BANK_ACCOUNT = "512100"
    settings.CHEQUE_ACCOUNT = "512200"
    accounts = {line["account"] for line in _lines(2026)}
    assert accounts == {"756100", "512100", "512200"}
    assert selectors.journal_totals(2026)["balanced"]


def test_cancellation_recorded_the_next_year_is_reversed_that_year(platform):
    DuesRateFactory(year=2026)
    line = DuesLineFactory(platform=platform, year=2026)
    payment = _pay([line], ["300"], on=datetime.date(2026, 11, 20))
    with freeze_time("2027-01-05 10:00:00"):
        services.dues_cancel_payment(payment=payment, reason="Erreur de saisie")
    assert selectors.journal_totals(2026)["debit"] == Decimal("300.00")
    assert selectors.journal_totals(2026)["balanced"]
    later = _lines(2027)
    assert [(line["account"], line["debit"], line["credit"]) for line in later] == [
        ("756000", Decimal("300.00"), Decimal("0.00")),
        ("512000", Decimal("0.00"), Decimal("300.00")),
    ]


def test_page_shows_journal_totals_and_report(client_for, books):
    response = client_for("bureau").get(URL, {"year": "2026"})
    content = response.content.decode()
    assert response.status_code == 200
    assert 'id="journal-balanced"' in content
    assert DuesDocument.objects.get(payment=books["split"]).number in content
    assert "Chèque sans provision" in content
    report = {row["year"]: row for row in response.context["report"]}
    # 2026: 600 called (two lines), 300 + 150 received; 2025: 600 called, 300 + 80.
    assert (report[2026]["called"], report[2026]["received"], report[2026]["outstanding"]) == (
        Decimal("600.00"),
        Decimal("450.00"),
        Decimal("150.00"),
    )
    assert (report[2025]["called"], report[2025]["received"], report[2025]["outstanding"]) == (
        Decimal("600.00"),
        Decimal("380.00"),
        Decimal("220.00"),
    )


@pytest.mark.parametrize("year", ["abc", "1900", "99999999999999999999", ""])
def test_bad_year_is_the_current_year(client_for, books, year):
    response = client_for("bureau").get(URL, {"year": year, "page": "x"})
    assert response.status_code == 200
    assert response.context["year"] == 2026


def _csv(response):
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def test_csv_export(client_for, books):
    Payment.objects.filter(pk=books["cheque"].pk).update(payer="=HYPERLINK(1)")
    response = client_for("bureau").get(URL, {"year": 2026, "format": "csv"})
    assert response["Content-Disposition"] == 'attachment; filename="journal-cotisations-2026.csv"'
    rows = _csv(response)
    assert rows[0] == ["Date", "Pièce", "Compte", "Libellé", "Débit", "Crédit"]
    assert len(rows) == 11
    receipt = DuesDocument.objects.get(payment=books["split"]).number
    assert ["04/05/2026", receipt, "512000"] == rows[1][:3]
    assert rows[1][4:] == ["700,00", "0,00"]
    debit = sum(Decimal(row[4].replace(",", ".")) for row in rows[1:])
    credit = sum(Decimal(row[5].replace(",", ".")) for row in rows[1:])
    assert debit == credit == Decimal("990.00")
    cheque = [row for row in rows if "HYPERLINK" in row[3]]
    # The label starts with "Cotisation — ", so it is no formula; defused anyway if typed first.
    assert cheque and all(not row[3].startswith("=") for row in cheque)


def test_xlsx_export(client_for, books, unfrozen):
    from openpyxl import load_workbook

    response = client_for("bureau").get(URL, {"year": 2026, "format": "xlsx"})
    assert response["Content-Disposition"] == 'attachment; filename="journal-cotisations-2026.xlsx"'
    content = b"".join(response.streaming_content)
    assert zipfile.is_zipfile(io.BytesIO(content))
    sheet = load_workbook(io.BytesIO(content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Date", "Pièce", "Compte", "Libellé", "Débit", "Crédit")
    assert len(rows) == 11
    assert rows[1][2] == "512000" and rows[1][4] == 700
    assert sum(row[4] for row in rows[1:]) == sum(row[5] for row in rows[1:]) == 990


def test_xlsx_defuses_formulas(platform):
    from innovalo.exports import _cell

    assert _cell("=1+1").startswith("'")


def _payments(count, platform):
    DuesRateFactory(year=2026)
    for index in range(count):
        plat = DuesPlatformFactory()
        lines = [
            DuesLineFactory(platform=plat, year=2026),
            DuesLineFactory(platform=plat, year=2025),
        ]
        payment = _pay(lines, ["300", "100"], payer=f"Payeur {index}")
        if index % 3 == 0:
            services.dues_cancel_payment(payment=payment, reason="Erreur")


@pytest.mark.parametrize("count", [3, 15])
def test_page_query_count(client_for, platform, django_assert_max_num_queries, count):
    _payments(count, platform)
    client = client_for("bureau")
    client.get(URL, {"year": 2026})  # session and user cached as in every request
    with django_assert_max_num_queries(7):
        response = client.get(URL, {"year": 2026})
    assert response.status_code == 200
    assert response.context["totals"]["balanced"]


@pytest.mark.parametrize("count", [3, 15])
def test_export_query_count(client_for, platform, django_assert_max_num_queries, count):
    _payments(count, platform)
    client = client_for("bureau")
    with django_assert_max_num_queries(3):
        rows = _csv(client.get(URL, {"year": 2026, "format": "csv"}))
    assert len(rows) > count


def test_get_never_writes(client_for, books):
    def counts():
        return (
            Payment.objects.count(),
            Allocation.objects.count(),
            PaymentCancellation.objects.count(),
            DuesDocument.objects.count(),
            AuditEntry.objects.count(),
        )

    before = counts()
    client = client_for("bureau")
    for fmt in ("", "csv", "xlsx"):
        response = client.get(URL, {"year": 2026, "format": fmt})
        if fmt:
            b"".join(response.streaming_content)
    assert counts() == before
    assert client.post(URL, {"year": 2026}).status_code == 405


@pytest.mark.parametrize(
    "role, shown", [("bureau", True), ("director", False), ("ministry", False)]
)
def test_general_assembly_links_to_the_financial_figures(client_for, role, shown):
    from meetings.enums import MeetingKind
    from tests.meetings.factories import MeetingFactory

    assembly = MeetingFactory(kind=MeetingKind.GENERAL_ASSEMBLY, title="AG 2026")
    response = client_for(role).get(reverse("meeting_detail", args=[assembly.pk]))
    if response.status_code != 200:  # a page the role may not open shows no link either
        assert not shown
        return
    assert (f"{URL}#rapport-financier" in response.content.decode()) is shown
    if shown:
        page = client_for(role).get(reverse("general_assembly", args=[assembly.pk]))
        assert f"{URL}#rapport-financier" in page.content.decode()


def test_journal_is_paginated_and_totals_cover_every_page(client_for, platform):
    # 15 payments of 400 € (a debit, two credits), 5 cancelled (three lines): 60 lines
    _payments(15, platform)
    client = client_for("bureau")
    first = client.get(URL, {"year": 2026})
    second = client.get(URL, {"year": 2026, "page": 2})
    assert first.context["page_obj"].paginator.count == 60
    assert len(first.context["page_obj"].object_list) == 50
    assert len(second.context["page_obj"].object_list) == 10
    rows = [*first.context["page_obj"].object_list, *second.context["page_obj"].object_list]
    totals = first.context["totals"]
    assert totals["debit"] == sum(row["debit"] for row in rows) == Decimal("8000.00")
    assert totals["credit"] == sum(row["credit"] for row in rows)


def test_the_dues_board_links_the_treasurers_tools(client_for):
    from django.urls import reverse

    page = client_for("bureau").get(reverse("dues_board")).content.decode()
    for name in ("bank_statements", "dues_journal", "dues_chorus_zip"):
        assert reverse(name) in page
