"""Dues pages and documents: who may see them, what they show, query counts."""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from freezegun import freeze_time

from members.enums import DuesDocumentKind, DuesStatus
from members.models import DuesDocument, DuesLine, Payment
from members.services import dues as services

from .dues_factories import DuesLineFactory, DuesPlatformFactory, DuesRateFactory, pdf_text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

TODAY = datetime.date(2026, 11, 25)


@pytest.fixture
def frozen(request):
    if "unfrozen" in request.fixturenames:
        yield
        return
    with freeze_time("2026-11-25 10:00:00"):
        yield


@pytest.fixture
def real_pdf():
    """Ask for it to render documents with WeasyPrint."""


@pytest.fixture
def unfrozen():
    """Ask for it to run with the real clock (openpyxl does not know freezegun's dates)."""


@pytest.fixture(autouse=True)
def fast_pdf(request, monkeypatch):
    """WeasyPrint takes a fraction of a second per document: pages tests use a
    stand-in PDF unless they ask for `real_pdf` (documents' texts are tested there)."""
    if "real_pdf" in request.fixturenames:
        return
    from members import pdf

    def fake(template_name, context, *, filename):
        return filename, b"%PDF-1.7 stand-in " + context["number"].encode()

    monkeypatch.setattr(pdf, "render_pdf", fake)


@pytest.fixture
def dues(platform, other_platform):
    """Lines of 2026 for both platforms; the director's paid, with all its documents."""
    DuesRateFactory(year=2026)
    own = DuesLineFactory(platform=platform, year=2026)
    other = DuesLineFactory(platform=other_platform, year=2026)
    payment = services.dues_record_payment(
        received_on=TODAY, amount="300", method="transfer", allocations=[(own, "300")]
    )
    notice = services.dues_issue_document(DuesDocumentKind.NOTICE, line=own)
    certificate = services.dues_issue_document(DuesDocumentKind.CERTIFICATE, line=own)
    other_notice = services.dues_issue_document(DuesDocumentKind.NOTICE, line=other)
    return {
        "own": own,
        "other": other,
        "payment": payment,
        "receipt": payment.documents.get(),
        "notice": notice,
        "certificate": certificate,
        "other_notice": other_notice,
    }


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


def test_notice_issued_once_on_first_download(client_for, dues, platform):
    line = DuesLineFactory(platform=platform, year=2025)
    url = reverse("dues_notice_pdf", args=[line.pk])
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
            issue_receipt=False,
        )
    services.dues_record_payment(
        received_on=datetime.date(2016, 6, 1),
        amount="50.50",
        method="transfer",
        allocations=[(lines[11], "50.50")],
        issue_receipt=False,
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
    with django_assert_max_num_queries(10):
        response = client.get(reverse("dues_board"), {"year": 2016})
    assert len(response.context["page_obj"]) == 45


def test_line_page_shows_payments_documents_reminders(client_for, dues):
    services.dues_send_notice(dues["other"])
    response = client_for("bureau").get(reverse("dues_line_detail", args=[dues["own"].pk]))
    content = response.content.decode()
    for key in ("notice", "receipt", "certificate"):
        assert dues[key].number in content


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
    with django_assert_max_num_queries(7):
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


# Forms -------------------------------------------------------------------------------


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
        ([("other", "300")], "abc", "amount", "Saisissez un montant"),
        ([("other", "-5")], "-5", "amount", "positif"),
        ([("other", "300")], "250", "amount", "doit être égale"),
        ([("other", "300.001")], "300", None, "deux décimales"),
        ([("other", "400")], "400", None, "Dépasse le reste dû"),
        ([("own", "10")], "10", None, "ne peut pas recevoir"),
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
    assert "ne peut pas recevoir de paiement" in response.content.decode()


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
        client.post(other_url, {"action": "exempt", "exempt-reason": "Nouvelle"}).status_code == 302
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
    notice = services.dues_issue_document(DuesDocumentKind.NOTICE, line=fresh)
    assert "BC-77" in pdf_text(bytes(notice.content))


def test_call_year_form_twice(
    client_for, platform, other_platform, mailoutbox, django_capture_on_commit_callbacks
):
    from .dues_factories import with_people

    with_people(other_platform)
    client = client_for("bureau")
    data = {"year": "2027", "amount": "320", "due_date": "2027-03-31"}
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
        if form.instance.pk:
            data[f"steps-{index}-id"] = str(form.instance.pk)
            data[f"steps-{index}-days_after_due"] = str(form.instance.days_after_due)
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
        services.dues_issue_document(DuesDocumentKind.NOTICE, line=line)
    client = client_for("director")
    url = reverse("platform_dues", args=[platform.slug])
    client.get(url)
    with django_assert_max_num_queries(7):
        response = client.get(url)
    assert len(response.context["lines"]) == 4
    assert sum(len(line.document_list) for line in response.context["lines"]) == 9


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize(
    "typed, expected",
    [("12,50", "12.50"), ("12.50", "12.50"), ("1 000,50", "1000.50"), ("1.000,50", "1000.50")],
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
@pytest.mark.parametrize("typed", ["1,000", "12.505", "1e3", "1,00,0"])
def test_ambiguous_amounts_are_refused_next_to_the_field(
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


def test_receipt_of_a_cancelled_payment_is_marked_on_both_pages(client_for, dues, platform):
    services.dues_cancel_payment(payment=dues["payment"], reason="Chèque rejeté")
    receipt = dues["receipt"]
    for client, url in [
        (client_for("director"), reverse("platform_dues", args=[platform.slug])),
        (client_for("bureau"), reverse("dues_line_detail", args=[dues["own"].pk])),
    ]:
        content = client.get(url).content.decode()
        assert receipt.get_absolute_url() in content
        after = content.split(f"Reçu {receipt.number}</a>", 1)[1].split("</li>", 1)[0]
        assert "Paiement annulé" in after
    # The receipt itself is kept as issued.
    response = client_for("director").get(receipt.get_absolute_url())
    assert response.content == bytes(receipt.content)
