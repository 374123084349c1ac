"""Reminders by hand (bureau): the ticked rows within the campaign's limits; the page
says how many were reminded and why others were not; a double click sends once."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from freezegun import freeze_time

from innovalo.exceptions import ServiceError
from innovalo.models import AuditEntry, SentReminder
from surveys.enums import CampaignKind, CampaignStatus, RespondentStatus, ResponseStatus
from surveys.models import Respondent
from surveys.services import reminders as services

from .factories import ResponseFactory
from .tracking_factories import campaign_closing, invited, platform_with_people

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 20)


def post(client, campaign, pks, query=""):
    """Remind by hand, then read the list the bureau is sent back to."""
    url = reverse("survey_remind", args=[campaign.pk]) + query
    return client.post(url, {"targets": [str(pk) for pk in pks]}, follow=True)


def texts(response):
    return [str(m) for m in response.context["messages"]]


@freeze_time(TODAY)
def test_reminds_the_ticked_platforms_and_says_why_others_were_not(
    client_for, bureau, django_capture_on_commit_callbacks
):
    campaign = campaign_closing()
    waiting = platform_with_people()
    other = platform_with_people()
    done = platform_with_people()
    ResponseFactory(
        campaign=campaign,
        platform=done,
        status=ResponseStatus.SUBMITTED,
        submitted_at=datetime.datetime(2026, 3, 19, tzinfo=datetime.UTC),
    )
    tired = platform_with_people()
    for n in range(3):
        SentReminder.objects.create(
            rule="survey_reminder_platform",
            target=f"members.platform:{tired.pk}",
            period=f"{campaign.pk}:old{n}",
        )
    client = client_for("bureau")
    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            client, campaign, [waiting.pk, other.pk, done.pk, tired.pk, 999999], "?status=draft"
        )
    assert response.redirect_chain == [
        (reverse("survey_tracking", args=[campaign.pk]) + "?status=draft", 302)
    ]
    assert texts(response) == [
        "2 relances envoyées.",
        "3 lignes non relancées (1 : a déjà répondu, 1 : nombre maximal de relances "
        "atteint, 1 : inconnu dans cette campagne).",
    ]
    assert sorted(m.to[0].split("@")[1] for m in mail.outbox) == sorted(
        [f"{waiting.slug}.fr", f"{other.slug}.fr"]
    )
    manual = SentReminder.objects.filter(period=f"{campaign.pk}:manual:2026-03-20")
    assert manual.count() == 2
    assert set(manual.values_list("sent_by", flat=True)) == {bureau.pk}
    entry = AuditEntry.objects.get(action="surveys.reminded_by_hand")
    assert entry.actor == bureau and entry.changes["reminded"] == ["", 2]


@freeze_time(TODAY)
def test_a_double_click_sends_nothing_twice(client_for, django_capture_on_commit_callbacks):
    campaign = campaign_closing(min_days_between_reminders=0)
    platform = platform_with_people()
    client = client_for("bureau")
    with django_capture_on_commit_callbacks(execute=True):
        post(client, campaign, [platform.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, campaign, [platform.pk])
    assert texts(response) == ["1 ligne non relancée (1 : déjà relancé aujourd'hui)."]
    assert len(mail.outbox) == 1
    assert SentReminder.objects.count() == 1


def test_the_minimum_delay_holds_by_hand(client_for, django_capture_on_commit_callbacks):
    campaign = campaign_closing()
    platform = platform_with_people()
    client = client_for("bureau")
    with freeze_time(TODAY), django_capture_on_commit_callbacks(execute=True):
        post(client, campaign, [platform.pk])
    with freeze_time(TODAY + datetime.timedelta(days=2)):
        response = post(client, campaign, [platform.pk])
        assert texts(response) == ["1 ligne non relancée (1 : relancé trop récemment)."]
    with (
        freeze_time(TODAY + datetime.timedelta(days=3)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = post(client, campaign, [platform.pk])
        assert texts(response) == ["1 relance envoyée."]
    assert len(mail.outbox) == 2


@freeze_time(TODAY)
def test_respondents_by_hand(client_for, django_capture_on_commit_callbacks):
    campaign = campaign_closing(kind=CampaignKind.EXTERNAL)
    waiting = invited(campaign)
    gone = invited(campaign, status=RespondentStatus.OPTED_OUT)
    bounced = invited(campaign, status=RespondentStatus.BOUNCED)
    fresh = invited(campaign, invited_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client_for("bureau"), campaign, [waiting.pk, gone.pk, bounced.pk, fresh.pk])
    assert texts(response) == [
        "1 relance envoyée.",
        "3 lignes non relancées (1 : désinscrit des courriels, 1 : adresse en échec, "
        "1 : pas encore invité).",
    ]
    assert [m.to for m in mail.outbox] == [[waiting.email]]
    waiting.refresh_from_db()
    assert waiting.reminders_sent == 1
    assert waiting.last_reminded_at is not None
    assert Respondent.objects.get(pk=gone.pk).reminders_sent == 0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Cochez au moins une ligne à relancer."),
        ({"targets": ["abc"]}, "La sélection n'est pas valide : rechargez la page."),
        ({"targets": ["9" * 30]}, "La sélection n'est pas valide : rechargez la page."),
        ({"targets": ["1", "-2"]}, "La sélection n'est pas valide : rechargez la page."),
    ],
)
def test_bad_selections_are_a_message(client_for, data, message):
    campaign = campaign_closing(closes_on=datetime.date.today() + datetime.timedelta(days=5))
    url = reverse("survey_remind", args=[campaign.pk])
    response = client_for("bureau").post(url, data, follow=True)
    assert response.status_code == 200
    assert texts(response) == [message]
    assert not SentReminder.objects.exists()


@pytest.mark.parametrize("status", [CampaignStatus.DRAFT, CampaignStatus.CLOSED])
def test_no_reminder_by_hand_unless_open(client_for, status):
    campaign = campaign_closing(
        closes_on=datetime.date.today() + datetime.timedelta(days=5), status=status
    )
    platform = platform_with_people()
    response = post(client_for("bureau"), campaign, [platform.pk])
    assert texts(response) == ["La campagne n'est pas ouverte : aucune relance possible."]
    assert not SentReminder.objects.exists()


def test_no_reminder_by_hand_after_the_closing_day(bureau):
    campaign = campaign_closing()
    platform = platform_with_people()
    with freeze_time(campaign.closes_on + datetime.timedelta(days=1)), pytest.raises(ServiceError):
        services.survey_remind_by_hand(campaign=campaign, pks=[platform.pk], actor=bureau)
    with freeze_time(campaign.closes_on):
        assert (
            services.survey_remind_by_hand(
                campaign=campaign, pks=[platform.pk], actor=bureau
            ).reminded
            == 1
        )


def test_too_many_rows_at_once_are_refused(bureau):
    campaign = campaign_closing()
    with freeze_time(TODAY), pytest.raises(ServiceError) as error:
        services.survey_remind_by_hand(
            campaign=campaign, pks=range(1, services.MAX_BY_HAND + 2), actor=bureau
        )
    assert error.value.field == "targets"


def test_the_query_string_kept_is_only_the_lists(client_for):
    campaign = campaign_closing(closes_on=datetime.date.today() + datetime.timedelta(days=5))
    url = reverse("survey_remind", args=[campaign.pk])
    response = client_for("bureau").post(
        url + "?region=3&page=2&next=//evil.example&status=a%3Bb", {}
    )
    assert response["Location"] == reverse("survey_tracking", args=[campaign.pk]) + (
        "?region=3&page=2"
    )
