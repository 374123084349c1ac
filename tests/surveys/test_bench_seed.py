"""``manage.py seed_survey_bench``: the benchmark's data, tested at a small size."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Count, Q
from django.test.utils import CaptureQueriesContext

from members.models import Platform
from surveys.demo.common import Row, copy_answers
from surveys.enums import CampaignKind, CampaignStatus, QuestionType, RespondentStatus
from surveys.models import Answer, Campaign, Respondent, Response
from surveys.selectors.expected import expected_platforms
from surveys.services import answer_value, response_check
from surveys.services.respondents import derive_token

from .factories import QuestionFactory, ResponseFactory

pytestmark = pytest.mark.django_db


def bench(*args):
    out = io.StringIO()
    call_command("seed_survey_bench", *args, stdout=out)
    return out.getvalue()


def test_refused_without_demo_data(settings):
    settings.ALLOW_DEMO_DATA = False
    with pytest.raises(CommandError):
        bench("--responses", "5")
    assert not Campaign.objects.exists()


def test_small_run_makes_an_external_and_a_platform_campaign(bureau):
    output = bench("--responses", "50", "--respondents", "20", "--platforms", "4")
    external = Campaign.objects.get(kind=CampaignKind.EXTERNAL)
    survey = Campaign.objects.get(kind=CampaignKind.PLATFORM_SURVEY)
    assert external.status == survey.status == CampaignStatus.PUBLISHED
    assert "50 responses, 70 respondents" in output and "ready in" in output
    assert external.responses.count() == 50
    assert external.respondents.count() == 70
    by_status = dict(external.respondents.values_list("status").annotate(n=Count("pk")))
    assert by_status[RespondentStatus.COMPLETED] + by_status.get(RespondentStatus.STARTED, 0) == 50
    assert by_status[RespondentStatus.INVITED] >= 10
    assert not external.respondents.filter(Q(token_salt="") | Q(token_hash=None)).exists()
    someone = external.respondents.order_by("?").first()
    assert Respondent.find_by_token(derive_token(someone.pk, someone.token_salt)) == someone
    # Every question type is answered, the export-innovation cross-tab included.
    answered = set(
        Answer.objects.filter(response__campaign=external).values_list("question__type", flat=True)
    )
    assert answered == set(QuestionType.values)
    assert external.questions.filter(code__in=["innove", "exporte"]).count() == 2
    assert 20 <= external.questions.count() <= 35
    # One response per platform expected to answer, four platforms added.
    assert Platform.objects.filter(slug__startswith="banc-1-").count() == 4
    assert 0 < survey.responses.count() <= expected_platforms().count()
    assert not survey.responses.values("platform").annotate(n=Count("pk")).filter(n__gt=1)


def test_answers_are_valid_for_their_questions(bureau):
    bench("--responses", "30", "--respondents", "0", "--status", "closed")
    submitted = Response.objects.filter(status="submitted").select_related("campaign")
    assert submitted.exists()
    for response in submitted[:10]:
        assert response_check(response) == {}
    for answer in Answer.objects.select_related("question").prefetch_related("question__choices")[
        :300
    ]:
        value = answer.get_value(answer.question.type)
        assert answer_value(answer.question, value) == value


def test_writes_in_batches_whatever_the_number_of_responses(bureau):
    def queries(responses, seed):
        with CaptureQueriesContext(connection) as captured:
            bench("--responses", str(responses), "--respondents", "10", "--seed", str(seed))
        return len(captured)

    assert queries(200, 2) <= queries(20, 3) + 2
    assert Response.objects.count() >= 220


def test_open_campaigns_on_request(bureau):
    bench("--responses", "10", "--respondents", "0", "--status", "open")
    assert set(Campaign.objects.values_list("status", flat=True)) == {CampaignStatus.OPEN}


def test_copy_stores_what_set_value_stores():
    response = ResponseFactory()
    text = QuestionFactory(
        section__campaign=response.campaign, code="texte", type=QuestionType.LONG_TEXT
    )
    table = QuestionFactory(
        section__campaign=response.campaign,
        code="tableau",
        type=QuestionType.NUMBER_TABLE,
        rows=[{"code": "tpe", "label": "TPE"}],
        columns=[{"code": "btp", "label": "BTP"}],
    )
    tricky = "tab\there, back\\slash,\nnew line, « guillemets », \\N"
    values = {"texte": tricky, "tableau": {"tpe": {"btp": 12}}}
    copy_answers([response], [Row(values)], {"texte": text, "tableau": table})
    stored = {a.question.code: a.value for a in Answer.objects.select_related("question")}
    assert stored["texte"] == tricky
    assert stored["tableau"] == {"tpe": {"btp": 12}}
    assert Respondent.objects.count() == 0


def test_other_databases_take_the_portable_path(bureau, monkeypatch):
    """Without PostgreSQL's sequences and COPY: bulk_create and bulk_update, same data."""
    monkeypatch.setattr(connection, "vendor", "other")
    bench("--responses", "12", "--respondents", "3")
    external = Campaign.objects.get(kind=CampaignKind.EXTERNAL)
    assert Answer.objects.filter(response__campaign=external).count() >= 12 * 5
    someone = external.respondents.first()
    assert Respondent.find_by_token(derive_token(someone.pk, someone.token_salt)) == someone
