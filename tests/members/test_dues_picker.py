"""The payment form's dues-line picker (issues 14 and 15): one text field per row tied to
one <datalist> filled, as one types, with a few open lines (platform, year, notice number,
balance) by an htmx search, never with all of them (a federation has 20,000); what is
typed is read on the server (a label, a notice number, a platform's name and year, an
id)."""

import datetime

import pytest
from django.urls import reverse

from members.forms.dues import line_label
from members.models import Payment
from members.services import dues as services

from .dues_factories import (  # noqa: F401 - fixtures
    DuesLineFactory,
    fast_pdf_fixture,
    frozen_fixture,
    stored_amounts_agree_fixture,
)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("frozen", "fast_pdf", "stored_amounts_agree"),
]


@pytest.fixture
def lines(db):
    ceramique = DuesLineFactory(year=2026, platform__name="Céramique Limoges")
    older = DuesLineFactory(year=2025, platform=ceramique.platform)
    plasturgie = DuesLineFactory(year=2026, platform__name="Plasturgie Oyonnax")
    notice = services.dues_issue_notice(plasturgie)
    return {"ceramique": ceramique, "older": older, "plasturgie": plasturgie, "notice": notice}


def _post(client, typed, amount="300"):
    return client.post(
        reverse("dues_payment_create"),
        {
            "received_on": "2026-11-20",
            "amount": amount,
            "method": "transfer",
            "reference": "VIR 42",
            "alloc-TOTAL_FORMS": "3",
            "alloc-INITIAL_FORMS": "0",
            "alloc-MIN_NUM_FORMS": "0",
            "alloc-MAX_NUM_FORMS": "20",
            "alloc-0-line": typed,
            "alloc-0-amount": amount,
        },
    )


def search(client, typed):
    return client.get(reverse("dues_line_picker"), {"field": "alloc-0-line", "alloc-0-line": typed})


def test_the_form_has_one_list_filled_as_one_types_never_every_line(client_for, lines):
    content = client_for("bureau").get(reverse("dues_payment_create")).content.decode()
    assert "<select" not in content.split('name="alloc-0-line"')[0].rsplit("<label", 1)[-1]
    assert content.count("<datalist") == 1
    assert '<datalist id="open-dues-lines"></datalist>' in content
    assert content.count('list="open-dues-lines"') == 3
    assert "Céramique Limoges" not in content
    assert content.count(f'data-hx-get="{reverse("dues_line_picker")}"') == 3
    assert 'autocomplete="off"' in content


def test_the_search_offers_the_matching_open_lines_with_notice_and_balance(client_for, lines):
    client = client_for("bureau")
    content = search(client, "oyonnax").content.decode()
    assert content.startswith('<datalist id="open-dues-lines">')
    assert f"Plasturgie Oyonnax · 2026 · {lines['notice'].number} · reste 300,00" in content
    assert "Céramique" not in content
    content = search(client, "ceramique").content.decode()
    assert "Céramique Limoges · 2026 · reste 300,00" in content
    assert "Céramique Limoges · 2025 · reste 300,00" in content
    assert "Plasturgie" in search(client, lines["notice"].number).content.decode()
    assert "<option" not in search(client, "").content.decode()


def test_the_search_offers_a_few_lines_in_constant_queries(
    client_for, lines, django_assert_num_queries
):
    client = client_for("bureau")
    search(client, "plateforme")
    for year in range(2000, 2020):
        DuesLineFactory(year=year, platform__name=f"Plateforme {year}")
    with django_assert_num_queries(3):  # session, user, the lines
        content = search(client, "plateforme").content.decode()
    assert content.count("<option") == 12


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 302), ("director", 403), ("ministry", 403), ("bureau", 200)],
)
def test_the_search_is_the_bureaus(client_for, lines, role, status):
    assert search(client_for(role), "ceramique").status_code == status


def test_the_form_page_queries_do_not_grow_with_open_lines(
    client_for, lines, django_assert_max_num_queries
):
    client = client_for("bureau")
    url = reverse("dues_payment_create")
    client.get(url)
    for year in range(2000, 2020):
        DuesLineFactory(year=year, platform__name=f"Plateforme {year}")
    with django_assert_max_num_queries(3):  # session, user (no line without ?line=)
        client.get(url)
    with django_assert_max_num_queries(4):  # and the line prefilled
        client.get(url, {"line": lines["ceramique"].pk})


@pytest.mark.parametrize(
    "typed, key",
    [
        ("label", "plasturgie"),
        ("notice", "plasturgie"),
        ("ceramique limoges 2025", "older"),
        ("CÉRAMIQUE 2026", "ceramique"),
        ("oyonnax", "plasturgie"),
        ("id", "ceramique"),
    ],
)
def test_a_line_is_picked_by_what_is_typed(client_for, lines, typed, key):
    line = lines[key]
    value = {
        "label": line_label_of(line),
        "notice": lines["notice"].number.lower(),
        "id": str(line.pk),
    }.get(typed, typed)
    response = _post(client_for("bureau"), value)
    assert response.status_code == 302, response.context["formset"].errors
    assert Payment.objects.get().allocations.get().line == line


def line_label_of(line):
    from members.selectors.dues import open_lines

    return next(line_label(row) for row in open_lines() if row.pk == line.pk)


def test_text_matching_several_lines_asks_to_be_precise_and_keeps_it(client_for, lines):
    response = _post(client_for("bureau"), "Céramique")
    assert response.status_code == 400
    error = response.context["formset"].forms[0].errors["line"][0]
    assert "Plusieurs lignes ouvertes correspondent" in error
    assert 'value="Céramique"' in response.content.decode()
    assert not Payment.objects.exists()


@pytest.mark.parametrize("typed", ["Bois Épinal", "AC-2026-9999", "2031", "Céramique 2024"])
def test_text_matching_no_open_line_is_an_error_next_to_it(client_for, lines, typed):
    response = _post(client_for("bureau"), typed)
    assert response.status_code == 400
    error = response.context["formset"].forms[0].errors["line"][0]
    assert "Aucune ligne ouverte ne correspond" in error


def test_a_paid_lines_notice_is_not_offered(client_for, lines):
    services.dues_record_payment(
        received_on=datetime.date(2026, 6, 1),
        amount="300",
        method="cheque",
        allocations=[(lines["plasturgie"], "300")],
        issue_documents=False,
    )
    assert "<option" not in search(client_for("bureau"), lines["notice"].number).content.decode()
    assert _post(client_for("bureau"), lines["notice"].number).status_code == 400


def test_the_prefilled_row_shows_the_lines_label(client_for, lines):
    response = client_for("bureau").get(
        reverse("dues_payment_create"), {"line": lines["plasturgie"].pk}
    )
    content = response.content.decode()
    label = f"Plasturgie Oyonnax · 2026 · {lines['notice'].number} · reste 300,00"
    assert content.count(label) == 2  # in the list and in the first row's field
