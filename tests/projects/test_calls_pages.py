"""The calls pages: every URL for every role, what each page shows, its query count,
that a GET writes nothing, and that bad input is a message, never a 500."""

import pytest
from django.urls import reverse

from innovalo.models import AuditEntry
from projects.enums import CallStatus
from projects.models import Call, CallFollow, CallInterest, Funder
from tests.conftest import ROLES
from tests.projects.calls_helpers import full_call, proposed_call, written_rows
from tests.projects.factories import CallFactory, InterestFactory, ProjectFactory, with_deadline

pytestmark = pytest.mark.django_db

ALL = {"anonymous": 302, "director": 200, "other_director": 200, "bureau": 200, "ministry": 200}
BUREAU = {"anonymous": 302, "director": 403, "other_director": 403, "bureau": 200, "ministry": 403}
MEMBERS = {"anonymous": 302, "director": 200, "other_director": 200, "bureau": 403, "ministry": 403}
# A proposal by `director`: hidden (404) from other members and the ministry.
PROPOSER = {
    "anonymous": 302,
    "director": 200,
    "other_director": 404,
    "bureau": 200,
    "ministry": 404,
}


@pytest.fixture
def call(db):
    return full_call()


@pytest.fixture
def proposal(director):
    return proposed_call(director, title="Appel proposé par la directrice")


def _get(client_for, role, name, *args):
    response = client_for(role).get(reverse(name, args=args))
    if role == "anonymous":
        assert response.status_code == 302
        assert reverse("account_login") in response["Location"]
    return response


# Every URL × every role -------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_list_per_role(client_for, role, call, proposal):
    response = _get(client_for, role, "call_list")
    assert response.status_code == ALL[role]
    if role != "anonymous":
        content = response.content.decode()
        assert call.title in content
        assert proposal.title not in content


@pytest.mark.parametrize("role", ROLES)
def test_create_page_per_role(client_for, role):
    assert _get(client_for, role, "call_create").status_code == BUREAU[role]


@pytest.mark.parametrize("role", ROLES)
def test_propose_page_per_role(client_for, role):
    assert _get(client_for, role, "call_propose").status_code == MEMBERS[role]


@pytest.mark.parametrize("role", ROLES)
def test_proposals_page_per_role(client_for, role, proposal):
    response = _get(client_for, role, "call_proposals")
    assert response.status_code == BUREAU[role]
    if role == "bureau":
        assert proposal.title in response.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_detail_per_role(client_for, role, call, proposal):
    assert _get(client_for, role, "call_detail", call.pk).status_code == ALL[role]
    assert _get(client_for, role, "call_detail", proposal.pk).status_code == PROPOSER[role]


def test_unknown_call_is_404(client_for):
    assert client_for("director").get(reverse("call_detail", args=[999999])).status_code == 404
    assert client_for("director").get("/appels/1234567890123456789012345/").status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_edit_per_role(client_for, role, call, proposal):
    assert _get(client_for, role, "call_edit", call.pk).status_code == BUREAU[role]
    assert _get(client_for, role, "call_edit", proposal.pk).status_code == PROPOSER[role]


def test_proposer_may_not_edit_once_published(client_for, director, bureau, proposal):
    from projects.services.calls import call_publish

    call_publish(call=proposal, actor=bureau)
    assert client_for("director").get(reverse("call_edit", args=[proposal.pk])).status_code == 403


@pytest.mark.parametrize("role", ROLES)
def test_archive_page_per_role(client_for, role, call):
    assert _get(client_for, role, "call_archive", call.pk).status_code == BUREAU[role]


@pytest.mark.parametrize("role", ROLES)
def test_refuse_page_per_role(client_for, role, proposal):
    expected = {**PROPOSER, "director": 403}
    assert _get(client_for, role, "call_refuse", proposal.pk).status_code == expected[role]


@pytest.mark.parametrize("role", ROLES)
def test_follow_per_role(client_for, role, call):
    response = client_for(role).post(reverse("call_follow", args=[call.pk]))
    if role == "anonymous":
        assert response.status_code == 302 and reverse("account_login") in response["Location"]
        assert not CallFollow.objects.exists()
        return
    assert response.status_code == 302
    assert response["Location"] == call.get_absolute_url()
    assert CallFollow.objects.filter(call=call).count() == 1


