"""Exempting a platform for a year, before the call (no notice) or after it."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from innovalo.exceptions import ServiceError
from members.enums import DuesStatus
from members.models import DuesExemption, DuesLine
from members.services import dues as services

from .dues_factories import (  # noqa: F401 - fixtures
    DuesLineFactory,
    DuesPlatformFactory,
    DuesRateFactory,
    fast_pdf_fixture,
    stored_amounts_agree_fixture,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_pdf", "stored_amounts_agree")]

URL = reverse("dues_exemptions")


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 302),
        ("director", 403),
        ("other_director", 403),
        ("bureau", 200),
        ("ministry", 403),
    ],
)
def test_exemptions_page_is_the_bureau_s(client_for, role, expected):
    response = client_for(role).get(URL, {"year": 2027})
    assert response.status_code == expected


def test_exemption_before_the_call_means_no_notice(
    client_for, bureau, django_capture_on_commit_callbacks
):
    exempt, called = DuesPlatformFactory.create_batch(2)
    response = client_for("bureau").post(
        URL,
        {"platform": exempt.pk, "year": 2027, "reason": "Plateforme en création", "confirm": "1"},
    )
    assert response.status_code == 302
    assert DuesExemption.objects.get(platform=exempt, year=2027).created_by == bureau
    DuesRateFactory(year=2027, amount=Decimal("150.00"), due_date=datetime.date(2027, 3, 31))
    with django_capture_on_commit_callbacks(execute=True):
        result = services.dues_call_year(year=2027, actor=bureau, platforms=None)
    assert DuesLine.objects.get(platform=exempt, year=2027).status == DuesStatus.EXEMPT
    assert len(result.called) == DuesLine.objects.filter(year=2027).count() - 1
    assert all(exempt.email not in message.to for message in mail.outbox)


def test_exemption_after_the_call_exempts_the_line(bureau):
    line = DuesLineFactory(status=DuesStatus.CALLED)
    services.dues_exempt_platform(
        platform=line.platform, year=line.year, reason="Convention", actor=bureau
    )
    line.refresh_from_db()
    assert line.status == DuesStatus.EXEMPT
    assert line.exemption.reason == "Convention"


def test_exemption_twice_is_refused_next_to_the_field(client_for):
    platform = DuesPlatformFactory()
    DuesExemption.objects.create(platform=platform, year=2027, reason="Déjà")
    response = client_for("bureau").post(
        URL, {"platform": platform.pk, "year": 2027, "reason": "Encore", "confirm": "1"}
    )
    assert response.status_code == 400
    assert "déjà exonérée" in response.content.decode()
    assert 'value="Encore"' in response.content.decode()


def test_exemption_without_reason_keeps_input(client_for):
    platform = DuesPlatformFactory()
    response = client_for("bureau").post(URL, {"platform": platform.pk, "year": 2027})
    assert response.status_code == 400
    assert 'class="error"' in response.content.decode()
    assert not DuesExemption.objects.exists()
    with pytest.raises(ServiceError):
        services.dues_exempt_platform(platform=platform, year=2027, reason="  ")


def test_exemptions_page_query_count(client_for, django_assert_max_num_queries):
    for platform in DuesPlatformFactory.create_batch(4):
        DuesExemption.objects.create(platform=platform, year=2027, reason="Pôle en création")
    client = client_for("bureau")
    with django_assert_max_num_queries(8):
        response = client.get(URL, {"year": 2027})
    assert response.content.decode().count("Pôle en création") == 4
