"""The services of co-built projects: each happy path and each refusal."""

import datetime
import hashlib
from decimal import Decimal

import pytest
from django.utils import timezone

from innovalo.exceptions import ServiceError
from innovalo.models import AuditEntry
from innovalo.money import amount_text
from projects.enums import CallStatus, PartnerKind, ProjectStage
from projects.models import Project, ProjectDocument, ProjectPartner
from projects.selectors.projects import allowed_moves
from projects.services import projects as services

from .factories import CallFactory, DeadlineFactory, ProjectFactory, with_deadline
from .projects_helpers import *  # noqa: F403 (fixtures)
from .projects_helpers import PDF_BYTES, pdf, project_with, staffed_platform

pytestmark = pytest.mark.django_db


def entries(project, action):
    return AuditEntry.objects.for_scope(project).filter(action=f"projects.{action}")


def move(project, actor, *stages, **kwargs):
    for stage in stages:
        project = services.project_set_stage(project=project, actor=actor, stage=stage, **kwargs)
    return project


def win(project, actor, amounts=None, note="Retenu par le jury régional."):
    lines = list(project.partners.order_by("order", "pk"))
    amounts = amounts or {line.pk: "20000" for line in lines}
    return services.project_set_stage(
        project=project, actor=actor, stage=ProjectStage.WON, note=note, amounts=amounts
    )


# Creating and editing ------------------------------------------------------------------------


def test_a_member_creates_a_project_led_by_his_platform(director, platform):
    project = services.project_create(
        actor=director, title=" Jumeau numérique ", acronym="JUMO", lead_platform=platform
    )
    assert project.title == "Jumeau numérique"
    assert project.stage == ProjectStage.IDEA
    assert project.created_by == director
    line = project.partners.get()
    assert (line.platform, line.role, line.budget_requested) == (platform, "Coordination", 0)
    assert entries(project, "project_created").count() == 1


def test_a_member_may_not_lead_with_another_platform(director, platform, other_platform):
    with pytest.raises(ServiceError) as error:
        services.project_create(actor=director, title="X", lead_platform=other_platform)
    assert error.value.field == "lead_platform"
    assert not Project.objects.exists()


def test_the_bureau_creates_a_project_for_any_platform(bureau, other_platform):
    project = services.project_create(actor=bureau, title="X", lead_platform=other_platform)
    assert project.lead_platform == other_platform


def test_a_project_needs_a_title(director, platform):
    with pytest.raises(ServiceError) as error:
        services.project_create(actor=director, title="  ", lead_platform=platform)
    assert error.value.field == "title"


def test_the_deadline_is_the_calls_next_one_still_ahead(director, platform):
    call = CallFactory()
    now = timezone.now()
    DeadlineFactory(call=call, due_at=now - datetime.timedelta(days=3))
    ahead = DeadlineFactory(call=call, due_at=now + datetime.timedelta(days=20))
    DeadlineFactory(call=call, due_at=now + datetime.timedelta(days=80))
    project = services.project_create(actor=director, title="X", lead_platform=platform, call=call)
    assert project.deadline == ahead.due_at


def test_a_deadline_given_wins_over_the_calls(director, platform):
    call = with_deadline(20)
    mine = timezone.now() + datetime.timedelta(days=10)
    project = services.project_create(
        actor=director, title="X", lead_platform=platform, call=call, deadline=mine
    )
    assert project.deadline == mine


def test_a_proposed_call_is_refused(director, platform):
    call = CallFactory(status=CallStatus.PROPOSED)
    with pytest.raises(ServiceError) as error:
        services.project_create(actor=director, title="X", lead_platform=platform, call=call)
    assert error.value.field == "call"


def test_update_logs_what_changed_and_a_new_call_brings_its_deadline(director, led):
    call = with_deadline(45)
    services.project_update(
        project=led,
        actor=director,
        title="Nouveau titre",
        acronym=led.acronym,
        summary="",
        call=call,
        lead_platform=led.lead_platform,
        deadline=None,
    )
    led.refresh_from_db()
    assert led.title == "Nouveau titre"
    assert led.deadline == call.deadlines.get().due_at
    entry = entries(led, "project_updated").get()
    assert entry.changes["titre"][1] == "Nouveau titre"


def test_update_without_change_logs_nothing(director, led):
    services.project_update(
        project=led,
        actor=director,
        title=led.title,
        acronym=led.acronym,
        summary=led.summary,
        call=None,
        lead_platform=led.lead_platform,
    )
    assert not entries(led, "project_updated").exists()


