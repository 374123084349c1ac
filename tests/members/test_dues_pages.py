"""Dues pages and documents: who may see them, what they show, query counts."""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from innovalo.reminders import send_once
from members.models import DuesDocument, Payment
from members.services import dues as services

from .dues_factories import (  # noqa: F401 - fixtures
    DuesLineFactory,
    DuesPlatformFactory,
    DuesRateFactory,
    dues_fixture,
    fast_pdf_fixture,
    frozen_fixture,
    pdf_text,
    real_pdf_fixture,
    stored_amounts_agree_fixture,
    unfrozen_fixture,
)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("frozen", "fast_pdf", "stored_amounts_agree"),
]

TODAY = datetime.date(2026, 11, 25)


def _login_url_in(response):
    return response.status_code == 302 and reverse("account_login") in response["Location"]


BUREAU_ONLY = [
    "dues_board",
    "dues_export",
    "dues_payment_create",
    "dues_call_year",
    "dues_reminder_settings",
]


@pytest.mark.parametrize("name", BUREAU_ONLY)
@pytest.mark.parametrize(
    "role, expected",
    [
        ("anonymous", "login"),
        ("director", 403),
        ("other_director", 403),
        ("ministry", 403),
        ("bureau", 200),
    ],
)
def test_bureau_pages_by_role(client_for, dues, name, role, expected):
    response = client_for(role).get(reverse(name))
    if expected == "login":
        assert _login_url_in(response)
    else:
        assert response.status_code == expected


@pytest.mark.parametrize(
    "role, expected",
    [
        ("anonymous", "login"),
        ("director", 403),
        ("other_director", 403),
        ("ministry", 403),
        ("bureau", 200),
    ],
)
def test_line_page_by_role(client_for, dues, role, expected):
    response = client_for(role).get(reverse("dues_line_detail", args=[dues["own"].pk]))
    if expected == "login":
        assert _login_url_in(response)
    else:
        assert response.status_code == expected


@pytest.mark.parametrize("document", ["notice", "receipt", "certificate"])
@pytest.mark.parametrize(
    "role, expected",
    [
        ("anonymous", "login"),
        ("director", 200),
        ("other_director", 403),
        ("ministry", 403),
        ("bureau", 200),
    ],
)
def test_documents_by_role(client_for, dues, document, role, expected):
    doc = dues[document]
    url = doc.get_absolute_url()
    assert url.endswith(f"/{doc.number}.pdf")
    response = client_for(role).get(url)
    if expected == "login":
        assert _login_url_in(response)
    else:
        assert response.status_code == expected
    if expected == 200:
        assert response["Content-Type"] == "application/pdf"
        assert response.content == bytes(doc.content)


@pytest.mark.parametrize(
    "name, key", [("dues_notice_pdf", "notice"), ("dues_certificate_pdf", "certificate")]
)
@pytest.mark.parametrize(
    "role, expected",
    [
        ("anonymous", "login"),
        ("director", 200),
        ("other_director", 403),
        ("ministry", 403),
        ("bureau", 200),
    ],
)
def test_line_pdfs_by_role(client_for, dues, name, key, role, expected):
    response = client_for(role).get(reverse(name, args=[dues["own"].pk]))
    if expected == "login":
        assert _login_url_in(response)
        return
    assert response.status_code == expected
    if expected == 200:
        assert response.content == bytes(dues[key].content)


@pytest.mark.parametrize(
    "role, expected",
    [
        ("anonymous", "login"),
        ("director", 200),
        ("other_director", 403),
        ("ministry", 403),
        ("bureau", 200),
    ],
)
def test_platform_dues_page_by_role(client_for, dues, platform, role, expected):
    response = client_for(role).get(reverse("platform_dues", args=[platform.slug]))
    if expected == "login":
        assert _login_url_in(response)
    else:
        assert response.status_code == expected


def test_director_sees_own_documents_and_never_another_platforms(client_for, dues, platform):
    response = client_for("director").get(reverse("platform_dues", args=[platform.slug]))
    content = response.content.decode()
    for key in ("notice", "receipt", "certificate"):
        assert dues[key].number in content
        assert dues[key].get_absolute_url() in content
    assert dues["other_notice"].number not in content
    assert client_for("director").get(dues["other_notice"].get_absolute_url()).status_code == 403


def test_document_is_identical_when_downloaded_again(client_for, dues, real_pdf):
    url = dues["receipt"].get_absolute_url()
    first = client_for("bureau").get(url).content
    second = client_for("director").get(url).content
    assert first == second
    assert "RE-2026-0001" in pdf_text(first)


def test_document_url_with_a_wrong_number_is_404(client_for, dues):
    url = reverse("dues_document", args=[dues["notice"].pk, "AC-2026-9999"])
    assert client_for("bureau").get(url).status_code == 404


