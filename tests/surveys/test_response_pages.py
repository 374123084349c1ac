"""The answering pages: /enquetes/ and a platform's response page, for each role."""

import datetime

import pytest
from django.urls import reverse
from django.utils.html import escape

from innovalo.models import AuditEntry
from surveys import services
from surveys.enums import CampaignKind, CampaignStatus, QuestionType, ResponseStatus
from surveys.models import Answer, Response
from tests.conftest import ROLES
from tests.pdf import pdf_text

from .factories import (
    CampaignFactory,
    QuestionFactory,
    SectionFactory,
    choice_question,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(db):
    campaign = CampaignFactory(title="Enquête d'impact 2026", year=2026)
    jeunes = SectionFactory(campaign=campaign, title="Jeunes", order=1)
    QuestionFactory(
        section=jeunes, code="etudiants", label="Étudiants impliqués", required=True, max_value=5000
    )
    apprentis = choice_question(
        jeunes, "accueille_apprentis", label="Accueillez-vous des apprentis ?"
    )
    QuestionFactory(
        section=jeunes,
        code="nb_apprentis",
        label="Si oui, combien ?",
        show_if_question=apprentis,
        show_if_choice_code="oui",
    )
    pme = SectionFactory(campaign=campaign, title="PME", order=2)
    QuestionFactory(
        section=pme, code="ca_prestations", label="Chiffre d'affaires", type=QuestionType.MONEY
    )
    QuestionFactory(
        section=pme,
        code="pme_par_taille",
        label="PME servies par taille",
        type=QuestionType.NUMBER_TABLE,
        rows=[{"code": "tpe", "label": "TPE"}, {"code": "pme", "label": "PME"}],
        columns=[
            {"code": "industrie", "label": "Industrie"},
            {"code": "services", "label": "Services"},
        ],
    )
    choice_question(pme, "partenariats", codes=("region", "cci"), type=QuestionType.MULTIPLE_CHOICE)
    QuestionFactory(section=pme, code="faits", label="Faits marquants", type=QuestionType.LONG_TEXT)
    return campaign


def url(campaign, platform, name="survey_response"):
    return reverse(name, args=[campaign.pk, platform.slug])


def post_data(version=0, **answers):
    data = {
        "version": str(version),
        "shown": [
            "etudiants",
            "accueille_apprentis",
            "nb_apprentis",
            "ca_prestations",
            "pme_par_taille",
            "partenariats",
            "faits",
        ],
    }
    for code, value in answers.items():
        data[f"q-{code}"] = value
    return data


EXPECTED_GET = {
    "anonymous": 302,
    "director": 200,
    "other_director": 403,
    "bureau": 200,
    "ministry": 403,
}


@pytest.mark.parametrize("role", ROLES)
def test_response_page_by_role(role, client_for, survey, platform, other_platform):
    response = client_for(role).get(url(survey, platform))
    assert response.status_code == EXPECTED_GET[role]
    if role == "anonymous":
        assert reverse("account_login") in response["Location"]


@pytest.mark.parametrize("role", ROLES)
def test_response_subpages_by_role(role, client_for, survey, platform, other_platform, director):
    answered = services.response_start(campaign=survey, platform=platform)
    services.response_save_draft(
        response=answered, answers={"etudiants": "12"}, expected_version=0, actor=director
    )
    services.response_submit(response=answered, actor=director)
    client = client_for(role)
    for name in ("survey_response_done", "survey_response_pdf", "survey_response_history"):
        got = client.get(url(survey, platform, name))
        assert got.status_code == EXPECTED_GET[role], name


@pytest.mark.parametrize("role", ROLES)
def test_posts_by_role(role, client_for, survey, platform, other_platform):
    client = client_for(role)
    save = client.post(url(survey, platform), post_data(etudiants="3"))
    expected = {"anonymous": 302, "director": 302, "bureau": 302}.get(role, 403)
    assert save.status_code == expected
    reopen = client.post(url(survey, platform, "survey_response_reopen"))
    assert reopen.status_code == {"anonymous": 302, "bureau": 302}.get(role, 403)


def test_draft_campaign_is_hidden_from_directors(client_for, platform):
    draft = CampaignFactory(status=CampaignStatus.DRAFT)
    assert client_for("director").get(url(draft, platform)).status_code == 404
    assert client_for("bureau").get(url(draft, platform)).status_code == 200


def test_external_campaign_has_no_platform_response(client_for, platform):
    external = CampaignFactory(kind=CampaignKind.EXTERNAL)
    assert client_for("bureau").get(url(external, platform)).status_code == 404


def test_unknown_platform_is_404(client_for, survey):
    got = client_for("bureau").get(reverse("survey_response", args=[survey.pk, "inconnue"]))
    assert got.status_code == 404


def test_get_never_writes(client_for, survey, platform):
    client = client_for("director")
    before = (Response.objects.count(), Answer.objects.count(), AuditEntry.objects.count())
    for name in ("survey_response", "survey_response_history", "survey_response_done"):
        client.get(url(survey, platform, name))
    client.get(reverse("survey_list"))
    assert (Response.objects.count(), Answer.objects.count(), AuditEntry.objects.count()) == before


def test_page_shows_every_question_type(client_for, survey, platform):
    page = client_for("director").get(url(survey, platform)).content.decode()
    assert 'name="q-etudiants"' in page
    assert 'name="q-pme_par_taille-tpe-industrie"' in page
    assert 'type="checkbox" name="q-partenariats"' in page
    assert "<textarea" in page
    # The conditional question is there, hidden until "oui" is chosen.
    assert 'data-show-if="q-accueille_apprentis" data-show-value="oui" hidden' in page


def test_save_draft_keeps_valid_answers_and_reports_the_others(client_for, survey, platform):
    got = client_for("director").post(
        url(survey, platform),
        post_data(
            etudiants="12 000",
            ca_prestations="15 000,50",
            faits="Un salon",
            **{"pme_par_taille-tpe-industrie": "4"},
        ),
    )
    assert got.status_code == 400
    page = got.content.decode()
    assert "La valeur doit être au plus 5" in page  # next to the field
    assert 'value="12 000"' in page  # what was typed is kept
    response = Response.objects.get(campaign=survey, platform=platform)
    assert response.status == ResponseStatus.DRAFT
    codes = set(response.answers.values_list("question__code", flat=True))
    assert codes == {"ca_prestations", "faits", "pme_par_taille"}


def test_save_draft_redirects_to_the_section(client_for, survey, platform):
    data = post_data(etudiants="12")
    data["anchor"] = "section-9"
    got = client_for("director").post(url(survey, platform), data)
    assert got.status_code == 302
    assert got["Location"].endswith("#section-9")


def test_second_person_with_an_old_version_is_refused_and_keeps_their_input(
    client_for, survey, platform
):
    first = client_for("director").post(url(survey, platform), post_data(etudiants="10"))
    assert first.status_code == 302
    # The bureau's page was loaded at version 0, before the director's save.
    got = client_for("bureau").post(url(survey, platform), post_data(version=0, etudiants="25"))
    page = got.content.decode()
    assert "Quelqu&#x27;un" in page or "Quelqu'un" in page
    assert 'value="25"' in page
    assert "Enregistré entre-temps par une autre personne : « 10 »" in page
    assert Answer.objects.get(question__code="etudiants").value_number == 10
    # The page now carries the current version: saving again is a deliberate choice.
    assert 'name="version" value="1"' in page


def test_submit_reports_every_missing_answer_next_to_its_field(client_for, survey, platform):
    got = client_for("director").post(
        url(survey, platform, "survey_response_submit"), post_data(faits="Rien")
    )
    assert got.status_code == 400
    assert "Cette réponse est obligatoire." in got.content.decode()
    response = Response.objects.get(campaign=survey, platform=platform)
    assert response.status == ResponseStatus.DRAFT  # what was valid is saved


def test_submit_then_confirmation_and_pdf(client_for, survey, platform, director):
    client = client_for("director")
    data = post_data(etudiants="40", accueille_apprentis="oui", nb_apprentis="6")
    data["q-partenariats"] = ["region", "cci"]
    got = client.post(url(survey, platform, "survey_response_submit"), data)
    assert got.status_code == 302
    assert got["Location"] == url(survey, platform, "survey_response_done")
    response = Response.objects.get(campaign=survey, platform=platform)
    assert response.status == ResponseStatus.SUBMITTED
    assert response.submitted_by == director
    done = client.get(got["Location"]).content.decode()
    assert "Réponse envoyée" in done
    pdf = client.get(url(survey, platform, "survey_response_pdf"))
    assert pdf["Content-Type"] == "application/pdf"
    text = pdf_text(pdf.content)
    assert "InnovalTech" in text
    assert "Étudiants impliqués" in text
    assert "Region, Cci" in text
    assert str(director) in text


def test_edit_after_submission_is_logged(client_for, survey, platform):
    client = client_for("director")
    client.post(url(survey, platform, "survey_response_submit"), post_data(etudiants="40"))
    client.post(url(survey, platform), post_data(version=2, etudiants="41"))
    history = client.get(url(survey, platform, "survey_response_history")).content.decode()
    assert "Réponse envoyée" in history
    assert "41" in history


def test_submitted_response_cannot_lose_a_required_answer(client_for, survey, platform):
    client = client_for("director")
    client.post(url(survey, platform, "survey_response_submit"), post_data(etudiants="40"))
    got = client.post(url(survey, platform), post_data(version=2, etudiants=""))
    assert got.status_code == 400
    assert Answer.objects.get(question__code="etudiants").value_number == 40


def test_bureau_reopens_a_response(client_for, survey, platform):
    client_for("director").post(
        url(survey, platform, "survey_response_submit"), post_data(etudiants="4")
    )
    got = client_for("bureau").post(url(survey, platform, "survey_response_reopen"))
    assert got.status_code == 302
    assert Response.objects.get().status == ResponseStatus.DRAFT


def test_closed_campaign_is_read_only(client_for, survey, platform):
    survey.status = CampaignStatus.CLOSED
    survey.save()
    page = client_for("director").get(url(survey, platform)).content.decode()
    assert "n&#x27;accepte plus" in page or "n'accepte plus" in page
    assert "Envoyer la réponse" not in page
    assert client_for("director").post(url(survey, platform), post_data()).status_code == 403


def test_past_closing_date_is_read_only(client_for, survey, platform):
    survey.closes_on = datetime.date.today() - datetime.timedelta(days=1)
    survey.opens_on = survey.closes_on - datetime.timedelta(days=30)
    survey.save()
    page = client_for("director").get(url(survey, platform)).content.decode()
    assert "Envoyer la réponse" not in page
    got = client_for("director").post(url(survey, platform), post_data(etudiants="3"))
    assert got.status_code == 200  # the service refuses with a message, nothing saved
    assert not Answer.objects.exists()


@pytest.fixture
def last_year(survey, platform, director):
    """Last year's campaign of the same questions, answered by the platform."""
    old = CampaignFactory(year=2025, status=CampaignStatus.OPEN)
    section = SectionFactory(campaign=old)
    QuestionFactory(section=section, code="etudiants", label="Étudiants")
    QuestionFactory(section=section, code="ca_prestations", type=QuestionType.MONEY)
    response = services.response_start(campaign=old, platform=platform)
    services.response_save_draft(
        response=response,
        answers={"etudiants": "30", "ca_prestations": "12000"},
        expected_version=0,
        actor=director,
    )
    services.response_submit(response=response, actor=director)
    old.status = CampaignStatus.CLOSED
    old.save()
    survey.copied_from = old
    survey.save()
    return old


def test_last_year_value_beside_each_number(client_for, survey, platform, last_year):
    page = client_for("director").get(url(survey, platform)).content.decode()
    assert "L&#x27;an dernier" in page or "L'an dernier" in page
    assert "dernier : <strong>30</strong>" in page
    assert "dernier : <strong>12\xa0000 €</strong>" in page


def test_take_over_last_year(client_for, survey, platform, last_year):
    got = client_for("director").post(url(survey, platform, "survey_response_take_over"))
    assert got.status_code == 302
    response = Response.objects.get(campaign=survey)
    assert dict(response.answers.values_list("question__code", "value_number")) == {
        "etudiants": 30,
        "ca_prestations": 12000,
    }


EXPECTED_LIST = {
    "anonymous": 302,
    "director": 200,
    "other_director": 200,
    "bureau": 200,
    "ministry": 200,
}


@pytest.mark.parametrize("role", ROLES)
def test_campaign_list_by_role(role, client_for, survey, platform, other_platform):
    closed = CampaignFactory(title="Enquête close", status=CampaignStatus.CLOSED, year=2024)
    draft = CampaignFactory(title="Brouillon de campagne", status=CampaignStatus.DRAFT)
    got = client_for(role).get(reverse("survey_list"))
    assert got.status_code == EXPECTED_LIST[role]
    if role == "anonymous":
        return
    page = got.content.decode()
    assert (draft.title in page) == (role == "bureau")
    assert (escape(survey.title) in page) == (role != "ministry")
    assert closed.title in page


def test_campaign_list_shows_my_platforms_status(client_for, survey, platform, director):
    response = services.response_start(campaign=survey, platform=platform)
    services.response_save_draft(
        response=response, answers={"etudiants": "1"}, expected_version=0, actor=director
    )
    page = client_for("director").get(reverse("survey_list")).content.decode()
    assert url(survey, platform) in page
    assert "Brouillon" in page


def test_campaign_list_query_count(client_for, platform, director, django_assert_max_num_queries):
    from members.enums import LabelStatus

    platform.label_status = LabelStatus.LABELLED
    platform.save()
    for year in (2021, 2022, 2023, 2024):
        CampaignFactory(year=year)
    client = client_for("director")
    with django_assert_max_num_queries(9):
        assert client.get(reverse("survey_list")).status_code == 200
    bureau = client_for("bureau")
    with django_assert_max_num_queries(10):
        assert bureau.get(reverse("survey_list")).status_code == 200


def test_response_page_query_count(
    client_for, survey, platform, director, django_assert_max_num_queries
):
    response = services.response_start(campaign=survey, platform=platform)
    services.response_save_draft(
        response=response,
        answers={"etudiants": "1", "faits": "x", "partenariats": ["cci"]},
        expected_version=0,
        actor=director,
    )
    client = client_for("director")
    with django_assert_max_num_queries(14):
        assert client.get(url(survey, platform)).status_code == 200
    # More questions, same count.
    for n in range(5):
        choice_question(survey.sections.first(), f"extra{n}")
    with django_assert_max_num_queries(14):
        assert client.get(url(survey, platform)).status_code == 200