def test_a_new_lead_gets_its_coordination_line(bureau, led, other_platform):
    services.project_update(
        project=led, actor=bureau, title=led.title, lead_platform=other_platform
    )
    line = led.partners.get(platform=other_platform)
    assert line.role == "Coordination"


def test_a_closed_project_is_changed_by_the_bureau_only(director, bureau, led):
    move(led, director, ProjectStage.WITHDRAWN)
    with pytest.raises(ServiceError):
        services.project_update(
            project=led, actor=director, title="Autre", lead_platform=led.lead_platform
        )
    services.project_update(
        project=led, actor=bureau, title="Autre", lead_platform=led.lead_platform
    )
    led.refresh_from_db()
    assert led.title == "Autre"


# Partners ------------------------------------------------------------------------------------


def test_add_a_platform_partner(director, led, other_platform):
    line = services.partner_add(
        project=led,
        actor=director,
        kind=PartnerKind.PLATFORM,
        platform=other_platform,
        role="Essais",
        budget_requested="12 500,50",
    )
    assert line.budget_requested == Decimal("12500.50")
    assert line.order > 0
    assert entries(led, "partner_added").get().amount == Decimal("12500.50")


def test_add_an_outside_partner_needs_its_name(director, led):
    with pytest.raises(ServiceError) as error:
        services.partner_add(project=led, actor=director, kind=PartnerKind.LAB, organisation=" ")
    assert error.value.field == "organisation"
    line = services.partner_add(
        project=led, actor=director, kind=PartnerKind.LAB, organisation="LRGP", platform=None
    )
    assert line.platform is None and line.organisation == "LRGP"


def test_a_platform_is_a_partner_once(director, led):
    with pytest.raises(ServiceError) as error:
        services.partner_add(
            project=led, actor=director, kind=PartnerKind.PLATFORM, platform=led.lead_platform
        )
    assert error.value.field == "platform"


def test_a_platform_partner_needs_its_platform(director, led):
    with pytest.raises(ServiceError) as error:
        services.partner_add(project=led, actor=director, kind=PartnerKind.PLATFORM)
    assert error.value.field == "platform"


@pytest.mark.parametrize("amount", ["-5", "abc", "1e9", "100000000000"])
def test_a_bad_budget_is_refused(director, led, amount):
    with pytest.raises(ServiceError) as error:
        services.partner_add(
            project=led,
            actor=director,
            kind=PartnerKind.FIRM,
            organisation="A",
            budget_requested=amount,
        )
    assert error.value.field == "budget_requested"


def test_update_a_line_logs_old_and_new(director, led):
    line = led.partners.get(kind=PartnerKind.FIRM)
    services.partner_update(
        partner=line,
        actor=director,
        role="Cas d'usage",
        budget_requested="15000",
        organisation="Acme",
    )
    line.refresh_from_db()
    assert (line.role, line.budget_requested, line.organisation) == (
        "Cas d'usage",
        Decimal("15000"),
        "Acme",
    )
    changes = entries(led, "partner_updated").get().changes
    assert changes["budget demandé (€)"] == [amount_text(10000), amount_text(15000)]


def test_the_leads_line_is_not_removed(director, led):
    lead_line = led.partners.get(platform=led.lead_platform)
    with pytest.raises(ServiceError):
        services.partner_remove(partner=lead_line, actor=director)
    assert ProjectPartner.objects.filter(pk=lead_line.pk).exists()


def test_remove_a_partner_is_logged(director, led):
    line = led.partners.get(kind=PartnerKind.FIRM)
    services.partner_remove(partner=line, actor=director)
    assert not ProjectPartner.objects.filter(pk=line.pk).exists()
    assert "Mécanique de Picardie" in entries(led, "partner_removed").get().message


def test_a_line_with_an_amount_obtained_is_not_removed(bureau, led):
    move(led, bureau, ProjectStage.SUBMITTED)
    win(led, bureau)
    line = led.partners.get(kind=PartnerKind.FIRM)
    with pytest.raises(ServiceError):
        services.partner_remove(partner=line, actor=bureau)


# Stages --------------------------------------------------------------------------------------