def test_certificate_link_refused_until_paid(client_for, dues):
    url = reverse("dues_certificate_pdf", args=[dues["other"].pk])
    assert client_for("bureau").get(url).status_code == 404
    assert client_for("director").get(url).status_code == 403


def test_notice_is_404_until_issued_then_the_same_for_everyone(client_for, dues, platform):
    line = DuesLineFactory(platform=platform, year=2025)
    url = reverse("dues_notice_pdf", args=[line.pk])
    assert client_for("director").get(url).status_code == 404
    assert client_for("bureau").get(url).status_code == 404
    assert not DuesDocument.objects.filter(line=line).exists()
    page = reverse("dues_line_detail", args=[line.pk])
    assert client_for("director").post(page, {"action": "issue_notice"}).status_code == 403
    assert client_for("bureau").post(page, {"action": "issue_notice"}).status_code == 302
    first = client_for("director").get(url)
    second = client_for("bureau").get(url)
    assert first.status_code == 200 and first.content == second.content
    assert DuesDocument.objects.filter(line=line, kind="notice").count() == 1
    assert client_for("other_director").get(url).status_code == 403


# The board ---------------------------------------------------------------------------


@pytest.fixture
def board_year():
    """44 lines in 2016, 11 paid, by two regions; one exempt, one partly paid."""
    from .dues_factories import safe_department

    DuesRateFactory(year=2016, amount=Decimal("150.00"))
    vendee = safe_department("85")
    lines = []
    for index in range(44):
        platform = DuesPlatformFactory(department=vendee if index % 4 == 0 else safe_department())
        lines.append(
            DuesLineFactory(
                platform=platform,
                year=2016,
                amount_due=Decimal("150.00"),
                due_date=datetime.date(2016, 3, 31),
            )
        )
    for line in lines[:11]:
        services.dues_record_payment(
            received_on=datetime.date(2016, 5, 1),
            amount="150",
            method="cheque",
            allocations=[(line, "150")],
            issue_documents=False,
        )
    services.dues_record_payment(
        received_on=datetime.date(2016, 6, 1),
        amount="50.50",
        method="transfer",
        allocations=[(lines[11], "50.50")],
        issue_documents=False,
    )
    extra = DuesLineFactory(year=2016, amount_due=Decimal("150.00"))
    services.dues_exempt(line=extra, reason="Création en cours d'année")
    return lines


def test_board_shows_counts_percentage_and_sql_totals(client_for, board_year):
    response = client_for("bureau").get(reverse("dues_board"), {"year": 2016})
    assert response.status_code == 200
    summary = response.context["summary"]
    assert summary["paid"] == 11 and summary["expected"] == 44 and summary["exempt"] == 1
    assert summary["partly_paid"] == 1
    assert summary["expected_amount"] == Decimal("6600.00")
    assert summary["collected_amount"] == Decimal("1700.50")
    content = response.content.decode().replace("\u00a0", " ").replace("\u202f", " ")
    assert "11 / 44 — 25 %" in content
    assert "1 700,50 €" in content and "6 600,00 €" in content
    regions = {r["platform__department__region__name"]: r for r in response.context["regions"]}
    assert sum(r["expected"] for r in regions.values()) == 44
    assert sum(r["collected_amount"] for r in regions.values()) == Decimal("1700.50")


def test_board_years_are_the_rated_years_the_years_with_lines_and_this_year(
    django_assert_num_queries,
):
    """One query, a walk on the index of the lines' year (issue 15: reading every line
    of twenty years for the year picker cost more than the board itself)."""
    from members.selectors.dues import dues_years

    DuesRateFactory(year=2019)
    for year in (2012, 2012, 2016):  # 2012 without a rate, twice; none in 2013-2015
        DuesLineFactory(year=year)
    with django_assert_num_queries(1):
        years, rated = dues_years()
    assert years == [2026, 2019, 2016, 2012]  # this year (frozen) with neither
    assert rated == {2019}


def test_board_filters_and_paginates(client_for, board_year):
    client = client_for("bureau")
    paid = client.get(reverse("dues_board"), {"year": 2016, "state": "paid"})
    assert paid.context["page_obj"].paginator.count == 11
    late = client.get(reverse("dues_board"), {"year": 2016, "late": "true"})
    assert late.context["page_obj"].paginator.count == 44 - 11
    search = client.get(reverse("dues_board"), {"year": 2016, "q": board_year[0].platform.name})
    assert search.context["page_obj"].paginator.count == 1
    last = client.get(reverse("dues_board"), {"year": 2016, "page": 2})
    assert last.context["page_obj"].number == 1  # 45 rows fit on one page of 50
    bad = client.get(reverse("dues_board"), {"year": "abc", "state": "nonsense", "page": "x"})
    assert bad.status_code == 200


