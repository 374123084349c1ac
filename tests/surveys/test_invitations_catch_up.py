"""The periodic job relaunches invitations left pending with nobody sending them."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from innovalo import reminders
from surveys.enums import InvitationState
from surveys.models import Respondent
from surveys.services import invitations

from .respondent_factories import external_campaign, respondent

pytestmark = pytest.mark.django_db


@pytest.fixture
def stalled():
    """Pending invitations (the bureau started while the broker was down)."""
    campaign = external_campaign()
    for _ in range(3):
        respondent(campaign)
    Respondent.objects.filter(campaign=campaign).update(invitation=InvitationState.PENDING)
    return campaign


def test_pending_invitations_nobody_sends_are_sent_by_the_job(
    stalled, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert invitations.invitations_catch_up() == 1
    assert len(mail.outbox) == 3
    with django_capture_on_commit_callbacks(execute=True):
        assert invitations.invitations_catch_up() == 0
    assert len(mail.outbox) == 3


def test_a_fresh_claim_means_a_worker_is_on_it(stalled):
    Respondent.objects.filter(campaign=stalled).update(invitation_claimed_at=timezone.now())
    assert invitations.invitations_catch_up() == 0
    assert mail.outbox == []


def test_a_recent_sending_means_a_worker_is_on_it(stalled):
    first = Respondent.objects.filter(campaign=stalled).first()
    Respondent.objects.filter(pk=first.pk).update(
        invitation=InvitationState.SENT, invited_at=timezone.now()
    )
    assert invitations.invitations_catch_up() == 0
    later = timezone.now() + invitations.IDLE + datetime.timedelta(seconds=1)
    assert invitations.invitations_catch_up(now=later) == 1


def test_the_job_is_registered():
    assert "survey_invitations" in reminders.registered_jobs()


@pytest.mark.django_db(transaction=True)
def test_sending_restores_durable_commits_for_the_rest_of_the_connection(monkeypatch):
    from django.db import connection

    monkeypatch.setattr(invitations, "enqueue", lambda *args: None)  # sent below, not by a task
    campaign = external_campaign()
    respondent(campaign)
    invitations.invitations_start(campaign=campaign, actor=None)
    assert invitations.invitations_send(campaign_id=campaign.pk) == 1
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            assert cursor.fetchone()[0] == "on"
