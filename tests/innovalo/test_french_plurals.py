"""French plurals: 0 and 1 take the singular ("0 plateforme"), English keeps its rule.

French is the source language; locale/fr holds only the plural entries, with French's rule
(scripts/french_plurals.py, run by `make messages`), which Django merges with the English
catalogue's different rule per language.
"""

from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db

LOCALE = Path(settings.BASE_DIR) / "locale"
# The directory's result count (templates/members/platform_list.html).
SINGULAR, PLURAL = "%(counter)s plateforme", "%(counter)s plateformes"


def catalog(language):
    with (LOCALE / language / "LC_MESSAGES" / "django.po").open("rb") as po_file:
        return read_po(po_file, locale=language)


def plural_keys(language):
    return {
        (message.context, message.id[0], message.id[1])
        for message in catalog(language)
        if message.id and message.pluralizable
    }


@pytest.mark.parametrize(
    ("language", "n", "expected"),
    [
        ("fr", 0, "0 plateforme"),
        ("fr", 1, "1 plateforme"),
        ("fr", 2, "2 plateformes"),
        ("en", 0, "0 platforms"),
        ("en", 1, "1 platform"),
        ("en", 2, "2 platforms"),
    ],
)
def test_ngettext_takes_the_singular_for_0_and_1_in_french_only(language, n, expected):
    with translation.override(language):
        assert translation.ngettext(SINGULAR, PLURAL, n) % {"counter": n} == expected


@pytest.mark.parametrize(
    ("n", "french", "english"),
    [
        (0, "0 plateforme", "0 platforms"),
        (1, "1 plateforme", "1 platform"),
        (2, "2 plateformes", "2 platforms"),
    ],
)
def test_the_directory_counts_its_results_in_both_languages(client, n, french, english):
    from tests.members.factories import PlatformFactory

    for index in range(n):
        PlatformFactory(name=f"Zircone {index}", slug=f"zircone-{index}")
    url = reverse("platform_list") + "?q=zircone"
    with translation.override("fr"):  # the English request must not leak its language
        page = client.get(url).content.decode()
        assert f'role="status">{french}</p>' in page
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        page = client.get(url).content.decode()
        assert f'role="status">{english}</p>' in page


def test_the_french_catalogue_has_french_plural_rule_and_untranslated_plurals_only():
    french = catalog("fr")
    assert french.plural_forms == "nplurals=2; plural=(n > 1);"
    for message in french:
        if not message.id:
            continue
        assert message.pluralizable, f"{message.id!r}: only plural entries belong in locale/fr"
        assert tuple(message.string) == tuple(message.id), message.id


def test_every_plural_string_of_the_english_catalogue_is_in_the_french_one():
    missing = plural_keys("en") - plural_keys("fr")
    assert not missing, (
        f"{len(missing)} plural string(s) missing from locale/fr (French would write "
        f"'0 …s'): run `make messages`. {sorted(missing, key=str)[:5]}"
    )
