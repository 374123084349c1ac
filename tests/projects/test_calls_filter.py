"""CallFilter: each filter, their combinations, the defaults, the regional matching and
who sees which statuses. The same query string gives the same calls to the list page
and to a saved search."""

import datetime

import pytest
from django.http import QueryDict
from django.utils import timezone

from members.models import Region
from projects.enums import CallKind, CallScope, CallStatus
from projects.filters import CallFilter
from projects.models import Call
from tests.projects.factories import (
    CallFactory,
    DeadlineFactory,
    FunderFactory,
    ThemeFactory,
    with_deadline,
)

pytestmark = pytest.mark.django_db


def titles(query="", user=None, now=None):
    now = now or timezone.now()
    found = CallFilter(QueryDict(query), queryset=Call.objects.for_list(now), user=user, now=now)
    return [call.title for call in found.qs]


def errors(query, user=None):
    found = CallFilter(QueryDict(query), queryset=Call.objects.for_list(), user=user)
    found.qs  # noqa: B018
    return found.errors


# Words ---------------------------------------------------------------------------


def test_words_match_title_or_description_case_insensitively():
    with_deadline(title="Transition numérique des PME", description="")
    with_deadline(title="Autre", description="Volet NUMÉRIQUE de France 2030")
    with_deadline(title="Énergie", description="Décarbonation")
    assert sorted(titles("q=numérique")) == ["Autre", "Transition numérique des PME"]


def test_every_word_must_match():
    with_deadline(title="Transition numérique", description="PME et ETI")
    with_deadline(title="Transition énergétique", description="PME")
    assert titles("q=transition+numérique+pme") == ["Transition numérique"]
    assert titles("q=numérique+absent") == []


def test_blank_words_filter_nothing():
    with_deadline(title="Un")
    assert titles("q=++") == ["Un"]


# Theme, funder, kind -------------------------------------------------------------


def test_theme_by_slug_any_of_several_and_no_duplicate():
    digital = ThemeFactory(name="Numérique", slug="numerique")
    energy = ThemeFactory(name="Énergie", slug="energie")
    ThemeFactory(name="Santé", slug="sante")
    both = with_deadline(title="Les deux")
    both.themes.set([digital, energy])
    with_deadline(title="Numérique seul").themes.set([digital])
    with_deadline(title="Sans thème")
    assert sorted(titles("theme=numerique")) == ["Les deux", "Numérique seul"]
    assert sorted(titles("theme=numerique&theme=energie")) == ["Les deux", "Numérique seul"]
    assert titles("theme=sante") == []


def test_funder_by_pk_several():
    ademe = FunderFactory(name="ADEME")
    bpi = FunderFactory(name="Bpifrance")
    with_deadline(title="Ademe").funders.set([ademe])
    with_deadline(title="Bpi").funders.set([bpi, ademe])
    with_deadline(title="Aucun")
    assert sorted(titles(f"funder={bpi.pk}")) == ["Bpi"]
    assert sorted(titles(f"funder={bpi.pk}&funder={ademe.pk}")) == ["Ademe", "Bpi"]


def test_kind():
    with_deadline(title="Concours", kind=CallKind.CONTEST)
    with_deadline(title="AAP", kind=CallKind.CALL_FOR_PROJECTS)
    assert titles("kind=contest") == ["Concours"]


# Region --------------------------------------------------------------------------


def test_region_matches_national_european_and_its_regional_calls():
    brittany = Region.objects.get(code="53")
    normandy = Region.objects.get(code="28")
    with_deadline(title="National", scope=CallScope.NATIONAL)
    with_deadline(title="Européen", scope=CallScope.EUROPEAN)
    with_deadline(title="FEDER Bretagne", scope=CallScope.REGIONAL).regions.set([brittany])
    with_deadline(title="FEDER Normandie", scope=CallScope.REGIONAL).regions.set([normandy])
    with_deadline(title="Deux régions", scope=CallScope.REGIONAL).regions.set([brittany, normandy])
    assert sorted(titles("region=53")) == ["Deux régions", "Européen", "FEDER Bretagne", "National"]
    assert sorted(titles("")) == [
        "Deux régions",
        "Européen",
        "FEDER Bretagne",
        "FEDER Normandie",
        "National",
    ]


# Status --------------------------------------------------------------------------


@pytest.fixture
def statuses():
    with_deadline(title="Publié")
    with_deadline(title="Archivé", status=CallStatus.ARCHIVED)
    with_deadline(title="Proposé", status=CallStatus.PROPOSED, published_at=None)


def test_published_by_default(statuses, bureau, director):
    assert titles("", user=bureau) == ["Publié"]
    assert titles("", user=director) == ["Publié"]
    assert titles("") == ["Publié"]


def test_archived_for_everyone(statuses, director, ministry):
    assert titles("status=archived", user=director) == ["Archivé"]
    assert titles("status=archived", user=ministry) == ["Archivé"]


def test_proposed_for_the_bureau_only(statuses, bureau, director):
    assert titles("status=proposed", user=bureau) == ["Proposé"]
    assert titles("status=proposed", user=director) == ["Publié"]
    assert "status" in errors("status=proposed", user=director)
    assert titles("status=proposed") == ["Publié"]


def test_user_from_the_request(statuses, bureau, rf):
    request = rf.get("/appels/")
    request.user = bureau
    found = CallFilter(
        QueryDict("status=proposed"), queryset=Call.objects.for_list(), request=request
    )
    assert [c.title for c in found.qs] == ["Proposé"]


# State and dates -----------------------------------------------------------------


