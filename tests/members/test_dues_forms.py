"""Dues forms: the payment, the call, the line's actions, the reminder schedule.
Bad input is a message next to its field, never a 500; query counts pinned."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils.html import escape

from members.enums import DuesStatus
from members.forms.dues import line_label
from members.models import DuesLine, Payment
from members.services import dues as services

from .dues_factories import (  # noqa: F401 - fixtures
    DuesLineFactory,
    dues_fixture,
    fast_pdf_fixture,
    frozen_fixture,
    pdf_text,
    real_pdf_fixture,
    stored_amounts_agree_fixture,
    with_people,
)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("frozen", "fast_pdf", "stored_amounts_agree"),
]

TODAY = datetime.date(2026, 11, 25)


def _payment_post(lines_amounts, amount, **extra):
    data = {
        "received_on": "2026-11-20",
        "amount": amount,
        "method": "cheque",
        "reference": "CHQ 9",
        "payer": "",
        "note": "",
        "alloc-TOTAL_FORMS": "3",
        "alloc-INITIAL_FORMS": "0",
        "alloc-MIN_NUM_FORMS": "0",
        "alloc-MAX_NUM_FORMS": "20",
    }
    for index, (line, value) in enumerate(lines_amounts):
        data[f"alloc-{index}-line"] = str(line.pk) if line else ""
        data[f"alloc-{index}-amount"] = value
    data.update(extra)
    return data


def test_payment_form_split_across_two_platforms(client_for, dues):
    third = DuesLineFactory(year=2026)
    client = client_for("bureau")
    assert client.get(reverse("dues_payment_create"), {"line": dues["other"].pk}).status_code == 200
    response = client.post(
        reverse("dues_payment_create"),
        _payment_post([(dues["other"], "300"), (third, "100,50")], "400,50"),
    )
    assert response.status_code == 302
    payment = Payment.objects.latest("pk")
    assert payment.amount == Decimal("400.50")
    assert DuesLine.objects.get(pk=dues["other"].pk).status == DuesStatus.PAID
    assert DuesLine.objects.get(pk=third.pk).status == DuesStatus.PARTLY_PAID
    assert payment.documents.get().number == "RE-2026-0002"


@pytest.mark.parametrize(
    "rows, amount, field, message",
    [
        ([("other", "300")], "abc", "amount", "Montant invalide"),
        ([("other", "-5")], "-5", "amount", "positif"),
        ([("other", "300")], "250", "amount", "doit être égale"),
        ([("other", "300.001")], "300", None, "deux décimales"),
        ([("other", "400")], "400", None, "dépasse le reste dû"),
        ([("own", "10")], "10", None, "Aucune ligne ouverte ne correspond"),
        ([("other", "")], "10", None, "Indiquez le montant"),
        ([(None, "")], "10", None, "au moins une ligne"),
        ([("other", "100"), ("other", "100")], "200", None, "deux fois"),
    ],
)
def test_payment_form_errors_never_500(client_for, dues, rows, amount, field, message):
    lines = [(dues[key] if key else None, value) for key, value in rows]
    before = Payment.objects.count()
    response = client_for("bureau").post(
        reverse("dues_payment_create"), _payment_post(lines, amount)
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Payment.objects.count() == before
    if field:
        assert response.context["form"].errors.get(field)
    assert 'value="CHQ 9"' in response.content.decode()


def test_payment_form_refuses_a_cancelled_line(client_for, dues):
    cancelled = DuesLineFactory(year=2026)
    services.dues_cancel_line(line=cancelled, reason="Départ")
    response = client_for("bureau").post(
        reverse("dues_payment_create"), _payment_post([(cancelled, "10")], "10")
    )
    assert response.status_code == 400
    assert "Aucune ligne ouverte ne correspond" in response.content.decode()


def test_payment_form_future_date(client_for, dues):
    response = client_for("bureau").post(
        reverse("dues_payment_create"),
        _payment_post([(dues["other"], "10")], "10", received_on="2027-01-01"),
    )
    assert response.status_code == 400 and response.context["form"].errors["received_on"]


def test_line_actions_cancel_payment_exempt_and_errors(client_for, dues):
    client = client_for("bureau")
    url = reverse("dues_line_detail", args=[dues["own"].pk])
    empty = client.post(
        url,
        {"action": "cancel_payment", "payment": dues["payment"].pk, "cancel_payment-reason": ""},
    )
    assert empty.status_code == 400
    done = client.post(
        url,
        {
            "action": "cancel_payment",
            "payment": dues["payment"].pk,
            "cancel_payment-reason": "Erreur de saisie",
            "confirm": "1",
        },
    )
    assert done.status_code == 302
    assert DuesLine.objects.get(pk=dues["own"].pk).status == DuesStatus.CALLED
    wrong = client.post(
        url, {"action": "cancel_payment", "payment": "999999", "cancel_payment-reason": "x"}
    )
    assert wrong.status_code == 400
    other_url = reverse("dues_line_detail", args=[dues["other"].pk])
    assert (
        client.post(
            other_url, {"action": "exempt", "exempt-reason": "Nouvelle", "confirm": "1"}
        ).status_code
        == 302
    )
    assert DuesLine.objects.get(pk=dues["other"].pk).status == DuesStatus.EXEMPT
    assert client.post(other_url, {"action": "zzz"}).status_code == 302


def test_purchase_order_only_before_the_notice(client_for, dues, real_pdf):
    client = client_for("bureau")
    line = dues["other"]
    response = client.post(
        reverse("dues_line_detail", args=[line.pk]),
        {"action": "purchase_order", "po-purchase_order": "BC-1"},
    )
    assert response.status_code == 400 and "déjà émis" in response.content.decode()
    fresh = DuesLineFactory(year=2026)
    response = client.post(
        reverse("dues_line_detail", args=[fresh.pk]),
        {"action": "purchase_order", "po-purchase_order": "BC-77"},
    )
    assert response.status_code == 302
    notice = services.dues_issue_notice(fresh)
    assert "BC-77" in pdf_text(bytes(notice.content))


def test_call_year_form_twice(
    client_for, platform, other_platform, mailoutbox, django_capture_on_commit_callbacks
):
    with_people(other_platform)
    client = client_for("bureau")
    data = {"year": "2027", "amount": "320", "due_date": "2027-03-31", "confirm": "1"}
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(reverse("dues_call_year"), data)
    with django_capture_on_commit_callbacks(execute=True):
        second = client.post(reverse("dues_call_year"), data)
    assert first.status_code == second.status_code == 302
    assert DuesLine.objects.filter(year=2027).count() == 2
    assert len(mailoutbox) == 2  # one email per platform, to its director and accounting
    assert sorted(len(m.to) for m in mailoutbox) == [1, 3]
    assert all(m.attachments[0][0].startswith("AC-2027-") for m in mailoutbox)
    bad = client.post(reverse("dues_call_year"), {**data, "amount": "999"})
    assert bad.status_code == 400 and "ne peut plus changer" in bad.content.decode()


def test_reminder_settings_form(client_for, db):
    from members.models import DuesReminderStep

    client = client_for("bureau")
    response = client.get(reverse("dues_reminder_settings"))
    steps = response.context["formset"].forms
    data = {
        "steps-TOTAL_FORMS": str(len(steps)),
        "steps-INITIAL_FORMS": str(len(steps) - 1),
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "1000",
    }
    for index, form in enumerate(steps):
        if form.initial.get("id"):
            data[f"steps-{index}-id"] = str(form.initial["id"])
            data[f"steps-{index}-days_after_due"] = str(form.initial["days_after_due"])
            data[f"steps-{index}-is_active"] = "on"
    last = len(steps) - 1
    data[f"steps-{last}-days_after_due"] = "120"
    data[f"steps-{last}-is_active"] = "on"
    assert client.post(reverse("dues_reminder_settings"), data).status_code == 302
    assert DuesReminderStep.objects.filter(days_after_due=120, is_active=True).exists()
    data[f"steps-{last}-days_after_due"] = "-3"
    assert client.post(reverse("dues_reminder_settings"), data).status_code == 400


def test_platform_dues_query_count_is_pinned(
    client_for, dues, platform, django_assert_max_num_queries
):
    for year in (2023, 2024, 2025):
        line = DuesLineFactory(platform=platform, year=year)
        services.dues_record_payment(
            received_on=TODAY, amount="300", method="cheque", allocations=[(line, "300")]
        )
        services.dues_issue_notice(line)
    client = client_for("director")
    url = reverse("platform_dues", args=[platform.slug])
    client.get(url)
    # 7, and the total outstanding (one aggregate).
    with django_assert_max_num_queries(8):
        response = client.get(url)
    assert len(response.context["lines"]) == 4
    assert sum(len(line.document_list) for line in response.context["lines"]) == 9


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize(
    "typed, expected",
    [("12,50", "12.50"), ("12.50", "12.50"), ("1 000,50", "1000.50"), ("1000.50", "1000.50")],
)
def test_amounts_are_read_the_same_whatever_the_language(
    client_for, dues, settings, language, typed, expected
):
    """Django's localized DecimalField read "12,50" as 1250 in English: money rewritten."""
    line = DuesLineFactory(year=2026, amount_due=Decimal("1500.00"))
    client = client_for("bureau")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.post(reverse("dues_payment_create"), _payment_post([(line, typed)], typed))
    assert response.status_code == 302
    assert Payment.objects.latest("pk").amount == Decimal(expected)


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize(
    "typed",
    ["1,000", "12.505", "1e3", "1e5", "1e999", "1,00,0", "1.000,50", "abc", "NaN", "-1", "∞"],
)
def test_unreadable_or_unequal_amounts_are_refused_next_to_the_field(
    client_for, dues, settings, language, typed
):
    client = client_for("bureau")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    before = Payment.objects.count()
    response = client.post(
        reverse("dues_payment_create"), _payment_post([(dues["other"], "300")], typed)
    )
    assert response.status_code == 400
    assert response.context["form"].errors["amount"]
    assert f'value="{typed}"' in response.content.decode()
    assert Payment.objects.count() == before