def test_allowed_moves():
    assert allowed_moves(ProjectStage.IDEA) == ["consortium", "writing", "submitted", "withdrawn"]
    assert allowed_moves(ProjectStage.WRITING) == ["consortium", "submitted", "withdrawn"]
    assert allowed_moves(ProjectStage.SUBMITTED) == ["won", "not_retained", "withdrawn"]
    assert allowed_moves(ProjectStage.WON) == []
    assert allowed_moves(ProjectStage.WITHDRAWN) == []


def test_forward_and_back_one_step_before_submission(director, led):
    move(led, director, ProjectStage.WRITING, ProjectStage.CONSORTIUM, ProjectStage.IDEA)
    led.refresh_from_db()
    assert led.stage == ProjectStage.IDEA
    assert entries(led, "stage_changed").count() == 3


def test_no_way_back_once_submitted(director, led):
    move(led, director, ProjectStage.SUBMITTED)
    led.refresh_from_db()
    assert led.submitted_on == timezone.localdate()
    with pytest.raises(ServiceError) as error:
        move(led, director, ProjectStage.WRITING)
    assert error.value.field == "stage"


def test_no_decision_before_submission(director, led):
    with pytest.raises(ServiceError):
        win(led, director)


def test_a_submission_date_is_not_ahead(director, led):
    with pytest.raises(ServiceError) as error:
        move(led, director, ProjectStage.SUBMITTED, on=timezone.localdate() + datetime.timedelta(1))
    assert error.value.field == "on"


def test_won_sets_each_lines_amount_and_the_decision(director, led):
    move(led, director, ProjectStage.SUBMITTED)
    lines = list(led.partners.order_by("order", "pk"))
    amounts = {lines[0].pk: "30000", lines[1].pk: "0", lines[2].pk: "8000,50"}
    win(led, director, amounts)
    led.refresh_from_db()
    assert (led.stage, led.decided_on) == (ProjectStage.WON, timezone.localdate())
    assert led.decision_note == "Retenu par le jury régional."
    totals = Project.objects.with_budget().get(pk=led.pk)
    assert totals.obtained_total == Decimal("38000.50")
    assert totals.budget_total == Decimal("75000")
    entry = entries(led, "stage_changed").filter(amount__isnull=False).get()
    assert entry.amount == Decimal("38000.50")


def test_won_needs_every_lines_amount(director, led):
    move(led, director, ProjectStage.SUBMITTED)
    first = led.partners.order_by("order", "pk").first()
    with pytest.raises(ServiceError) as error:
        win(led, director, {first.pk: "1000"})
    assert error.value.field.startswith("amount_")
    led.refresh_from_db()
    assert led.stage == ProjectStage.SUBMITTED
    assert not led.partners.filter(amount_obtained__isnull=False).exists()


def test_won_with_nothing_obtained_is_refused(director, led):
    move(led, director, ProjectStage.SUBMITTED)
    with pytest.raises(ServiceError):
        win(led, director, {line.pk: "0" for line in led.partners.all()})


def test_a_decision_needs_its_note(director, led):
    move(led, director, ProjectStage.SUBMITTED)
    with pytest.raises(ServiceError) as error:
        move(led, director, ProjectStage.NOT_RETAINED, note=" ")
    assert error.value.field == "note"
    move(led, director, ProjectStage.NOT_RETAINED, note="Hors priorités régionales.")
    led.refresh_from_db()
    assert led.decided_on == timezone.localdate()


def test_withdrawn_from_any_open_stage_and_then_nothing(director, led):
    move(led, director, ProjectStage.CONSORTIUM, ProjectStage.WITHDRAWN, note="Partenaire parti")
    led.refresh_from_db()
    assert led.stage == ProjectStage.WITHDRAWN
    with pytest.raises(ServiceError):
        move(led, director, ProjectStage.IDEA)


def test_an_unknown_stage_is_refused(director, led):
    with pytest.raises(ServiceError):
        move(led, director, "finished")


# Amounts obtained ----------------------------------------------------------------------------


def test_a_correction_logs_old_and_new(bureau, led):
    move(led, bureau, ProjectStage.SUBMITTED)
    win(led, bureau)
    line = led.partners.get(kind=PartnerKind.FIRM)
    services.amount_correct(partner=line, actor=bureau, amount="15000", reason="Avenant n°1")
    line.refresh_from_db()
    assert line.amount_obtained == Decimal("15000")
    entry = entries(led, "amount_corrected").get()
    assert entry.changes == {"montant obtenu (€)": [amount_text(20000), amount_text(15000)]}
    assert "Avenant n°1" in entry.message