@pytest.fixture
def dated():
    today = timezone.localdate()
    with_deadline(10, title="Bientôt clos")
    with_deadline(90, title="Ouvert")
    with_deadline(-5, title="Clos")
    CallFactory(title="Toute l'année", open_all_year=True)
    with_deadline(120, title="À venir", opens_on=today + datetime.timedelta(days=20))
    CallFactory(title="Sans date")


def test_open_by_default_nearest_deadline_first_all_year_last(dated):
    assert titles("") == ["Bientôt clos", "Ouvert", "Toute l'année"]
    assert titles("state=open") == titles("")


def test_closing_soon(dated):
    assert titles("state=closing_soon") == ["Bientôt clos"]


def test_upcoming(dated):
    assert titles("state=upcoming") == ["À venir"]


def test_closed(dated):
    assert sorted(titles("state=closed")) == ["Clos", "Sans date"]


def test_all_states(dated):
    assert len(titles("state=all")) == 6


def test_several_deadlines_use_the_next_one_ahead():
    call = CallFactory(title="Deux étapes")
    now = timezone.now()
    DeadlineFactory(call=call, label="Pré-proposition", due_at=now - datetime.timedelta(days=3))
    DeadlineFactory(call=call, label="Dossier complet", due_at=now + datetime.timedelta(days=50))
    with_deadline(40, title="Plus proche")
    assert titles("") == ["Plus proche", "Deux étapes"]
    assert titles("state=closing_soon") == []


def test_deadline_before_includes_that_day(dated):
    day = timezone.localdate() + datetime.timedelta(days=10)
    assert titles(f"deadline_before={day:%Y-%m-%d}") == ["Bientôt clos"]
    assert titles(f"deadline_before={day - datetime.timedelta(days=1):%Y-%m-%d}") == []
    assert titles(f"deadline_before={day:%Y-%m-%d}&state=all") == ["Bientôt clos"]


def test_sort_by_publication_newest_first():
    now = timezone.now()
    with_deadline(10, title="Ancien", published_at=now - datetime.timedelta(days=30))
    with_deadline(90, title="Récent", published_at=now - datetime.timedelta(days=1))
    with_deadline(50, title="Moyen", published_at=now - datetime.timedelta(days=10))
    assert titles("sort=published") == ["Récent", "Moyen", "Ancien"]
    assert titles("sort=deadline") == ["Ancien", "Moyen", "Récent"]


# Combinations and bad input -------------------------------------------------------


def test_combination_of_filters():
    theme = ThemeFactory(slug="numerique")
    funder = FunderFactory(name="Bpifrance")
    hit = with_deadline(10, title="Numérique Bpi concours", kind=CallKind.CONTEST)
    hit.themes.set([theme])
    hit.funders.set([funder])
    miss = with_deadline(10, title="Numérique Bpi AAP")
    miss.themes.set([theme])
    miss.funders.set([funder])
    with_deadline(10, title="Numérique concours", kind=CallKind.CONTEST).themes.set([theme])
    query = f"q=numérique&theme=numerique&funder={funder.pk}&kind=contest&state=closing_soon"
    assert titles(query) == ["Numérique Bpi concours"]


@pytest.mark.parametrize(
    "query, field",
    [
        ("deadline_before=nope", "deadline_before"),
        ("funder=abc", "funder"),
        ("funder=999999", "funder"),
        ("theme=inconnu", "theme"),
        ("region=zz", "region"),
        ("kind=nope", "kind"),
        ("state=nope", "state"),
        ("sort=nope", "sort"),
    ],
)
def test_garbage_is_an_error_of_its_field_and_the_rest_still_filters(query, field):
    with_deadline(10, title="Zorglub")
    with_deadline(10, title="Autre")
    assert field in errors(query)
    assert titles(f"{query}&q=zorglub") == ["Zorglub"]


def test_same_queries_whatever_the_filters(django_assert_num_queries):
    theme = ThemeFactory(slug="numerique")
    funder = FunderFactory()
    for n in range(3):
        call = with_deadline(10 + n, scope=CallScope.REGIONAL)
        call.themes.set([theme])
        call.funders.set([funder])
        call.regions.set([Region.objects.get(code="53")])
    full = f"q=appel+projets&theme=numerique&funder={funder.pk}&kind=call&region=53"
    full += "&state=closing_soon&deadline_before=2999-01-01&sort=published"
    for query in ("", full):
        # themes, funders and regions offered (one query); the calls; their funders,
        # themes, regions (prefetched by for_list: three)
        with django_assert_num_queries(5):
            found = CallFilter(QueryDict(query), queryset=Call.objects.for_list())
            assert len(list(found.qs)) == 3


def test_choices_read_once_for_many_saved_searches(django_assert_num_queries):
    from projects.filters import load_choices

    with_deadline(10)
    choices = load_choices()
    with django_assert_num_queries(1):
        found = CallFilter(
            QueryDict("q=appel"), queryset=Call.objects.with_next_deadline(), choices=choices
        )
        assert len(list(found.qs)) == 1


def test_next_deadline_is_the_first_ahead_whatever_the_order_of_the_rows():
    """Ordered by date alone (issue 15: the index answers without a sort)."""
    from projects.models import CallDeadline

    now = timezone.now()
    call = with_deadline(90)
    for days in (30, -5, 30, 60):
        CallDeadline.objects.create(
            call=call, label=f"J{days}", due_at=now + datetime.timedelta(days=days)
        )
    found = Call.objects.with_next_deadline(now).get(pk=call.pk)
    assert found.next_deadline == now + datetime.timedelta(days=30)
    assert (
        Call.objects.with_next_deadline(now + datetime.timedelta(days=100))
        .get(pk=call.pk)
        .next_deadline
        is None
    )
