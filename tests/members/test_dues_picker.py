"""The payment form's dues-line picker (issue 14): one text field per row tied to one
<datalist> of the open lines (platform, year, notice number, balance); what is typed
is read on the server (a label, a notice number, a platform's name and year, an id)."""

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


def test_the_form_offers_one_list_of_open_lines_with_notice_and_balance(client_for, lines):
    content = client_for("bureau").get(reverse("dues_payment_create")).content.decode()
    assert "<select" not in content.split('name="alloc-0-line"')[0].rsplit("<label", 1)[-1]
    assert content.count("<datalist") == 1
    assert content.count('list="open-dues-lines"') == 3
    assert f"Plasturgie Oyonnax · 2026 · {lines['notice'].number} · reste 300,00" in content
    assert "Céramique Limoges · 2025 · reste 300,00" in content
    assert 'autocomplete="off"' in content


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
    content = client_for("bureau").get(reverse("dues_payment_create")).content.decode()
    assert lines["notice"].number not in content
    assert _post(client_for("bureau"), lines["notice"].number).status_code == 400


def test_the_prefilled_row_shows_the_lines_label(client_for, lines):
    response = client_for("bureau").get(
        reverse("dues_payment_create"), {"line": lines["plasturgie"].pk}
    )
    content = response.content.decode()
    label = f"Plasturgie Oyonnax · 2026 · {lines['notice'].number} · reste 300,00"
    assert content.count(label) == 2  # in the list and in the first row's field
