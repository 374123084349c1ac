"""One amount parser for forms, services and imports (innovalo.money)."""

from decimal import Decimal

import pytest

from innovalo.exceptions import ServiceError
from innovalo.money import amount_text, parse_amount


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 234,50", "1234.50"),
        ("1\u00a0234,50", "1234.50"),
        ("1\u202f234,50 €", "1234.50"),
        ("1234.50", "1234.50"),
        ("1,5", "1.50"),
        ("250", "250.00"),
        (Decimal("12.3"), "12.30"),
        (40, "40.00"),
    ],
)
def test_amounts_are_read_the_same_everywhere(text, expected):
    assert parse_amount(text) == Decimal(expected)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Indiquez un montant"),
        ("abc", "Montant invalide"),
        ("NaN", "Montant invalide"),
        ("Infinity", "Montant invalide"),
        ("1e999", "Montant invalide"),
        ("1e5", "Montant invalide"),
        ("1_000", "Montant invalide"),
        ("١٢٣", "Montant invalide"),  # Arabic-Indic digits
        ("--5", "Montant invalide"),
        ("-5", "positif"),
        ("0", "positif"),
        ("1,234", "deux décimales"),
        ("1,000", "écrivez 1000"),  # a thousand in English, one in French: never guessed
        ("1.000", "écrivez 1000"),
        ("1.000,50", "ambigu"),
        ("1,000.50", "ambigu"),
        ("100000000", "trop élevé"),
    ],
)
def test_bad_amounts_are_refused_with_a_message(text, message):
    with pytest.raises(ServiceError, match=message) as error:
        parse_amount(text, field="amount")
    assert error.value.field == "amount"


def test_a_huge_decimal_is_too_high():
    assert pytest.raises(ServiceError, parse_amount, Decimal("1e999")).match("trop élevé")


def test_zero_when_allowed():
    assert parse_amount("0", allow_zero=True) == Decimal("0.00")


def test_amount_text_in_french():
    assert amount_text(Decimal("1234.5")).replace("\u202f", " ").replace("\u00a0", " ") in (
        "1 234,50",
    )
