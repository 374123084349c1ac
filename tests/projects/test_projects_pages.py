"""The projects pages: every URL for every role, what each role sees, the forms through
the views, a GET that never writes and hostile input that is never a 500."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from innovalo.models import AuditEntry
from projects.enums import PartnerKind, ProjectStage
from projects.models import Project, ProjectDocument, ProjectPartner
from projects.services import projects as services
from tests.conftest import ROLES

from .factories import CallFactory, with_deadline
from .projects_helpers import *  # noqa: F403 (fixtures)
from .projects_helpers import counts, pdf, project_with, staffed_platform

pytestmark = pytest.mark.django_db

LEAD_ONLY = {
    "anonymous": 302,
    "director": 200,
    "other_director": 403,
    "bureau": 200,
    "ministry": 403,
}


def status(client_for, role, url):
    response = client_for(role).get(url)
    if role == "anonymous":
        assert reverse("account_login") in response["Location"]
    return response.status_code


def won(project, actor):
    services.project_set_stage(project=project, actor=actor, stage=ProjectStage.SUBMITTED)
    return services.project_set_stage(
        project=project,
        actor=actor,
        stage=ProjectStage.WON,
        note="Retenu",
        amounts={line.pk: "1000" for line in project.partners.all()},
    )


@pytest.fixture
def document(led, director, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return services.document_add(project=led, actor=director, uploaded=pdf(), title="Dossier")


# Every URL, every role -----------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_board_per_role(client_for, role, led):
    assert status(client_for, role, reverse("project_board")) == (
        302 if role == "anonymous" else 200
    )


@pytest.mark.parametrize("role", ROLES)
def test_create_page_per_role(client_for, role, platform):
    expected = {"anonymous": 302, "director": 200, "bureau": 200}.get(role, 403)
    assert status(client_for, role, reverse("project_create")) == expected


@pytest.mark.parametrize("role", ROLES)
def test_detail_per_role(client_for, role, led):
    expected = {"anonymous": 302, "ministry": 403}.get(role, 200)
    assert status(client_for, role, reverse("project_detail", args=[led.pk])) == expected


LEAD_PAGES = [
    ("project_edit", {}),
    ("project_partner_add", {}),
    ("project_next_step", {}),
    ("project_stage", {"to": "withdrawn"}),
    ("project_stage", {"to": "consortium"}),
]


@pytest.mark.parametrize(("url_name", "query"), LEAD_PAGES)
@pytest.mark.parametrize("role", ROLES)
def test_lead_pages_per_role(client_for, role, led, url_name, query):
    url = reverse(url_name, args=[led.pk])
    response_status = status(client_for, role, url + ("?to=" + query["to"] if query else ""))
    assert response_status == LEAD_ONLY[role]


@pytest.mark.parametrize("url_name", ["project_partner_edit", "project_partner_remove"])
@pytest.mark.parametrize("role", ROLES)
def test_partner_line_pages_per_role(client_for, role, led, url_name):
    line = led.partners.get(kind=PartnerKind.FIRM)
    assert status(client_for, role, reverse(url_name, args=[led.pk, line.pk])) == LEAD_ONLY[role]


@pytest.mark.parametrize("role", ROLES)
def test_amount_correction_page_per_role(client_for, role, led, bureau):
    won(led, bureau)
    line = led.partners.get(kind=PartnerKind.FIRM)
    url = reverse("project_amount_correct", args=[led.pk, line.pk])
    expected = {"anonymous": 302, "bureau": 200}.get(role, 403)
    assert status(client_for, role, url) == expected


@pytest.mark.parametrize("role", ROLES)
def test_document_add_page_per_role(client_for, role, led):
    url = reverse("project_document_add", args=[led.pk])
    assert status(client_for, role, url) == LEAD_ONLY[role]


DOCUMENT_SEEN = {"anonymous": 302, "director": 200, "other_director": 404, "bureau": 200}


@pytest.mark.parametrize("url_name", ["project_document", "project_document_delete"])
@pytest.mark.parametrize("role", ROLES)
def test_document_pages_per_role(client_for, role, led, document, url_name):
    url = reverse(url_name, args=[led.pk, document.pk])
    assert status(client_for, role, url) == DOCUMENT_SEEN.get(role, 404)


def test_unknown_project_is_404(client_for):
    for name in ("project_detail", "project_edit", "project_stage", "project_document_add"):
        assert client_for("bureau").get(reverse(name, args=[999999])).status_code == 404


# A partner's people --------------------------------------------------------------------------


def test_a_partner_sees_everything_and_edits_only_his_line(client_for, partnered, platform):
    client = client_for("director")
    content = client.get(reverse("project_detail", args=[partnered.pk])).content.decode()
    assert "75\u00a0000,00\u00a0€" in content  # the total
    own = partnered.partners.get(platform=platform)
    lead_line = partnered.partners.get(platform=partnered.lead_platform)
    assert reverse("project_partner_edit", args=[partnered.pk, own.pk]) in content
    assert reverse("project_partner_edit", args=[partnered.pk, lead_line.pk]) not in content
    assert reverse("project_edit", args=[partnered.pk]) not in content
    assert (
        client.get(reverse("project_partner_edit", args=[partnered.pk, own.pk])).status_code == 200
    )
    edit_lead = reverse("project_partner_edit", args=[partnered.pk, lead_line.pk])
    assert client.get(edit_lead).status_code == 403
    assert client.get(reverse("project_edit", args=[partnered.pk])).status_code == 403
    remove = reverse("project_partner_remove", args=[partnered.pk, own.pk])
    assert client.post(remove).status_code == 403
    response = client.post(
        reverse("project_partner_edit", args=[partnered.pk, own.pk]),
        {"role": "Essais mécaniques", "budget_requested": "27 000"},
    )
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.budget_requested == 27000


def test_a_partner_uploads_but_does_not_delete(client_for, partnered, director, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = client_for("director")
    response = client.post(
        reverse("project_document_add", args=[partnered.pk]), {"title": "", "file": pdf()}
    )
    assert response.status_code == 302
    document = ProjectDocument.objects.get()
    download = client.get(reverse("project_document", args=[partnered.pk, document.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    delete = reverse("project_document_delete", args=[partnered.pk, document.pk])
    assert client.post(delete).status_code == 403


def test_a_document_is_reached_through_its_own_project(client_for, led, document, partnered):
    """A partner of another project cannot fetch this document through his project's URL."""
    url = reverse("project_document", args=[partnered.pk, document.pk])
    assert client_for("director").get(url).status_code == 404


