"""The surveys demo (seed_demo's "surveys" part): the association's documents in data.

The demo is seeded once for the module, inside a transaction rolled back at its end;
each test runs in a savepoint of it (pytest-django's ``db``), so what a test writes
is undone and the next one sees the demo as seeded. Only what the surveys demo stands
on is seeded first (accounts, platforms, the meetings of the documents), not the dues
and their PDFs.
"""

import datetime
import io
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from innovalo.management.commands.seed_demo import DEMO_ACCOUNTS, demo_user
from innovalo.models import AuditEntry, SentReminder, User
from meetings.demo import seed as seed_meetings
from meetings.enums import MeetingKind
from meetings.models import AgendaItem, Meeting
from members.demo_platforms import seed_platforms
from members.enums import LabelStatus
from members.models import Platform
from surveys.demo import seed as seed_surveys
from surveys.enums import (
    CampaignKind,
    CampaignStatus,
    QuestionType,
    RespondentStatus,
    ResponseStatus,
)
from surveys.models import Answer, Campaign, Choice, Question, Respondent, Response
from surveys.selectors.expected import expected_platforms
from surveys.services import last_year_response, response_check
from surveys.services.reminders import due_reminder_day
from surveys.services.respondents import derive_token

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """What ``seed_surveys`` printed; the demo stays in the database for the module."""
    with django_db_blocker.unblock(), transaction.atomic():
        for account in DEMO_ACCOUNTS:
            demo_user(*account)
        seed_platforms(io.StringIO())
        seed_meetings(io.StringIO())
        out = io.StringIO()
        seed_surveys(out)
        yield out.getvalue()
        transaction.set_rollback(True)


def impact(year):
    return Campaign.objects.get(title=f"Enquête d'impact {year}", year=year)


def innovente():
    return Campaign.objects.get(title="Questionnaire InnovENT-E 2019")


def counts():
    return [
        Campaign.objects.count(),
        Question.objects.count(),
        Choice.objects.count(),
        Response.objects.count(),
        Answer.objects.count(),
        Respondent.objects.count(),
        AuditEntry.objects.count(),
        list(AgendaItem.objects.order_by("pk").values_list("survey_campaign", flat=True)),
    ]


def test_seed_says_what_it_made(seeded):
    assert re.fullmatch(r"surveys: 4 campaigns, \d+ responses ready", seeded.strip())


def test_a_second_seed_creates_nothing(seeded):
    before = counts()
    seed_surveys(io.StringIO())
    assert counts() == before


def test_2016_survey_follows_the_ministry_meeting_of_january_2016(seeded):
    campaign = impact(2016)
    assert campaign.kind == CampaignKind.PLATFORM_SURVEY
    assert campaign.status == CampaignStatus.PUBLISHED
    # Prepared by mid-February, answers by mid-April, reminders in April.
    assert (campaign.opens_on.year, campaign.opens_on.month) == (2016, 2)
    assert campaign.closes_on == datetime.date(2016, 4, 15)
    reminders = [campaign.closes_on - datetime.timedelta(days=d) for d in campaign.reminder_days]
    assert reminders and all(day.month == 4 for day in reminders)
    labelled = Platform.objects.filter(label_status=LabelStatus.LABELLED, is_member=True)
    assert labelled.count() == 44
    submitted = campaign.responses.filter(status=ResponseStatus.SUBMITTED)
    assert submitted.count() == 30
    assert not submitted.exclude(platform__in=labelled).exists()
    first, last = submitted.order_by("submitted_at").values_list("submitted_at", flat=True)[::29]
    assert campaign.opens_on <= timezone.localtime(first).date()
    assert timezone.localtime(last).date() <= campaign.closes_on


def test_2017_survey_is_last_years_copy_with_youth_sme_and_territory_indicators(seeded):
    campaign, previous = impact(2017), impact(2016)
    assert campaign.copied_from == previous
    assert campaign.status == CampaignStatus.PUBLISHED
    assert set(previous.questions.values_list("code", flat=True)) < set(
        campaign.questions.values_list("code", flat=True)
    )
    assert list(campaign.sections.values_list("title", flat=True)) == [
        "Jeunes (étudiants et apprentis)",
        "PME",
        "Territoire",
        "Moyens",
    ]
    indicators = set(
        campaign.questions.filter(is_ministry_indicator=True).values_list("code", flat=True)
    )
    assert {"etudiants_projets", "apprentis", "pme_servies", "prestations"} <= indicators
    assert {"ca_prestations", "emplois_crees", "partenariats"} <= indicators
    assert set(campaign.questions.values_list("type", flat=True)) == set(QuestionType.values)
    table = campaign.questions.get(code="pme_taille_secteur")
    assert [row["label"] for row in table.rows] == ["TPE", "PME", "ETI"]
    assert [column["code"] for column in table.columns] == [
        "industrie",
        "btp",
        "services",
        "agriculture",
    ]
    apprentices = campaign.questions.get(code="apprentis")
    assert apprentices.show_if_question.code == "accueille_apprentis"
    assert apprentices.show_if_choice_code == "oui"
    assert campaign.questions.get(code="effectif").unit == "ETP"