def test_a_correction_needs_a_reason_and_a_change(bureau, led):
    move(led, bureau, ProjectStage.SUBMITTED)
    win(led, bureau)
    line = led.partners.get(kind=PartnerKind.FIRM)
    with pytest.raises(ServiceError) as error:
        services.amount_correct(partner=line, actor=bureau, amount="1", reason="")
    assert error.value.field == "reason"
    with pytest.raises(ServiceError) as error:
        services.amount_correct(partner=line, actor=bureau, amount="20000", reason="x")
    assert error.value.field == "amount"


def test_no_correction_before_a_win(bureau, led):
    with pytest.raises(ServiceError):
        services.amount_correct(partner=led.partners.first(), actor=bureau, amount="1", reason="x")


def test_editing_a_line_never_touches_its_amount_obtained(bureau, led):
    move(led, bureau, ProjectStage.SUBMITTED)
    win(led, bureau)
    line = led.partners.get(kind=PartnerKind.FIRM)
    services.partner_update(partner=line, actor=bureau, role="x", budget_requested="1")
    line.refresh_from_db()
    assert line.amount_obtained == Decimal("20000")


# Next step -----------------------------------------------------------------------------------


def test_next_step_owner_is_one_of_the_projects_people(director, other_director, led):
    due = timezone.localdate() + datetime.timedelta(days=10)
    services.next_step_set(
        project=led, actor=director, text="Lettre d'intention", owner=director, due=due
    )
    led.refresh_from_db()
    assert (led.next_step, led.next_step_owner, led.next_step_due) == (
        "Lettre d'intention",
        director,
        due,
    )
    with pytest.raises(ServiceError) as error:
        services.next_step_set(project=led, actor=director, text="x", owner=other_director)
    assert error.value.field == "owner"


def test_next_step_cleared_with_an_empty_text(director, led):
    services.next_step_set(project=led, actor=director, text="Appeler la région", owner=director)
    services.next_step_set(project=led, actor=director, text="")
    led.refresh_from_db()
    assert (led.next_step, led.next_step_owner) == ("", None)
    assert entries(led, "next_step_set").count() == 2
    with pytest.raises(ServiceError) as error:
        services.next_step_set(project=led, actor=director, text="", owner=director)
    assert error.value.field == "text"


# Documents -----------------------------------------------------------------------------------


def test_a_document_is_stored_with_its_hash(director, led, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    document = services.document_add(project=led, actor=director, uploaded=pdf(), title="")
    assert document.sha256 == hashlib.sha256(PDF_BYTES).hexdigest()
    assert document.title == "dossier.pdf"
    assert document.size == len(PDF_BYTES)
    assert not document.file.name.endswith("dossier.pdf")  # never the uploaded name
    assert entries(led, "document_added").count() == 1


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("virus.exe", b"MZ\x90\x00"),
        ("faux.pdf", b"MZ\x90\x00 not a pdf"),
        ("vide.pdf", b""),
    ],
)
def test_a_bad_file_is_refused(director, led, settings, tmp_path, name, content):
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(ServiceError) as error:
        services.document_add(project=led, actor=director, uploaded=pdf(name, content))
    assert error.value.field == "file"
    assert not ProjectDocument.objects.exists()


def test_a_too_large_file_is_refused(director, led, settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(services, "MAX_DOCUMENT_SIZE", 10)
    with pytest.raises(ServiceError) as error:
        services.document_add(project=led, actor=director, uploaded=pdf())
    assert error.value.field == "file"


def test_delete_a_document_is_logged_and_removes_the_file(
    director, led, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    document = services.document_add(project=led, actor=director, uploaded=pdf())
    path = document.file.path
    with django_capture_on_commit_callbacks(execute=True):
        services.document_delete(document=document, actor=director)
    assert not ProjectDocument.objects.exists()
    assert entries(led, "document_deleted").count() == 1
    import os

    assert not os.path.exists(path)


def test_totals_come_from_sql_for_many_projects(platform):
    lead = staffed_platform("Autre porteuse")
    for n in range(3):
        project_with(lead, platform, title=f"P{n}")
    totals = Project.objects.with_budget().order_by("pk")
    assert [t.budget_total for t in totals] == [Decimal("75000")] * 3
    assert ProjectFactory._meta.model is Project