def test_payment_form_errors_show_amounts_in_french(client_for, dues):
    response = client_for("bureau").post(
        reverse("dues_payment_create"), _payment_post([(dues["other"], "300")], "250")
    )
    content = response.content.decode().replace("\u00a0", " ").replace("\u202f", " ")
    assert "La somme répartie (300,00 €)" in content
    assert "du paiement (250,00 €)" in content


# Bad input: a message next to the field, never a 500 ----------------------------------------


@pytest.mark.parametrize("value", ["9" * 30, "abc", "-3", "1.5", "١٢", "0", " ", "\x00"])
def test_an_allocation_line_that_is_no_id_is_a_form_error(client_for, dues, value):
    data = _payment_post([(dues["other"], "10")], "10")
    data["alloc-0-line"] = value
    response = client_for("bureau").post(reverse("dues_payment_create"), data)
    assert response.status_code == 400
    if response.context is not None:  # a NUL is refused before the view (400)
        errors = response.context["formset"].forms[0].errors
        if value.strip():
            assert "Aucune ligne ouverte ne correspond" in errors["line"][0]
    assert not Payment.objects.filter(reference="CHQ 9").exists()


@pytest.mark.parametrize("value", ["9" * 30, "abc", ""])
def test_the_payment_form_prefilled_with_a_bad_line_is_empty(client_for, dues, value):
    response = client_for("bureau").get(reverse("dues_payment_create"), {"line": value})
    assert response.status_code == 200
    assert response.context["formset"].initial in (None, [])


