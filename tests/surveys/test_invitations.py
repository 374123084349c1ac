"""Invitations: one email per respondent at most, in batches over one connection,
stopped and resumed, finished after a worker was killed mid-batch, never to those
who opted out or bounced."""

import datetime
import smtplib
from collections import Counter

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from innovalo.exceptions import ServiceError
from innovalo.models import AuditEntry
from surveys import services
from surveys.enums import CampaignStatus, InvitationState, RespondentStatus
from surveys.models import Respondent
from surveys.services import invitations
from tests.conftest import ROLES

from .respondent_factories import external_campaign, respondent

pytestmark = pytest.mark.django_db

BACKEND = "tests.surveys.test_invitations"


class KillWorker(BaseException):
    """What a SIGKILL looks like from inside: nothing after it runs (no except clause of
    the code under test catches a BaseException)."""


class KillingBackend(EmailBackend):
    """Delivers to the locmem outbox, and "kills the worker" when asked to send message
    number ``kill_at`` (counted over every connection), before delivering it."""

    kill_at = None
    calls = 0
    opened = 0

    def open(self):
        type(self).opened += 1
        return super().open()

    def send_messages(self, messages):
        type(self).calls += 1
        if type(self).calls == type(self).kill_at:
            raise KillWorker
        return super().send_messages(messages)


class RefusingBackend(EmailBackend):
    def send_messages(self, messages):
        if messages[0].to[0].startswith("inconnu"):
            raise smtplib.SMTPRecipientsRefused({messages[0].to[0]: (550, b"No such user")})
        return super().send_messages(messages)


