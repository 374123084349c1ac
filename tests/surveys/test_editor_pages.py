"""The editor's pages: who may open them (every role), that a GET never writes, and
their query counts, constant when the questionnaire grows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from innovalo.models import AuditEntry
from surveys import services
from surveys.enums import CampaignStatus
from surveys.models import Campaign, Choice, Question, Section
from tests.conftest import ROLES

from .editor_factories import build_questionnaire, draft_campaign
from .factories import CampaignFactory, ResponseFactory

pytestmark = pytest.mark.django_db

EDITOR_PAGES = {  # url name -> what its arguments are
    "survey_create": (),
    "survey_edit": ("campaign",),
    "survey_copy": ("campaign",),
    "survey_transition": ("campaign",),
    "survey_preview": ("campaign",),
    "survey_section_create": ("campaign",),
    "survey_section_edit": ("campaign", "section"),
    "survey_question_create": ("campaign",),
    "survey_question_edit": ("campaign", "question"),
    "survey_question_delete": ("campaign", "question"),
}
POST_ONLY = {
    "survey_section_move": {"direction": "down"},
    "survey_question_move": {"direction": "down"},
}
REFUSED = {"director": 403, "other_director": 403, "ministry": 403, "bureau": 200}


@pytest.fixture
def editor(platform):
    """An open campaign (the director's platform concerned) with its questionnaire."""
    campaign = CampaignFactory(status=CampaignStatus.OPEN)
    sections = build_questionnaire(campaign, sections=2)
    return {
        "campaign": campaign,
        "section": sections[0],
        "question": sections[0].questions.order_by("order").first(),
    }


def url_of(name, objects, args=None):
    args = EDITOR_PAGES.get(name, ("campaign", "section" if "section" in name else "question"))
    url = reverse(name, args=[objects[arg].pk for arg in args])
    return url + ("?action=publish" if name == "survey_transition" else "")


@pytest.mark.parametrize("name", sorted(EDITOR_PAGES))
@pytest.mark.parametrize("role", ROLES)
def test_editor_pages_are_the_bureaus(client_for, role, name, editor):
    response = client_for(role).get(url_of(name, editor))
    if role == "anonymous":
        assert response.status_code == 302
        assert reverse("account_login") in response["Location"]
        return
    assert response.status_code == REFUSED[role]


@pytest.mark.parametrize("name", sorted(POST_ONLY))
@pytest.mark.parametrize("role", ROLES)
def test_moves_are_the_bureaus(client_for, role, name, editor):
    url = url_of(name, editor)
    response = client_for(role).post(url, POST_ONLY[name])
    if role == "anonymous":
        assert reverse("account_login") in response["Location"]
    elif role == "bureau":
        assert response.status_code == 302
        assert response["Location"].startswith(
            reverse("survey_detail", args=[editor["campaign"].pk])
        )
    else:
        assert response.status_code == 403
    assert client_for("bureau").get(url).status_code == 405


@pytest.mark.parametrize("role", ["director", "other_director", "ministry"])
def test_nobody_but_the_bureau_writes_through_the_editor(client_for, role, editor):
    campaign = editor["campaign"]
    client = client_for(role)
    posts = [
        (reverse("survey_create"), {"title": "Piratage"}),
        (reverse("survey_edit", args=[campaign.pk]), {"title": "Piratage"}),
        (reverse("survey_copy", args=[campaign.pk]), {"year": "2030"}),
        (reverse("survey_transition", args=[campaign.pk]), {"action": "close"}),
        (reverse("survey_section_create", args=[campaign.pk]), {"title": "Piratage"}),
        (url_of("survey_question_delete", editor), {}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.OPEN
    assert not AuditEntry.objects.exists()


def test_editor_pages_of_an_unknown_campaign_or_of_another_campaign_are_404(client_for, editor):
    client = client_for("bureau")
    other = draft_campaign()
    assert client.get(reverse("survey_edit", args=[999_999])).status_code == 404
    section, question = editor["section"], editor["question"]
    assert (
        client.get(reverse("survey_section_edit", args=[other.pk, section.pk])).status_code == 404
    )
    assert (
        client.get(reverse("survey_question_edit", args=[other.pk, question.pk])).status_code == 404
    )
    assert (
        client.post(reverse("survey_question_delete", args=[other.pk, question.pk])).status_code
        == 404
    )
    assert Question.objects.filter(pk=question.pk).exists()


def counts():
    return [model.objects.count() for model in (Campaign, Section, Question, Choice, AuditEntry)]


@pytest.mark.parametrize("with_responses", [False, True])
def test_a_get_never_writes(client_for, editor, with_responses):
    if with_responses:
        ResponseFactory(campaign=editor["campaign"])
    client = client_for("bureau")
    before = counts()
    urls = [url_of(name, editor) for name in EDITOR_PAGES]
    urls += [
        reverse("survey_detail", args=[editor["campaign"].pk]),
        reverse("survey_transition", args=[editor["campaign"].pk]) + "?action=close",
        reverse("survey_transition", args=[editor["campaign"].pk]) + "?action=open",
        reverse("survey_transition", args=[editor["campaign"].pk]),
    ]
    for url in urls:
        assert client.get(url).status_code in (200, 302), url
    assert counts() == before
    editor["campaign"].refresh_from_db()
    assert editor["campaign"].status == CampaignStatus.OPEN


# Query counts ---------------------------------------------------------------------------


def queries(client, url):
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context)


@pytest.fixture
def grown(client_for):
    """Count a page's queries, then again with twice the questionnaire."""

    def measure(url_for):
        campaign = draft_campaign()
        build_questionnaire(campaign, sections=3, choices=3)
        client = client_for("bureau")
        small = queries(client, url_for(campaign))
        build_questionnaire(campaign, sections=3, choices=5, start=3)
        return small, queries(client, url_for(campaign))

    return measure


@pytest.mark.parametrize(
    ("name", "limit"),
    [
        ("survey_detail", 12),
        ("survey_preview", 6),
        ("survey_question_create", 6),
        ("survey_edit", 3),
    ],
)
def test_page_queries_do_not_grow_with_the_questionnaire(grown, name, limit):
    small, large = grown(lambda campaign: reverse(name, args=[campaign.pk]))
    assert small == large
    assert large <= limit


def test_the_question_edit_page_queries_do_not_grow(grown):
    def url_for(campaign):
        question = campaign.questions.filter(type="single_choice").order_by("pk").first()
        return reverse("survey_question_edit", args=[campaign.pk, question.pk])

    small, large = grown(url_for)
    assert small == large
    assert large <= 8


def test_the_detail_page_query_count_is_pinned(client_for, bureau, django_assert_max_num_queries):
    """With a history to show (its count and its page: one query more)."""
    campaign = draft_campaign()
    build_questionnaire(campaign, sections=4, choices=4)
    for title in ("Jeunes", "Entreprises", "Territoire"):
        services.section_create(campaign=campaign, title=title, actor=bureau)
    client = client_for("bureau")
    with django_assert_max_num_queries(13):
        response = client.get(reverse("survey_detail", args=[campaign.pk]))
    content = response.content.decode()
    assert content.count('id="question-') == 16
    assert content.count("Section ajoutée") == 3


def test_a_platform_persons_detail_page_query_count_is_pinned(
    client_for, platform, other_platform, director, django_assert_max_num_queries
):
    from tests.members.factories import MembershipFactory

    MembershipFactory(platform=other_platform, user=director)
    campaign = CampaignFactory(status=CampaignStatus.OPEN)
    build_questionnaire(campaign, sections=3)
    ResponseFactory(campaign=campaign, platform=platform)
    client = client_for("director")
    with django_assert_max_num_queries(6):
        response = client.get(reverse("survey_detail", args=[campaign.pk]))
    content = response.content.decode()
    assert content.count(f"/enquetes/{campaign.pk}/plateformes/") == 2
    assert 'id="question-' not in content


HOSTILE = [
    {"title": "\x00", "description": "\x00", "year": "\x00", "action": "\x00"},
    {"code": "a\x00", "label": "\x00", "choices": "oui | O\x00ui", "rows": "a\x00 | A"},
    {"type": "single_choice", "choices": "oui | O\x00ui"},
    {"help_text": "\x00", "unit": "\x00"},
    {"type": "number_table", "rows": "a\x00 | A", "columns": "b | B\x00"},
    {"type": "single_choice", "choices": "x | y\n" * 300, "section": "9" * 30},
    {"type": "number_table", "rows": "a | \x00", "columns": "b | B", "label": "x" * 600},
    {"min_value": "1e999", "max_value": "9" * 40, "condition": "9" * 30 + ":oui"},
    {"position": "9" * 30, "direction": "\x00", "year": "9" * 30, "reminder_days": "9" * 30},
    {"opens_on": "0001-01-01", "closes_on": "9999-12-31", "max_reminders": "9" * 30},
]


@pytest.mark.parametrize("data", HOSTILE)
def test_hostile_input_is_never_a_500(client_for, editor, data):
    client = client_for("bureau")
    client.raise_request_exception = False
    for name in [*EDITOR_PAGES, *POST_ONLY]:
        url = url_of(name, editor).split("?")[0]
        base = {"section": str(editor["section"].pk), "label": "Q", "type": "integer"}
        response = client.post(url, {**base, "code": "hostile", **data})
        assert response.status_code < 500, (name, response.status_code)


def test_large_keys_are_printed_without_a_thousands_separator(client_for, bureau):
    """Anchors and links carry keys as digits only, however large the key grows."""
    from .factories import QuestionFactory, SectionFactory

    campaign = CampaignFactory(status=CampaignStatus.DRAFT)
    section = SectionFactory(pk=234567, campaign=campaign)
    question = QuestionFactory(pk=345678, section=section)
    page = client_for("bureau").get(reverse("survey_detail", args=[campaign.pk])).content.decode()
    assert f'id="section-{section.pk}"' in page
    assert f"?section={section.pk}" in page
    assert f'id="question-{question.pk}"' in page
