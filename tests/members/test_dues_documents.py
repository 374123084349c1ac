"""Dues documents: a GET never issues one; PDFs rendered outside the row locks with
gap-free numbers; a cancelled payment voids its receipt and the line's certificate."""

import datetime
import hashlib
import threading
from decimal import Decimal

import pytest
from django.db import DatabaseError, IntegrityError, connection, connections, transaction
from django.db.models import Sum
from django.urls import reverse
from freezegun import freeze_time

from innovalo.exceptions import ServiceError
from innovalo.models import AuditEntry, SentReminder
from members import pdf
from members.enums import DuesStatus
from members.models import DocumentCounter, DuesDocument, DuesLine, Payment
from members.services import dues as services

from .dues_factories import (  # noqa: F401 - fixtures
    DuesLineFactory,
    DuesRateFactory,
    dues_fixture,
    fast_pdf_fixture,
    frozen_fixture,
    pdf_text,
    real_pdf_fixture,
    stored_amounts_agree_fixture,
)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("frozen", "fast_pdf", "stored_amounts_agree"),
]

TODAY = datetime.date(2026, 11, 25)
ROLES = ["anonymous", "director", "other_director", "ministry", "bureau"]


def writes():
    """What a GET must leave as it is."""
    return (
        DuesDocument.objects.count(),
        DocumentCounter.objects.aggregate(total=Sum("last_number"))["total"],
        AuditEntry.objects.count(),
        SentReminder.objects.count(),
        Payment.objects.count(),
        list(DuesLine.objects.order_by("pk").values_list("status", "paid_amount")),
    )


@pytest.fixture
def undocumented(platform):
    """The director's lines: one called without a notice, one paid without certificate."""
    called = DuesLineFactory(platform=platform, year=2025)
    paid = DuesLineFactory(platform=platform, year=2024)
    payment = services.dues_record_payment(
        received_on=TODAY,
        amount="300",
        method="cheque",
        allocations=[(paid, "300")],
        issue_documents=False,
    )
    return {"called": called, "paid": paid, "payment": payment}


@pytest.mark.parametrize("role", ROLES)
def test_a_get_never_issues_a_document_nor_writes(client_for, dues, undocumented, role):
    called, paid = undocumented["called"], undocumented["paid"]
    urls = [
        reverse("dues_board"),
        reverse("dues_export"),
        reverse("dues_payment_create") + f"?line={called.pk}",
        reverse("dues_call_year"),
        reverse("dues_exemptions"),
        reverse("dues_reminder_settings"),
        reverse("platform_dues", args=[paid.platform.slug]),
        dues["receipt"].get_absolute_url(),
        dues["certificate"].get_absolute_url(),
    ]
    for line in (called, paid, dues["own"], dues["other"]):
        urls += [
            reverse("dues_line_detail", args=[line.pk]),
            reverse("dues_notice_pdf", args=[line.pk]),
            reverse("dues_certificate_pdf", args=[line.pk]),
        ]
    client = client_for(role)
    before = writes()
    statuses = {url: client.get(url).status_code for url in urls}
    assert writes() == before
    assert 500 not in statuses.values()
    if role in ("bureau", "director"):
        assert statuses[reverse("dues_notice_pdf", args=[called.pk])] == 404
        assert statuses[reverse("dues_certificate_pdf", args=[paid.pk])] == 404
        assert statuses[reverse("dues_certificate_pdf", args=[dues["own"].pk])] == 200


