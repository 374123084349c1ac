"""The request form's parts: the anti-abuse checks
(``projects/antispam.py``), without the pages."""

import time

import pytest
from django.core import signing

from projects import antispam
from projects.forms.requests_public import RequestForm


@pytest.mark.django_db
def test_the_form_keeps_the_siret_as_fourteen_digits_and_it_is_optional():
    data = {
        "company_name": "Atelier",
        "contact_name": "Camille",
        "email": "camille@atelier.fr",
        "department": "02",
        "need": "Un besoin décrit en quelques phrases, assez long.",
        "timing": "asap",
        "consent": "on",
    }
    form = RequestForm({**data, "siret": "732 829 320 00074"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["siret"] == "73282932000074"
    assert RequestForm(data).is_valid()
    form = RequestForm({**data, "siret": "732 829 320 00075"})
    assert not form.is_valid()
    assert "clé de contrôle" in form.errors["siret"][0]


# Time check -------------------------------------------------------------------------------


def test_a_form_sent_after_a_few_seconds_passes():
    stamp = antispam.issue_stamp(time.time() - 10)
    assert antispam.check_stamp(stamp) is None


def test_a_form_sent_under_three_seconds_is_too_fast():
    assert antispam.check_stamp(antispam.issue_stamp()) == antispam.TOO_FAST
    stamp = antispam.issue_stamp(time.time() - 2)
    assert antispam.check_stamp(stamp) == antispam.TOO_FAST


def test_a_form_sent_over_two_hours_later_has_expired():
    stamp = antispam.issue_stamp(time.time() - 2 * 3600 - 5)
    assert antispam.check_stamp(stamp) == antispam.EXPIRED
    stamp = antispam.issue_stamp(time.time() - 2 * 3600 + 60)
    assert antispam.check_stamp(stamp) is None


@pytest.mark.parametrize(
    "stamp",
    [
        None,
        "",
        "abc",
        "x" * 500,
        signing.dumps(1, salt="another-form"),
        signing.dumps("text", salt=antispam.STAMP_SALT),
    ],
    # Fixed ids: the signed values hold the time, and pytest-xdist's workers must collect
    # the same test names.
    ids=["none", "empty", "garbage", "long", "other-salt", "not-a-time"],
)
def test_a_missing_forged_or_foreign_stamp_is_expired(stamp):
    assert antispam.check_stamp(stamp) == antispam.EXPIRED


def test_a_filled_trap_is_refused_an_empty_one_passes():
    assert antispam.check_honeypot({"website": "http://spam.example"}) == antispam.HONEYPOT_REFUSED
    assert antispam.check_honeypot({"website": ""}) is None
    assert antispam.check_honeypot({}) is None


# Rate limits ------------------------------------------------------------------------------


def test_five_requests_an_hour_per_address():
    for n in range(antispam.IP_LIMIT):
        assert antispam.check_rate(ip="203.0.113.9", email=f"p{n}@ex.fr") is None
        antispam.count_request(ip="203.0.113.9", email=f"p{n}@ex.fr")
    assert antispam.check_rate(ip="203.0.113.9", email="new@ex.fr") == antispam.IP_LIMITED
    assert antispam.check_rate(ip="203.0.113.10", email="new@ex.fr") is None


def test_three_requests_a_day_per_email_whatever_its_case():
    for n in range(antispam.EMAIL_LIMIT):
        antispam.count_request(ip=f"198.51.100.{n}", email="Camille@Atelier.fr")
    assert (
        antispam.check_rate(ip="192.0.2.1", email="camille@atelier.fr ") == antispam.EMAIL_LIMITED
    )
    assert antispam.check_rate(ip="192.0.2.1", email="autre@atelier.fr") is None
