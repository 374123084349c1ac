"""The rules the database keeps for calls and projects, and a call's computed state."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from projects.enums import CallState, PartnerKind
from projects.models import Call, ProjectPartner

from .factories import CallFactory, DeadlineFactory, ProjectFactory, with_deadline

pytestmark = pytest.mark.django_db


def state_of(call, now=None):
    annotated = Call.objects.with_next_deadline(now).get(pk=call.pk)
    return annotated.state(now)


def test_next_deadline_is_the_first_still_ahead():
    call = CallFactory()
    now = timezone.now()
    DeadlineFactory(call=call, label="Pré-proposition", due_at=now - datetime.timedelta(days=3))
    second = DeadlineFactory(
        call=call, label="Dossier complet", due_at=now + datetime.timedelta(days=40)
    )
    DeadlineFactory(call=call, label="Audition", due_at=now + datetime.timedelta(days=90))
    assert Call.objects.with_next_deadline().get(pk=call.pk).next_deadline == second.due_at
    assert state_of(call) == CallState.OPEN


@pytest.mark.parametrize(
    ("days", "state"),
    [(10, CallState.CLOSING_SOON), (45, CallState.OPEN), (-1, CallState.CLOSED)],
)
def test_state_follows_the_next_deadline(days, state):
    call = with_deadline(days)
    assert state_of(call) == state
    annotated = Call.objects.with_next_deadline()
    assert list(annotated.in_state(state)) == [call]


def test_an_open_all_year_call_is_open_without_a_deadline():
    call = CallFactory(open_all_year=True)
    assert state_of(call) == CallState.OPEN
    assert list(Call.objects.with_next_deadline().in_state(CallState.CLOSED)) == []


def test_a_call_opening_later_is_upcoming():
    call = with_deadline(90, opens_on=timezone.localdate() + datetime.timedelta(days=5))
    assert state_of(call) == CallState.UPCOMING
    assert list(Call.objects.with_next_deadline().in_state(CallState.UPCOMING)) == [call]


def test_one_call_per_source_and_external_id():
    CallFactory(source="aides-territoires", external_id="123")
    CallFactory(source="", external_id="")
    CallFactory(source="", external_id="")
    with pytest.raises(IntegrityError), transaction.atomic():
        CallFactory(source="aides-territoires", external_id="123")


def test_an_amount_range_goes_upwards():
    with pytest.raises(IntegrityError), transaction.atomic():
        CallFactory(amount_min=200000, amount_max=1000)


def test_a_partner_is_a_platform_or_a_named_organisation():
    project = ProjectFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ProjectPartner.objects.create(project=project, kind=PartnerKind.FIRM, organisation="")
    ProjectPartner.objects.create(project=project, kind=PartnerKind.LAB, organisation="LRGP")


def test_a_platform_is_a_partner_once():
    project = ProjectFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ProjectPartner.objects.create(project=project, platform=project.lead_platform)


def test_budget_totals_come_from_sql():
    project = ProjectFactory(lead_line=40000)
    ProjectPartner.objects.create(
        project=project, kind=PartnerKind.FIRM, organisation="Acme", budget_requested=10000
    )
    totals = type(project).objects.with_budget().get(pk=project.pk)
    assert totals.budget_total == 50000


def test_a_rate_above_100_is_refused_with_its_message():
    from django.core.exceptions import ValidationError

    call = CallFactory.build(rate_max=150)
    with pytest.raises(ValidationError) as error:
        call.validate_constraints()
    assert "entre 0 et 100 %." in str(error.value)
