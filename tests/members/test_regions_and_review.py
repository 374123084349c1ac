"""Regions with the tile map, and the yearly review reminder."""

import datetime
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from freezegun import freeze_time

from innovalo import reminders
from innovalo.enums import EmailStatus
from innovalo.models import SentReminder
from members.enums import CorrespondentKind, PlatformRole
from members.models import Region
from members.selectors.platforms import map_regions
from members.services.platforms import platform_review_reminders
from members.svg import tile_map
from tests.conftest import ROLES

from .factories import CorrespondentFactory, MembershipFactory, PlatformFactory, department

pytestmark = pytest.mark.django_db


@pytest.fixture
def spread():
    for code in ["02", "02", "59", "85", "71"]:
        PlatformFactory(department=department(code))


# Tile map and regions --------------------------------------------------------


def test_counts_per_region_in_one_query(spread, django_assert_num_queries):
    with django_assert_num_queries(1):
        counts = {region.code: region.platform_count for region in map_regions()}
    assert counts["32"] == 3  # Hauts-de-France: Aisne and Nord
    assert counts["52"] == 1 and counts["27"] == 1
    assert counts["11"] == 0
    assert len(counts) == 18  # the 18 current regions, no former one


def test_tile_map_draws_one_linked_square_per_region(spread):
    svg = str(tile_map(map_regions()))
    assert svg.count("<rect") == 18
    assert svg.count("<a href=") == 18
    hdf = Region.objects.get(code="32")
    assert f'href="{reverse("region_detail", args=[hdf.slug])}"' in svg
    assert 'aria-label="Hauts-de-France : 3 plateformes"' in svg
    assert 'aria-label="Corse : 0 plateforme"' in svg
    assert "<title" in svg