@pytest.mark.parametrize("role", ROLES)
def test_interest_per_role(client_for, role, call, platform, other_platform):
    mine = {"director": platform, "other_director": other_platform}.get(role)
    data = {"platform": mine.pk if mine else platform.pk, "note": "Volet essais"}
    response = client_for(role).post(reverse("call_interest", args=[call.pk]), data)
    expected = {"anonymous": 302, "director": 302, "other_director": 302}.get(role, 403)
    assert response.status_code == expected
    assert CallInterest.objects.count() == (1 if mine else 0)


@pytest.mark.parametrize("role", ROLES)
def test_publish_per_role(client_for, role, proposal):
    response = client_for(role).post(reverse("call_publish", args=[proposal.pk]))
    expected = {**PROPOSER, "director": 403, "bureau": 302}
    assert response.status_code == expected[role]
    proposal.refresh_from_db()
    assert (proposal.status == CallStatus.PUBLISHED) is (role == "bureau")


@pytest.mark.parametrize("role", ROLES)
def test_unarchive_per_role(client_for, role):
    archived = with_deadline(status=CallStatus.ARCHIVED)
    response = client_for(role).post(reverse("call_unarchive", args=[archived.pk]))
    assert response.status_code == {"anonymous": 302, "bureau": 302}.get(role, 403)


@pytest.mark.parametrize("name", ["call_follow", "call_interest", "call_publish", "call_unarchive"])
def test_post_only_urls_refuse_a_get(client_for, call, name):
    assert client_for("bureau").get(reverse(name, args=[call.pk])).status_code == 405


# The list ------------------------------------------------------------------------------


def test_list_row_shows_everything(client_for, call):
    content = client_for("director").get(reverse("call_list")).content.decode()
    for text in [
        call.title,
        "Région Bretagne",
        "Union européenne",
        "Appel à projets",
        "Numérique",
        "Énergie",
        "Bretagne",
        "Pays de la Loire",
        "Dossier complet",
        "Ouvert",
        "50\xa0000",
        "300\xa0000",
    ]:
        assert text in content, text


def test_list_buttons_per_role(client_for, call):
    bureau = client_for("bureau").get(reverse("call_list")).content.decode()
    director = client_for("director").get(reverse("call_list")).content.decode()
    ministry = client_for("ministry").get(reverse("call_list")).content.decode()
    assert reverse("call_create") in bureau and reverse("call_propose") not in bureau
    assert reverse("call_propose") in director and reverse("call_create") not in director
    assert reverse("call_propose") not in ministry and reverse("call_create") not in ministry


def test_list_closing_soon_badge(client_for):
    with_deadline(10, title="Bientôt clos")
    content = client_for("director").get(reverse("call_list")).content.decode()
    assert "badge-state-closing_soon" in content


def test_list_paginates_twenty(client_for):
    for n in range(23):
        with_deadline(10 + n, title=f"Appel numéro {n:02d}")
    first = client_for("director").get(reverse("call_list")).content.decode()
    assert "Appel numéro 19" in first and "Appel numéro 20" not in first
    second = client_for("director").get(reverse("call_list") + "?page=2").content.decode()
    assert "Appel numéro 20" in second and "Appel numéro 19" not in second


def test_list_filters_from_the_query_string(client_for, call):
    with_deadline(title="Concours i-Nov", kind="contest")
    response = client_for("director").get(reverse("call_list") + "?kind=contest")
    content = response.content.decode()
    assert "Concours i-Nov" in content and call.title not in content


def test_list_alert_and_export_links_only_when_their_pages_exist(client_for, call):
    from projects.views.calls import url_exists

    content = client_for("director").get(reverse("call_list") + "?kind=call").content.decode()
    assert ("M'alerter" in content) is url_exists("saved_search_create")
    assert ("Exporter (CSV)" in content) is url_exists("call_export_csv")


