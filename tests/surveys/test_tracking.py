"""The tracking page (bureau): response rate, by region, non-respondents with their
last activity and reminders, in a constant number of queries; a GET never writes."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from innovalo.models import AuditEntry, SentReminder
from members.enums import LabelStatus
from surveys.enums import CampaignKind, CampaignStatus, RespondentStatus, ResponseStatus
from surveys.models import Respondent, Response
from surveys.selectors import tracking as selectors
from tests.conftest import ROLES

from .factories import CampaignFactory, ResponseFactory
from .tracking_factories import invited, platform_with_people

pytestmark = pytest.mark.django_db

SEEN = {"anonymous": 302, "director": 403, "other_director": 403, "bureau": 200, "ministry": 403}
SUBMITTED_AT = timezone.now() - datetime.timedelta(days=2)


def remind(platform, campaign, created_at, period="x"):
    return SentReminder.objects.create(
        rule=selectors.PLATFORM_RULE,
        target=f"members.platform:{platform.pk}",
        period=f"{campaign.pk}:{period}",
        created_at=created_at,
        status="sent",
    )


@pytest.fixture
def campaign(db):
    return CampaignFactory(title="Enquête d'impact 2026")


@pytest.fixture
def answers(campaign):
    """Four expected platforms in two regions: submitted, draft, not started (with two
    reminders), and one in another region not started; one not expected."""
    submitted = platform_with_people("02", name="Alpha Tech")
    ResponseFactory(
        campaign=campaign,
        platform=submitted,
        status=ResponseStatus.SUBMITTED,
        submitted_at=SUBMITTED_AT,
    )
    draft = platform_with_people("02", name="Bravo Plasturgie")
    ResponseFactory(campaign=campaign, platform=draft, status=ResponseStatus.DRAFT)
    silent = platform_with_people("02", name="Charlie Méca")
    remind(silent, campaign, timezone.now() - datetime.timedelta(days=9), "14")
    remind(silent, campaign, datetime.datetime(2026, 3, 3, 10, tzinfo=datetime.UTC), "7")
    far = platform_with_people("35", name="Delta Bois")
    platform_with_people("02", name="Echo Expiré", label=LabelStatus.EXPIRED)
    return {"submitted": submitted, "draft": draft, "silent": silent, "far": far}


@pytest.mark.parametrize("role", ROLES)
def test_tracking_page_per_role(client_for, role, campaign, platform, other_platform):
    url = reverse("survey_tracking", args=[campaign.pk])
    response = client_for(role).get(url)
    assert response.status_code == SEEN[role]
    if role == "anonymous":
        assert reverse("account_login") in response["Location"]


@pytest.mark.parametrize("role", ROLES)
def test_remind_by_hand_per_role(client_for, role, campaign, platform, other_platform):
    url = reverse("survey_remind", args=[campaign.pk])
    response = client_for(role).post(url, {"targets": [platform.pk]})
    expected = dict(SEEN, bureau=302)
    assert response.status_code == expected[role]
    if role == "anonymous":
        assert reverse("account_login") in response["Location"]
    reminded = SentReminder.objects.filter(target=f"members.platform:{platform.pk}").exists()
    assert reminded is (role == "bureau")


def test_remind_by_hand_is_a_post(client_for, campaign):
    response = client_for("bureau").get(reverse("survey_remind", args=[campaign.pk]))
    assert response.status_code == 405


def test_unknown_campaign_is_404_for_the_bureau_and_403_for_others(client_for):
    url = reverse("survey_tracking", args=[999999])
    assert client_for("bureau").get(url).status_code == 404
    assert client_for("director").get(url).status_code == 403


def test_rate_by_region_and_non_respondents(client_for, campaign, answers):
    response = client_for("bureau").get(reverse("survey_tracking", args=[campaign.pk]))
    page = response.content.decode()
    summary = response.context["summary"]
    assert summary == {"expected": 4, "submitted": 1, "draft": 1, "not_started": 2, "rate": 25}
    regions = {r["region_name"]: r for r in response.context["regions"]}
    assert regions["Hauts-de-France"] == {
        "region_id": answers["silent"].department.region_id,
        "region_name": "Hauts-de-France",
        "expected": 3,
        "submitted": 1,
        "draft": 1,
        "not_started": 1,
    }
    assert regions["Bretagne"]["expected"] == 1 and regions["Bretagne"]["not_started"] == 1
    names = [row["name"] for row in response.context["page_obj"]]
    assert names == ["Delta Bois", "Bravo Plasturgie", "Charlie Méca"]  # by region, name
    assert "Alpha Tech" not in page and "Echo Expiré" not in page
    silent = next(row for row in response.context["page_obj"] if row["name"] == "Charlie Méca")
    assert silent["reminder_count"] == 2
    assert silent["last_reminder_at"].date() == (timezone.now() - datetime.timedelta(days=9)).date()
    assert "3 mars 2026" not in page  # the last reminder is shown, not the first
    draft = next(r for r in response.context["page_obj"] if r["name"] == "Bravo Plasturgie")
    assert draft["last_activity"] is not None
    assert draft["response_status_label"] == "Brouillon"
    assert "25\u00a0%" in page or "25 %" in page
    assert reverse("survey_response", args=[campaign.pk, answers["silent"].slug]) in page


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ({"status": "draft"}, ["Bravo Plasturgie"]),
        ({"status": "not_started"}, ["Delta Bois", "Charlie Méca"]),
        ({"status": "submitted"}, ["Alpha Tech"]),
        ({"region": "region-35"}, ["Delta Bois"]),
        ({"status": "nonsense", "region": "999999999999999999999"}, None),
    ],
)
def test_filters(client_for, campaign, answers, query, names):
    if query.get("region") == "region-35":
        query = {"region": answers["far"].department.region_id}
    response = client_for("bureau").get(reverse("survey_tracking", args=[campaign.pk]), query)
    assert response.status_code == 200
    listed = [row["name"] for row in response.context["page_obj"]]
    if names is None:  # bad values: the form says so, the default list is shown
        assert response.context["form"].errors
        assert listed == ["Delta Bois", "Bravo Plasturgie", "Charlie Méca"]
    else:
        assert listed == names


def test_pages_past_the_end_and_garbage(client_for, campaign, answers):
    url = reverse("survey_tracking", args=[campaign.pk])
    for page in ("999999999999", "-3", "abc", "9" * 30):
        response = client_for("bureau").get(url, {"page": page})
        assert response.status_code == 200
        assert len(response.context["page_obj"]) == 3


def test_a_get_never_writes(client_for, campaign, answers):
    counts = [model.objects.count() for model in (SentReminder, AuditEntry, Response, Respondent)]
    for url_name in ("survey_tracking",):
        for query in ({}, {"status": "draft"}, {"page": "2"}):
            client_for("bureau").get(reverse(url_name, args=[campaign.pk]), query)
    assert [
        model.objects.count() for model in (SentReminder, AuditEntry, Response, Respondent)
    ] == counts


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_query_count_does_not_grow_with_the_rows(client_for, campaign, answers):
    client = client_for("bureau")
    url = reverse("survey_tracking", args=[campaign.pk])
    few = _queries(client, url)
    for n in range(12):
        platform = platform_with_people("35" if n % 2 else "02")
        if n % 3 == 0:
            ResponseFactory(campaign=campaign, platform=platform, status=ResponseStatus.DRAFT)
        remind(platform, campaign, timezone.now() - datetime.timedelta(days=n + 1))
    many = _queries(client, url)
    assert few == many
    # Session, user, campaign, regions, the summary and the page's rows (the list's count
    # is read from the summary).
    assert many <= 6


@pytest.mark.parametrize("status", [None, "pending", "draft", "not_started", "submitted"])
@pytest.mark.parametrize("in_region", [False, True])
def test_the_count_read_from_the_summary_is_the_lists(campaign, answers, status, in_region):
    region = answers["far"].department.region_id if in_region else None
    _summary, regions = selectors.tracking_summary(campaign)
    counted = selectors.count_from_summary(campaign, regions, region=region, status=status)
    page = selectors.tracking_page(campaign, region=region, status=status)
    assert counted == page.paginator.count == len(page.object_list)


@pytest.mark.parametrize("status", [None, "draft", "not_started", "submitted"])
@pytest.mark.parametrize("per_page", [1, 2, 3, 50])
def test_pages_chosen_among_the_regions_that_hold_them_are_the_lists(
    campaign, answers, status, per_page
):
    """With the summary's region rows, a page is read among the platforms of the regions
    that hold it: the same rows, in the same order, on every page, as sorting them all."""
    for code, name in [("35", "Foxtrot Bois"), ("69", "Golf Num"), ("69", "Hotel Céram")]:
        platform_with_people(code, name=name)
    ResponseFactory(
        campaign=campaign,
        platform=platform_with_people("69", name="India Laser"),
        status=ResponseStatus.DRAFT,
    )
    _summary, regions = selectors.tracking_summary(campaign)
    count = selectors.count_from_summary(campaign, regions, status=status)
    everything = selectors.tracking_page(campaign, status=status, per_page=100)
    assert len(everything.object_list) == count
    expected = [row["pk"] for row in everything.object_list]
    seen = []
    for number in range(1, everything.paginator.count // per_page + 2):
        with CaptureQueriesContext(connection) as queries:
            page = selectors.tracking_page(
                campaign,
                status=status,
                number=number,
                per_page=per_page,
                count=count,
                regions=regions,
            )
        assert len(queries.captured_queries) <= 1
        if page.number == number:
            seen.extend(row["pk"] for row in page.object_list)
    assert seen == expected


def test_a_page_reads_only_the_regions_that_hold_it(campaign, answers):
    """The first page of one row reads the platforms of the first region only."""
    _summary, regions = selectors.tracking_summary(campaign)
    first_region = next(row for row in regions if row["not_started"] + row["draft"])
    with CaptureQueriesContext(connection) as queries:
        page = selectors.tracking_page(campaign, number=1, per_page=1, count=3, regions=regions)
    assert [row["region_name"] for row in page.object_list] == [first_region["region_name"]]
    sql = queries.captured_queries[0]["sql"]
    assert "= ANY(ARRAY(" in sql or " IN (SELECT" in sql


def test_an_external_questionnaire_counts_its_list_with_a_query(external):
    _summary, regions = selectors.tracking_summary(external)
    assert selectors.count_from_summary(external, regions) is None


def test_the_pages_rows_are_read_in_one_query_with_their_reminder_block(
    campaign, answers, django_assert_num_queries
):
    """The rows of a page are chosen first, then their reminders and block computed:
    a platform without anyone to remind says so, as the daily job reads it."""
    from members.models import PlatformMembership

    PlatformMembership.objects.filter(platform=answers["far"]).delete()
    for n in range(4):
        platform_with_people("35", name=f"Foxtrot {n}")
    with django_assert_num_queries(1):
        page = selectors.tracking_page(campaign, count=6, per_page=2, number=2)
    assert [row["name"] for row in page] == ["Foxtrot 1", "Foxtrot 2"]  # Bretagne first
    first = selectors.tracking_page(campaign, per_page=3)
    blocks = {row["name"]: row["reminder_block"] for row in first}
    expected = dict(selectors.platform_rows(campaign).values_list("name", "reminder_block"))
    assert blocks == {name: expected[name] for name in blocks}
    assert blocks["Delta Bois"] == selectors.Block.NO_CONTACT


# External questionnaires ------------------------------------------------------------------


@pytest.fixture
def external(db):
    campaign = CampaignFactory(kind=CampaignKind.EXTERNAL, title="InnovENT-E")
    waiting = invited(campaign, email="attente@pme.fr", reminders_sent=2)
    waiting.last_reminded_at = timezone.now() - datetime.timedelta(days=1)
    waiting.save()
    done = invited(campaign, email="fini@pme.fr", status=RespondentStatus.COMPLETED)
    ResponseFactory(
        campaign=campaign,
        platform=None,
        respondent=done,
        status=ResponseStatus.SUBMITTED,
        submitted_at=SUBMITTED_AT,
    )
    started = invited(campaign, email="commence@pme.fr", status=RespondentStatus.STARTED)
    ResponseFactory(
        campaign=campaign, platform=None, respondent=started, status=ResponseStatus.DRAFT
    )
    invited(campaign, email="parti@pme.fr", status=RespondentStatus.OPTED_OUT)
    return campaign


def test_external_tracking_counts_respondents(client_for, external):
    response = client_for("bureau").get(reverse("survey_tracking", args=[external.pk]))
    page = response.content.decode()
    # The respondent who opted out is not waited for.
    assert response.context["summary"]["expected"] == 3
    assert response.context["summary"]["submitted"] == 1
    rows = {row["email"]: row for row in response.context["page_obj"]}
    assert set(rows) == {"attente@pme.fr", "commence@pme.fr", "parti@pme.fr"}
    assert rows["attente@pme.fr"]["reminder_count"] == 2
    assert rows["attente@pme.fr"]["reminder_block"] == "too_soon"
    assert rows["commence@pme.fr"]["reminder_block"] == ""
    assert rows["parti@pme.fr"]["reminder_block"] == "opted_out"
    assert f'name="targets" value="{rows["commence@pme.fr"]["pk"]}"' in page
    assert f'name="targets" value="{rows["parti@pme.fr"]["pk"]}"' not in page
    assert "Sans région" in page


def test_external_query_count_does_not_grow(client_for, external):
    client = client_for("bureau")
    url = reverse("survey_tracking", args=[external.pk])
    few = _queries(client, url)
    for n in range(15):
        respondent = invited(external)
        if n % 2:
            ResponseFactory(campaign=external, platform=None, respondent=respondent, status="draft")
    assert _queries(client, url) == few


def test_a_closed_campaign_offers_no_reminder(client_for, campaign, answers):
    campaign.status = CampaignStatus.CLOSED
    campaign.save()
    page = client_for("bureau").get(reverse("survey_tracking", args=[campaign.pk]))
    content = page.content.decode()
    assert 'name="targets"' not in content
    assert "aucune relance n'est envoyée" in content


def test_a_respondent_with_a_large_key_can_be_ticked(client_for, external):
    """French formatting groups thousands ("1 073"): a key printed into a form must not be."""
    far = invited(external, pk=123456, email="loin@pme.fr")
    page = client_for("bureau").get(reverse("survey_tracking", args=[external.pk])).content
    assert f'name="targets" value="{far.pk}" id="target-{far.pk}"'.encode() in page


def test_the_summary_is_kept_until_a_response_or_a_platform_changes(client_for, campaign, answers):
    from members import caches as platform_cache

    platform_cache.committed()  # the fixtures' writes are done (the test never commits)
    client = client_for("bureau")
    url = reverse("survey_tracking", args=[campaign.pk])
    computed = _queries(client, url)
    assert _queries(client, url) == computed - 1  # the summary comes from the cache
    ResponseFactory(
        campaign=campaign,
        platform=answers["far"],
        status=ResponseStatus.SUBMITTED,
        submitted_at=SUBMITTED_AT,
    )
    assert client.get(url).context["summary"]["submitted"] == 2
    answers["silent"].label_status = LabelStatus.EXPIRED
    answers["silent"].save()
    platform_cache.committed()
    summary = client.get(url).context["summary"]
    assert summary["expected"] == 3 and summary["submitted"] == 2


def test_rows_written_in_python_keep_the_tables_markup(client_for, campaign, answers):
    """Issue 15: the list's rows come from a template tag (surveys/templatetags)."""
    from members.models import PlatformMembership

    answers["far"].name = "Delta <Bois> & fils"
    answers["far"].save()
    PlatformMembership.objects.filter(platform=answers["silent"]).delete()
    content = client_for("bureau").get(reverse("survey_tracking", args=[campaign.pk]))
    content = content.content.decode()
    far = answers["far"].pk
    assert f'<input type="checkbox" name="targets" value="{far}" id="target-{far}">' in content
    assert "Relancer Delta &lt;Bois&gt; &amp; fils</label>" in content
    assert '<span class="muted">aucune personne à relancer</span>' in content
    assert '<span class="badge badge-draft">Brouillon</span>' in content
    assert reverse("survey_response", args=[campaign.pk, answers["draft"].slug]) in content