def test_the_bureau_issues_a_missing_notice_certificate_or_receipt_by_post(
    client_for, undocumented
):
    called, paid, payment = (undocumented[key] for key in ("called", "paid", "payment"))
    client = client_for("bureau")
    client.post(reverse("dues_line_detail", args=[called.pk]), {"action": "issue_notice"})
    url = reverse("dues_line_detail", args=[paid.pk])
    client.post(url, {"action": "issue_certificate"})
    client.post(url, {"action": "issue_receipt", "payment": payment.pk})
    kinds = sorted(DuesDocument.objects.values_list("kind", "number"))
    assert kinds == [
        ("certificate", "AT-2024-0001"),
        ("notice", "AC-2025-0001"),
        ("receipt", "RE-2026-0001"),
    ]
    # Twice: the same documents.
    client.post(url, {"action": "issue_certificate"})
    assert DuesDocument.objects.count() == 3
    history = client.get(url).context["history"]
    assert [(e.action, e.message) for e in history[:2]] == [
        ("dues.document_issued", "Reçu RE-2026-0001 émis"),
        ("dues.document_issued", "Attestation d'adhésion AT-2024-0001 émis"),
    ]
    refused = client.post(
        reverse("dues_line_detail", args=[called.pk]), {"action": "issue_certificate"}, follow=True
    )
    assert "payée" in refused.content.decode()
    assert client_for("director").post(url, {"action": "issue_notice"}).status_code == 403


@pytest.mark.parametrize("value", ["abc", "9" * 30, "-1", ""])
def test_issue_receipt_with_a_bad_payment_id_is_a_message(client_for, undocumented, value):
    url = reverse("dues_line_detail", args=[undocumented["paid"].pk])
    response = client_for("bureau").post(
        url, {"action": "issue_receipt", "payment": value}, follow=True
    )
    assert response.status_code == 200 and "Paiement introuvable" in response.content.decode()


def test_a_line_that_becomes_paid_gets_its_certificate_after_the_commit(
    django_capture_on_commit_callbacks,
):
    line = DuesLineFactory()
    with django_capture_on_commit_callbacks(execute=True):
        services.dues_record_payment(
            received_on=TODAY, amount="100", method="cheque", allocations=[(line, "100")]
        )
    assert not DuesDocument.objects.filter(kind="certificate").exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.dues_record_payment(
            received_on=TODAY, amount="200", method="cheque", allocations=[(line, "200")]
        )
    certificate = DuesDocument.objects.get(kind="certificate")
    assert certificate.line == line and certificate.number == "AT-2026-0001"


def test_the_certificates_job_issues_what_the_task_could_not_once(undocumented):
    """A payment recorded while the broker was down: the job catches the certificate up."""
    from innovalo import reminders

    paid = undocumented["paid"]
    assert not DuesDocument.objects.filter(kind="certificate").exists()
    assert reminders.run_due_reminders(["dues_certificates"]) == {"dues_certificates": 1}
    assert reminders.run_due_reminders(["dues_certificates"]) == {"dues_certificates": 0}
    certificate = DuesDocument.objects.get(kind="certificate")
    assert certificate.line == paid and not certificate.is_void
    # The called line (not paid) gets none.
    assert not DuesDocument.objects.filter(line=undocumented["called"]).exists()


# Cancelled payments: void, never erased --------------------------------------------------


def test_cancelling_a_payment_voids_its_receipt_and_the_certificate(
    client_for, dues, platform, real_pdf
):
    receipt, certificate = dues["receipt"], dues["certificate"]
    original = bytes(receipt.content)
    services.dues_cancel_payment(payment=dues["payment"], reason="Chèque rejeté")
    receipt.refresh_from_db()
    certificate.refresh_from_db()
    # Kept as issued: same number, same bytes, same hash; marked void.
    assert bytes(receipt.content) == original
    assert receipt.sha256 == hashlib.sha256(original).hexdigest()
    assert receipt.is_void and certificate.is_void and receipt.void_reason == "Chèque rejeté"
    for document in (receipt, certificate):
        served = client_for("director").get(document.get_absolute_url()).content
        text = pdf_text(served)
        assert "ANNULÉ" in text and document.number in text and "Chèque rejeté" in text
        assert served == client_for("bureau").get(document.get_absolute_url()).content
    assert "ANNULÉ" not in pdf_text(original)
    # The line's certificate is no longer downloadable as valid.
    url = reverse("dues_certificate_pdf", args=[dues["own"].pk])
    assert client_for("director").get(url).status_code == 404
    # The pages say so next to each document.
    for client, page in [
        (client_for("director"), reverse("platform_dues", args=[platform.slug])),
        (client_for("bureau"), reverse("dues_line_detail", args=[dues["own"].pk])),
    ]:
        content = client.get(page).content.decode()
        for document in (receipt, certificate):
            after = content.split(f"{document.number}</a>", 1)[1].split("</li>", 1)[0]
            assert "Annulé" in after and "Chèque rejeté" in after