@pytest.mark.parametrize(
    "query", ["?deadline_before=nope&funder=abc&page=999", "?state=x&sort=y&region=zz&theme=?"]
)
def test_list_garbage_is_a_message_not_a_500(client_for, call, query):
    response = client_for("director").get(reverse("call_list") + query)
    assert response.status_code == 200
    content = response.content.decode()
    assert "Certains filtres ne sont pas valides" in content
    assert call.title in content


def _list_queries(client_for, django_assert_max_num_queries, count, query=""):
    for n in range(count):
        full_call(n)
    query = query.replace("{funder}", str(Funder.objects.order_by("pk").first().pk))
    client = client_for("bureau")
    # session, user, the form's lists (themes, funders, regions), the calls with their
    # count, the calls' funders, themes and regions (issue 15: one query for each)
    with django_assert_max_num_queries(5):
        response = client.get(reverse("call_list") + query)
    assert response.status_code == 200
    assert "Certains filtres" not in response.content.decode()
    assert len(response.context["calls"]) == min(count, 20)
    return response


@pytest.mark.parametrize("count", [3, 15])
def test_list_queries_do_not_grow_with_rows(client_for, django_assert_max_num_queries, count):
    _list_queries(client_for, django_assert_max_num_queries, count)


@pytest.mark.parametrize("count", [3, 15])
def test_list_queries_with_every_filter(client_for, django_assert_max_num_queries, count):
    query = "?q=feder&theme=numerique&funder={funder}&kind=call&region=53&status=published"
    query += "&state=open&deadline_before=2999-12-31&sort=published"
    _list_queries(client_for, django_assert_max_num_queries, count, query)


def test_list_page_counts_with_its_rows_in_one_query(django_assert_num_queries):
    from django.utils import timezone

    from projects.selectors.calls import list_page, list_queryset

    for n in range(5):
        full_call(n)
    queryset = list_queryset(timezone.now()).order_by("pk")
    with django_assert_num_queries(1):
        page = list_page(queryset, "2", 2)
    assert page.paginator.count == queryset.count() == 5
    assert page.number == 2 and page.paginator.num_pages == 3
    assert [call.pk for call in page] == list(queryset.values_list("pk", flat=True)[2:4])


@pytest.mark.parametrize(
    ("number", "expected"), [("99", 3), ("9" * 30, 3), ("-4", 1), ("x", 1), (None, 1)]
)
def test_list_page_past_the_end_or_garbage_shows_a_real_page(number, expected):
    from django.utils import timezone

    from projects.selectors.calls import list_page, list_queryset

    for n in range(5):
        full_call(n)
    page = list_page(list_queryset(timezone.now()).order_by("pk"), number, 2)
    assert page.number == expected and page.paginator.count == 5
    assert len(page) == (1 if expected == 3 else 2)


def test_list_page_of_nothing_is_an_empty_first_page():
    from django.utils import timezone

    from projects.selectors.calls import list_page, list_queryset

    page = list_page(list_queryset(timezone.now()), "3", 20)
    assert (page.number, page.paginator.count, list(page)) == (1, 0, [])


def test_list_count_follows_the_filters(client_for):
    for n in range(4):
        full_call(n)
    response = client_for("bureau").get(reverse("call_list") + "?state=all&q=zzzz-nothing")
    assert response.context["page_obj"].paginator.count == 0
    response = client_for("bureau").get(reverse("call_list") + "?state=all")
    assert response.context["page_obj"].paginator.count == len(response.context["calls"]) > 0


def test_list_get_writes_nothing(client_for, call):
    before = written_rows()
    client_for("bureau").get(reverse("call_list") + "?q=feder&page=2")
    assert written_rows() == before


# The call's page ---------------------------------------------------------------------


