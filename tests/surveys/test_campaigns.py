"""Campaign services: creation, changes, status transitions and the yearly copy."""

import datetime

import pytest

from innovalo.exceptions import ServiceError
from innovalo.models import AuditEntry
from surveys import services
from surveys.enums import CampaignKind, CampaignStatus

from .factories import CampaignFactory, QuestionFactory, SectionFactory, choice_question

pytestmark = pytest.mark.django_db

OPENS = datetime.date(2026, 2, 15)
CLOSES = datetime.date(2026, 4, 15)


def create(bureau, **kwargs):
    values = {
        "title": "Enquête d'impact 2026",
        "year": 2026,
        "opens_on": OPENS,
        "closes_on": CLOSES,
    }
    return services.campaign_create(**{**values, **kwargs}, actor=bureau)


def test_a_campaign_is_created_as_a_draft_with_default_reminders(bureau):
    campaign = create(bureau)
    assert campaign.status == CampaignStatus.DRAFT
    assert campaign.kind == CampaignKind.PLATFORM_SURVEY
    assert campaign.reminder_days == [14, 7, 2]
    entry = AuditEntry.objects.get(action="surveys.campaign_created")
    assert entry.actor == bureau


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"title": "  "}, "title"),
        ({"year": 1999}, "year"),
        ({"closes_on": OPENS}, "closes_on"),
        ({"reminder_days": [7, "deux"]}, "reminder_days"),
        ({"reminder_days": [-1]}, "reminder_days"),
        ({"kind": "sondage"}, "kind"),
    ],
)
def test_a_campaign_with_bad_values_is_refused(bureau, values, field):
    with pytest.raises(ServiceError) as error:
        create(bureau, **values)
    assert error.value.field == field


def test_a_campaign_update_logs_what_changed(bureau):
    campaign = create(bureau)
    later = datetime.date(2026, 4, 30)
    services.campaign_update(campaign=campaign, closes_on=later, introduction="Merci", actor=bureau)
    campaign.refresh_from_db()
    assert campaign.closes_on == later
    entry = AuditEntry.objects.get(action="surveys.campaign_updated")
    assert entry.changes["closes_on"] == ["2026-04-15", "2026-04-30"]


def test_a_campaign_update_without_change_writes_nothing(bureau):
    campaign = create(bureau)
    services.campaign_update(campaign=campaign, title="Enquête d'impact 2026", actor=bureau)
    assert not AuditEntry.objects.filter(action="surveys.campaign_updated").exists()


def test_a_campaign_update_refuses_closing_before_opening(bureau):
    campaign = create(bureau)
    with pytest.raises(ServiceError) as error:
        services.campaign_update(campaign=campaign, closes_on=OPENS, actor=bureau)
    assert error.value.field == "closes_on"


def test_a_campaign_update_refuses_fields_it_does_not_own(bureau):
    with pytest.raises(ServiceError, match="non modifiable"):
        services.campaign_update(campaign=create(bureau), status="open", actor=bureau)


def test_a_published_campaign_no_longer_changes(bureau):
    campaign = CampaignFactory(status=CampaignStatus.PUBLISHED)
    with pytest.raises(ServiceError, match="publiés"):
        services.campaign_update(campaign=campaign, introduction="Autre", actor=bureau)


def test_a_campaign_goes_from_draft_to_open_closed_and_published(bureau):
    campaign = QuestionFactory(section__campaign__status=CampaignStatus.DRAFT).campaign
    services.campaign_open(campaign=campaign, actor=bureau)
    services.campaign_close(campaign=campaign, actor=bureau)
    services.campaign_publish(campaign=campaign, actor=bureau)
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.PUBLISHED
    assert AuditEntry.objects.filter(target=f"surveys.campaign:{campaign.pk}").count() == 3


def test_a_closed_campaign_can_be_opened_again(bureau):
    campaign = QuestionFactory(section__campaign__status=CampaignStatus.CLOSED).campaign
    assert services.campaign_open(campaign=campaign, actor=bureau).status == CampaignStatus.OPEN