def test_figures_grow_a_little_year_over_year(seeded):
    def mean(year, code):
        answers = Answer.objects.filter(
            question__campaign=impact(year),
            question__code=code,
            response__status=ResponseStatus.SUBMITTED,
        )
        values = list(answers.values_list("value_number", flat=True))
        return sum(values) / len(values), len(set(values))

    for code in ("pme_servies", "etudiants_projets", "prestations"):
        (before, varied), (after, _varied) = mean(2016, code), mean(2017, code)
        assert varied > 10, "values differ from platform to platform"
        assert before < after < before * 2


def test_submitted_demo_responses_pass_their_questionnaires_checks(seeded):
    submitted = Response.objects.filter(status=ResponseStatus.SUBMITTED).select_related("campaign")
    assert submitted.count() > 250
    for response in submitted.order_by("pk")[::4]:  # a sample from every campaign
        assert response_check(response) == {}, response
    # A hidden question is never answered: apprentices only where the platform takes some.
    takes_none = Answer.objects.filter(
        response=OuterRef("response"), question__code="accueille_apprentis", value_text="non"
    )
    apprentices = Answer.objects.filter(question__code="apprentis")
    assert apprentices.exists() and not apprentices.filter(Exists(takes_none)).exists()
    # Number tables add up to the SMEs served.
    for table in Answer.objects.filter(question__code="pme_taille_secteur")[:20]:
        served = Answer.objects.get(response=table.response_id, question__code="pme_servies")
        cells = [float(n) for row in table.value_json.values() for n in row.values()]
        assert sum(cells) == float(served.value_number)


def test_this_years_survey_is_open_half_answered_with_a_reminder_due(seeded, mailoutbox):
    today = timezone.localdate()
    campaign = impact(today.year)
    assert campaign.status == CampaignStatus.OPEN
    assert campaign.copied_from == impact(2017)
    assert 30 <= (today - campaign.opens_on).days <= 40
    assert 18 <= (campaign.closes_on - today).days <= 24
    submitted = campaign.responses.filter(status=ResponseStatus.SUBMITTED).count()
    assert 0.4 <= submitted / expected_platforms().count() <= 0.6
    assert due_reminder_day(campaign) == 21
    call_command("send_reminders", "--only", "survey_reminders", stdout=io.StringIO())
    sent = len(mail.outbox)
    assert sent >= 1 and SentReminder.objects.filter(period__startswith=f"{campaign.pk}:").exists()
    call_command("send_reminders", "--only", "survey_reminders", stdout=io.StringIO())
    assert len(mail.outbox) == sent


def test_innovaltech_has_a_draft_in_progress_with_last_year_at_hand(seeded):
    campaign = impact(timezone.localdate().year)
    response = Response.objects.get(campaign=campaign, platform__slug="innovaltech")
    assert response.status == ResponseStatus.DRAFT and response.submitted_at is None
    answered = set(response.answers.values_list("question__code", flat=True))
    assert {"etudiants_projets", "accueille_apprentis", "pme_servies"} <= answered
    assert "ca_prestations" not in answered and "faits_marquants" not in answered
    assert "ca_prestations" in response_check(response)  # still to complete
    director = User.objects.get(email="directeur@innovalo.demo")
    saves = AuditEntry.objects.filter(action="surveys.response_saved", actor=director)
    assert saves.count() == 2
    previous = last_year_response(response)
    assert previous.campaign.year == 2017 and previous.status == ResponseStatus.SUBMITTED