# What each role sees -------------------------------------------------------------------------


def test_board_shows_every_member_the_projects_but_no_amounts(client_for, led, foreign):
    content = client_for("other_director").get(reverse("project_board")).content.decode()
    for text in (led.title, led.acronym, foreign.title, "InnovalTech", "Plasturgie Ouest"):
        assert text in content
    assert "€" not in content
    assert "Chiffres par étape" not in content


def test_the_ministry_reads_figures_and_no_project(client_for, led, foreign, bureau):
    won(foreign, bureau)
    content = client_for("ministry").get(reverse("project_board")).content.decode()
    assert led.title not in content and foreign.title not in content
    assert "Chiffres par étape" in content
    assert ">125\u00a0000<" in content  # requested, both projects (whole euros)
    assert ">2\u00a0000<" in content  # obtained, the won one
    assert "Total (2)" in content


def test_the_board_figures_are_cached_until_a_project_changes(
    client_for, led, foreign, bureau, django_assert_max_num_queries
):
    from innovalo.dashboard import cache as dashboard_cache

    client = client_for("ministry")
    dashboard_cache.committed()  # the fixtures' writes never commit: close their window
    first = client.get(reverse("project_board")).content.decode()
    assert "Total (2)" in first and ">2\u00a0000<" not in first
    # Served from the cache: session, user and the memberships; no aggregate.
    with django_assert_max_num_queries(3) as queries:
        again = client.get(reverse("project_board")).context["figures"]
    assert again["total"]["count"] == 2
    assert not any("SUM(" in query["sql"] for query in queries.captured_queries)
    won(foreign, bureau)  # a stage and an amount obtained: a write
    dashboard_cache.committed()
    after = client.get(reverse("project_board")).content.decode()
    assert ">2\u00a0000<" in after  # obtained, the won one
    # A filtered board reads its own figures.
    filtered = client.get(reverse("project_board"), {"stage": "idea"}).content.decode()
    assert "Total (1)" in filtered


