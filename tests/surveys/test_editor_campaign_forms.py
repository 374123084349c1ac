"""The bureau's campaign forms: create, edit, copy, open/close/publish, preview.
Bad input comes back next to its field with what was typed; nothing is written."""

import datetime

import pytest
from django.urls import reverse

from innovalo.models import AuditEntry
from surveys.enums import CampaignKind, CampaignStatus
from surveys.models import Campaign

from .editor_factories import build_questionnaire, draft_campaign
from .factories import CampaignFactory, ResponseFactory, SectionFactory, choice_question

pytestmark = pytest.mark.django_db

VALID = {
    "title": "Enquête d'impact 2026",
    "year": "2026",
    "kind": CampaignKind.PLATFORM_SURVEY,
    "opens_on": "2026-02-15",
    "closes_on": "15/04/2026",
    "introduction": "Merci.",
    "reminder_days": "14, 7, 2",
    "max_reminders": "3",
    "min_days_between_reminders": "3",
}


@pytest.fixture
def bureau_client(client_for):
    return client_for("bureau")


def error_of(response, field) -> str:
    """The error paragraph next to a field (empty when there is none)."""
    content = response.content.decode()
    marker = f'id="id_{field}_error">'
    if marker not in content:
        return ""
    return content.split(marker, 1)[1].split("</p>", 1)[0]


def test_the_bureau_creates_a_campaign(bureau_client, bureau):
    response = bureau_client.post(reverse("survey_create"), {**VALID, "reminder_days": "10 ; 3"})
    campaign = Campaign.objects.get()
    assert response["Location"] == reverse("survey_detail", args=[campaign.pk])
    assert (campaign.status, campaign.closes_on) == ("draft", datetime.date(2026, 4, 15))
    assert campaign.reminder_days == [10, 3]
    assert AuditEntry.objects.get().actor == bureau


def test_the_create_page_offers_the_default_reminders(bureau_client):
    content = bureau_client.get(reverse("survey_create")).content.decode()
    assert 'value="14, 7, 2"' in content


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"reminder_days": "14, sept, 2"}, "reminder_days", "par exemple « 14, 7, 2 »"),
        ({"reminder_days": "14, -7"}, "reminder_days", "par exemple"),
        ({"reminder_days": "400"}, "reminder_days", "0 à 365"),
        ({"closes_on": "2026-01-01"}, "closes_on", "La clôture doit suivre l&#x27;ouverture"),
        ({"closes_on": "2026-99-99"}, "closes_on", "date valide"),
        ({"year": "1999"}, "year", "pas plausible"),
        ({"year": "9" * 30}, "year", "pas plausible"),
        ({"title": "x" * 201}, "title", "200 caractères"),
        ({"kind": "sondage"}, "kind", "Sélectionnez un choix valide"),
        ({"max_reminders": "99"}, "max_reminders", "De 0 à 20 relances"),
        ({"min_days_between_reminders": "-1"}, "min_days_between_reminders", "0 à 365"),
    ],
)
def test_bad_input_is_shown_next_to_its_field_and_kept(bureau_client, changes, field, message):
    data = {**VALID, **changes}
    response = bureau_client.post(reverse("survey_create"), data)
    assert response.status_code == 200
    assert message in error_of(response, field)
    content = response.content.decode()
    if field != "title":
        assert 'value="Enquête d&#x27;impact 2026"' in content
    if field == "reminder_days":
        assert f'value="{data["reminder_days"]}"' in content
    assert not Campaign.objects.exists()


def test_the_bureau_edits_a_campaign_but_not_its_kind(bureau_client):
    campaign = draft_campaign(reminder_days=[14, 7, 2])
    url = reverse("survey_edit", args=[campaign.pk])
    content = bureau_client.get(url).content.decode()
    assert 'value="14, 7, 2"' in content
    assert 'name="kind"' not in content
    data = {**VALID, "kind": CampaignKind.EXTERNAL, "reminder_days": "5"}
    response = bureau_client.post(url, data)
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert (campaign.title, campaign.reminder_days) == ("Enquête d'impact 2026", [5])
    assert campaign.kind == CampaignKind.PLATFORM_SURVEY


def test_a_published_campaign_edit_is_refused_above_the_form(bureau_client):
    campaign = CampaignFactory(status=CampaignStatus.PUBLISHED, title="Ancienne")
    response = bureau_client.post(reverse("survey_edit", args=[campaign.pk]), VALID)
    assert response.status_code == 200
    assert "Les résultats sont publiés" in response.content.decode()
    campaign.refresh_from_db()
    assert campaign.title == "Ancienne"


def test_once_a_response_exists_the_anonymity_is_shown_fixed(bureau_client):
    campaign = CampaignFactory(anonymous=True, title="Anonyme")
    ResponseFactory(campaign=campaign)
    url = reverse("survey_edit", args=[campaign.pk])
    content = bureau_client.get(url).content.decode()
    assert "son anonymat ne change plus" in content
    assert "disabled" in content.split('name="anonymous"')[1][:80]
    data = {key: value for key, value in VALID.items() if key != "anonymous"}
    assert bureau_client.post(url, data).status_code == 302
    campaign.refresh_from_db()
    assert (campaign.anonymous, campaign.title) == (True, "Enquête d'impact 2026")


# Copy -----------------------------------------------------------------------------------


