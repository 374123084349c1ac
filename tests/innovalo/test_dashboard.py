"""The national dashboard (issue 13): who sees it, each figure against demo-like data
(11 of 44 dues paid in 2016: 25 %), statistical secrecy, no dues amount for the ministry,
each chart's CSV, GETs that write nothing and a query count that does not grow."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from innovalo.dashboard import cache as dashboard_cache
from innovalo.dashboard import selectors
from innovalo.dashboard.page import build_dashboard
from innovalo.enums import Role
from innovalo.models import NationalReport
from meetings.enums import Attendance, MeetingStatus
from members.enums import DuesStatus, LabelStatus
from members.models import DuesLine, Region
from projects.enums import ProjectStage
from surveys.enums import CampaignStatus, QuestionType, ResponseStatus
from surveys.models import Answer, Campaign
from tests.conftest import ROLES
from tests.factories import UserFactory
from tests.meetings.factories import ActionFactory, InvitationFactory, MeetingFactory
from tests.members.factories import DomainFactory, PlatformFactory, department
from tests.projects.factories import ProjectFactory, with_deadline
from tests.surveys.factories import CampaignFactory, QuestionFactory, ResponseFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
SURVEY_YEAR = TODAY.year - 1
ALL_ROLES = [*ROLES, "staff"]


@pytest.fixture
def staff(db):
    return UserFactory(role=Role.DIRECTOR, is_staff=True, email="admin@exemple.fr")


def labelled_platforms(n, code="02", **kwargs):
    return PlatformFactory.create_batch(
        n,
        department=department(code),
        label_status=LabelStatus.LABELLED,
        label_granted_on=datetime.date(2015, 1, 1),
        label_expires_on=datetime.date(TODAY.year + 3, 12, 31),
        **kwargs,
    )


def dues_year(platforms, year, paid):
    lines = []
    for index, platform in enumerate(platforms):
        is_paid = index < paid
        lines.append(
            DuesLine(
                platform=platform,
                year=year,
                status=DuesStatus.PAID if is_paid else DuesStatus.CALLED,
                amount_due=Decimal("150.00"),
                paid_amount=Decimal("150.00") if is_paid else Decimal("0"),
                due_date=datetime.date(year, 3, 31),
                called_at=timezone.now(),
            )
        )
    DuesLine.objects.bulk_create(lines)


def survey(year, platforms, values, status=CampaignStatus.CLOSED):
    campaign = CampaignFactory(year=year, status=status, title=f"Enquête {year}")
    question = QuestionFactory(
        section__campaign=campaign,
        code="entreprises",
        label="Entreprises accompagnées",
        type=QuestionType.INTEGER,
        is_ministry_indicator=True,
    )
    for platform, value in zip(platforms, values, strict=True):
        response = ResponseFactory(
            campaign=campaign,
            platform=platform,
            status=ResponseStatus.SUBMITTED,
            submitted_at=timezone.now(),
        )
        Answer.objects.create(response=response, question=question, value_number=value)
    return campaign


def network_data(size=1):
    """44 labelled platforms (40 in Hauts-de-France, 4 in Pays de la Loire) times
    ``size``; dues of 2016 (11 paid of 44 at size 1) and of the survey's year; a survey
    with 4 answers in Hauts-de-France and 1 in Pays de la Loire; a project won, a held
    meeting, an overdue action, an open call."""
    north = labelled_platforms(40 * size, "02")
    west = labelled_platforms(4 * size, "85")
    domain = DomainFactory(name="Mécanique")
    for platform in north[:5]:
        platform.domains.add(domain)
    platforms = north + west
    dues_year(platforms, 2016, 11 * size)
    dues_year(platforms, SURVEY_YEAR, 22 * size)
    survey(SURVEY_YEAR, north[: 4 * size] + west[:1], [10, 20, 30, 40] * size + [7])
    project = ProjectFactory(
        lead_platform=north[0],
        stage=ProjectStage.WON,
        submitted_on=datetime.date(SURVEY_YEAR, 2, 1),
        decided_on=datetime.date(SURVEY_YEAR, 6, 1),
    )
    project.partners.update(amount_obtained=Decimal("5000"))
    meeting = MeetingFactory(
        start=timezone.make_aware(datetime.datetime(SURVEY_YEAR, 5, 17, 14)),
        end=timezone.make_aware(datetime.datetime(SURVEY_YEAR, 5, 17, 18)),
        status=MeetingStatus.HELD,
    )
    InvitationFactory(meeting=meeting, platform=north[0], attendance=Attendance.PRESENT)
    InvitationFactory(meeting=meeting, platform=north[1], attendance=Attendance.ABSENT)
    ActionFactory(meeting=meeting, due_date=TODAY - datetime.timedelta(days=3))
    with_deadline(10)
    return platforms


@pytest.fixture
def data(db):
    return network_data()


def get(client, name="dashboard", **query):
    return client.get(reverse(name, kwargs=query.pop("kwargs", None)), query)


def chart_rows(client, slug, **query) -> list[list[str]]:
    return csv_rows(get(client, "dashboard_csv", kwargs={"chart": slug}, **query))


def csv_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


# Who may see it -----------------------------------------------------------------------


SEEN = {
    "anonymous": 302,
    "director": 403,
    "other_director": 403,
    "bureau": 200,
    "ministry": 200,
    "staff": 403,
}


@pytest.mark.parametrize("role", ALL_ROLES)
def test_dashboard_per_role(client_for, role, platform, other_platform):
    response = get(client_for(role))
    assert response.status_code == SEEN[role]
    if role == "anonymous":
        assert reverse("account_login") in response["Location"]


@pytest.mark.parametrize("role", ALL_ROLES)
def test_chart_csv_per_role(client_for, role, platform):
    response = get(client_for(role), "dashboard_csv", kwargs={"chart": "cotisations-par-annee"})
    assert response.status_code == SEEN[role]


@pytest.mark.parametrize("role", ["anonymous", "director", "other_director", "staff"])
def test_report_refused(client_for, role, platform):
    response = get(client_for(role), "dashboard_report")
    assert response.status_code == SEEN[role]


@pytest.mark.parametrize("role", ALL_ROLES)
def test_navigation_link_for_bureau_and_ministry(client_for, role, platform, other_platform):
    if role == "anonymous":
        return
    content = client_for(role).get(reverse("home")).content.decode()
    assert (f'href="{reverse("dashboard")}"' in content) is (role in ("bureau", "ministry"))


# The figures --------------------------------------------------------------------------


def test_dues_2016_eleven_of_forty_four(client_for, data):
    rows = chart_rows(client_for("ministry"), "cotisations-par-annee")
    assert rows[0] == ["Année", "Attendues", "Payées", "Taux payé", "Plateformes cotisantes"]
    assert rows[1] == ["2016", "44", "11", "25,0", "11"]
    content = get(client_for("ministry"), year=2016).content.decode()
    assert "25\u00a0%" in content and "11 payées sur 44 attendues" in content


def test_dues_per_region(client_for, data):
    rows = chart_rows(client_for("bureau"), "cotisations-par-region", year=2016)
    by_region = {row[0]: row for row in rows[1:]}
    assert by_region["Hauts-de-France"][1:4] == ["40", "11", "27,5"]
    assert by_region["Pays de la Loire"][1:4] == ["4", "0", "0,0"]
    assert by_region["Corse"][1:4] == ["0", "0", ""]
    assert rows[0][-2:] == ["Montant appelé", "Montant reçu"]
    assert by_region["Hauts-de-France"][-2:] == ["6000,00", "1650,00"]


def test_region_filter(client_for, data):
    west = Region.objects.get(code="52")
    rows = csv_rows(
        get(
            client_for("bureau"),
            "dashboard_csv",
            kwargs={"chart": "cotisations-par-annee"},
            region=west.slug,
        )
    )
    assert rows[1][:4] == ["2016", "4", "0", "0,0"]
    content = get(client_for("bureau"), region=west.slug).content.decode()
    assert "Pays de la Loire" in content


def test_network_figures(client_for, data):
    rows = chart_rows(client_for("bureau"), "plateformes-par-annee")
    by_year = {row[0]: row for row in rows[1:]}
    assert by_year["2016"] == ["2016", "44", "0", "0"]
    rows = chart_rows(client_for("bureau"), "plateformes-par-domaine")
    assert ["Mécanique", "5"] in rows


def test_impact_indicator_totals_and_medians(client_for, data):
    rows = chart_rows(client_for("bureau"), "indicateur-entreprises")
    assert rows[0] == ["Année", "Réponses", "Total", "Médiane"]
    assert rows[1] == [str(SURVEY_YEAR), "5", "107,00", "20,00"]


def test_statistical_secrecy_for_the_ministry(client_for, data):
    def west(role):
        rows = chart_rows(client_for(role), "reponses-par-region", year=SURVEY_YEAR)
        return {row[0]: row for row in rows[1:]}["Pays de la Loire"]

    assert west("ministry")[-1] == "secret"  # one response: secret
    assert west("bureau")[-1] == "7,00"
    north = Region.objects.get(code="32")
    rows = chart_rows(
        client_for("ministry"), "indicateur-entreprises", region=Region.objects.get(code="52").slug
    )
    assert rows[1][2] == "secret"  # the one answer of Pays de la Loire
    rows = chart_rows(client_for("ministry"), "indicateur-entreprises", region=north.slug)
    assert rows[1][1:] == ["4", "100,00", "25,00"]


def test_ministry_sees_closed_surveys_only(client_for, data):
    survey(TODAY.year, [], [], status=CampaignStatus.OPEN)
    ministry = chart_rows(client_for("ministry"), "taux-de-reponse")
    bureau = chart_rows(client_for("bureau"), "taux-de-reponse")
    assert [row[0] for row in ministry[1:]] == [str(SURVEY_YEAR)]
    assert [row[0] for row in bureau[1:]] == [str(SURVEY_YEAR), str(TODAY.year)]
    assert ministry[1] == [str(SURVEY_YEAR), "5", "44", "11,4"]


def test_no_dues_amount_for_the_ministry(client_for, data):
    for chart in ("cotisations-par-annee", "cotisations-par-region"):
        rows = chart_rows(client_for("ministry"), chart)
        assert not any("Montant" in head for head in rows[0])
        assert not any("150,00" in cell or "1650" in cell for row in rows for cell in row)
    content = get(client_for("ministry"), year=2016).content.decode()
    assert "Montant appelé" not in content and "Reçu en" not in content
    assert "1\u202f650" not in content and "1 650" not in content and "1\u00a0650" not in content
    bureau = get(client_for("bureau"), year=2016).content.decode()
    assert "Montant appelé" in bureau and "Reçu en 2016" in bureau


def test_calls_projects_and_meetings(client_for, data):
    board = build_dashboard(UserFactory(role=Role.BUREAU), SURVEY_YEAR)
    keys = {key.label: key for section in board.sections for key in section.keys}
    assert keys["Appels ouverts aujourd'hui"].value.value == 1
    assert keys["Appels qui clôturent sous 30 jours"].value.value == 1
    assert keys[f"Projets retenus en {SURVEY_YEAR}"].value.value == 1
    assert keys["Actions en cours"].value.value == 1
    assert "dont 1 en retard" in keys["Actions en cours"].note
    meetings = dict(board.chart("reunions-par-annee").rows)[str(SURVEY_YEAR)]
    assert [str(cell) for cell in meetings] == ["1", "1", "50\u00a0%"]
    projects = dict(board.chart("projets-par-annee").rows)[str(SURVEY_YEAR)]
    assert [cell.value for cell in projects] == [1, 1, Decimal("5000")]


def test_every_chart_has_a_csv_a_title_and_a_table(client_for, data):
    client = client_for("bureau")
    board = build_dashboard(UserFactory(role=Role.BUREAU), SURVEY_YEAR)
    assert len(board.charts) >= 10
    content = get(client, year=SURVEY_YEAR).content.decode()
    for chart in board.charts:
        response = get(client, "dashboard_csv", kwargs={"chart": chart.slug}, year=SURVEY_YEAR)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        assert csv_rows(response)[0] == chart.header
        assert chart.caption and f'id="{chart.slug}"' in content
        if chart.svg:
            assert "<title>" in chart.svg
    assert get(client, "dashboard_csv", kwargs={"chart": "inconnu"}).status_code == 404


def test_figures_link_to_their_lists(client_for, data):
    bureau = get(client_for("bureau")).content.decode()
    ministry = get(client_for("ministry")).content.decode()
    assert reverse("dues_board") in bureau and reverse("dues_board") not in ministry
    for name in ("platform_list", "project_board", "meeting_list", "call_list"):
        assert reverse(name) in ministry


def test_bad_filters_fall_back(client_for, data):
    response = get(client_for("bureau"), year="deux-mille", region="atlantide", carte="x")
    assert response.status_code == 200
    assert response.context["board"].year == TODAY.year
    assert response.context["board"].region is None


def test_get_writes_nothing(client_for, data):
    client = client_for("bureau")
    with CaptureQueriesContext(connection) as queries:
        get(client)
        get(client, "dashboard_csv", kwargs={"chart": "plateformes-par-annee"})
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
        and "django_session" not in q["sql"]
    ]
    assert writes == []


# Queries ----------------------------------------------------------------------------


def _count(client, **query) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert get(client, **query).status_code == 200
    return len(queries)


@pytest.mark.parametrize("role", ["bureau", "ministry"])
def test_query_count_does_not_grow_with_the_data(client_for, role, django_assert_max_num_queries):
    client = client_for(role)
    network_data(1)
    small = _count(client), _count(client, region="hauts-de-france")
    network_data(2)
    survey(SURVEY_YEAR - 3, labelled_platforms(6), [1, 2, 3, 4, 5, 6])
    dues_year(labelled_platforms(10), 2019, 5)
    large = _count(client), _count(client, region="hauts-de-france")
    assert small == large
    with django_assert_max_num_queries(22):
        get(client, region="hauts-de-france")


def test_selectors_constant_queries(django_assert_num_queries, data):
    years = selectors.dashboard_years()
    with django_assert_num_queries(1):
        selectors.network(years)
    with django_assert_num_queries(1):
        selectors.dues_by_year(years)
    with django_assert_num_queries(2):
        selectors.projects_by_year(years)
    with django_assert_num_queries(2):
        selectors.meetings_by_year(years)


# The cache ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["bureau", "ministry"])
def test_cached_page_runs_the_session_queries_only(
    client_for, role, data, django_assert_max_num_queries
):
    client = client_for(role)
    dashboard_cache.committed()  # the data's transaction (which a test never commits)
    assert get(client, region="hauts-de-france").status_code == 200  # computed and stored
    with django_assert_max_num_queries(3):  # the session and the user
        assert get(client, region="hauts-de-france").status_code == 200
    get(client)  # the whole country's board, stored
    with django_assert_max_num_queries(3):  # a wrong region is the whole country
        get(client, "dashboard_csv", kwargs={"chart": "plateformes-par-annee"}, region="x")


def test_a_board_computed_before_the_commit_is_not_kept(client_for, data):
    """The data was written in this test's transaction, not committed: the writing
    window is open, boards are computed for each request and not stored."""
    client = client_for("bureau")
    get(client)
    assert _count(client) > 3
    dashboard_cache.committed()
    get(client)
    assert _count(client) <= 3


def test_each_viewer_kind_its_own_board(client_for, data):
    get(client_for("bureau"), year=2016)
    ministry = get(client_for("ministry"), year=2016).content.decode()
    assert "Montant appelé" not in ministry


def _payment(line):
    from members.services.dues import dues_record_payment

    return dues_record_payment(
        received_on=TODAY,
        amount=line.amount_due,
        method="transfer",
        allocations=[(line, line.amount_due)],
        issue_documents=False,
    )


def _change(source, platforms):
    """One write to ``source``, one of the models the figures are read from."""
    first = platforms[0]
    if source == "platform":
        first.label_status = LabelStatus.EXPIRED
        first.save()
    elif source == "domains":
        first.domains.add(DomainFactory(name="Optique"))
    elif source == "dues":
        DuesLine.objects.filter(year=2016, status=DuesStatus.CALLED).first().save()
    elif source == "payment":
        _payment(DuesLine.objects.filter(year=2016, status=DuesStatus.CALLED).first())
    elif source == "survey":
        ResponseFactory(campaign=Campaign.objects.get(), platform=platforms[-1])
    elif source == "call":
        with_deadline(5)
    elif source == "project":
        ProjectFactory(lead_platform=first)
    elif source == "meeting":
        MeetingFactory()
    elif source == "invitation":
        InvitationFactory(platform=first)
    elif source == "action":
        ActionFactory().delete()
    else:
        raise AssertionError(source)


SOURCES = [
    "platform",
    "domains",
    "dues",
    "payment",
    "survey",
    "call",
    "project",
    "meeting",
    "invitation",
    "action",
]


@pytest.mark.parametrize("source", SOURCES)
def test_a_change_to_each_source_makes_the_board_stale(data, source):
    dashboard_cache.committed()
    before = dashboard_cache.generation()
    _change(source, data)
    after = dashboard_cache.generation()
    assert after.value != before.value
    # Uncommitted: no board is stored meanwhile (surveys bump theirs again on commit).
    assert after.storable is (source == "survey")


def test_the_page_shows_the_new_figures(client_for, data):
    client = client_for("bureau")
    assert "11 payées sur 44 attendues" in get(client, year=2016).content.decode()
    _payment(DuesLine.objects.filter(year=2016, status=DuesStatus.CALLED).first())
    assert "12 payées sur 44 attendues" in get(client, year=2016).content.decode()
    rows = chart_rows(client, "plateformes-par-annee")
    assert rows[1] == ["2016", "44", "0", "0"]
    data[0].label_granted_on = datetime.date(2017, 3, 1)
    data[0].save()
    assert chart_rows(client, "plateformes-par-annee")[1] == ["2016", "43", "0", "0"]
    before = chart_rows(client, "taux-de-reponse", year=SURVEY_YEAR)[1]
    ResponseFactory(
        campaign=Campaign.objects.get(),
        platform=data[-1],
        status=ResponseStatus.SUBMITTED,
        submitted_at=timezone.now(),
    )
    after = chart_rows(client, "taux-de-reponse", year=SURVEY_YEAR)[1]
    assert (before[1], after[1]) == ("5", "6")


# Valid HTML -------------------------------------------------------------------------


def test_figures_caption_first_and_tables_scroll_with_the_keyboard(client_for, data):
    import re

    board = build_dashboard(UserFactory(role=Role.BUREAU), SURVEY_YEAR)
    content = get(client_for("bureau"), year=SURVEY_YEAR).content.decode()
    figures = re.findall(r'<figure class="dashboard-figure" id="[^"]+">\s*<figcaption', content)
    assert len(figures) == len(board.charts)
    wraps = re.findall(r'<div class="table-wrap" tabindex="0" role="region" aria-label="', content)
    assert len(wraps) == len(board.charts) + 1  # and the regions' table
    assert '<div class="table-wrap">' not in content


# The annual report ------------------------------------------------------------------


def prepare(client, year=2016):
    """POST "Préparer le rapport", the task run when the request commits (eager)."""
    return client.post(reverse("dashboard_report_page"), {"year": year})


@pytest.fixture
def prepared(django_capture_on_commit_callbacks):
    def make(client, year=2016):
        with django_capture_on_commit_callbacks(execute=True):
            response = prepare(client, year)
        assert response.status_code == 302
        return response

    return make


@pytest.mark.parametrize("role", ALL_ROLES)
def test_report_page_per_role(client_for, role, platform, django_capture_on_commit_callbacks):
    client = client_for(role)
    assert get(client, "dashboard_report_page").status_code == SEEN[role]
    with django_capture_on_commit_callbacks() as callbacks:
        response = prepare(client)
    assert response.status_code == (SEEN[role] if SEEN[role] != 200 else 302)
    assert len(callbacks) == (1 if role in ("bureau", "ministry") else 0)
    if SEEN[role] != 200:
        assert not NationalReport.objects.exists()


@pytest.mark.parametrize("role", ["bureau", "ministry"])
def test_annual_report(client_for, role, data, prepared):
    from tests.pdf import pdf_text

    client = client_for(role)
    prepared(client)
    response = get(client, "dashboard_report", year=2016)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content, flat=True)
    for title in (
        "Sommaire",
        "Chiffres clés",
        "Réseau",
        "Adhésion",
        "Impact",
        "Appels et projets",
        "Réunions",
        "Carte des régions",
        "Par région",
        "Méthode",
    ):
        assert title in text
    assert "Cotisations payées en 2016 25 % 11 payées sur 44 attendues" in text
    assert "Page 1 /" in text
    assert "moins de 3 réponses" in text
    amounts = ("Montant appelé", "Reçu en 2016", "Appelé", "1 650,00")
    if role == "ministry":
        assert not any(amount in text for amount in amounts)
        assert "aucun montant de cotisation" in text
    else:
        assert all(amount in text for amount in amounts)


def test_report_get_writes_nothing_and_offers_to_prepare(client_for, data):
    client = client_for("ministry")
    with CaptureQueriesContext(connection) as queries:
        download = get(client, "dashboard_report", year=2016)
        page = get(client, "dashboard_report_page", year=2016)
    assert download.status_code == 302
    assert download["Location"] == reverse("dashboard_report_page") + "?year=2016"
    assert not any(
        q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
        for q in queries.captured_queries
    )
    assert not NationalReport.objects.exists()
    content = page.content.decode()
    assert "pas encore préparé" in content and "Préparer le rapport" in content
    assert 'method="post"' in content


def test_double_post_enqueues_once(client_for, data, django_capture_on_commit_callbacks):
    client = client_for("bureau")
    with django_capture_on_commit_callbacks() as callbacks:
        prepare(client)
        prepare(client)
    assert len(callbacks) == 1
    report = NationalReport.objects.get()
    assert (report.year, report.edition, report.status) == (2016, "bureau", "pending")
    page = get(client, "dashboard_report_page", year=2016).content.decode()
    assert "en préparation" in page and 'data-hx-trigger="every 2s"' in page
    fragment = client.get(
        reverse("dashboard_report_page"), {"year": 2016}, headers={"HX-Request": "true"}
    )
    assert fragment.content.decode().lstrip().startswith("<section")


def test_prepared_report_is_served_as_stored(client_for, data, prepared, monkeypatch):
    client = client_for("bureau")
    prepared(client)
    stored = NationalReport.objects.get()
    assert stored.status == "ready" and bytes(stored.content[:4]) == b"%PDF"
    page = get(client, "dashboard_report_page", year=2016).content.decode()
    assert "Télécharger le rapport national 2016" in page and "data-hx-get" not in page

    def no_drawing(*args, **kwargs):
        raise AssertionError("the download draws nothing")

    monkeypatch.setattr("innovalo.dashboard.services.render_pdf", no_drawing)
    response = get(client, "dashboard_report", year=2016)
    assert response.content == bytes(stored.content)
    assert 'filename="rapport-national-2016.pdf"' in response["Content-Disposition"]
    # A second request finds it current: nothing enqueued, nothing drawn.
    prepared(client)
    assert NationalReport.objects.get().created_at == stored.created_at


def test_each_edition_its_own_report(client_for, data, prepared):
    prepared(client_for("bureau"))
    assert get(client_for("ministry"), "dashboard_report", year=2016).status_code == 302
    prepared(client_for("ministry"))
    editions = dict(NationalReport.objects.values_list("edition", "content"))
    assert set(editions) == {"bureau", "ministry"}
    assert bytes(editions["bureau"]) != bytes(editions["ministry"])


def test_failed_preparation_is_offered_again(client_for, data, prepared, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("WeasyPrint")

    monkeypatch.setattr("innovalo.dashboard.services.render_pdf", broken)
    client = client_for("bureau")
    prepared(client)
    assert NationalReport.objects.get().status == "failed"
    page = get(client, "dashboard_report_page", year=2016).content.decode()
    assert "a échoué" in page and "Préparer le rapport" in page
    assert get(client, "dashboard_report", year=2016).status_code == 302
    monkeypatch.undo()
    prepared(client)
    assert NationalReport.objects.get().status == "ready"


def test_stale_report_is_prepared_again(client_for, data, prepared):
    client = client_for("ministry")
    prepared(client)
    line = DuesLine.objects.filter(year=2016, status=DuesStatus.CALLED).first()
    line.status, line.paid_amount = DuesStatus.PAID, line.amount_due
    line.save()
    assert get(client, "dashboard_report", year=2016).status_code == 302
    page = get(client, "dashboard_report_page", year=2016).content.decode()
    assert "Les chiffres ont changé" in page
    prepared(client)
    from tests.pdf import pdf_text

    text = pdf_text(get(client, "dashboard_report", year=2016).content, flat=True)
    assert "12 payées sur 44 attendues" in text


def test_report_year_defaults_to_this_year(client_for, data, prepared):
    client = client_for("ministry")
    prepared(client, year="n'importe")
    assert NationalReport.objects.get().year == TODAY.year
    response = get(client, "dashboard_report", year="n'importe")
    assert response.status_code == 200
    assert f"rapport-national-{TODAY.year}.pdf" in response["Content-Disposition"]


@pytest.mark.parametrize("role", ["director", "bureau", "ministry"])
def test_home_leads_the_ministry_to_the_dashboard(client_for, role, platform):
    content = client_for(role).get(reverse("home")).content.decode()
    assert ("Ouvrir le tableau de bord" in content) is (role != "director")