def test_the_board_cards_are_cached_until_a_project_or_a_platform_changes(
    client_for, led, foreign, django_assert_max_num_queries
):
    from innovalo.dashboard import cache as dashboard_cache

    client = client_for("director")
    dashboard_cache.committed()  # the fixtures' writes never commit: close their window
    first = client.get(reverse("project_board")).content.decode()
    assert led.title in first and foreign.title in first
    # Served from the cache: no ranking, no card read.
    with django_assert_max_num_queries(4) as queries:
        client.get(reverse("project_board"))
    assert not any("projects_project" in query["sql"] for query in queries.captured_queries)
    led.title = "Titre revu"
    led.save()
    dashboard_cache.committed()
    assert "Titre revu" in client.get(reverse("project_board")).content.decode()
    lead = led.lead_platform
    lead.name = "Plateforme renommée"
    lead.save()
    dashboard_cache.committed()
    assert "Plateforme renommée" in client.get(reverse("project_board")).content.decode()
    # A filtered board reads its own cards.
    filtered = client.get(reverse("project_board"), {"q": "Titre revu"})
    assert filtered.status_code == 200


def test_the_bureau_reads_figures_and_projects(client_for, led):
    content = client_for("bureau").get(reverse("project_board")).content.decode()
    assert led.title in content and "Chiffres par étape" in content


def test_a_member_outside_the_project_sees_title_call_stage_and_partners(client_for, led):
    call = CallFactory(title="France 2030 — numérique")
    led.call = call
    led.summary = "Résumé confidentiel"
    led.save()
    content = client_for("other_director").get(reverse("project_detail", args=[led.pk]))
    content = content.content.decode()
    for text in (led.title, call.title, "Idée", "InnovalTech", "Mécanique de Picardie"):
        assert text in content
    for hidden in ("Résumé confidentiel", "€", "Historique", "Documents"):
        assert hidden not in content


def test_lead_sees_history_documents_and_totals(client_for, led, document):
    content = client_for("director").get(reverse("project_detail", args=[led.pk])).content.decode()
    assert "Historique" in content and "Document ajouté : Dossier" in content
    assert "75\u00a0000,00\u00a0€" in content
    assert reverse("project_document", args=[led.pk, document.pk]) in content


def test_a_closed_project_is_read_only_for_the_lead(client_for, led, director):
    services.project_set_stage(
        project=led, actor=director, stage=ProjectStage.WITHDRAWN, note="Sans suite"
    )
    client = client_for("director")
    content = client.get(reverse("project_detail", args=[led.pk])).content.decode()
    assert reverse("project_edit", args=[led.pk]) not in content
    assert client.get(reverse("project_edit", args=[led.pk])).status_code == 403
    assert client_for("bureau").get(reverse("project_edit", args=[led.pk])).status_code == 200


# Filters -------------------------------------------------------------------------------------


def test_board_filters(client_for, led, foreign, partnered, platform):
    call = with_deadline(30, title="Appel FEDER Hauts-de-France")
    foreign.call = call
    foreign.save()
    client = client_for("bureau")

    def titles(**query):
        content = client.get(reverse("project_board"), query).content.decode()
        return {p.title for p in (led, foreign, partnered) if p.title in content}

    assert titles(call=call.pk) == {foreign.title}
    assert titles(platform=platform.pk) == {led.title, partnered.title}
    region = platform.department.region
    assert titles(region=region.pk) == {led.title, foreign.title, partnered.title}
    assert titles(year=timezone.localdate().year) == {led.title, foreign.title, partnered.title}
    assert titles(year=2016) == set()
    assert titles(stage="idea") == {led.title, foreign.title, partnered.title}
    assert titles(stage="closed") == set()


def test_my_projects(client_for, led, foreign, partnered):
    content = client_for("director").get(reverse("project_board"), {"mine": "on"})
    content = content.content.decode()
    assert led.title in content and partnered.title in content
    assert foreign.title not in content


def test_a_column_lists_its_projects_by_pages(client_for, platform):
    for n in range(25):
        project_with(platform, title=f"Projet numéro {n:02d}")
    client = client_for("director")
    board = client.get(reverse("project_board")).content.decode()
    assert "et 13 autres projets" in board
    first = client.get(reverse("project_board"), {"stage": "idea"}).content.decode()
    second = client.get(reverse("project_board"), {"stage": "idea", "page": "2"}).content.decode()
    assert first.count("Projet numéro") == 20 and second.count("Projet numéro") == 5


@pytest.mark.parametrize(
    "query",
    [
        {"call": "abc"},
        {"call": "9" * 30},
        {"platform": "-1"},
        {"region": "x"},
        {"year": "20x6"},
        {"year": "1900"},
        {"stage": "nope"},
        {"page": "9999"},
        {"page": "x"},
        {"mine": "maybe"},
    ],
)
def test_bad_filters_are_never_a_500(client_for, led, query):
    assert client_for("director").get(reverse("project_board"), query).status_code == 200