@pytest.mark.parametrize("role", ROLES)
def test_region_list_is_public(client_for, role, spread, django_assert_max_num_queries):
    client = client_for(role)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("region_list"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "<svg" in content and "Hauts-de-France" in content
    assert "5 plateformes dans le réseau" in content


@pytest.mark.parametrize("role", ROLES)
def test_region_detail_lists_platforms_and_correspondent(client_for, role, spread):
    CorrespondentFactory(
        kind=CorrespondentKind.REGIONAL,
        region=department("02").region,
        user__email="correspondante@exemple.fr",
    )
    response = client_for(role).get(reverse("region_detail", args=["hauts-de-france"]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "3 plateformes" in content
    assert len(response.context["page_obj"]) == 3
    assert ("correspondante@exemple.fr" in content) is (role != "anonymous")


def test_region_detail_query_count_does_not_grow(client_for, spread, django_assert_max_num_queries):
    client = client_for("director")
    url = reverse("region_detail", args=["hauts-de-france"])
    with django_assert_max_num_queries(10):
        client.get(url)
    for _ in range(10):
        PlatformFactory(department=department("60"))
    with django_assert_max_num_queries(10):
        response = client.get(url)
    assert response.context["page_obj"].paginator.count == 13


def test_former_region_redirects_to_current_one(client):
    picardie = Region.objects.get(code="22")
    response = client.get(picardie.get_absolute_url())
    assert response.status_code == 302
    assert response["Location"] == reverse("region_detail", args=["hauts-de-france"])


def test_unknown_region_is_404(client):
    assert client.get(reverse("region_detail", args=["atlantide"])).status_code == 404


# Yearly review reminder ------------------------------------------------------


@pytest.fixture
def review_set(platform, director):
    """InnovalTech never reviewed; a fresh one; a stale one with two directors."""
    with freeze_time("2025-09-01"):
        fresh = PlatformFactory(name="Fraîche", reviewed_at=datetime.datetime.now(datetime.UTC))
    MembershipFactory(platform=fresh)
    stale = PlatformFactory(
        name="Ancienne", reviewed_at=datetime.datetime(2024, 5, 1, tzinfo=datetime.UTC)
    )
    MembershipFactory(platform=stale, user__email="d1@exemple.fr")
    MembershipFactory(platform=stale, user__email="d2@exemple.fr")
    MembershipFactory(platform=stale, user__email="compta@exemple.fr", role=PlatformRole.ACCOUNTING)
    return {"fresh": fresh, "stale": stale, "innovaltech": platform}


@freeze_time("2026-02-01 08:00")
def test_review_reminder_goes_to_directors_of_stale_platforms_once(review_set, settings):
    settings.SITE_URL = "https://portail.innovalo.fr"
    assert platform_review_reminders() == 2
    assert platform_review_reminders() == 0
    assert len(mail.outbox) == 2
    by_recipients = {tuple(sorted(message.to)): message for message in mail.outbox}
    assert set(by_recipients) == {("directrice@exemple.fr",), ("d1@exemple.fr", "d2@exemple.fr")}
    message = by_recipients[("directrice@exemple.fr",)]
    assert "InnovalTech" in message.subject
    assert "https://portail.innovalo.fr/plateformes/innovaltech/modifier/" in message.body
    html = message.alternatives[0][0]
    assert "https://portail.innovalo.fr/plateformes/innovaltech/modifier/" in html
    rows = SentReminder.objects.filter(rule="platform_review")
    assert sorted(rows.values_list("target", "period", "status")) == sorted(
        [
            (f"members.platform:{review_set['innovaltech'].pk}", "2026", EmailStatus.SENT),
            (f"members.platform:{review_set['stale'].pk}", "2026", EmailStatus.SENT),
        ]
    )


def test_review_reminder_through_send_reminders_command_is_idempotent(review_set):
    with freeze_time("2026-02-01"):
        call_command("send_reminders", "--only", "platform_review")
        call_command("send_reminders", "--only", "platform_review")
    assert len([m for m in mail.outbox if "à jour" in m.subject]) == 2


def test_review_reminder_again_the_next_year_if_still_stale(review_set):
    with freeze_time("2026-02-01"):
        platform_review_reminders()
    with freeze_time("2026-06-30"):
        assert platform_review_reminders() == 0  # same year: nothing again
    with freeze_time("2026-12-31"):
        assert platform_review_reminders() == 1  # the fresh one turned stale in September
    with freeze_time("2027-01-15"):
        assert platform_review_reminders() == 3  # a new year: each stale platform again


def test_a_failed_send_is_sent_by_the_next_run(review_set):
    with (
        freeze_time("2026-02-01"),
        mock.patch(
            "members.services.platforms.send_templated_email", side_effect=ConnectionError("SMTP")
        ),
    ):
        assert platform_review_reminders() == 0
    failed = SentReminder.objects.filter(rule="platform_review", status=EmailStatus.FAILED)
    assert failed.count() == 2 and not mail.outbox
    with freeze_time("2026-02-02"):
        assert platform_review_reminders() == 2
        assert platform_review_reminders() == 0
    assert len(mail.outbox) == 2
    assert not SentReminder.objects.exclude(status=EmailStatus.SENT).exists()


def test_a_platform_reviewed_meanwhile_gets_no_email(review_set, client_for):
    stale = review_set["stale"]
    with (
        freeze_time("2026-02-01"),
        mock.patch(
            "members.services.platforms.send_templated_email", side_effect=ConnectionError("SMTP")
        ),
    ):
        platform_review_reminders()
    stale.reviewed_at = datetime.datetime(2026, 2, 1, 12, tzinfo=datetime.UTC)
    stale.save()
    record = SentReminder.objects.get(target=f"members.platform:{stale.pk}")
    with freeze_time("2026-02-02"):
        assert reminders.deliver(record.pk) is False  # the outbox retries it: nothing to ask
    record.refresh_from_db()
    assert record.status == EmailStatus.SKIPPED
    assert [m.to for m in mail.outbox] == []


def test_the_email_is_the_outbox_rule_of_the_platform(review_set):
    assert "platform_review" in reminders.registered_rules()
    assert "platform_review" in reminders.registered_jobs()


def test_a_reminder_sent_under_the_old_key_is_not_sent_again(review_set):
    # innovalo 0003 kept the old key as the target; members 0006 gives it the new one.
    from importlib import import_module

    from django.apps import apps

    stale = review_set["stale"]
    SentReminder.objects.create(
        rule="platform_review", target=f"platform-review:{stale.pk}:2026", status="sent"
    )
    import_module("members.migrations.0006_review_reminder_keys").split_review_keys(apps, None)
    assert SentReminder.objects.filter(
        rule="platform_review", target=f"members.platform:{stale.pk}", period="2026"
    ).exists()
    with freeze_time("2026-02-01"):
        assert platform_review_reminders() == 1  # InnovalTech only
    assert [message.to for message in mail.outbox] == [["directrice@exemple.fr"]]