def test_a_line_paid_again_gets_a_new_certificate_the_void_one_keeps_its_number(
    dues, django_capture_on_commit_callbacks
):
    services.dues_cancel_payment(payment=dues["payment"], reason="Erreur de saisie")
    with django_capture_on_commit_callbacks(execute=True):
        services.dues_record_payment(
            received_on=TODAY, amount="300", method="transfer", allocations=[(dues["own"], "300")]
        )
    certificates = DuesDocument.objects.filter(kind="certificate").order_by("sequence")
    assert [(c.number, c.is_void) for c in certificates] == [
        ("AT-2026-0001", True),
        ("AT-2026-0002", False),
    ]
    receipts = DuesDocument.objects.filter(kind="receipt").order_by("sequence")
    assert [(r.number, r.is_void) for r in receipts] == [
        ("RE-2026-0001", True),
        ("RE-2026-0002", False),
    ]


def test_one_valid_certificate_per_line_in_the_database(dues):
    with pytest.raises(IntegrityError), transaction.atomic():
        DuesDocument.objects.create(
            kind="certificate",
            year=2026,
            sequence=99,
            number="AT-2026-0099",
            line=dues["own"],
            amount=Decimal(1),
            filename="x.pdf",
            content=b"x",
            sha256="0",
        )


# Numbers: gap-free, rendered outside the locks ---------------------------------------------


def test_a_number_taken_during_the_render_is_rendered_again_with_the_next():
    first, second = DuesLineFactory.create_batch(2)
    render = pdf.render_notice
    calls = []

    def render_and_race(line, **kwargs):
        calls.append(kwargs["number"])
        if line.pk == first.pk and len(calls) == 1:
            services.dues_issue_notice(second)  # takes AC-2026-0001 meanwhile
        return render(line, **kwargs)

    pdf.render_notice = render_and_race
    try:
        document = services.dues_issue_notice(first)
    finally:
        pdf.render_notice = render
    assert document.number == "AC-2026-0002"
    assert calls == ["AC-2026-0001", "AC-2026-0001", "AC-2026-0002"]
    assert bytes(document.content).endswith(b"AC-2026-0002")
    assert sorted(DuesDocument.objects.values_list("sequence", flat=True)) == [1, 2]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
def test_pdfs_are_rendered_outside_the_row_locks(monkeypatch):
    """While a PDF renders, another connection can lock the line, the payment and the
    counter at once (NOWAIT): the issuing transaction holds none of them."""
    locked_out = []

    def probe():
        other = connections.create_connection("default")
        try:
            with other.cursor() as cursor:
                cursor.execute("BEGIN")
                for table in ("members_duesline", "members_payment", "members_documentcounter"):
                    cursor.execute(f"SELECT id FROM {table} FOR UPDATE NOWAIT")  # noqa: S608
                cursor.execute("ROLLBACK")
        except DatabaseError as error:
            locked_out.append(error)
        finally:
            other.close()

    def render(template_name, context, *, filename):
        thread = threading.Thread(target=probe)
        thread.start()
        thread.join()
        return filename, b"%PDF-1.7 " + context["number"].encode()

    monkeypatch.setattr(pdf, "render_pdf", render)
    with freeze_time(TODAY):
        line = DuesLineFactory()
        services.dues_issue_notice(line)
        payment = services.dues_record_payment(
            received_on=TODAY, amount="300", method="cheque", allocations=[(line, "300")]
        )
        services.dues_issue_certificate(line)
        services.dues_cancel_payment(payment=payment, reason="Erreur")
    assert locked_out == []
    assert DuesDocument.objects.count() == 3
    assert DuesDocument.objects.filter(voided_at__isnull=False).count() == 2


