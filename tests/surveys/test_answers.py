"""answer_value: each question type's parsing and bounds."""

import datetime
from decimal import Decimal

import pytest

from innovalo.exceptions import ServiceError
from surveys.services import answer_value

from .factories import QuestionFactory, choice_question

pytestmark = pytest.mark.django_db

TABLE = {
    "rows": [{"code": "tpe", "label": "TPE"}, {"code": "pme", "label": "PME"}],
    "columns": [
        {"code": "industrie", "label": "Industrie"},
        {"code": "services", "label": "Services"},
    ],
}


def question(type, **kwargs):
    if type == "number_table":
        kwargs = {**TABLE, **kwargs}
    return QuestionFactory(type=type, code="q", **kwargs)


@pytest.mark.parametrize(
    ("type", "raw", "expected"),
    [
        ("integer", "42", 42),
        ("integer", " 1 200 ", 1200),
        ("integer", 7, 7),
        ("integer", "12,0", 12),
        ("decimal", "12,5", Decimal("12.5")),
        ("decimal", "12.25", Decimal("12.25")),
        ("decimal", "-3", Decimal("-3")),
        ("money", "1 234,50", Decimal("1234.50")),
        ("money", "0", Decimal("0.00")),
        ("money", "1234.50 €", Decimal("1234.50")),
        ("percentage", "0", Decimal("0")),
        ("percentage", "100", Decimal("100")),
        ("percentage", "33,3", Decimal("33.3")),
        ("scale", "1", 1),
        ("scale", "5", 5),
        ("yes_no", "oui", True),
        ("yes_no", "non", False),
        ("yes_no", True, True),
        ("yes_no", "0", False),
        ("date", "2026-04-15", datetime.date(2026, 4, 15)),
        ("date", "15/04/2026", datetime.date(2026, 4, 15)),
        ("date", datetime.date(2026, 4, 15), datetime.date(2026, 4, 15)),
        ("short_text", "  Atelier ouvert  ", "Atelier ouvert"),
        ("long_text", "Une ligne\nune autre", "Une ligne\nune autre"),
        (
            "number_table",
            {"tpe": {"industrie": "3", "services": ""}, "pme": {"services": "2,5"}},
            {"tpe": {"industrie": Decimal("3")}, "pme": {"services": Decimal("2.5")}},
        ),
    ],
)
def test_a_valid_answer_is_parsed_to_its_type(type, raw, expected):
    assert answer_value(question(type), raw) == expected


@pytest.mark.parametrize(
    ("type", "raw", "message"),
    [
        ("integer", "douze", "Indiquez un nombre"),
        ("integer", "12,5", "nombre entier"),
        ("integer", "1e5", "Indiquez un nombre"),
        ("integer", True, "Indiquez un nombre"),
        ("integer", "1" * 20, "trop grand"),
        ("decimal", "1,23456", "quatre décimales"),
        ("decimal", "NaN", "Indiquez un nombre"),
        ("money", "-5", "montant"),
        ("money", "1,000", "deux décimales"),
        ("percentage", "101", "entre 0 et 100"),
        ("percentage", "-1", "entre 0 et 100"),
        ("scale", "0", "de 1 à 5"),
        ("scale", "6", "de 1 à 5"),
        ("scale", "2,5", "nombre entier"),
        ("yes_no", "peut-être", "oui ou par non"),
        ("date", "31/02/2026", "Indiquez une date"),
        ("date", "demain", "Indiquez une date"),
        ("short_text", "x" * 256, "Au plus 255 caractères"),
        ("long_text", "x" * 10_001, "Au plus 10000 caractères"),
        ("number_table", {"eti": {"industrie": "1"}}, "Ligne inconnue"),
        ("number_table", {"tpe": {"agriculture": "1"}}, "Colonne inconnue"),
        ("number_table", {"tpe": {"industrie": "beaucoup"}}, "Indiquez un nombre"),
        ("number_table", ["tpe"], "mal formé"),
    ],
)
def test_an_invalid_answer_is_refused_with_a_message_on_its_question(type, raw, message):
    with pytest.raises(ServiceError) as error:
        answer_value(question(type), raw)
    assert message in str(error.value)
    assert error.value.field == "q"


@pytest.mark.parametrize("raw", [None, "", "   ", [], {}])
@pytest.mark.parametrize("type", ["integer", "short_text", "multiple_choice", "number_table"])
def test_an_empty_answer_is_no_answer(type, raw):
    assert answer_value(question(type), raw) is None


@pytest.mark.parametrize(
    ("type", "raw", "message"),
    [
        ("integer", "4", "au moins 5"),
        ("integer", "21", "au plus 20"),
        ("decimal", "4,99", "au moins 5"),
        ("money", "20,01", "au plus 20"),
        ("percentage", "21", "au plus 20"),
        ("number_table", {"tpe": {"industrie": "25"}}, "au plus 20"),
    ],
)
def test_numbers_outside_the_bounds_are_refused(type, raw, message):
    with pytest.raises(ServiceError, match=message):
        answer_value(question(type, min_value=5, max_value=20), raw)


@pytest.mark.parametrize("raw", ["5", "20", "12"])
def test_numbers_on_or_within_the_bounds_are_accepted(raw):
    assert answer_value(question("integer", min_value=5, max_value=20), raw) == int(raw)


def test_a_single_choice_is_one_of_its_codes():
    asked = choice_question(QuestionFactory().section, "innove")
    assert answer_value(asked, "oui") == "oui"
    with pytest.raises(ServiceError, match="réponses proposées") as error:
        answer_value(asked, "parfois")
    assert error.value.field == "innove"


def test_a_multiple_choice_is_a_list_of_its_codes_in_their_order():
    asked = choice_question(
        QuestionFactory().section,
        "secteurs",
        ("industrie", "btp", "services"),
        type="multiple_choice",
    )
    assert answer_value(asked, ["services", "industrie", "services"]) == ["industrie", "services"]
    assert answer_value(asked, "btp") == ["btp"]
    with pytest.raises(ServiceError, match="parmi les réponses"):
        answer_value(asked, ["industrie", "agriculture"])