def test_detail_shows_everything(client_for, call, platform, other_platform):
    InterestFactory(call=call, platform=other_platform, note="Volet prototypage")
    ProjectFactory(
        call=call, title="Projet DIGIBREIZH", acronym="DGB", lead_platform=other_platform
    )
    content = client_for("director").get(reverse("call_detail", args=[call.pk])).content.decode()
    for text in [
        call.title,
        'href="https://www.bretagne.bzh/"',
        "Union européenne",
        "Numérique",
        "Bretagne",
        "Pré-proposition",
        "Dossier complet",
        "is-past",
        "is-next",
        "prochaine échéance",
        "50\xa0000",
        "30 à 50",
        "feder@region.fr",
        "Plasti Vendée",
        "Volet prototypage",
        "Projet DIGIBREIZH",
        "Idée",
        "Suivre cet appel",
        "Ma plateforme est intéressée",
    ]:
        assert text in content, text
    assert "Historique" not in content
    assert reverse("call_edit", args=[call.pk]) not in content


def test_detail_hides_interests_from_the_ministry(client_for, call, other_platform):
    InterestFactory(call=call, platform=other_platform, note="Volet prototypage")
    content = client_for("ministry").get(reverse("call_detail", args=[call.pk])).content.decode()
    assert "Plasti Vendée" not in content
    assert "Ma plateforme est intéressée" not in content


def test_detail_history_and_buttons_for_the_bureau(client_for, bureau, call):
    from projects.services.calls import call_update

    call_update(call=call, fields={"title": "FEDER Bretagne 2026"}, actor=bureau)
    content = client_for("bureau").get(reverse("call_detail", args=[call.pk])).content.decode()
    assert "Historique" in content
    assert "FEDER Bretagne 2026" in content
    assert reverse("call_edit", args=[call.pk]) in content
    assert reverse("call_archive", args=[call.pk]) in content


def test_detail_platform_choice_when_i_have_several(client_for, director, call, platform):
    from members.enums import PlatformRole
    from tests.members.factories import MembershipFactory, PlatformFactory

    second = PlatformFactory(name="Seconde plateforme")
    content = client_for("director").get(reverse("call_detail", args=[call.pk])).content.decode()
    assert 'type="hidden" name="platform"' in content
    MembershipFactory(platform=second, user=director, role=PlatformRole.DIRECTOR)
    content = client_for("director").get(reverse("call_detail", args=[call.pk])).content.decode()
    assert '<select name="platform"' in content and "Seconde plateforme" in content


def test_detail_proposal_shows_publish_and_refuse_to_the_bureau(client_for, proposal):
    bureau = client_for("bureau").get(reverse("call_detail", args=[proposal.pk])).content.decode()
    director = client_for("director").get(reverse("call_detail", args=[proposal.pk]))
    assert reverse("call_publish", args=[proposal.pk]) in bureau
    assert reverse("call_refuse", args=[proposal.pk]) in bureau
    director = director.content.decode()
    assert reverse("call_publish", args=[proposal.pk]) not in director
    assert reverse("call_edit", args=[proposal.pk]) in director
    assert "Suivre cet appel" not in director


@pytest.mark.parametrize("role", ["director", "bureau", "ministry"])
def test_detail_queries_are_pinned(
    client_for, django_assert_max_num_queries, role, platform, other_platform, bureau
):
    from projects.services.calls import call_update

    call = full_call()
    for _n in range(3):
        project = ProjectFactory(call=call, lead_platform=other_platform)
        assert project.pk
    InterestFactory(call=call, platform=other_platform)
    InterestFactory(call=call, platform=platform)
    for n in range(3):
        call_update(call=call, fields={"title": f"Titre {n}"}, actor=bureau)
    # session, user, call, funders, themes, regions, deadlines, following, projects,
    # interests, my platforms (members), history (bureau)
    client = client_for(role)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("call_detail", args=[call.pk]))
    assert response.status_code == 200


def test_no_get_writes(client_for, call, proposal, platform):
    before = written_rows()
    for role in ROLES:
        client = client_for(role)
        for name in ("call_list", "call_create", "call_propose", "call_proposals"):
            client.get(reverse(name))
        for name in ("call_detail", "call_edit", "call_archive", "call_refuse"):
            client.get(reverse(name, args=[call.pk]))
            client.get(reverse(name, args=[proposal.pk]))
    assert written_rows() == before
    call.refresh_from_db()
    assert call.status == CallStatus.PUBLISHED