class FailingBackend(EmailBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


class DownBackend(EmailBackend):
    def open(self):
        raise ConnectionRefusedError("[Errno 111] Connection refused")


@pytest.fixture
def campaign():
    return external_campaign()


@pytest.fixture
def backend(settings):
    KillingBackend.kill_at, KillingBackend.calls, KillingBackend.opened = None, 0, 0
    settings.EMAIL_BACKEND = f"{BACKEND}.KillingBackend"
    return KillingBackend


@pytest.fixture
def quick_claims(monkeypatch):
    """A killed worker's claim is stale after a second (two minutes in production)."""
    monkeypatch.setattr(invitations, "STALE_CLAIM", datetime.timedelta(seconds=1))
    monkeypatch.setattr(invitations, "POLL_SECONDS", 0.05)


def _people(campaign, count, **kwargs):
    return [respondent(campaign, **kwargs)[0] for _ in range(count)]


def _start(campaign, actor=None):
    return invitations.invitations_start(campaign=campaign, actor=actor)


def _received():
    return Counter(message.to[0] for message in mail.outbox)


def _states(campaign):
    return Counter(
        Respondent.objects.filter(campaign=campaign).values_list("invitation", flat=True)
    )


# Sending ----------------------------------------------------------------------------


def test_each_respondent_gets_one_invitation_with_its_link_and_opt_out(campaign, backend):
    person, token = respondent(campaign, organisation="PME Verte")
    _start(campaign)
    assert invitations.invitations_send(campaign_id=campaign.pk) == 1
    [message] = mail.outbox
    assert message.to == [person.email]
    assert "InnovENT-E" in message.subject
    link = f"/q/{token}/"
    opt_out = f"/q/{token}/desinscription/"
    html = message.alternatives[0][0]
    for body in (message.body, html):
        assert link in body
        assert opt_out in body
        assert "PME Verte" in body
    assert "Répondez avant le" in message.body
    assert message.extra_headers["List-Unsubscribe"].endswith(f"{opt_out}>")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    person.refresh_from_db()
    assert person.invitation == InvitationState.SENT
    assert person.invited_at is not None


def test_an_english_respondent_gets_the_english_invitation(campaign, backend):
    respondent(campaign, language="en")
    _start(campaign)
    invitations.invitations_send(campaign_id=campaign.pk)
    [message] = mail.outbox
    assert message.subject.endswith("Questionnaire: InnovENT-E")
    assert "Answer before" in message.body
    assert "Answer the questionnaire" in message.alternatives[0][0]


def test_a_second_run_sends_nothing(campaign, backend):
    _people(campaign, 3)
    _start(campaign)
    assert invitations.invitations_send(campaign_id=campaign.pk) == 3
    assert invitations.invitations_send(campaign_id=campaign.pk) == 0
    with pytest.raises(ServiceError, match="Aucun répondant"):
        _start(campaign)
    assert len(mail.outbox) == 3


def test_batches_share_one_connection_each(campaign, backend):
    _people(campaign, 7)
    _start(campaign)
    assert invitations.invitations_send(campaign_id=campaign.pk, batch_size=3) == 7
    # Three full batches (3 + 3 + 1 then none left): one connection per batch.
    assert backend.opened == 3
    assert len(mail.outbox) == 7


def test_opted_out_bounced_and_completed_respondents_are_never_mailed(campaign, backend):
    mailed = _people(campaign, 2)
    for status in (
        RespondentStatus.OPTED_OUT,
        RespondentStatus.BOUNCED,
        RespondentStatus.COMPLETED,
    ):
        respondent(campaign, status=status)
    assert _start(campaign) == 2
    invitations.invitations_send(campaign_id=campaign.pk)
    assert set(_received()) == {person.email for person in mailed}
    assert _states(campaign)[InvitationState.SKIPPED] == 3


def test_a_respondent_who_opts_out_while_pending_is_not_mailed(campaign, backend):
    first, second = _people(campaign, 2)
    _start(campaign)
    services.respondent_opt_out(respondent=second)
    invitations.invitations_send(campaign_id=campaign.pk)
    assert set(_received()) == {first.email}
    second.refresh_from_db()
    assert second.invitation == InvitationState.SKIPPED


def test_a_refused_address_is_marked_bounced_and_the_others_are_sent(campaign, settings):
    settings.EMAIL_BACKEND = f"{BACKEND}.RefusingBackend"
    good = _people(campaign, 2)
    bad, _token = respondent(campaign, email="inconnu@pme.fr")
    _start(campaign)
    assert invitations.invitations_send(campaign_id=campaign.pk) == 2
    bad.refresh_from_db()
    assert (bad.status, bad.invitation) == (RespondentStatus.BOUNCED, InvitationState.FAILED)
    assert "550" in bad.invitation_error
    assert set(_received()) == {person.email for person in good}


def test_an_smtp_server_down_claims_nothing(campaign, settings):
    settings.EMAIL_BACKEND = f"{BACKEND}.DownBackend"
    _people(campaign, 2)
    _start(campaign)
    with pytest.raises(OSError):  # PortalTask retries it later
        invitations.invitations_send(campaign_id=campaign.pk)
    assert _states(campaign) == {InvitationState.PENDING: 2}


def test_an_smtp_error_fails_that_message_only_and_stops_the_run(campaign, settings):
    settings.EMAIL_BACKEND = f"{BACKEND}.FailingBackend"
    _people(campaign, 3)
    _start(campaign)
    with pytest.raises(smtplib.SMTPException):
        invitations.invitations_send(campaign_id=campaign.pk)
    assert _states(campaign) == {InvitationState.FAILED: 1, InvitationState.PENDING: 2}


# A worker killed mid-batch ----------------------------------------------------------


def test_a_worker_killed_mid_batch_then_run_again_sends_each_invitation_once(
    campaign, backend, quick_claims
):
    people = _people(campaign, 8)
    _start(campaign)
    backend.kill_at = 5  # the second batch of 3: killed at its second message
    with pytest.raises(KillWorker):
        invitations.invitations_send(campaign_id=campaign.pk, batch_size=3)
    assert len(mail.outbox) == 4
    # The killed message's row stays "sending": never sent again by a run.
    assert _states(campaign) == {
        InvitationState.SENT: 4,
        InvitationState.SENDING: 1,
        InvitationState.PENDING: 3,
    }
    backend.kill_at = None
    # The run sends the unclaimed rows, waits until the dead batch's claim is stale,
    # then sends the rest of that batch: the list is finished.
    assert invitations.invitations_send(campaign_id=campaign.pk, batch_size=3) == 3
    assert invitations.invitations_send(campaign_id=campaign.pk, batch_size=3) == 0
    received = _received()
    assert set(received.values()) == {1}
    [uncertain] = [p for p in people if p.email not in received]
    progress = invitations.invitations_progress(campaign)
    assert (progress["sent"], progress["sending"], progress["stale"]) == (7, 1, 0)
    # Ten minutes later the bureau sees the interrupted message, and sends it again.
    later = timezone.now() + invitations.STALE_SENDING + datetime.timedelta(minutes=1)
    with freeze_time(later):
        assert invitations.invitations_progress(campaign)["can_retry"]
        assert invitations.invitations_retry(campaign=campaign, actor=None) == 1
        invitations.invitations_send(campaign_id=campaign.pk, batch_size=3)
    received = _received()
    assert received[uncertain.email] == 1
    assert set(received) == {person.email for person in people}
    assert set(received.values()) == {1}


def test_a_worker_killed_right_after_a_message_never_sends_it_again(
    campaign, backend, quick_claims
):
    _people(campaign, 4)
    _start(campaign)
    backend.kill_at = 3
    with pytest.raises(KillWorker):
        invitations.invitations_send(campaign_id=campaign.pk, batch_size=10)
    # Message 2 left before the kill and is marked sent with the claim of message 3.
    invitations.invitations_send(campaign_id=campaign.pk, batch_size=10)
    assert set(_received().values()) == {1}
    assert len(mail.outbox) == 3


# Stop, resume, retry ----------------------------------------------------------------


class StoppingBackend(EmailBackend):
    """The bureau presses "stop" while the second message leaves."""

    campaign = None

    def send_messages(self, messages):
        sent = super().send_messages(messages)
        if len(mail.outbox) == 2:
            invitations.invitations_stop(campaign=self.campaign, actor=None)
        return sent


def test_stop_holds_the_rest_and_resume_sends_it(campaign, settings, bureau):
    settings.EMAIL_BACKEND = f"{BACKEND}.StoppingBackend"
    StoppingBackend.campaign = campaign
    _people(campaign, 5)
    _start(campaign, bureau)
    assert invitations.invitations_send(campaign_id=campaign.pk, batch_size=10) == 2
    progress = invitations.invitations_progress(campaign)
    assert (progress["sent"], progress["held"], progress["stopped"]) == (2, 3, True)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert invitations.invitations_resume(campaign=campaign, actor=bureau) == 3
    invitations.invitations_send(campaign_id=campaign.pk)
    assert len(mail.outbox) == 5
    assert set(_received().values()) == {1}
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"surveys.invitations_started", "surveys.invitations_stopped"} <= actions
    assert "surveys.invitations_resumed" in actions