def test_board_query_count_is_pinned(client_for, board_year, django_assert_max_num_queries):
    client = client_for("bureau")
    client.get(reverse("dues_board"), {"year": 2016})  # warm the session
    # Session and user, years, the figures (summary and regions, which also count the
    # unfiltered page), the filter's regions (plain choices, no server-side cursor), the
    # rows; a filter adds the count of its lines.
    with django_assert_max_num_queries(6):
        response = client.get(reverse("dues_board"), {"year": 2016})
    assert len(response.context["page_obj"]) == 45
    assert response.context["page_obj"].paginator.count == 45
    with django_assert_max_num_queries(7):
        region = board_year[1].platform.department.region_id
        response = client.get(reverse("dues_board"), {"year": 2016, "region": region})
    assert response.context["page_obj"].paginator.count == 34  # with the exempt line


def _close_writing_windows():
    """The test's own writes never commit: close the window they opened."""
    from innovalo.dashboard import cache as dashboard_cache

    dashboard_cache.committed()


def test_board_figures_are_cached_until_a_payment_changes_them(
    client_for, board_year, django_assert_max_num_queries
):
    client = client_for("bureau")
    _close_writing_windows()
    first = client.get(reverse("dues_board"), {"year": 2016})
    assert first.context["summary"]["paid"] == 11
    # The figures are served from the cache: session, user, years, regions, rows.
    with django_assert_max_num_queries(5):
        again = client.get(reverse("dues_board"), {"year": 2016})
    assert again.context["summary"] == first.context["summary"]
    assert again.context["regions"] == first.context["regions"]
    services.dues_record_payment(
        received_on=datetime.date(2016, 7, 1),
        amount="150",
        method="cheque",
        allocations=[(board_year[20], "150")],
        issue_documents=False,
    )
    after = client.get(reverse("dues_board"), {"year": 2016})
    assert after.context["summary"]["paid"] == 12
    assert after.context["summary"]["collected_amount"] == (
        first.context["summary"]["collected_amount"] + Decimal("150.00")
    )


def test_board_figures_computed_while_a_write_is_open_are_not_kept(client_for, board_year):
    from members.selectors import dues as selectors

    client = client_for("bureau")
    _close_writing_windows()
    client.get(reverse("dues_board"), {"year": 2016})
    board_year[30].platform.save()  # a write inside the test's transaction: window open
    client.get(reverse("dues_board"), {"year": 2016})
    _close_writing_windows()
    # Nothing was kept while the window was open: computed again now.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        selectors.cached_year_figures(2016)
    assert any("GROUP BY" in query["sql"] for query in queries.captured_queries)
    with CaptureQueriesContext(connection) as queries:
        selectors.cached_year_figures(2016)
    assert not queries.captured_queries


def _board_row(content, line):
    """The <tr> of `line` on the board."""
    start = content.index(f'<a href="{reverse("dues_line_detail", args=[line.pk])}">')
    return content[content.rindex("<tr>", 0, start) : content.index("</tr>", start)]


def test_board_rows_show_state_lateness_amounts_and_due_date(client_for, board_year):
    from members.models import DuesLine

    response = client_for("bureau").get(reverse("dues_board"), {"year": 2016})
    content = response.content.decode().replace("\u00a0", " ")
    partly = _board_row(content, board_year[11])
    assert f">{board_year[11].platform.name}</a>" in partly
    region = board_year[11].platform.department.region.name
    assert f'<td data-label="Région">{region}</td>' in partly
    assert '<span class="badge badge-partly_paid">Payée en partie</span>' in partly
    assert '<span class="badge badge-late">En retard</span>' in partly
    amounts = (
        '<td class="num" data-label="Dû">150,00 €</td>\n'
        '      <td class="num" data-label="Payé">50,50 €</td>\n'
        '      <td class="num" data-label="Reste">99,50 €</td>'
    )
    assert amounts in partly
    assert '<td data-label="Échéance">31 mars 2016</td>' in partly
    paid = _board_row(content, board_year[0])
    assert "badge-paid" in paid and "badge-late" not in paid
    exempt = _board_row(content, DuesLine.objects.get(year=2016, status="exempt"))
    assert "Exonérée" in exempt and "badge-late" not in exempt
    assert (
        '<td class="num" data-label="Payé">0,00 €</td>\n'
        '      <td class="num" data-label="Reste">0,00 €</td>'
    ) in exempt