# Following and interest -------------------------------------------------------------


def test_follow_twice_is_one_follow_and_unfollow_removes_it(client_for, call):
    client = client_for("director")
    url = reverse("call_follow", args=[call.pk])
    client.post(url, {"action": "follow"})
    client.post(url, {"action": "follow"})
    assert CallFollow.objects.count() == 1
    content = client.get(call.get_absolute_url()).content.decode()
    assert "ne plus suivre" in content
    client.post(url, {"action": "unfollow"})
    client.post(url, {"action": "unfollow"})
    assert CallFollow.objects.count() == 0
    client.post(url)  # toggles
    assert CallFollow.objects.count() == 1
    client.post(url)
    assert CallFollow.objects.count() == 0


def test_interest_declare_then_withdraw(client_for, call, platform):
    client = client_for("director")
    url = reverse("call_interest", args=[call.pk])
    client.post(url, {"platform": platform.pk, "note": "Volet essais"})
    assert CallInterest.objects.get().note == "Volet essais"
    client.post(url, {"platform": platform.pk, "note": "Volet essais et formation"})
    assert CallInterest.objects.get().note == "Volet essais et formation"
    client.post(url, {"platform": platform.pk, "withdraw": "1"})
    assert not CallInterest.objects.exists()


def test_interest_for_someone_elses_platform_is_an_error(
    client_for, call, platform, other_platform
):
    response = client_for("director").post(
        reverse("call_interest", args=[call.pk]), {"platform": other_platform.pk}
    )
    assert response.status_code == 200
    assert "Choisissez une de vos plateformes" in response.content.decode()
    assert not CallInterest.objects.exists()


@pytest.mark.parametrize("value", ["abc", "", "99999999999999999999999"])
def test_interest_garbage_is_an_error(client_for, call, platform, value):
    response = client_for("director").post(
        reverse("call_interest", args=[call.pk]), {"platform": value}
    )
    assert response.status_code == 200
    assert "Choisissez une de vos plateformes" in response.content.decode()


def test_interest_note_too_long_is_an_error(client_for, call, platform):
    response = client_for("director").post(
        reverse("call_interest", args=[call.pk]), {"platform": platform.pk, "note": "x" * 501}
    )
    assert response.status_code == 200
    assert not CallInterest.objects.exists()


# Archive, publish, refuse -------------------------------------------------------------


def test_archive_confirmation_then_post(client_for, call):
    client = client_for("bureau")
    url = reverse("call_archive", args=[call.pk])
    assert "Archiver" in client.get(url).content.decode()
    call.refresh_from_db()
    assert call.status == CallStatus.PUBLISHED
    response = client.post(url)
    assert response.status_code == 302
    call.refresh_from_db()
    assert call.status == CallStatus.ARCHIVED
    response = client.post(url, follow=True)
    assert "Seul un appel publié" in response.content.decode()


def test_refuse_needs_a_reason(client_for, proposal):
    client = client_for("bureau")
    response = client.post(reverse("call_refuse", args=[proposal.pk]), {"reason": "  "})
    assert response.status_code == 200
    assert 'class="error"' in response.content.decode()
    assert Call.objects.filter(pk=proposal.pk).exists()
    response = client.post(reverse("call_refuse", args=[proposal.pk]), {"reason": "Doublon"})
    assert response.status_code == 302
    assert Call.objects.get(pk=proposal.pk).status == "refused"
    assert AuditEntry.objects.filter(action="projects.call_refused").exists()


def test_a_refused_proposal_is_seen_with_its_reason_by_its_proposer_only(
    client_for, bureau, proposal
):
    from projects.services import calls as call_services

    call_services.call_refuse(call=proposal, reason="Hors du champ de la veille", actor=bureau)
    url = reverse("call_detail", args=[proposal.pk])
    assert "Hors du champ de la veille" in client_for("director").get(url).content.decode()
    assert client_for("other_director").get(url).status_code == 404
    assert client_for("ministry").get(url).status_code == 404
    assert "Hors du champ" in client_for("bureau").get(url).content.decode()
    listed = client_for("other_director").get(reverse("call_list"), {"state": "all"})
    assert proposal.title not in listed.content.decode()


