"""Exports of the calls list (CSV, XLSX): the list as filtered, streamed, defused."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from innovalo.models import AuditEntry
from projects.enums import CallScope, CallStatus
from projects.models import Call
from tests.conftest import ROLES
from tests.projects.factories import (
    DeadlineFactory,
    FunderFactory,
    ThemeFactory,
    with_deadline,
)

pytestmark = pytest.mark.django_db

EXPORTS = ["call_export_csv", "call_export_xlsx"]


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def csv_rows(response) -> list[list[str]]:
    text = body(response).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def xlsx_rows(response) -> list[list]:
    sheet = load_workbook(io.BytesIO(body(response)), read_only=True).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def rows_of(url_name, response):
    return csv_rows(response) if url_name == "call_export_csv" else xlsx_rows(response)


@pytest.fixture
def calls(db):
    numeric = ThemeFactory(name="Numérique", slug="numerique")
    energy = ThemeFactory(name="Énergie", slug="energie")
    bpi = FunderFactory(name="Bpifrance")
    first = with_deadline(
        20,
        title="France 2030 — numérique",
        amount_min=100000,
        amount_max=2000000,
        rate_min=25,
        rate_max="45.5",
        url="https://www.bpifrance.fr/appel",
        application_url="https://depot.bpifrance.fr/",
    )
    first.themes.add(numeric)
    first.funders.add(bpi)
    DeadlineFactory(
        call=first, label="Dossier complet", due_at=timezone.now() + datetime.timedelta(days=90)
    )
    second = with_deadline(60, title="Transition énergétique", scope=CallScope.REGIONAL)
    second.themes.add(energy)
    from members.models import Region

    second.regions.add(Region.objects.get(code="32"))
    closed = with_deadline(-5, title="Appel clos")
    proposed = with_deadline(40, title="Appel proposé", status=CallStatus.PROPOSED)
    return first, second, closed, proposed


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url_name", EXPORTS)
def test_exports_per_role(client_for, role, url_name, calls):
    response = client_for(role).get(reverse(url_name))
    if role == "anonymous":
        assert response.status_code == 302
        assert reverse("account_login") in response["Location"]
        return
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    titles = [row[0] for row in rows_of(url_name, response)[1:]]
    # Open calls by default, nearest deadline first; a proposal only for the bureau when
    # it asks for it.
    assert titles == ["France 2030 — numérique", "Transition énergétique"]


@pytest.mark.parametrize("url_name", EXPORTS)
def test_exports_follow_the_list_filters(client_for, url_name, calls):
    client = client_for("director")
    only = rows_of(url_name, client.get(reverse(url_name) + "?theme=energie"))
    assert [row[0] for row in only[1:]] == ["Transition énergétique"]
    words = rows_of(url_name, client.get(reverse(url_name) + "?q=france"))
    assert [row[0] for row in words[1:]] == ["France 2030 — numérique"]
    everything = rows_of(url_name, client.get(reverse(url_name) + "?state=all"))
    assert len(everything) == 4  # the closed one too, never the proposal
    bureau = client_for("bureau")
    proposals = rows_of(url_name, bureau.get(reverse(url_name) + "?status=proposed"))
    assert [row[0] for row in proposals[1:]] == ["Appel proposé"]
    hidden = rows_of(url_name, client.get(reverse(url_name) + "?status=proposed"))
    assert "Appel proposé" not in [row[0] for row in hidden[1:]]


def test_csv_columns(client_for, calls):
    rows = csv_rows(client_for("director").get(reverse("call_export_csv")))
    assert rows[0] == [
        "Titre",
        "Financeurs",
        "Thèmes",
        "Nature",
        "Portée",
        "Régions",
        "Prochaine date limite",
        "Étape",
        "État",
        "Montant minimum (€)",
        "Montant maximum (€)",
        "Taux minimum (%)",
        "Taux maximum (%)",
        "Page de l'appel",
        "Site de dépôt",
        "Statut",
    ]
    first, second = rows[1], rows[2]
    due = timezone.localtime(calls[0].deadlines.order_by("due_at").first().due_at)
    assert first[:9] == [
        "France 2030 — numérique",
        "Bpifrance",
        "Numérique",
        "Appel à projets",
        "National",
        "",
        due.strftime("%d/%m/%Y %H:%M"),
        "Date limite de dépôt",
        "Clôture proche",
    ]
    assert first[9:] == [
        "100000,00",
        "2000000,00",
        "25,00",
        "45,50",
        "https://www.bpifrance.fr/appel",
        "https://depot.bpifrance.fr/",
        "Publié",
    ]
    assert second[4:6] == ["Régional", "Hauts-de-France"]
    assert second[8] == "Ouvert"


def test_xlsx_cells_are_typed(client_for, calls):
    rows = xlsx_rows(client_for("director").get(reverse("call_export_xlsx")))
    first = rows[1]
    assert isinstance(first[6], datetime.datetime)
    assert first[9] == 100000 and first[12] == 45.5


@pytest.mark.parametrize("url_name", EXPORTS)
def test_formulas_are_defused(client_for, url_name):
    with_deadline(10, title='=HYPERLINK("http://evil.example","clic")')
    rows = rows_of(url_name, client_for("director").get(reverse(url_name)))
    assert rows[1][0] == '\'=HYPERLINK("http://evil.example","clic")'


@pytest.mark.parametrize("url_name", EXPORTS)
def test_a_bad_filter_is_ignored_not_a_500(client_for, url_name, calls):
    response = client_for("director").get(reverse(url_name) + "?deadline_before=demain&theme=x")
    assert response.status_code == 200
    assert len(rows_of(url_name, response)) == 3


def _many(count):
    theme, funder = ThemeFactory(), FunderFactory()
    from members.models import Region

    region = Region.objects.get(code="44")
    for index in range(count):
        call = with_deadline(10 + index, scope=CallScope.REGIONAL)
        call.themes.add(theme)
        call.funders.add(funder)
        call.regions.add(region)


@pytest.mark.parametrize("url_name", EXPORTS)
@pytest.mark.parametrize("count", [3, 20])
def test_export_queries_do_not_grow(client_for, django_assert_max_num_queries, url_name, count):
    _many(count)
    client = client_for("director")
    calls_before, entries = Call.objects.count(), AuditEntry.objects.count()
    with django_assert_max_num_queries(9):
        rows = rows_of(url_name, client.get(reverse(url_name) + "?sort=published"))
    assert len(rows) == count + 1
    assert (Call.objects.count(), AuditEntry.objects.count()) == (calls_before, entries)
