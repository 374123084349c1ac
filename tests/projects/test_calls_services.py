"""The calls' services: each write with its history entry, and each refusal."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from innovalo.audit import key_of
from innovalo.exceptions import ServiceError
from innovalo.models import AuditEntry
from members.models import Region
from projects.enums import CallScope, CallStatus, FunderKind
from projects.models import Call, CallFollow, CallInterest, Funder
from projects.services import calls as services
from tests.factories import UserFactory
from tests.projects.calls_helpers import full_call, proposed_call
from tests.projects.factories import CallFactory, FunderFactory, ProjectFactory, ThemeFactory

pytestmark = pytest.mark.django_db


def _fields(**overrides):
    fields = {"title": "Concours i-Nov", "kind": "contest", "scope": "national"}
    fields.update(overrides)
    return fields


def _due(days, hour=12):
    day = timezone.localdate() + datetime.timedelta(days=days)
    return services.deadline_at(day, datetime.time(hour, 0))


def _entries(action):
    return AuditEntry.objects.filter(action=action)


# Create and propose -----------------------------------------------------------------


def test_create_publishes_with_deadlines_and_relations(bureau):
    funder, theme = FunderFactory(), ThemeFactory()
    call = services.call_create(
        fields=_fields(funders=[funder], themes=[theme]),
        deadlines=[{"label": "Vague 1", "due_at": _due(30)}, {"label": "", "due_at": _due(90)}],
        actor=bureau,
    )
    assert call.status == CallStatus.PUBLISHED and call.published_at
    assert list(call.deadlines.values_list("label", flat=True)) == [
        "Vague 1",
        "Date limite de dépôt",
    ]
    assert list(call.funders.all()) == [funder]
    assert call.dates_changed_at is None
    entry = _entries("projects.call_created").get()
    assert entry.actor == bureau and entry.target == key_of(call)


def test_propose_waits_for_the_bureau(director):
    call = services.call_propose(fields=_fields(), actor=director)
    assert call.status == CallStatus.PROPOSED
    assert call.proposed_by == director and call.published_at is None
    assert _entries("projects.call_proposed").get().actor == director


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"title": "  "}, "title"),
        ({"amount_min": Decimal(10), "amount_max": Decimal(5)}, "amount_max"),
        ({"amount_min": Decimal(-1)}, "amount_min"),
        ({"rate_max": Decimal(101)}, "rate_max"),
        ({"rate_min": Decimal(-1)}, "rate_min"),
        ({"rate_min": Decimal(60), "rate_max": Decimal(50)}, "rate_max"),
        ({"applicants": ["martians"]}, "applicants"),
        ({"scope": CallScope.REGIONAL, "regions": []}, "regions"),
    ],
)
def test_create_refuses_broken_rules(bureau, overrides, field):
    with pytest.raises(ServiceError) as error:
        services.call_create(fields=_fields(**overrides), actor=bureau)
    assert error.value.field == field
    assert not Call.objects.exists()


def test_a_deadline_without_date_is_refused(bureau):
    with pytest.raises(ServiceError) as error:
        services.call_create(
            fields=_fields(), deadlines=[{"label": "x", "due_at": None}], actor=bureau
        )
    assert error.value.field == "deadlines"
    assert not Call.objects.exists()


def test_create_with_a_new_funder_is_one_transaction(bureau):
    with pytest.raises(ServiceError):
        services.call_create(
            fields=_fields(rate_max=Decimal(200)),
            new_funder={"name": "Fondation X", "kind": FunderKind.FOUNDATION},
            actor=bureau,
        )
    assert not Funder.objects.exists()
    call = services.call_create(
        fields=_fields(),
        new_funder={"name": "Fondation X", "kind": FunderKind.FOUNDATION, "website": ""},
        actor=bureau,
    )
    assert [f.name for f in call.funders.all()] == ["Fondation X"]
    assert _entries("projects.funder_created").count() == 1


@pytest.mark.parametrize(
    "name, kind, field",
    [
        ("", "state", "new_funder_name"),
        ("Nouveau", "nope", "new_funder_kind"),
        ("ademe", "ademe", "new_funder_name"),
    ],
)
def test_funder_create_refusals(bureau, name, kind, field):
    FunderFactory(name="ADEME")
    with pytest.raises(ServiceError) as error:
        services.funder_create(name=name, kind=kind, actor=bureau)
    assert error.value.field == field


# Update ------------------------------------------------------------------------------


def test_update_logs_the_diff_with_readable_names(bureau):
    call = full_call()
    theme = ThemeFactory(name="Santé", slug="sante")
    services.call_update(
        call=call,
        fields={"title": "Nouveau", "kind": "contest", "themes": [theme]},
        actor=bureau,
    )
    entry = _entries("projects.call_updated").get()
    assert entry.changes["titre"] == ["FEDER innovation 0", "Nouveau"]
    assert entry.changes["nature"] == ["Appel à projets", "Concours d'innovation"]
    assert entry.changes["thèmes"] == [["Numérique", "Énergie"], ["Santé"]]
    call.refresh_from_db()
    assert call.dates_changed_at is None


def test_update_without_change_logs_nothing(bureau):
    call = full_call()
    services.call_update(
        call=call, fields={"title": call.title, "amount_min": Decimal("50000")}, actor=bureau
    )
    assert not _entries("projects.call_updated").exists()


def test_moving_a_deadline_sets_dates_changed_at(bureau):
    call = full_call()
    deadline = call.deadlines.last()
    services.call_update(
        call=call,
        fields={},
        deadlines=[{"id": deadline.pk, "label": deadline.label, "due_at": _due(120)}],
        actor=bureau,
    )
    call.refresh_from_db()
    assert call.dates_changed_at is not None
    assert call.deadlines.last().due_at == _due(120)
    entry = _entries("projects.call_updated").get()
    assert any(key.startswith("date limite") for key in entry.changes)


def test_relabelling_a_deadline_keeps_dates_changed_at(bureau):
    call = full_call()
    deadline = call.deadlines.last()
    services.call_update(
        call=call,
        fields={},
        deadlines=[{"id": deadline.pk, "label": "Dossier final", "due_at": deadline.due_at}],
        actor=bureau,
    )
    call.refresh_from_db()
    assert call.dates_changed_at is None
    assert call.deadlines.last().label == "Dossier final"


def test_adding_and_removing_deadlines_set_dates_changed_at(bureau):
    call = full_call()
    first = call.deadlines.first()
    services.call_update(
        call=call,
        fields={},
        deadlines=[{"id": first.pk, "delete": True}, {"label": "Relève 2", "due_at": _due(200)}],
        actor=bureau,
    )
    call.refresh_from_db()
    assert call.dates_changed_at is not None
    assert list(call.deadlines.values_list("label", flat=True)) == ["Dossier complet", "Relève 2"]


def test_a_deadline_of_another_call_is_refused(bureau):
    call, other = full_call(0), full_call(1)
    with pytest.raises(ServiceError):
        services.call_update(
            call=call,
            fields={},
            deadlines=[{"id": other.deadlines.first().pk, "label": "x", "due_at": _due(3)}],
            actor=bureau,
        )


def test_update_keeps_the_regions_rule(bureau):
    call = CallFactory(scope=CallScope.NATIONAL)
    with pytest.raises(ServiceError) as error:
        services.call_update(call=call, fields={"scope": CallScope.REGIONAL}, actor=bureau)
    assert error.value.field == "regions"
    services.call_update(
        call=call,
        fields={"scope": CallScope.REGIONAL, "regions": [Region.objects.get(code="53")]},
        actor=bureau,
    )


def test_update_unknown_field_is_a_bug(bureau):
    with pytest.raises(TypeError):
        services.call_update(call=CallFactory(), fields={"status": "archived"}, actor=bureau)


# Status ------------------------------------------------------------------------------


def test_archive_and_unarchive(bureau):
    call = CallFactory()
    services.call_archive(call=call, actor=bureau)
    call.refresh_from_db()
    assert call.status == CallStatus.ARCHIVED
    with pytest.raises(ServiceError):
        services.call_archive(call=call, actor=bureau)
    services.call_unarchive(call=call, actor=bureau)
    call.refresh_from_db()
    assert call.status == CallStatus.PUBLISHED
    with pytest.raises(ServiceError):
        services.call_unarchive(call=call, actor=bureau)
    assert _entries("projects.call_archived").get().changes == {"statut": ["Publié", "Archivé"]}
    assert _entries("projects.call_unarchived").count() == 1


def test_a_proposal_cannot_be_archived(bureau, director):
    with pytest.raises(ServiceError):
        services.call_archive(call=proposed_call(director), actor=bureau)


def test_publish_a_proposal(bureau, director):
    call = proposed_call(director)
    services.call_publish(call=call, actor=bureau)
    call.refresh_from_db()
    assert call.status == CallStatus.PUBLISHED and call.published_at is not None
    assert _entries("projects.call_published").get().actor == bureau
    with pytest.raises(ServiceError):
        services.call_publish(call=call, actor=bureau)


def test_refuse_a_proposal_keeps_it_with_its_reason_and_tells_the_proposer_once(
    bureau, director, django_capture_on_commit_callbacks, mailoutbox
):
    call = proposed_call(director, title="Doublon")
    with django_capture_on_commit_callbacks(execute=True):
        services.call_refuse(call=call, reason="Déjà publié", actor=bureau)
    call.refresh_from_db()
    assert (call.status, call.refusal_reason) == (CallStatus.REFUSED, "Déjà publié")
    assert "Déjà publié" in _entries("projects.call_refused").get(scope=key_of(call)).message
    assert [m.to for m in mailoutbox] == [[director.email]]
    assert "Déjà publié" in mailoutbox[0].body and "Doublon" in mailoutbox[0].subject
    assert not Call.objects.visible_to(UserFactory()).filter(pk=call.pk).exists()
    assert Call.objects.visible_to(director).filter(pk=call.pk).exists()
    from innovalo.reminders import run_jobs

    run_jobs(only=["outbox"])  # the outbox's retry finds the email sent: nothing twice
    assert len(mailoutbox) == 1


def test_publishing_a_proposal_tells_the_proposer(
    bureau, director, django_capture_on_commit_callbacks, mailoutbox
):
    call = proposed_call(director, title="Usine agile")
    with django_capture_on_commit_callbacks(execute=True):
        services.call_publish(call=call, actor=bureau)
    assert [m.to for m in mailoutbox] == [[director.email]]
    assert "publiée" in mailoutbox[0].subject


def test_refuse_needs_a_reason_and_a_proposal(bureau, director):
    with pytest.raises(ServiceError) as error:
        services.call_refuse(call=proposed_call(director), reason=" ", actor=bureau)
    assert error.value.field == "reason"
    with pytest.raises(ServiceError):
        services.call_refuse(call=CallFactory(), reason="Non", actor=bureau)


def test_refuse_a_proposal_a_project_answers(bureau, director):
    call = proposed_call(director)
    project = ProjectFactory(call=call)
    services.call_refuse(call=call, reason="Non", actor=bureau)
    project.refresh_from_db()
    assert project.call_id == call.pk


# Following and interest -------------------------------------------------------------


def test_follow_is_idempotent(director):
    call = CallFactory()
    assert services.call_follow(call=call, user=director) is True
    assert services.call_follow(call=call, user=director) is False
    assert CallFollow.objects.count() == 1
    assert _entries("projects.call_followed").get().scope == key_of(director)
    assert services.call_unfollow(call=call, user=director) is True
    assert services.call_unfollow(call=call, user=director) is False
    assert not CallFollow.objects.exists()
    assert _entries("projects.call_unfollowed").count() == 1


def test_interest_declare_update_withdraw(director, platform):
    call = CallFactory()
    services.interest_declare(call=call, platform=platform, note="Volet essais", actor=director)
    services.interest_declare(call=call, platform=platform, note="Volet essais", actor=director)
    assert CallInterest.objects.get().note == "Volet essais"
    assert _entries("projects.interest_declared").get().scope == key_of(call)
    services.interest_declare(call=call, platform=platform, note="Autre", actor=director)
    assert _entries("projects.interest_updated").get().changes == {
        "note": ["Volet essais", "Autre"]
    }
    assert services.interest_withdraw(call=call, platform=platform, actor=director) is True
    assert services.interest_withdraw(call=call, platform=platform, actor=director) is False
    assert not CallInterest.objects.exists()
    assert _entries("projects.interest_withdrawn").count() == 1


def test_interest_in_an_unpublished_call_is_refused(director, platform):
    for call in (proposed_call(director), CallFactory(status=CallStatus.ARCHIVED)):
        with pytest.raises(ServiceError):
            services.interest_declare(call=call, platform=platform, actor=director)
    assert not CallInterest.objects.exists()


def test_deadline_at_is_french_time_noon_by_default():
    moment = services.deadline_at(datetime.date(2026, 7, 1), None)
    assert timezone.localtime(moment).hour == 12
    assert moment.utcoffset() == datetime.timedelta(hours=2)