def test_publish_then_listed(client_for, proposal):
    client_for("bureau").post(reverse("call_publish", args=[proposal.pk]))
    with_deadline(title="autre")
    proposal.deadlines.create(label="Date", due_at=with_deadline().deadlines.get().due_at)
    content = client_for("other_director").get(reverse("call_list")).content.decode()
    assert proposal.title in content


def test_archived_call_is_listed_when_asked(client_for):
    CallFactory(title="Appel archivé", status=CallStatus.ARCHIVED, open_all_year=True)
    listed = client_for("director").get(reverse("call_list")).content.decode()
    assert "Appel archivé" not in listed
    archived = client_for("director").get(reverse("call_list") + "?status=archived")
    assert "Appel archivé" in archived.content.decode()


@pytest.mark.parametrize("count", [3, 15])
def test_proposals_queries_do_not_grow(client_for, django_assert_max_num_queries, director, count):
    for n in range(count):
        call = full_call(n, status=CallStatus.PROPOSED, proposed_by=director, published_at=None)
        assert call.pk
    client = client_for("bureau")
    # session, user, count, calls with proposers, funders, themes, regions, deadlines
    with django_assert_max_num_queries(8):
        response = client.get(reverse("call_proposals"))
    assert len(response.context["page_obj"]) == count


def test_edit_page_queries(client_for, django_assert_max_num_queries):
    call = full_call()
    client = client_for("bureau")
    # session, user, call, its deadlines, funders, themes, regions (chosen and offered)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("call_edit", args=[call.pk]))
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("role", "offered"),
    [("director", True), ("bureau", True), ("ministry", False)],
)
def test_a_call_page_offers_to_build_a_project_on_it(client_for, platform, call, role, offered):
    page = client_for(role).get(reverse("call_detail", args=[call.pk])).content.decode()
    link = f"{reverse('project_create')}?call={call.pk}"
    assert (link in page) is offered


def test_the_list_links_to_alerts_calendar_and_the_bureaus_tools(client_for, call):
    member = client_for("director").get(reverse("call_list")).content.decode()
    bureau = client_for("bureau").get(reverse("call_list")).content.decode()
    for name in ("saved_search_list", "call_calendar", "project_board"):
        assert reverse(name) in member and reverse(name) in bureau
    for name in ("call_import", "call_changes"):
        assert reverse(name) in bureau and reverse(name) not in member


def test_list_rows_written_in_python_say_what_the_template_said(client_for, director):
    """Issue 15: the rows come from a template tag (projects/templatetags/call_list.py)."""
    import datetime

    from django.utils import timezone

    from projects.models import CallDeadline

    call = full_call(0, title="FEDER <innovation> & co")
    deadline = timezone.make_aware(datetime.datetime(2999, 2, 1, 12, 30))
    CallDeadline.objects.filter(call=call, due_at__gte=timezone.now()).update(
        due_at=deadline, label="Dossier complet"
    )
    CallFactory(title="Crédit d'impôt", open_all_year=True)
    proposed_call(director, title="Idée de la plateforme")
    content = client_for("bureau").get(reverse("call_list") + "?state=all&status=").content
    content = content.decode()
    assert "FEDER &lt;innovation&gt; &amp; co" in content
    assert "<strong>1er février 2999</strong> 12:30" in content
    assert '<span class="call-next-label">Dossier complet</span>' in content
    assert '<span class="tag">Numérique</span>' in content
    assert "Région Bretagne, Union européenne" in content
    assert "Ouvert toute l&#x27;année" in content or "Ouvert toute l'année" in content
    assert reverse("call_detail", args=[call.pk]) in content
    proposals = client_for("bureau").get(reverse("call_list") + "?state=all&status=proposed")
    assert '<span class="badge badge-proposed">' in proposals.content.decode()
    empty = client_for("bureau").get(reverse("call_list") + "?q=zzzz-nothing").content.decode()
    assert "Aucun appel ne correspond à ces filtres." in empty
