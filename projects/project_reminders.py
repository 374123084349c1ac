"""Emails of co-built projects, through the outbox (``innovalo.reminders``).

- ``project_stage`` and ``project_partner``: a stage change and a new partner, to each
  person of the project's platforms but the one who acted. The services write one row
  per person in their transaction (key: the stage and the history entry's id, or the new
  partner's line, and the person), so a retried task or a second run sends nothing twice.
- ``project_step_soon`` and ``project_step_overdue``: the periodic job
  ``project_next_steps`` (run by ``send_reminders`` and Celery beat) reminds the owner of
  a project's next step ``NEXT_STEP_SOON_DAYS`` days before its due date, and once it is
  overdue; once each per due date (a step put off is reminded again for its new date).
"""

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from innovalo.emails import send_templated_email
from innovalo.models import AuditEntry
from innovalo.reminders import SkipEmail, email_rule, register, send_once

from .enums import ProjectStage
from .models import Project, ProjectPartner
from .selectors.projects import project_people
from .services.projects import PARTNER_RULE, STAGE_RULE

User = get_user_model()

STEP_SOON = "project_step_soon"
STEP_OVERDUE = "project_step_overdue"
NEXT_STEP_SOON_DAYS = 7
# No reminder for a next step of a project that ended without funding.
NO_REMINDER_STAGES = (ProjectStage.NOT_RETAINED, ProjectStage.WITHDRAWN)


def _url(path: str) -> str:
    return settings.SITE_URL + path


def _pk(text: str):
    return int(text) if text.isdigit() else None


def _person(project, period: str):
    """The person a row is for, while still one of the project's people."""
    _head, _sep, user_pk = period.rpartition("user-")
    person = project_people(project).filter(pk=_pk(user_pk)).first() if _pk(user_pk) else None
    if person is None or not person.email:
        raise SkipEmail
    return person


@email_rule(STAGE_RULE)
def send_stage_change(record) -> list[str]:
    project = (
        Project.objects.select_related("call", "lead_platform")
        .filter(pk=_pk(record.target.partition(":")[2]))
        .first()
    )
    if project is None:
        raise SkipEmail
    stage, _sep, rest = record.period.partition(":")
    entry = AuditEntry.objects.select_related("actor").filter(pk=_pk(rest.partition("/")[0]))
    entry = entry.first()
    person = _person(project, record.period)
    send_templated_email(
        "project_stage",
        [person.email],
        {
            "project": project,
            "person": person,
            "stage_label": ProjectStage(stage).label if stage in ProjectStage.values else stage,
            "entry": entry,
            "project_url": _url(project.get_absolute_url()),
        },
    )
    return [person.email]


@email_rule(PARTNER_RULE)
def send_new_partner(record) -> list[str]:
    partner = (
        ProjectPartner.objects.select_related("project", "platform", "project__lead_platform")
        .filter(pk=_pk(record.target.partition(":")[2]))
        .first()
    )
    if partner is None:
        raise SkipEmail
    project = partner.project
    person = _person(project, record.period)
    send_templated_email(
        "project_partner",
        [person.email],
        {
            "project": project,
            "partner": partner,
            "person": person,
            "project_url": _url(project.get_absolute_url()),
        },
    )
    return [person.email]


# Next steps ----------------------------------------------------------------------------------


def _step_period(project) -> str:
    return f"{project.next_step_due.isoformat()}/user-{project.next_step_owner_id}"


def _send_step(record, rule) -> list[str]:
    project = (
        Project.objects.select_related("next_step_owner", "call")
        .filter(pk=_pk(record.target.partition(":")[2]))
        .first()
    )
    if (
        project is None
        or project.stage in NO_REMINDER_STAGES
        or not project.next_step
        or project.next_step_due is None
        or project.next_step_owner is None
        or not project.next_step_owner.is_active
        or _step_period(project) != record.period
    ):
        raise SkipEmail
    owner = project.next_step_owner
    send_templated_email(
        rule,
        [owner.email],
        {"project": project, "owner": owner, "project_url": _url(project.get_absolute_url())},
    )
    return [owner.email]


@email_rule(STEP_SOON)
def send_step_soon(record) -> list[str]:
    return _send_step(record, STEP_SOON)


@email_rule(STEP_OVERDUE)
def send_step_overdue(record) -> list[str]:
    return _send_step(record, STEP_OVERDUE)


@register("project_next_steps")
def next_step_reminders(today=None) -> int:
    """To the owner of each next step due within NEXT_STEP_SOON_DAYS days, and once it is
    overdue (from the day after its due date); each once per due date and owner."""
    today = today or timezone.localdate()
    projects = (
        Project.objects.exclude(stage__in=NO_REMINDER_STAGES)
        .exclude(next_step="")
        .filter(
            next_step_owner__is_active=True,
            next_step_due__isnull=False,
            next_step_due__lte=today + datetime.timedelta(days=NEXT_STEP_SOON_DAYS),
        )
        .order_by("next_step_due", "pk")
        .only("pk", "next_step_due", "next_step_owner_id")
    )
    sent = 0
    for project in projects:
        rule = STEP_OVERDUE if project.next_step_due < today else STEP_SOON
        sent += send_once(rule, project, _step_period(project))
    return sent