def test_a_campaign_closed_while_sending_holds_the_rest(campaign, backend):
    _people(campaign, 3)
    _start(campaign)
    campaign.status = CampaignStatus.CLOSED
    campaign.save()
    assert invitations.invitations_send(campaign_id=campaign.pk) == 0
    assert _states(campaign) == {InvitationState.HELD: 3}


def test_invitations_need_an_open_external_campaign():
    draft = external_campaign(status=CampaignStatus.DRAFT)
    respondent(draft)
    with pytest.raises(ServiceError, match="ouverte"):
        invitations.invitations_start(campaign=draft, actor=None)


def test_retry_sends_failed_messages_again(campaign, settings):
    settings.EMAIL_BACKEND = f"{BACKEND}.FailingBackend"
    _people(campaign, 1)
    _start(campaign)
    with pytest.raises(smtplib.SMTPException):
        invitations.invitations_send(campaign_id=campaign.pk)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert invitations.invitations_retry(campaign=campaign, actor=None) == 1
    invitations.invitations_send(campaign_id=campaign.pk)
    assert len(mail.outbox) == 1


# The task ---------------------------------------------------------------------------


def test_starting_enqueues_the_task_on_commit(
    campaign, backend, django_capture_on_commit_callbacks
):
    _people(campaign, 3)
    with django_capture_on_commit_callbacks(execute=True):
        _start(campaign)
    assert len(mail.outbox) == 3


