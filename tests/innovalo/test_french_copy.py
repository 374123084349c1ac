"""French copy: elision ("la fiche d'InnovalTech"), "1er février", plurals of 0 and 1,
"Mes données" in words, English times."""

import datetime
from decimal import Decimal

import pytest
from django.template import engines
from django.urls import reverse
from django.utils import translation

from innovalo.french import date_text, elides, of

pytestmark = pytest.mark.django_db


def render(text, **context):
    return engines["django"].from_string(text).render(context)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("InnovalTech", "d'InnovalTech"),
        ("INNOVALO", "d'INNOVALO"),
        ("Éco-Bâti", "d'Éco-Bâti"),
        ("Hélioparc", "d'Hélioparc"),
        ("Hauts-de-France", "de Hauts-de-France"),
        ("Yann Conseil", "de Yann Conseil"),
        ("Yvelines Tech", "d'Yvelines Tech"),
        ("Plasti Vendée", "de Plasti Vendée"),
        ("3D Lab", "de 3D Lab"),
    ],
)
def test_de_elides_before_a_vowel_or_a_mute_h(name, expected):
    assert of(name) == expected
    assert render("{{ name|de }}", name=name).replace("&#x27;", "'") == expected


def test_de_is_the_bare_name_in_english():
    with translation.override("en"):
        assert of("InnovalTech") == "InnovalTech"
    assert not elides("")


@pytest.mark.parametrize(
    ("day", "fmt", "expected"),
    [
        (datetime.date(2018, 2, 1), "j F Y", "1er février 2018"),
        (datetime.date(2018, 2, 1), "l j F Y", "jeudi 1er février 2018"),
        (datetime.date(2016, 1, 21), "j F Y", "21 janvier 2016"),
        (datetime.date(2018, 2, 1), "d/m/Y", "01/02/2018"),
    ],
)
def test_first_of_the_month_is_1er_in_french(day, fmt, expected):
    assert render("{{ day|date:fmt }}", day=day, fmt=fmt) == expected
    assert date_text(day, fmt) == expected


def test_first_of_the_month_stays_1_in_english():
    with translation.override("en"):
        assert render('{{ day|date:"j F Y" }}', day=datetime.date(2018, 2, 1)) == "1 February 2018"


def test_date_without_format_still_uses_the_language_format():
    assert render("{{ day|date }}", day=datetime.date(2018, 2, 1)) == "1er février 2018"
    assert render("{{ day|date }}", day=None) == ""


def test_emails_and_pdfs_elide_too():
    text = engines["text"].from_string("Le bureau {{ association.name|de }}")
    assert text.render({"association": {"name": "INNOVALO"}}) == "Le bureau d'INNOVALO"


def test_platform_edit_heading_elides(client_for, platform):
    page = client_for("director").get(reverse("platform_edit", args=[platform.slug]))
    assert "Modifier la fiche d&#x27;InnovalTech" in page.content.decode()


def test_hm_is_13h15_in_french_and_13_15_in_english():
    from meetings.templatetags.meetings import hm

    assert hm(datetime.time(10, 0)) == "10h00"
    with translation.override("en"):
        assert hm(datetime.time(10, 0)) == "10:00"


@pytest.mark.parametrize(("already", "word"), [(0, "existe"), (1, "existe"), (2, "existent")])
def test_dues_call_form_agrees_zero_and_one_in_the_singular(client_for, already, word):
    from tests.members.dues_factories import DuesLineFactory, DuesRateFactory

    DuesRateFactory(year=2026)
    for index in range(already):
        DuesLineFactory(year=2026, platform__name=f"P{index}", platform__slug=f"p{index}")
    page = client_for("bureau").get(reverse("dues_call_year"), {"year": 2026}).content.decode()
    assert f"{already} {word} déjà pour 2026" in page


def test_my_data_page_prints_dates_in_words_and_labels(client, director):
    from innovalo.models import AuditEntry, SentReminder

    director.date_joined = datetime.datetime(2018, 2, 1, 9, 30, tzinfo=datetime.UTC)
    director.save()
    SentReminder.objects.create(
        rule="dues_call", target="members.duesline:1", recipients=director.email
    )
    AuditEntry.objects.create(
        actor=director, action="platform.updated", target="x:1", message="Fiche modifiée"
    )
    client.force_login(director)
    page = client.get(reverse("my_data")).content.decode()
    assert "1er février 2018 à 10:30" in page
    assert "<dt>Inscrit le</dt>" in page and "<dt>E-mail</dt>" in page
    assert "Appel de cotisation" in page and "dues_call" not in page
    assert "Fiche modifiée" in page and "platform.updated" not in page
    assert "2018-02-01" not in page
    data = client.get(reverse("my_data"), {"format": "json"}).json()
    assert data["Compte"][0]["inscrit le"].startswith("2018-02-01T")


def test_history_prints_decimals_the_french_way():
    from innovalo.audit import labelled
    from members.models import DuesLine

    changes = labelled(DuesLine, {"amount_due": ["300.00", "1250.5"]})
    assert list(changes.values()) == [["300,00", "1\u00a0250,50"]]
    assert Decimal("1")  # the helper reads strings and decimals alike
