import datetime
from decimal import Decimal

import pytest

from members.bank.parsers import StatementError, parse_camt053, parse_csv, parse_statement
from members.models import BankCsvMapping

from .bank_helpers import camt


def test_camt053_reads_credits_only_with_payer_and_remittance():
    data = camt(
        [
            {
                "amount": "300.00",
                "ref": "R1",
                "info": "Cotisation AC-2026-0001",
                "payer": "LYCEE A",
            },
            {"amount": "50.00", "ref": "R2", "debit": True, "info": "Frais"},
            {"amount": "600.00", "ref": "R3", "payer": "IUT B", "siret": "19020001400016"},
        ]
    )
    parsed = parse_camt053(data)
    assert parsed.format == "camt053"
    assert parsed.account_iban == "FR7630006000011234567890189"
    assert parsed.period_start == datetime.date(2026, 11, 1)
    assert parsed.period_end == datetime.date(2026, 11, 20)
    assert [c.bank_reference for c in parsed.credits] == ["R1", "R3"]
    first, second = parsed.credits
    assert first.amount == Decimal("300.00")
    assert first.remittance_info == "Cotisation AC-2026-0001"
    assert first.payer_name == "LYCEE A"
    assert first.booking_date == datetime.date(2026, 11, 20)
    assert second.payer_siret == "19020001400016"
    assert second.payer_iban.startswith("FR76")
    assert len(parsed.sha256) == 64


@pytest.mark.parametrize("version", ["02", "04", "08"])
def test_camt053_versions(version):
    assert len(parse_camt053(camt([{"amount": "1", "ref": "X"}], version=version)).credits) == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "vide"),
        (b"<html><body>nope</body></html>", "CAMT.053"),
        (b"<Document xmlns='urn:iso:std:iso:20022:tech:xsd:camt.054.001.08'/>", "CAMT.053"),
        (b"<?xml version='1.0'?><Document", "XML"),
        (b'<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>', "CAMT.053"),
        (b"date;montant\n2026-01-01;12", "CSV"),
    ],
)
def test_bad_files_raise_a_clear_error(data, message):
    with pytest.raises(StatementError, match=message):
        parse_statement(data)


def test_camt053_bad_amount_is_an_error():
    with pytest.raises(StatementError, match="Montant"):
        parse_camt053(camt([{"amount": "abc", "ref": "X"}]))


MAPPING = BankCsvMapping(
    bank="Crédit Mutuel",
    date_column="Date",
    amount_column="Crédit",
    label_column="Libellé",
    payer_column="Tiers",
)


def test_csv_with_mapping():
    data = (
        "Date;Libellé;Crédit;Tiers\n"
        "20/11/2026;VIR AC 2026 0007;1 200,50;LYCEE C\n"
        "21/11/2026;PRLV;-12,00;EDF\n"
        "\n"
    ).encode("cp1252")
    parsed = parse_statement(data, MAPPING)
    assert parsed.format == "csv"
    (credit,) = parsed.credits
    assert credit.amount == Decimal("1200.50")
    assert credit.payer_name == "LYCEE C"
    assert credit.booking_date == datetime.date(2026, 11, 20)
    assert credit.bank_reference.startswith("CSV-")
    # the same file gives the same references (re-import is idempotent)
    assert parse_csv(data, MAPPING).credits[0].bank_reference == credit.bank_reference


def test_csv_missing_columns_and_bad_rows():
    with pytest.raises(StatementError, match="Colonnes absentes"):
        parse_csv(b"Date;Montant;Texte\n20/11/2026;1;x\n", MAPPING)
    with pytest.raises(StatementError, match="Ligne 3"):
        parse_csv("Date;Libellé;Crédit;Tiers\n20/11/2026;a;1;b\nhier;a;1;b\n".encode(), MAPPING)