def test_the_copy_page_proposes_the_next_year(bureau_client):
    campaign = CampaignFactory(year=2025)
    content = bureau_client.get(reverse("survey_copy", args=[campaign.pk])).content.decode()
    assert 'value="2026"' in content


def test_the_bureau_copies_a_campaign_with_its_codes(bureau_client):
    campaign = CampaignFactory(year=2025, title="Enquête 2025", status=CampaignStatus.PUBLISHED)
    build_questionnaire(campaign, sections=2)
    response = bureau_client.post(reverse("survey_copy", args=[campaign.pk]), {"year": "2026"})
    copy = Campaign.objects.get(copied_from=campaign)
    assert response["Location"] == reverse("survey_detail", args=[copy.pk])
    assert (copy.title, copy.status) == ("Enquête 2026", CampaignStatus.DRAFT)
    assert set(copy.questions.values_list("code", flat=True)) == set(
        campaign.questions.values_list("code", flat=True)
    )


@pytest.mark.parametrize("year", ["1999", "deux mille", "9" * 30, ""])
def test_a_bad_copy_year_is_shown_next_to_the_year(bureau_client, year):
    campaign = CampaignFactory(year=2025)
    response = bureau_client.post(reverse("survey_copy", args=[campaign.pk]), {"year": year})
    assert response.status_code == 200
    assert error_of(response, "year")
    assert f'value="{year}"' in response.content.decode() or not year
    assert Campaign.objects.count() == 1


# Status ---------------------------------------------------------------------------------


def transition(client, campaign, **data):
    return client.post(reverse("survey_transition", args=[campaign.pk]), data, follow=True)


def test_publishing_is_confirmed_first(bureau_client):
    campaign = CampaignFactory(status=CampaignStatus.CLOSED)
    url = reverse("survey_transition", args=[campaign.pk])
    page = bureau_client.get(url, {"action": "publish"}).content.decode()
    assert "C&#x27;est définitif" in page
    assert 'name="confirm"' in page
    unconfirmed = bureau_client.post(url, {"action": "publish"})
    assert unconfirmed.status_code == 200
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.CLOSED
    response = transition(bureau_client, campaign, action="publish", confirm="1")
    assert "Résultats publiés : les plateformes les voient." in response.content.decode()
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.PUBLISHED


def test_opening_a_draft_is_confirmed_and_warns_of_a_past_closing_date(bureau_client):
    campaign = draft_campaign(closes_on=datetime.date.today() - datetime.timedelta(days=1))
    campaign.opens_on = campaign.closes_on - datetime.timedelta(days=30)
    campaign.save()
    page = bureau_client.get(
        reverse("survey_transition", args=[campaign.pk]), {"action": "open"}
    ).content.decode()
    assert "ne revient jamais en préparation" in page
    assert "est passée" in page
    assert "aucune question" in page


def test_closing_and_reopening_need_no_confirmation(bureau_client):
    campaign = CampaignFactory(status=CampaignStatus.OPEN)
    build_questionnaire(campaign, sections=1)
    transition(bureau_client, campaign, action="close")
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.CLOSED
    transition(bureau_client, campaign, action="open")
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.OPEN


@pytest.mark.parametrize(
    ("status", "action", "message"),
    [
        (CampaignStatus.DRAFT, "open", "Ajoutez au moins une question avant d&#x27;ouvrir"),
        (CampaignStatus.OPEN, "publish", "Impossible depuis l&#x27;état « Ouverte »"),
        (CampaignStatus.PUBLISHED, "close", "Impossible depuis l&#x27;état « Résultats publiés »"),
        (CampaignStatus.OPEN, "delete", "Changement d&#x27;état inconnu"),
    ],
)
def test_a_refused_transition_says_why(bureau_client, status, action, message):
    campaign = CampaignFactory(status=status)
    response = transition(bureau_client, campaign, action=action, confirm="1")
    assert message in response.content.decode()
    campaign.refresh_from_db()
    assert campaign.status == status


def test_a_transition_the_status_does_not_allow_is_not_offered(bureau_client):
    campaign = CampaignFactory(status=CampaignStatus.OPEN)
    page = bureau_client.get(
        reverse("survey_transition", args=[campaign.pk]), {"action": "publish"}
    ).content.decode()
    assert "Impossible depuis l'état « Ouverte »" in page
    assert 'name="confirm"' not in page


# Preview --------------------------------------------------------------------------------


def test_the_preview_shows_the_questionnaire_as_respondents_see_it(bureau_client):
    campaign = draft_campaign(introduction="Bonjour à toutes les plateformes.")
    section = SectionFactory(campaign=campaign, title="Innovation")
    choice_question(section, "innove", label="Innovez-vous ?", order=1)
    build_questionnaire(campaign, sections=1, start=1)
    before = AuditEntry.objects.count()
    content = bureau_client.get(reverse("survey_preview", args=[campaign.pk])).content.decode()
    assert "Bonjour à toutes les plateformes." in content
    assert "Innovez-vous ?" in content
    assert 'name="q-innove"' in content
    assert 'name="q-tableau-1-tpe-pme"' in content
    assert "Question posée si" in content
    assert 'class="questionnaire"' in content
    assert 'method="post"' not in content.split('class="questionnaire"', 1)[1]
    assert AuditEntry.objects.count() == before