# Dates: no series "RE-1-0001" ---------------------------------------------------------------


@pytest.mark.parametrize(
    "day, message",
    [
        (datetime.date(1, 1, 1), "précéder le 01/01/2015"),
        (datetime.date(2014, 12, 31), "précéder le 01/01/2015"),
        (datetime.date(2026, 11, 26), "futur"),
    ],
)
def test_payment_dates_are_bounded(day, message):
    DuesRateFactory(year=2016)
    line = DuesLineFactory()
    with pytest.raises(ServiceError, match=message) as error:
        services.dues_record_payment(
            received_on=day, amount="10", method="cheque", allocations=[(line, "10")]
        )
    assert error.value.field == "received_on"
    assert not DocumentCounter.objects.exists()
    services.dues_record_payment(
        received_on=datetime.date(2015, 1, 1),
        amount="10",
        method="cheque",
        allocations=[(line, "10")],
    )
    assert DuesDocument.objects.get().number == "RE-2015-0001"


def test_without_any_rate_payments_start_in_2000():
    line = DuesLineFactory()
    with pytest.raises(ServiceError, match="01/01/2000"):
        services.dues_record_payment(
            received_on=datetime.date(1999, 12, 31),
            amount="10",
            method="cheque",
            allocations=[(line, "10")],
        )


def test_the_database_refuses_years_before_2000():
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.create(received_on=datetime.date(1, 1, 1), amount=1, method="cheque")
    with pytest.raises(IntegrityError), transaction.atomic():
        DocumentCounter.objects.create(kind="receipt", year=1)


def test_payment_form_date_out_of_bounds_is_an_error_next_to_the_field(client_for, dues):
    DuesRateFactory(year=2016)
    data = {
        "received_on": "0001-01-01",
        "amount": "10",
        "method": "cheque",
        "alloc-TOTAL_FORMS": "1",
        "alloc-INITIAL_FORMS": "0",
        "alloc-MIN_NUM_FORMS": "0",
        "alloc-MAX_NUM_FORMS": "20",
        "alloc-0-line": str(dues["other"].pk),
        "alloc-0-amount": "10",
    }
    response = client_for("bureau").post(reverse("dues_payment_create"), data)
    assert response.status_code == 400
    assert "précéder le 01/01/2015" in response.context["form"].errors["received_on"][0]
    assert DuesLine.objects.get(pk=dues["other"].pk).status == DuesStatus.CALLED


# A platform's documents (issue 15) -----------------------------------------------------


def test_a_platform_sees_its_notices_and_the_receipt_of_a_payment_split_with_another():
    """A cheque paying two platforms' lines: its receipt is in both platforms' documents,
    each platform's notice only in its own, a third platform's in neither."""
    first = DuesLineFactory(year=2026, platform__name="Céramique Limoges")
    second = DuesLineFactory(year=2026, platform__name="Plasturgie Oyonnax")
    third = DuesLineFactory(year=2026, platform__name="Verre Meisenthal")
    payment = services.dues_record_payment(
        received_on=datetime.date(2026, 5, 2),
        amount="450",
        method="cheque",
        allocations=[(first, "300"), (second, "150")],
    )
    receipt = payment.documents.get()
    notices = {line: services.dues_issue_notice(line) for line in (first, second, third)}

    def visible(line):
        return set(DuesDocument.objects.visible_to_platform(line.platform))

    assert visible(first) == {notices[first], receipt}
    assert visible(second) == {notices[second], receipt}
    assert visible(third) == {notices[third]}


def test_a_platforms_documents_are_a_union_of_two_indexed_lookups_not_an_or():
    """An OR of the line's platform and the payment's allocations made PostgreSQL read
    every document of the federation (115,000) for one platform's page."""
    line = DuesLineFactory(year=2026)
    sql = str(DuesDocument.objects.visible_to_platform(line.platform).query)
    assert " UNION " in sql
    assert " OR " not in sql
