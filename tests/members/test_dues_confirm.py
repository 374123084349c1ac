"""Irreversible dues actions ask first (issue 14): a POST shows what will happen and
writes nothing; a second POST with confirm=1 acts. A split payment links its lines."""

import datetime

import pytest
from django.urls import reverse

from members.enums import DuesStatus
from members.models import DuesExemption, DuesLine, PaymentCancellation
from members.services import dues as services

from .dues_factories import (  # noqa: F401 - fixtures
    DuesLineFactory,
    DuesPlatformFactory,
    DuesRateFactory,
    fast_pdf_fixture,
    frozen_fixture,
    stored_amounts_agree_fixture,
)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("frozen", "fast_pdf", "stored_amounts_agree"),
]


@pytest.fixture
def split(db):
    """One cheque of 450 paying two platforms' lines (300 and 150), with its receipt."""
    first = DuesLineFactory(year=2026, platform__name="Céramique Limoges")
    second = DuesLineFactory(year=2026, platform__name="Plasturgie Oyonnax")
    payment = services.dues_record_payment(
        received_on=datetime.date(2026, 5, 2),
        amount="450",
        method="cheque",
        reference="CHQ 1234567",
        allocations=[(first, "300"), (second, "150")],
    )
    return {"first": first, "second": second, "payment": payment}


def _cancel_payment(client, line, payment, **extra):
    return client.post(
        reverse("dues_line_detail", args=[line.pk]),
        {
            "action": "cancel_payment",
            "payment": payment.pk,
            "cancel_payment-reason": "Chèque rejeté",
            **extra,
        },
    )


def test_cancelling_a_payment_asks_first_and_writes_nothing(client_for, split):
    response = _cancel_payment(client_for("bureau"), split["first"], split["payment"])
    assert response.status_code == 200
    assert not PaymentCancellation.objects.exists()
    content = response.content.decode()
    assert "Annuler ce paiement ?" in content
    assert split["payment"].documents.get().number in content
    assert split["second"].get_absolute_url() in content  # both lines it paid
    assert 'name="confirm" value="1"' in content
    assert 'value="Chèque rejeté"' in content
    assert "<script" not in content.split("</head>")[1]


def test_cancelling_a_payment_once_confirmed(client_for, split):
    response = _cancel_payment(client_for("bureau"), split["first"], split["payment"], confirm="1")
    assert response.status_code == 302
    assert PaymentCancellation.objects.filter(payment=split["payment"]).exists()
    assert DuesLine.objects.get(pk=split["second"].pk).status == DuesStatus.CALLED


def test_a_confirmation_without_a_reason_stays_on_the_line_with_the_error(client_for, split):
    response = client_for("bureau").post(
        reverse("dues_line_detail", args=[split["first"].pk]),
        {"action": "cancel_payment", "payment": split["payment"].pk},
    )
    assert response.status_code == 400
    assert response.context["cancel_payment_form"].errors["reason"]


def test_a_payment_of_another_line_is_refused_before_confirming(client_for, split):
    other = DuesLineFactory(year=2025)
    response = _cancel_payment(client_for("bureau"), other, split["payment"])
    assert response.status_code == 400
    assert not PaymentCancellation.objects.exists()


@pytest.mark.parametrize(
    "action, title, status", [("exempt", "Exonérer", "exempt"), ("cancel", "Annuler", "cancelled")]
)
def test_exempting_or_cancelling_a_line_asks_first(client_for, db, action, title, status):
    line = DuesLineFactory(year=2026)
    url = reverse("dues_line_detail", args=[line.pk])
    client = client_for("bureau")
    data = {"action": action, f"{action}-reason": "Fermeture de la plateforme"}
    response = client.post(url, data)
    assert response.status_code == 200
    assert f"{title} cette ligne ?" in response.content.decode()
    assert DuesLine.objects.get(pk=line.pk).status == DuesStatus.CALLED
    assert client.post(url, {**data, "confirm": "1"}).status_code == 302
    assert DuesLine.objects.get(pk=line.pk).status == status


def test_confirmation_is_for_the_bureau_only(client_for, split):
    for role in ("director", "ministry"):
        response = _cancel_payment(client_for(role), split["first"], split["payment"])
        assert response.status_code == 403


def test_exempting_a_platform_before_the_call_asks_first(client_for, db):
    platform = DuesPlatformFactory(name="Bois Épinal")
    client = client_for("bureau")
    data = {"platform": platform.pk, "year": 2027, "reason": "Création"}
    response = client.post(reverse("dues_exemptions"), data)
    assert response.status_code == 200
    assert "Exonérer cette plateforme ?" in response.content.decode()
    assert not DuesExemption.objects.exists()
    response = client.post(reverse("dues_exemptions"), {**data, "confirm": "1"})
    assert response.status_code == 302
    assert DuesExemption.objects.filter(platform=platform, year=2027).exists()


def test_a_split_payment_links_each_line_to_the_other(client_for, split):
    client = client_for("bureau")
    first = client.get(reverse("dues_line_detail", args=[split["first"].pk])).content.decode()
    second = client.get(reverse("dues_line_detail", args=[split["second"].pk])).content.decode()
    assert "Réparti aussi sur" in first and split["second"].get_absolute_url() in first
    assert "Réparti aussi sur" in second and split["first"].get_absolute_url() in second
    receipt = split["payment"].documents.get()
    assert receipt.get_absolute_url() in first and receipt.get_absolute_url() in second
