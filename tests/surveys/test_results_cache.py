"""The results page is kept in the cache between two changes, per kind of viewer and per
filter, and never served stale after a submission, a reopening or a question's change."""

import pickle
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from surveys import services
from surveys.enums import CampaignStatus
from surveys.models import Question
from surveys.selectors.results import cache as results_cache
from surveys.selectors.results.figures import Figure

from .results_factories import answered, impact_campaign, labelled_platform
from .test_results import fill, text

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed(platform, other_platform):
    campaign = impact_campaign(status=CampaignStatus.CLOSED)
    fill(campaign, [platform, other_platform, labelled_platform()])
    return campaign


def get(client, campaign, **query):
    url = reverse("survey_results", args=[campaign.pk])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, query)
    return response, len(queries)


def test_a_figure_survives_the_cache_as_it_was_printed():
    figure = Figure(Decimal("1234.5"), style="money")
    copy = pickle.loads(pickle.dumps(figure))
    assert (str(copy), copy.value, copy.style, copy.secret) == (
        str(figure),
        figure.value,
        "money",
        False,
    )
    secret = pickle.loads(pickle.dumps(Figure(7, secret=True)))
    assert secret.secret and secret.value is None and str(secret) == str(Figure(7, secret=True))


def test_the_second_view_is_served_from_the_cache(client_for, closed):
    client = client_for("bureau")
    first, first_queries = get(client, closed)
    second, second_queries = get(client, closed)
    assert second_queries < first_queries
    assert text(second) == text(first)


def test_a_new_submission_is_seen_at_once(client_for, closed):
    client = client_for("bureau")
    before = get(client, closed)[0].context["results"].participation.submitted
    answered(closed, {"etudiants": 5, "pme_servies": 1}, platform=labelled_platform())
    after = get(client, closed)[0].context["results"].participation.submitted
    assert after == before + 1


def test_a_reopened_response_leaves_the_results_at_once(client_for, closed, bureau, platform):
    client = client_for("bureau")
    before = get(client, closed)[0].context["results"].participation.submitted
    services.response_reopen(response=closed.responses.get(platform=platform), actor=bureau)
    assert get(client, closed)[0].context["results"].participation.submitted == before - 1


def test_a_reworded_question_is_seen_at_once(client_for, closed):
    client = client_for("bureau")
    get(client, closed)
    question = Question.objects.get(campaign=closed, code="etudiants")
    question.label = "Élèves et apprentis accueillis"
    question.save()
    assert "Élèves et apprentis accueillis" in text(get(client, closed)[0])


def test_each_kind_of_viewer_and_each_filter_has_its_own_page(client_for, closed, platform):
    bureau = client_for("bureau")
    ministry = client_for("ministry")
    assert get(bureau, closed)[0].context["results"].keep_secret is False
    # The ministry keeps statistical secrecy: never the bureau's page from the cache.
    assert get(ministry, closed)[0].context["results"].keep_secret is True
    region = platform.department.region_id
    filtered = get(ministry, closed, region=region)[0].context["results"]
    assert filtered.filters.region == region
    assert get(ministry, closed)[0].context["results"].filters.region is None


def test_invalidate_starts_a_generation_when_the_cache_lost_it(settings):
    first = results_cache.generation()
    results_cache.invalidate()
    assert results_cache.generation() == first + 1
    from django.core.cache import cache

    cache.delete(results_cache.GENERATION_KEY)
    results_cache.invalidate()
    assert results_cache.generation() >= 2