# Forms through the views ---------------------------------------------------------------------


def test_create_prefills_the_call_from_its_page(client_for, platform):
    call = with_deadline(40, title="i-Nov vague 12")
    content = client_for("director").get(reverse("project_create"), {"call": call.pk})
    assert f'<option value="{call.pk}" selected>' in content.content.decode()


def test_create_with_a_bad_call_query_is_just_empty(client_for, platform):
    for value in ("x", "9" * 40, "-3", "999999"):
        response = client_for("director").get(reverse("project_create"), {"call": value})
        assert response.status_code == 200


def test_create_through_the_page(client_for, platform, director):
    call = with_deadline(40)
    response = client_for("director").post(
        reverse("project_create"),
        {
            "title": "Jumeau numérique",
            "acronym": "JUMO",
            "call": call.pk,
            "lead_platform": platform.pk,
        },
    )
    project = Project.objects.get()
    assert response["Location"] == reverse("project_detail", args=[project.pk])
    assert project.deadline == call.deadlines.get().due_at
    assert project.created_by == director


def test_create_with_someone_elses_platform_is_refused_next_to_the_field(
    client_for, platform, other_platform
):
    response = client_for("director").post(
        reverse("project_create"), {"title": "X", "lead_platform": other_platform.pk}
    )
    assert response.status_code == 200
    assert not Project.objects.exists()
    assert "lead_platform" in response.context["form"].errors


def test_partner_add_through_the_page(client_for, led, other_platform):
    response = client_for("director").post(
        reverse("project_partner_add", args=[led.pk]),
        {
            "kind": "platform",
            "platform": other_platform.pk,
            "role": "Essais",
            "budget_requested": "5000",
        },
    )
    assert response.status_code == 302
    assert led.partners.filter(platform=other_platform).exists()


@pytest.mark.parametrize(
    "data",
    [
        {"kind": "platform", "platform": ""},
        {"kind": "firm", "organisation": ""},
        {"kind": "alien", "organisation": "x"},
        {"kind": "lab", "organisation": "LRGP", "budget_requested": "1,000"},
        {"kind": "lab", "organisation": "LRGP", "budget_requested": "-10"},
        {"kind": "lab", "organisation": "LRGP", "budget_requested": "9" * 40},
        {"kind": "platform", "platform": "9" * 30},
        {"kind": "lab", "organisation": "x" * 500},
    ],
)
def test_bad_partner_input_is_a_message_next_to_the_field(client_for, led, data):
    before = ProjectPartner.objects.count()
    response = client_for("director").post(reverse("project_partner_add", args=[led.pk]), data)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert ProjectPartner.objects.count() == before


def test_the_same_platform_twice_is_refused(client_for, led):
    # The form offers no platform already in; the service refuses it anyway.
    response = client_for("bureau").post(
        reverse("project_partner_add", args=[led.pk]),
        {"kind": "platform", "platform": led.lead_platform_id},
    )
    assert response.status_code == 200
    assert "platform" in response.context["form"].errors


def test_reversible_moves_are_posted_from_the_project_page(client_for, led):
    client = client_for("director")
    content = client.get(reverse("project_detail", args=[led.pk])).content.decode()
    assert 'name="to" value="consortium"' in content
    assert f"{reverse('project_stage', args=[led.pk])}?to=withdrawn" in content
    response = client.post(reverse("project_stage", args=[led.pk]), {"to": "consortium"})
    assert response.status_code == 302
    led.refresh_from_db()
    assert led.stage == ProjectStage.CONSORTIUM


def test_a_decision_is_confirmed_on_its_page_with_the_amounts(client_for, led, director):
    services.project_set_stage(project=led, actor=director, stage=ProjectStage.SUBMITTED)
    client = client_for("director")
    url = reverse("project_stage", args=[led.pk])
    page = client.get(url, {"to": "won"})
    assert page.status_code == 200
    lines = list(led.partners.all())
    fields = {f"amount_{line.pk}" for line in lines}
    assert fields <= set(page.context["form"].fields)
    data = {"to": "won", "on": timezone.localdate().isoformat(), "note": "Retenu"}
    data.update({f"amount_{line.pk}": "1 000" for line in lines})
    data[f"amount_{lines[0].pk}"] = "abc"
    response = client.post(url, data)
    assert (
        response.status_code == 200 and f"amount_{lines[0].pk}" in response.context["form"].errors
    )
    data[f"amount_{lines[0].pk}"] = "0"
    assert client.post(url, data).status_code == 302
    led.refresh_from_db()
    assert led.stage == ProjectStage.WON


