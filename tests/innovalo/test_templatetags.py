from decimal import Decimal

import pytest
from django.utils import translation
from django.utils.formats import number_format

from innovalo.templatetags.innovalo import euros, percent

AMOUNTS = ["0", "0.5", "1", "12.345", "999.99", "1000", "1234.5", "-1234.56", "99999999.99", 7]


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("value", AMOUNTS)
def test_euros_writes_what_number_format_writes(language, value):
    with translation.override(language):
        expected = number_format(
            Decimal(value).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP"),
            decimal_pos=2,
            use_l10n=True,
            force_grouping=True,
        )
        assert euros(value) == f"{expected}\u00a0€"


def test_euros_in_french():
    with translation.override("fr"):
        assert euros(Decimal("1234.5")).replace("\u202f", " ").replace("\u00a0", " ") == (
            "1 234,50 €"
        )
    assert euros(None) == "" and euros("") == ""


def test_percent():
    assert percent(11, 44) == "25\u00a0%"
    assert percent(1, 0) == "0\u00a0%"
    assert percent("x", 3) == ""