# The page ---------------------------------------------------------------------------

STATUS = {"anonymous": 302, "director": 403, "other_director": 403, "bureau": 200, "ministry": 403}


@pytest.mark.parametrize("role", ROLES)
def test_the_progress_fragment_per_role(client_for, role, campaign, platform, other_platform):
    response = client_for(role).get(reverse("survey_invitations", args=[campaign.pk]))
    assert response.status_code == STATUS[role]
    if role == "anonymous":
        assert reverse("account_login") in response["Location"]


@pytest.mark.parametrize("role", ROLES)
def test_only_the_bureau_starts_invitations(
    client_for,
    role,
    campaign,
    backend,
    platform,
    other_platform,
    django_capture_on_commit_callbacks,
):
    _people(campaign, 2)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(role).post(
            reverse("survey_invitations", args=[campaign.pk]), {"action": "start"}
        )
    if role == "bureau":
        assert response.status_code == 302
        assert len(mail.outbox) == 2
    else:
        assert response.status_code == STATUS[role]
        assert mail.outbox == []


def test_the_fragment_polls_while_sending_and_stops_when_done(
    client_for, campaign, backend, django_assert_max_num_queries
):
    _people(campaign, 4)
    _start(campaign)
    client = client_for("bureau")
    url = reverse("survey_invitations", args=[campaign.pk])
    with django_assert_max_num_queries(4):
        content = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-hx-trigger="every 2s"' in content
    assert f'data-hx-get="{url}"' in content
    assert "Arrêter l'envoi" in content
    invitations.invitations_send(campaign_id=campaign.pk)
    content = client.get(url).content.decode()
    assert "every 2s" not in content
    assert "4 invitation(s) envoyée(s) sur 4" in content


def test_a_get_of_the_fragment_never_writes(client_for, campaign, backend):
    _people(campaign, 2)
    before = (
        list(Respondent.objects.values_list("invitation", flat=True)),
        AuditEntry.objects.count(),
    )
    client_for("bureau").get(reverse("survey_invitations", args=[campaign.pk]))
    after = (
        list(Respondent.objects.values_list("invitation", flat=True)),
        AuditEntry.objects.count(),
    )
    assert before == after
    assert mail.outbox == []


def test_an_unknown_action_or_a_refused_one_is_a_message(client_for, campaign):
    client = client_for("bureau")
    url = reverse("survey_invitations", args=[campaign.pk])
    response = client.post(url, {"action": "explode"}, follow=True)
    assert "Action inconnue" in response.content.decode()
    response = client.post(url, {"action": "stop"}, follow=True)
    assert "Aucun envoi en cours" in response.content.decode()


def test_stop_through_htmx_returns_the_fragment(client_for, campaign):
    _people(campaign, 2)
    _start(campaign)
    response = client_for("bureau").post(
        reverse("survey_invitations", args=[campaign.pk]),
        {"action": "stop"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "Envoi arrêté" in response.content.decode()


def test_a_run_that_stalls_is_shown_idle_and_relaunching_sends_nothing_twice(
    campaign, backend, quick_claims
):
    _people(campaign, 4)
    _start(campaign)
    backend.kill_at = 3
    with pytest.raises(KillWorker):
        invitations.invitations_send(campaign_id=campaign.pk, batch_size=10)
    assert not invitations.invitations_progress(campaign)["idle"]
    later = timezone.now() + invitations.IDLE + datetime.timedelta(seconds=5)
    assert invitations.invitations_progress(campaign, now=later)["idle"]
    backend.kill_at = None
    assert invitations.invitations_resume(campaign=campaign, actor=None) == 0
    invitations.invitations_send(campaign_id=campaign.pk, batch_size=10)
    assert set(_received().values()) == {1}
    assert len(mail.outbox) == 3  # the killed message stays "sending", for the bureau