@pytest.mark.parametrize(
    "data",
    [
        {"to": "won"},
        {"to": "submitted", "on": "2999-01-01"},
        {"to": "submitted", "on": "pas une date"},
        {"to": "not_retained", "on": "", "note": ""},
    ],
)
def test_bad_stage_input_is_never_a_500(client_for, led, director, data):
    if data["to"] != "submitted":
        services.project_set_stage(project=led, actor=director, stage=ProjectStage.SUBMITTED)
    response = client_for("director").post(reverse("project_stage", args=[led.pk]), data)
    assert response.status_code == 200
    assert response.context["form"].errors


def test_an_impossible_move_is_a_message_or_a_404(client_for, led):
    client = client_for("director")
    response = client.post(reverse("project_stage", args=[led.pk]), {"to": "won"})
    assert response.status_code == 302
    led.refresh_from_db()
    assert led.stage == ProjectStage.IDEA
    assert client.get(reverse("project_stage", args=[led.pk]), {"to": "nope"}).status_code == 404


def test_next_step_through_the_page(client_for, led, director, other_director):
    url = reverse("project_next_step", args=[led.pk])
    due = (timezone.localdate() + datetime.timedelta(days=5)).isoformat()
    client = client_for("director")
    bad = client.post(url, {"text": "x", "owner": other_director.pk, "due": due})
    assert bad.status_code == 200 and "owner" in bad.context["form"].errors
    assert client.post(url, {"text": "Relire", "owner": director.pk, "due": due}).status_code == 302
    led.refresh_from_db()
    assert led.next_step_owner == director


def test_amount_correction_through_the_page(client_for, led, bureau):
    won(led, bureau)
    line = led.partners.get(kind=PartnerKind.FIRM)
    url = reverse("project_amount_correct", args=[led.pk, line.pk])
    client = client_for("bureau")
    assert client.post(url, {"amount": "x", "reason": "r"}).status_code == 200
    assert client.post(url, {"amount": "500", "reason": "Avenant"}).status_code == 302
    line.refresh_from_db()
    assert line.amount_obtained == 500


def test_partner_removed_after_confirmation(client_for, led):
    line = led.partners.get(kind=PartnerKind.FIRM)
    url = reverse("project_partner_remove", args=[led.pk, line.pk])
    client = client_for("director")
    assert client.get(url).status_code == 200
    assert ProjectPartner.objects.filter(pk=line.pk).exists()
    assert client.post(url).status_code == 302
    assert not ProjectPartner.objects.filter(pk=line.pk).exists()


def test_the_lead_deletes_a_document(client_for, led, document):
    url = reverse("project_document_delete", args=[led.pk, document.pk])
    assert client_for("director").post(url).status_code == 302
    assert not ProjectDocument.objects.exists()
    assert AuditEntry.objects.filter(action="projects.document_deleted").exists()


