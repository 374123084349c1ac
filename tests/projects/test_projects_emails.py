"""Projects' emails: a stage change and a new partner tell the project's people once;
next steps are reminded to their owner before the due date and once overdue, never twice."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from innovalo.enums import EmailStatus
from innovalo.models import SentReminder
from innovalo.reminders import deliver, registered_jobs, registered_rules, retry_unsent, run_jobs
from projects import project_reminders
from projects.enums import PartnerKind, ProjectStage
from projects.services import projects as services

from .projects_helpers import *  # noqa: F403 (fixtures)
from .projects_helpers import project_with, staffed_platform

pytestmark = pytest.mark.django_db


def recipients():
    return sorted(address for message in mail.outbox for address in message.to)


def test_rules_and_job_are_registered():
    rules = registered_rules()
    for rule in ("project_stage", "project_partner", "project_step_soon", "project_step_overdue"):
        assert rule in rules
    assert "project_next_steps" in registered_jobs()


def test_a_stage_change_tells_each_person_once_but_the_actor(
    led, director, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.project_set_stage(project=led, actor=director, stage=ProjectStage.CONSORTIUM)
    assert recipients() == ["plasturgie@exemple.fr"]
    message = mail.outbox[0]
    assert "Consortium" in message.subject
    assert reverse("project_detail", args=[led.pk]) in message.body
    assert reverse("project_detail", args=[led.pk]) in message.alternatives[0][0]
    # A second run, a retried task: nothing more.
    for record in SentReminder.objects.all():
        assert deliver(record.pk) is False
    assert retry_unsent() == 0
    assert len(mail.outbox) == 1


def test_each_stage_change_is_its_own_event(
    led, bureau, director, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.project_set_stage(project=led, actor=bureau, stage=ProjectStage.CONSORTIUM)
        services.project_set_stage(project=led, actor=bureau, stage=ProjectStage.IDEA)
        services.project_set_stage(project=led, actor=bureau, stage=ProjectStage.CONSORTIUM)
    # Three moves, two people (the director and the partner's), one email each per move.
    assert len(mail.outbox) == 6
    assert recipients().count("directrice@exemple.fr") == 3
    periods = set(
        SentReminder.objects.filter(rule="project_stage").values_list("period", flat=True)
    )
    assert len(periods) == 6


def test_a_new_partner_tells_the_project_people_and_the_newcomers(
    led, director, django_capture_on_commit_callbacks
):
    newcomer = staffed_platform("Mécatronique Sud", "meca@exemple.fr", "meca2@exemple.fr")
    with django_capture_on_commit_callbacks(execute=True):
        services.partner_add(
            project=led, actor=director, kind=PartnerKind.PLATFORM, platform=newcomer
        )
    assert recipients() == ["meca2@exemple.fr", "meca@exemple.fr", "plasturgie@exemple.fr"]
    assert "Mécatronique Sud" in mail.outbox[0].subject
    run_jobs(["outbox", "project_next_steps"])
    assert len(mail.outbox) == 3


def test_an_outside_partner_tells_the_project_people(
    led, bureau, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.partner_add(project=led, actor=bureau, kind=PartnerKind.FIRM, organisation="Acme")
    assert recipients() == ["directrice@exemple.fr", "plasturgie@exemple.fr"]


def test_the_email_waits_for_the_commit(led, director, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.project_set_stage(project=led, actor=director, stage=ProjectStage.WRITING)
    assert SentReminder.objects.get().status == EmailStatus.PENDING
    assert mail.outbox == []
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1


def test_a_removed_partner_gets_no_stale_email(led, director, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        line = services.partner_add(
            project=led, actor=director, kind=PartnerKind.FIRM, organisation="Acme"
        )
    services.partner_remove(partner=line, actor=director)
    with freeze_time(timezone.now() + datetime.timedelta(minutes=10)):
        assert retry_unsent() == 0
    assert mail.outbox == []
    assert set(SentReminder.objects.values_list("status", flat=True)) == {EmailStatus.SKIPPED}


def test_the_stage_change_through_the_page_sends_once(
    client_for, led, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client_for("director").post(reverse("project_stage", args=[led.pk]), {"to": "writing"})
    assert len(mail.outbox) == 1


# Next steps ----------------------------------------------------------------------------------


def step(project, actor, owner, due):
    services.next_step_set(
        project=project, actor=actor, text="Lettre d'intention", owner=owner, due=due
    )


def test_next_step_reminded_before_and_once_overdue(led, director):
    step(led, director, director, datetime.date(2026, 12, 10))
    with freeze_time("2026-12-01 08:00"):  # nine days before: nothing yet
        assert project_reminders.next_step_reminders() == 0
    with freeze_time("2026-12-03 08:00"):  # seven days before
        assert project_reminders.next_step_reminders() == 1
        assert project_reminders.next_step_reminders() == 0
    with freeze_time("2026-12-10 08:00"):  # due today: already reminded
        assert project_reminders.next_step_reminders() == 0
    with freeze_time("2026-12-11 08:00"):  # the day after: overdue
        assert project_reminders.next_step_reminders() == 1
    with freeze_time("2026-12-20 08:00"):
        assert run_jobs(["project_next_steps"]).sent == {"project_next_steps": 0}
    assert recipients() == ["directrice@exemple.fr"] * 2
    assert "en retard" in mail.outbox[1].subject
    assert "Lettre d'intention" in mail.outbox[0].body


def test_a_postponed_step_is_reminded_for_its_new_date(led, director):
    step(led, director, director, datetime.date(2026, 12, 10))
    with freeze_time("2026-12-05 08:00"):
        assert project_reminders.next_step_reminders() == 1
        step(led, director, director, datetime.date(2026, 12, 12))
        assert project_reminders.next_step_reminders() == 1
    assert len(mail.outbox) == 2


def test_a_cleared_step_is_not_reminded(led, director):
    step(led, director, director, datetime.date(2026, 12, 10))
    services.next_step_set(project=led, actor=director, text="")
    with freeze_time("2026-12-11 08:00"):
        assert project_reminders.next_step_reminders() == 0


def test_a_step_of_a_withdrawn_project_is_not_reminded(led, director):
    step(led, director, director, datetime.date(2026, 12, 10))
    services.project_set_stage(project=led, actor=director, stage=ProjectStage.WITHDRAWN)
    with freeze_time("2026-12-11 08:00"):
        assert project_reminders.next_step_reminders() == 0


def test_a_pending_step_reminder_for_a_changed_step_is_skipped(led, director, monkeypatch):
    step(led, director, director, datetime.date(2026, 12, 10))
    with freeze_time("2026-12-05 08:00"):
        record, _created = SentReminder.objects.get_or_create(
            rule="project_step_soon",
            target=f"projects.project:{led.pk}",
            period="2026-12-10/user-0",
        )
        assert deliver(record.pk) is False
    assert mail.outbox == []


def test_many_projects_each_reminded_once(platform, director):
    lead = staffed_platform("Autre")
    projects = [project_with(platform, title=f"P{n}") for n in range(3)] + [project_with(lead)]
    for project in projects[:3]:
        step(project, director, director, datetime.date(2026, 12, 10))
    with freeze_time("2026-12-11 08:00"):
        assert project_reminders.next_step_reminders() == 3
        assert project_reminders.next_step_reminders() == 0
