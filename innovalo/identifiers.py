"""SIRET and IBAN: one place where the portal checks them, with the field's libraries.

`python-stdnum` knows the SIRET's rules (14 digits, the Luhn key over the SIRET and over
its SIREN, La Poste's establishments whose key is the sum of the digits); `schwifty`
knows every country's IBAN length and its checksum. The portal keeps a SIRET as its
14 digits and an IBAN in its compact form (no spaces, upper case), and accepts either
as typed on paper (spaces, dots, dashes, non-breaking spaces).
"""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException
from stdnum.exceptions import InvalidChecksum
from stdnum.fr import siret as stdnum_siret

SEPARATORS = re.compile(r"[\s.\-\u00a0\u202f]")


def normalise_siret(value: str | None) -> str:
    """The SIRET as typed, without spaces (ordinary, non-breaking, thin), dots or dashes."""
    return SEPARATORS.sub("", value or "")


def validate_siret(value: str) -> None:
    """A Django validator: raise a ValidationError that says what is wrong."""
    siret = normalise_siret(value)
    if not (siret.isascii() and siret.isdigit() and len(siret) == 14):
        raise ValidationError(
            _("Un SIRET compte 14 chiffres (les espaces sont acceptés) : %(count)s saisis."),
            code="siret_length",
            params={"count": sum(c.isdigit() for c in siret)},
        )
    try:
        stdnum_siret.validate(siret)
    except InvalidChecksum:
        raise ValidationError(
            _(
                "Ce SIRET n'existe pas : sa clé de contrôle ne correspond pas. Vérifiez les "
                "14 chiffres (sur un Kbis ou sur annuaire-entreprises.data.gouv.fr)."
            ),
            code="siret_key",
        ) from None


def siret_is_valid(value: str) -> bool:
    try:
        validate_siret(value)
    except ValidationError:
        return False
    return True


def normalise_iban(value: str | None) -> str:
    return SEPARATORS.sub("", value or "").upper()


def validate_iban(value: str) -> None:
    """A Django validator for an IBAN of any country (length, country, checksum)."""
    iban = normalise_iban(value)
    try:
        IBAN(iban)
    except SchwiftyException:
        raise ValidationError(
            _(
                "Cet IBAN n'est pas valide : vérifiez le code pays, la longueur et les "
                "chiffres (un IBAN français compte 27 caractères, FR76…)."
            ),
            code="iban",
        ) from None


def iban_is_valid(value: str) -> bool:
    try:
        validate_iban(value)
    except ValidationError:
        return False
    return True


def format_iban(value: str) -> str:
    """By groups of four, as printed on a RIB."""
    iban = normalise_iban(value)
    return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))


class SiretField(forms.CharField):
    """A SIRET typed with or without spaces, kept as its 14 digits."""

    default_validators = [validate_siret]

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 30)
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.setdefault("inputmode", "numeric")
        attrs.setdefault("autocomplete", "off")
        return attrs

    def to_python(self, value):
        return normalise_siret(super().to_python(value))


class IbanField(forms.CharField):
    """An IBAN typed with or without spaces, kept compact and upper case."""

    default_validators = [validate_iban]

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 50)
        super().__init__(**kwargs)

    def to_python(self, value):
        return normalise_iban(super().to_python(value))