def test_a_campaign_without_questions_does_not_open(bureau):
    with pytest.raises(ServiceError, match="au moins une question"):
        services.campaign_open(campaign=create(bureau), actor=bureau)


@pytest.mark.parametrize(
    ("status", "transition"),
    [
        (CampaignStatus.DRAFT, "campaign_close"),
        (CampaignStatus.DRAFT, "campaign_publish"),
        (CampaignStatus.OPEN, "campaign_publish"),
        (CampaignStatus.OPEN, "campaign_open"),
        (CampaignStatus.PUBLISHED, "campaign_open"),
        (CampaignStatus.PUBLISHED, "campaign_close"),
    ],
)
def test_a_transition_from_the_wrong_status_is_refused(bureau, status, transition):
    campaign = QuestionFactory(section__campaign__status=status).campaign
    with pytest.raises(ServiceError, match="Impossible depuis"):
        getattr(services, transition)(campaign=campaign, actor=bureau)
    campaign.refresh_from_db()
    assert campaign.status == status


def build_questionnaire(campaign):
    section = SectionFactory(campaign=campaign, title="Entreprises", order=1)
    innove = choice_question(section, "innove", order=1, required=True)
    QuestionFactory(
        section=section,
        code="brevets",
        order=2,
        show_if_question=innove,
        show_if_choice_code="oui",
        min_value=0,
        max_value=100,
        is_ministry_indicator=True,
    )
    QuestionFactory(
        section=SectionFactory(campaign=campaign, title="Jeunes", order=2),
        code="tableau",
        type="number_table",
        rows=[{"code": "tpe", "label": "TPE"}],
        columns=[{"code": "industrie", "label": "Industrie"}],
    )


def test_the_copy_keeps_sections_questions_codes_choices_and_conditions(bureau):
    source = CampaignFactory(
        title="Enquête d'impact 2025",
        year=2025,
        opens_on=datetime.date(2025, 2, 15),
        closes_on=datetime.date(2025, 4, 15),
        status=CampaignStatus.PUBLISHED,
        reminder_days=[10, 3],
    )
    build_questionnaire(source)
    copy = services.campaign_copy(campaign=source, year=2026, actor=bureau)
    assert copy.title == "Enquête d'impact 2026"
    assert (copy.status, copy.copied_from, copy.reminder_days) == ("draft", source, [10, 3])
    assert (copy.opens_on, copy.closes_on) == (OPENS, CLOSES)
    assert list(copy.sections.values_list("title", flat=True)) == ["Entreprises", "Jeunes"]
    questions = {question.code: question for question in copy.questions.all()}
    assert list(questions) == ["innove", "brevets", "tableau"]
    assert list(questions["innove"].choices.values_list("code", flat=True)) == ["oui", "non"]
    brevets = questions["brevets"]
    assert brevets.show_if_question == questions["innove"]
    assert (brevets.show_if_choice_code, brevets.max_value, brevets.is_ministry_indicator) == (
        "oui",
        100,
        True,
    )
    assert questions["tableau"].rows == [{"code": "tpe", "label": "TPE"}]
    assert source.questions.count() == 3
    assert AuditEntry.objects.filter(target=f"surveys.campaign:{copy.pk}").count() == 1


def test_a_copy_without_the_year_in_its_title_names_the_year(bureau):
    source = CampaignFactory(title="Questionnaire PME", year=2025)
    assert services.campaign_copy(campaign=source, year=2026, actor=bureau).title == (
        "Questionnaire PME (2026)"
    )


def test_a_copy_moves_29_february_to_28(bureau):
    source = CampaignFactory(
        year=2024, opens_on=datetime.date(2024, 2, 29), closes_on=datetime.date(2024, 4, 15)
    )
    copy = services.campaign_copy(campaign=source, year=2025, actor=bureau)
    assert copy.opens_on == datetime.date(2025, 2, 28)