@pytest.mark.parametrize("value", ["1,000", "abc", "1e5", "NaN", "12.505", "0"])
def test_an_allocation_amount_gets_its_message_next_to_it(client_for, dues, value):
    response = client_for("bureau").post(
        reverse("dues_payment_create"), _payment_post([(dues["other"], value)], "300")
    )
    assert response.status_code == 400
    row = response.context["formset"].forms[0]
    form = response.context["form"]
    # Unreadable: next to the row's amount; readable but wrong: next to the payment's.
    assert row.errors.get("amount") or form.errors.get("amount") or form.non_field_errors()
    assert f'value="{value}"' in response.content.decode()


def test_payment_form_query_counts_are_pinned(client_for, dues, django_assert_max_num_queries):
    for _ in range(5):
        DuesLineFactory(year=2026)
    client = client_for("bureau")
    url = reverse("dues_payment_create")
    client.get(url)
    # Session and user, the prefilled line (the list holds it, not every open line).
    with django_assert_max_num_queries(3):
        response = client.get(url, {"line": dues["other"].pk})
    assert list(response.context["formset"].lines) == [dues["other"].pk]
    # One row prefilled, three blank ones, sharing one list filled as one types.
    content = response.content.decode()
    assert content.count("<datalist") == 1 and content.count('list="open-dues-lines"') == 4
    label = escape(line_label(response.context["formset"].lines[dues["other"].pk]))
    assert content.count(f'value="{label}"') == 2  # in the list, and in the prefilled row
    # A failing POST: session, user, the line posted, the lines locked nowhere (refused
    # before).
    with django_assert_max_num_queries(5):
        response = client.post(url, _payment_post([(dues["other"], "300")], "250"))
    assert response.status_code == 400


def test_call_form_query_counts_are_pinned(client_for, dues, django_assert_max_num_queries):
    client = client_for("bureau")
    url = reverse("dues_call_year")
    client.get(url)
    # Session and user, the rate, lines already there, member platforms.
    with django_assert_max_num_queries(5):
        assert client.get(url, {"year": 2026}).status_code == 200
    with django_assert_max_num_queries(5):
        response = client.post(url, {"year": "2026", "amount": "abc", "due_date": "2026-03-31"})
    assert response.status_code == 400 and response.context["form"].errors["amount"]
