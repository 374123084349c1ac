"""SIRET and IBAN as the portal checks them (``innovalo/identifiers.py``, on python-stdnum
and schwifty): the request form, the platform profile, the imports and the settings."""

import pytest
from django.core.exceptions import ValidationError

from innovalo.identifiers import (
    IbanField,
    SiretField,
    format_iban,
    iban_is_valid,
    normalise_siret,
    validate_iban,
    validate_siret,
)

# SIRET ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "siret",
    [
        "73282932000074",  # a valid SIRET (Luhn key right)
        "732 829 320 00074",  # spaces, as printed on a Kbis
        "73282932000074 ",
        "732\u00a0829\u00a0320\u00a000074",  # non-breaking spaces pasted from a page
        "35600000000048",  # La Poste's head office (Luhn)
        "35600000049837",  # a La Poste office: its own key (the digits' sum, multiple of 5)
    ],
)
def test_a_valid_siret_passes(siret):
    validate_siret(siret)


def test_spaces_are_removed_from_the_stored_siret():
    assert normalise_siret("732 829 320 00074") == "73282932000074"


@pytest.mark.parametrize("siret", ["73282932000075", "35600000049838"])
def test_a_wrong_key_is_refused_with_a_clear_message(siret):
    with pytest.raises(ValidationError) as error:
        validate_siret(siret)
    assert error.value.code == "siret_key"
    assert "clé de contrôle" in error.value.messages[0]


@pytest.mark.parametrize(
    "siret, count",
    [("7328293200007", 13), ("732829320000740", 15), ("", 0), ("7328293200007A", 13)],
)
def test_a_wrong_length_or_a_letter_is_refused_with_the_count(siret, count):
    with pytest.raises(ValidationError) as error:
        validate_siret(siret)
    assert error.value.code == "siret_length"
    assert "14 chiffres" in error.value.messages[0]
    assert f"{count} saisis" in error.value.messages[0]


def test_arabic_indic_digits_are_not_a_siret():
    with pytest.raises(ValidationError):
        validate_siret("٧٣٢٨٢٩٣٢٠٠٠٠٧٤")


def test_a_siret_whose_siren_key_is_wrong_is_refused():
    # The 14 digits pass the Luhn key but their first nine (the SIREN) do not: a
    # hand-written Luhn check let it through.
    with pytest.raises(ValidationError) as error:
        validate_siret("81234567000010")
    assert error.value.code == "siret_key"


def test_siret_field_keeps_the_digits_and_says_what_is_wrong():
    field = SiretField(required=False)
    assert field.clean("732 829 320 00074") == "73282932000074"
    assert field.clean("") == ""
    with pytest.raises(ValidationError) as error:
        field.clean("732 829 320 00075")
    assert "clé de contrôle" in error.value.messages[0]


# IBAN -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "iban",
    [
        "FR76 3000 4000 0100 0012 3456 789",
        "fr7630004000010000123456789",
        "DE89 3704 0044 0532 0130 00",
        "BE71\u00a00961\u00a02345\u00a06769",
    ],
)
def test_a_valid_iban_passes(iban):
    validate_iban(iban)
    assert iban_is_valid(iban)


@pytest.mark.parametrize(
    "iban",
    ["FR76 3000 4000 0100 0012 3456 788", "FR76 3000 4000 0100", "XX00 1234", "", "IBAN"],
)
def test_a_wrong_iban_is_refused_with_a_clear_message(iban):
    with pytest.raises(ValidationError) as error:
        validate_iban(iban)
    assert error.value.code == "iban"
    assert "IBAN" in error.value.messages[0]


def test_iban_field_keeps_it_compact_and_prints_by_fours():
    assert IbanField().clean("fr76 3000 4000 0100 0012 3456 789") == "FR7630004000010000123456789"
    assert format_iban("FR7630004000010000123456789") == "FR76 3000 4000 0100 0012 3456 789"


# The association's identity, typed in the environment -----------------------------------


def test_the_default_association_identity_passes_the_checks(settings):
    from innovalo.checks import association_identity

    assert association_identity() == []


def test_a_mistyped_association_siret_or_iban_fails_manage_py_check(settings):
    from innovalo.checks import association_identity

    settings.ASSOCIATION = {
        **settings.ASSOCIATION,
        "siret": "81234567800019",
        "iban": "FR76 3000 4000 0100 0012 3456 788",
    }
    errors = association_identity()
    assert [error.id for error in errors] == ["innovalo.E001", "innovalo.E002"]
    assert "ASSOCIATION_SIRET" in errors[0].msg and "clé de contrôle" in errors[0].msg