def test_a_bad_upload_is_a_message_next_to_the_field(client_for, led, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    url = reverse("project_document_add", args=[led.pk])
    client = client_for("director")
    for upload in (pdf("script.sh", b"#!/bin/sh"), pdf("faux.pdf", b"PK\x03\x04zip")):
        response = client.post(url, {"title": "x", "file": upload})
        assert response.status_code == 200
        assert "file" in response.context["form"].errors
    response = client.post(url, {"title": "x"})
    assert "file" in response.context["form"].errors
    assert not ProjectDocument.objects.exists()


# A GET never writes --------------------------------------------------------------------------


def test_no_get_writes(client_for, led, document, bureau, platform):
    line = led.partners.get(kind=PartnerKind.FIRM)
    call = with_deadline(20)
    urls = [
        reverse("project_board"),
        reverse("project_board") + "?stage=idea",
        reverse("project_create") + f"?call={call.pk}",
        reverse("project_detail", args=[led.pk]),
        reverse("project_edit", args=[led.pk]),
        reverse("project_partner_add", args=[led.pk]),
        reverse("project_partner_edit", args=[led.pk, line.pk]),
        reverse("project_partner_remove", args=[led.pk, line.pk]),
        reverse("project_next_step", args=[led.pk]),
        reverse("project_stage", args=[led.pk]) + "?to=withdrawn",
        reverse("project_stage", args=[led.pk]) + "?to=consortium",
        reverse("project_document_add", args=[led.pk]),
        reverse("project_document", args=[led.pk, document.pk]),
        reverse("project_document_delete", args=[led.pk, document.pk]),
    ]
    before = counts()
    stage = Project.objects.get(pk=led.pk).stage
    for role in ("director", "bureau", "ministry", "other_director"):
        client = client_for(role)
        for url in urls:
            assert client.get(url).status_code in (200, 403, 404)
    assert counts() == before
    assert Project.objects.get(pk=led.pk).stage == stage


def test_project_of_a_platform_without_people_is_fine(client_for):
    project_with(staffed_platform("Sans personne"), title="Orphelin")
    assert "Orphelin" in client_for("bureau").get(reverse("project_board")).content.decode()


def test_saving_the_edit_form_unchanged_logs_nothing(client_for, led):
    led.deadline = timezone.now() + datetime.timedelta(days=30)  # with seconds
    led.save()
    client = client_for("director")
    form = client.get(reverse("project_edit", args=[led.pk])).context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data["deadline"] = form["deadline"].value().strftime("%Y-%m-%dT%H:%M")
    before = AuditEntry.objects.count()
    assert client.post(reverse("project_edit", args=[led.pk]), data).status_code == 302
    assert AuditEntry.objects.count() == before


def test_the_correction_page_never_writes(client_for, led, bureau):
    won(led, bureau)
    line = led.partners.get(kind=PartnerKind.FIRM)
    before = counts()
    url = reverse("project_amount_correct", args=[led.pk, line.pk])
    assert client_for("bureau").get(url).status_code == 200
    assert counts() == before


HOSTILE_FORM = {
    "title": "x" * 2000,
    "acronym": "\u202e" * 50,
    "call": "9" * 30,
    "lead_platform": "-1",
    "deadline": "9999-99-99T99:99",
    "kind": "platform",
    "platform": "9" * 30,
    "organisation": "y" * 500,
    "budget_requested": "1e999",
    "amount": "NaN",
    "reason": "z" * 500,
    "to": "won",
    "on": "0000-00-00",
    "note": "n" * 10000,
    "text": "t" * 1000,
    "owner": "abc",
    "due": "31/02/2026",
    "page": "-1",
}


@pytest.mark.parametrize("role", ["director", "bureau"])
def test_hostile_values_on_every_page_of_an_existing_project(client_for, role, led, document):
    services.project_set_stage(project=led, actor=led.created_by, stage=ProjectStage.SUBMITTED)
    line = led.partners.get(kind=PartnerKind.FIRM)
    urls = [
        reverse("project_create"),
        reverse("project_edit", args=[led.pk]),
        reverse("project_partner_add", args=[led.pk]),
        reverse("project_partner_edit", args=[led.pk, line.pk]),
        reverse("project_next_step", args=[led.pk]),
        reverse("project_stage", args=[led.pk]),
        reverse("project_amount_correct", args=[led.pk, line.pk]),
        reverse("project_document_add", args=[led.pk]),
    ]
    client = client_for(role)
    for url in urls:
        assert client.post(url, HOSTILE_FORM).status_code < 500, url
        assert client.get(url, HOSTILE_FORM).status_code < 500, url
    assert client.get(reverse("project_board"), HOSTILE_FORM).status_code == 200


def test_board_cards_written_in_python_say_what_the_card_said(db):
    """projects.templatetags.project_cards: name, stage, call, lead and partners,
    deadline, escaped."""
    import datetime

    from django.utils import timezone
    from django.utils.html import escape

    from projects.templatetags.project_cards import project_card

    from .factories import PartnerFactory, ProjectFactory

    project = ProjectFactory(
        acronym="A<B",
        title="Titre & co",
        stage="writing",
        deadline=timezone.make_aware(datetime.datetime(2026, 12, 1, 23, 30)),
    )
    partner = PartnerFactory(project=project)
    from projects.models import Project
    from projects.selectors.projects import cards

    (card,) = cards(Project.objects.filter(pk=project.pk))
    html = project_card(card, True)
    assert "A&lt;B — Titre &amp; co</a></h3>" in html
    assert '<span class="badge badge-pending">' in html
    assert f"Porteuse : {escape(str(project.lead_platform))}" in html
    assert f"<br>Partenaires : {escape(str(partner))}" in html
    assert "Date limite : 1er décembre 2026" in html
    assert "<p>" not in project_card(card).split("</h3>")[1].split("muted")[0]