def test_board_page_numbers_out_of_range_show_the_last_page(client_for, board_year, monkeypatch):
    monkeypatch.setattr("members.views.dues.PAGE_SIZE", 10)
    client = client_for("bureau")
    huge = "9" * 30  # beyond what OFFSET takes
    for asked, shown in [("2", 2), ("9", 5), (huge, 5), ("0", 5), ("-1", 5), ("x", 1), ("", 1)]:
        page = client.get(reverse("dues_board"), {"year": 2016, "page": asked}).context["page_obj"]
        assert (page.number, page.paginator.count, page.paginator.num_pages) == (shown, 45, 5)
        assert len(page) == (5 if shown == 5 else 10)
    first, second = (
        [
            row["pk"]
            for row in client.get(reverse("dues_board"), {"year": 2016, "page": n}).context[
                "page_obj"
            ]
        ]
        for n in (1, 2)
    )
    assert not set(first) & set(second)
    empty = client.get(reverse("dues_board"), {"year": 2016, "q": "nothing-matches", "page": 3})
    assert (empty.context["page_obj"].number, empty.context["page_obj"].paginator.count) == (1, 0)
    assert "Aucune ligne ne correspond." in empty.content.decode()


def test_board_region_filter_reads_plain_choices_and_refuses_unknown_ids(client_for, board_year):
    client = client_for("bureau")
    vendee = board_year[0].platform.department.region
    response = client.get(reverse("dues_board"), {"year": 2016, "region": vendee.pk})
    assert response.context["page_obj"].paginator.count == 11
    assert (
        f'<option value="{vendee.pk}" selected>{vendee.name}</option>' in response.content.decode()
    )
    unknown = client.get(reverse("dues_board"), {"year": 2016, "region": 999999})
    assert unknown.status_code == 200
    assert "Sélectionnez un choix valide" in unknown.content.decode()


def test_year_figures_count_late_unpaid_lines_only(board_year):
    from members.selectors import dues as selectors

    summary, regions = selectors.dues_year_figures(2016)
    assert (summary["total"], summary["called"], summary["late"]) == (45, 44, 33)
    assert summary["outstanding_amount"] == Decimal("4899.50")
    assert summary == selectors.dues_year_summary(2016)
    assert regions == selectors.dues_by_region(2016)
    assert sorted(r["expected"] for r in regions) == [11, 33]
    names = [r["platform__department__region__name"] for r in regions]
    assert names == sorted(names)
    empty = selectors.dues_year_summary(1999)
    assert (empty["total"], empty["expected"], empty["collected_amount"]) == (0, 0, Decimal("0"))


def test_line_page_shows_payments_documents_reminders_history(client_for, dues):
    assert send_once("dues_call", dues["own"], "")
    response = client_for("bureau").get(reverse("dues_line_detail", args=[dues["own"].pk]))
    content = response.content.decode()
    for key in ("notice", "receipt", "certificate"):
        assert dues[key].number in content
    assert "Appel" in content and "directrice@exemple.fr" in content
    history = [entry.action for entry in response.context["history"]]
    assert history[-1] == "dues.paid" and "dues.document_issued" in history
    assert "Paiement enregistré" in content


def test_line_page_query_count_is_pinned(client_for, dues, django_assert_max_num_queries):
    line = dues["own"]
    for _ in range(3):
        services.dues_cancel_payment(
            payment=Payment.objects.filter(cancellation__isnull=True).first(), reason="erreur"
        )
        services.dues_record_payment(
            received_on=TODAY, amount="300", method="cheque", allocations=[(line, "300")]
        )
    client = client_for("bureau")
    client.get(reverse("dues_line_detail", args=[line.pk]))
    # 7, and the other lines of the payments split over several (one query).
    with django_assert_max_num_queries(8):
        response = client.get(reverse("dues_line_detail", args=[line.pk]))
    assert len(response.context["allocations"]) == 4
    assert len(response.context["receipts"]) == 4


# Exports -----------------------------------------------------------------------------


def test_export_csv(client_for, board_year):
    response = client_for("bureau").get(
        reverse("dues_export"), {"year": 2016, "state": "paid", "format": "csv"}
    )
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    rows = [row for row in text.splitlines() if row]
    assert rows[0].startswith("Année;Plateforme;Sigle;Région;État;Montant dû")
    assert len(rows) == 12
    assert "Payée;150,00;150,00;0,00" in rows[1]


def test_export_xlsx(client_for, board_year, unfrozen):
    from openpyxl import load_workbook

    response = client_for("bureau").get(reverse("dues_export"), {"year": 2016, "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Année", "Plateforme", "Sigle")
    assert len(rows) == 46
    assert sum(Decimal(str(row[6])) for row in rows[1:]) == Decimal("1700.50")


def test_dues_board_sorts_platforms_the_french_way(client_for, dues):
    from .dues_factories import DuesLineFactory, DuesPlatformFactory

    names = ["Aéro Gironde", "Amiens Numérique", "Éco-Bâti Créteil", "Végétal Sud"]
    for name in reversed(names):
        DuesLineFactory(platform=DuesPlatformFactory(name=name), year=2026)
    content = client_for("bureau").get(reverse("dues_board"), {"year": 2026}).content.decode()
    positions = [content.index(name) for name in names]
    assert positions == sorted(positions)