def test_innovente_answers_give_one_in_twenty_and_one_in_two(seeded):
    campaign = innovente()
    assert campaign.kind == CampaignKind.EXTERNAL and campaign.year == 2019
    assert campaign.status in (CampaignStatus.CLOSED, CampaignStatus.PUBLISHED)
    exports = Answer.objects.filter(
        response=OuterRef("response"), question__code="exporte", value_text="oui"
    )
    rows = (
        Answer.objects.filter(
            question__campaign=campaign,
            question__code="innove",
            response__status=ResponseStatus.SUBMITTED,
        )
        .annotate(exports=Exists(exports))
        .values("value_text")
        .annotate(total=Count("pk"), exporting=Count("pk", filter=Q(exports=True)))
    )
    rates = {row["value_text"]: row["exporting"] / row["total"] for row in rows}
    assert rates["non"] == pytest.approx(1 / 20, abs=0.02)
    assert rates["oui"] == pytest.approx(1 / 2, abs=0.05)
    assert sum(row["total"] for row in rows) >= 100


def test_innovente_respondents_have_links_and_every_state(seeded):
    campaign = innovente()
    respondents = campaign.respondents.all()
    assert 200 <= respondents.count() <= 400
    assert not respondents.filter(Q(token_hash__isnull=True) | Q(token_salt="")).exists()
    some = respondents.first()
    assert Respondent.find_by_token(derive_token(some.pk, some.token_salt)) == some
    by_status = dict(respondents.values_list("status").annotate(n=Count("pk")))
    assert (
        by_status[RespondentStatus.COMPLETED]
        == campaign.responses.filter(status=ResponseStatus.SUBMITTED).count()
    )
    assert by_status[RespondentStatus.OPTED_OUT] >= 10
    assert by_status[RespondentStatus.STARTED] >= 5
    never = respondents.filter(status=RespondentStatus.INVITED, response__isnull=True)
    assert never.count() >= 30 and never.filter(reminders_sent__gt=0).exists()
    opted_out = respondents.filter(status=RespondentStatus.OPTED_OUT)
    assert not opted_out.filter(opted_out_at__isnull=True).exists()
    assert not Response.objects.filter(respondent__in=opted_out).exists()


def test_tokens_are_never_printed(seeded):
    for respondent in innovente().respondents.all()[:50]:
        assert derive_token(respondent.pk, respondent.token_salt) not in seeded


def test_national_meeting_item_and_general_assembly_link_to_2017_results(seeded, client):
    url = reverse("survey_results", args=[impact(2017).pk])
    item = AgendaItem.objects.get(
        meeting__title="Réunion nationale des plateformes technologiques",
        title__contains="résultats de l'enquête",
    )
    assert item.survey_campaign == impact(2017)
    client.force_login(User.objects.get(email="bureau@innovalo.demo"))
    meeting = client.get(reverse("meeting_detail", args=[item.meeting_id])).content.decode()
    assert f'<a href="{url}">Résultats : Enquête d&#x27;impact 2017</a>' in meeting
    assembly = Meeting.objects.get(
        kind=MeetingKind.GENERAL_ASSEMBLY, title="Assemblée générale 2018"
    )
    client.force_login(User.objects.get(email="directeur@innovalo.demo"))
    page = client.get(reverse("meeting_detail", args=[assembly.pk])).content.decode()
    assert f'href="{url}"' in page
    assert client.get(url).status_code == 200  # results published: platform people see them
    client.force_login(User.objects.get(email="bureau@innovalo.demo"))
    page = client.get(reverse("general_assembly", args=[assembly.pk])).content.decode()
    assert f'href="{url}"' in page


def test_demo_campaigns_pages_open_for_the_bureau(seeded, client):
    client.force_login(User.objects.get(email="bureau@innovalo.demo"))
    for campaign in Campaign.objects.all():
        names = ["survey_detail", "survey_results", "survey_tracking"]
        if campaign.is_external:
            names.append("survey_respondents")
        for name in names:
            response = client.get(reverse(name, args=[campaign.pk]))
            assert response.status_code == 200, (campaign.title, name)
    cross = client.get(
        reverse("survey_results", args=[innovente().pk]), {"rows": "innove", "columns": "exporte"}
    )
    assert cross.status_code == 200
    # The national report of the campaign presented on 25 January 2018 (one PDF: slow).
    report = client.get(reverse("survey_report", args=[impact(2017).pk]))
    assert report.status_code == 200 and report["Content-Type"] == "application/pdf"


def test_demo_director_finds_innovaltechs_draft(seeded, client):
    campaign = impact(timezone.localdate().year)
    client.force_login(User.objects.get(email="directeur@innovalo.demo"))
    assert client.get(reverse("survey_list")).status_code == 200
    page = client.get(reverse("survey_response", args=[campaign.pk, "innovaltech"]))
    assert page.status_code == 200
