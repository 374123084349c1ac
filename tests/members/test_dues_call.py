"""Calling a year's dues (issue 14): the form proposes last year's rate, a summary
writes nothing, the confirmation enqueues one idempotent task, a progress page reads
the counts from the database."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from innovalo.enums import EmailStatus
from innovalo.models import AuditEntry, SentReminder
from members.models import DuesDocument, DuesLine, DuesRate
from members.tasks import dues_call_year as call_task

from .dues_factories import (  # noqa: F401 - fixtures
    DuesPlatformFactory,
    DuesRateFactory,
    fast_pdf_fixture,
    frozen_fixture,
    stored_amounts_agree_fixture,
    with_people,
)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("frozen", "fast_pdf", "stored_amounts_agree"),
]

URL = "/cotisations/appel/"
DATA = {"year": "2027", "amount": "320", "due_date": "2027-03-31"}


@pytest.fixture
def network(db):
    """Four member platforms (three with people to write to), one not a member."""
    platforms = [DuesPlatformFactory() for _ in range(4)]
    for platform in platforms[:3]:
        with_people(platform)
    DuesPlatformFactory(is_member=False)
    return platforms


def writes():
    return (
        DuesRate.objects.count(),
        DuesLine.objects.count(),
        DuesDocument.objects.count(),
        SentReminder.objects.count(),
        AuditEntry.objects.count(),
    )


def test_form_proposes_last_years_rate(client_for, db):
    DuesRateFactory(year=2026, amount=Decimal("300.00"), due_date=datetime.date(2026, 4, 15))
    response = client_for("bureau").get(reverse("dues_call_year"), {"year": 2027})
    initial = response.context["form"].initial
    assert initial["amount"] == Decimal("300.00")
    assert initial["due_date"] == datetime.date(2027, 4, 15)
    assert "repris de 2026" in response.content.decode()


def test_form_shows_the_years_own_rate_when_set(client_for, db):
    DuesRateFactory(year=2026, amount=Decimal("300.00"))
    DuesRateFactory(year=2027, amount=Decimal("320.00"))
    response = client_for("bureau").get(reverse("dues_call_year"), {"year": 2027})
    assert response.context["form"].initial["amount"] == Decimal("320.00")
    assert "repris de" not in response.content.decode()


def test_summary_lists_recipients_amount_date_and_writes_nothing(
    client_for, network, mailoutbox, django_capture_on_commit_callbacks
):
    before = writes()
    with django_capture_on_commit_callbacks() as callbacks:
        response = client_for("bureau").post(URL, DATA)
    assert response.status_code == 200
    assert writes() == before and callbacks == [] and mailoutbox == []
    preview = response.context["preview"]
    assert (preview["count"], preview["without_contact"]) == (4, 1)
    content = response.content.decode()
    assert "320,00" in content and "31 mars 2027" in content
    for platform in network:
        assert platform.name in content
    for email in network[0].people_emails():
        assert email in content
    assert 'name="confirm" value="1"' in content
    assert "Confirmer et envoyer 4 appels" in content


def test_summary_refuses_a_new_amount_once_called(client_for, network):
    call_task(2027)  # no rate: logged and nothing done
    assert not DuesLine.objects.exists()
    DuesRateFactory(year=2027, amount=Decimal("320.00"))
    call_task(2027)
    response = client_for("bureau").post(URL, {**DATA, "amount": "999"})
    assert response.status_code == 400
    assert "ne peut plus changer" in response.content.decode()


def test_edit_goes_back_to_the_form_with_what_was_typed(client_for, network):
    response = client_for("bureau").post(URL, {**DATA, "amount": "321,50", "edit": "1"})
    assert response.status_code == 200
    assert 'value="321,50"' in response.content.decode()
    assert not DuesRate.objects.exists()


def test_confirmation_saves_the_rate_and_enqueues_the_call_on_commit(
    client_for, network, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        response = client_for("bureau").post(URL, {**DATA, "confirm": "1"})
    assert response.status_code == 302
    assert response["Location"] == reverse("dues_call_progress", args=[2027])
    assert DuesRate.objects.get(year=2027).amount == Decimal("320.00")
    assert [c.__qualname__ for c in callbacks].count("enqueue.<locals>.<lambda>") == 1
    assert not DuesLine.objects.exists() and mailoutbox == []  # the task has not run yet
    with django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:
            callback()
    assert DuesLine.objects.filter(year=2027).count() == 4
    assert len(mailoutbox) == 3  # the fourth platform has nobody to write to
    assert all(m.attachments[0][0].startswith("AC-2027-") for m in mailoutbox)


def test_a_double_click_or_a_second_run_sends_nothing_twice(
    client_for, network, mailoutbox, django_capture_on_commit_callbacks
):
    client = client_for("bureau")
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(URL, {**DATA, "confirm": "1"}).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        call_task(2027)
    assert len(mailoutbox) == 3
    assert SentReminder.objects.filter(rule="dues_call").count() == 4
    assert DuesDocument.objects.filter(kind="notice", year=2027).count() == 4  # one per line


def test_each_call_is_recorded_under_its_key_before_it_is_sent(
    network, mailoutbox, django_capture_on_commit_callbacks
):
    """The outbox row (rule, line) is written in the call's transaction; delivering it
    again (a retried task) finds it sent."""
    from innovalo.reminders import deliver

    DuesRateFactory(year=2027)
    with django_capture_on_commit_callbacks() as callbacks:
        call_task(2027)
    records = SentReminder.objects.filter(rule="dues_call")
    assert records.count() == 4 and set(records.values_list("status", flat=True)) == {"pending"}
    for callback in callbacks:
        callback()
    for record in records:
        assert deliver(record.pk) is False
    assert len(mailoutbox) == 3


# Progress --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role, status",
    [
        ("anonymous", 302),
        ("director", 403),
        ("other_director", 403),
        ("ministry", 403),
        ("bureau", 200),
    ],
)
def test_progress_page_by_role(client_for, db, role, status):
    response = client_for(role).get(reverse("dues_call_progress", args=[2027]))
    assert response.status_code == status


def test_progress_page_before_the_task_ran_polls_itself(client_for, network):
    DuesRateFactory(year=2027)
    content = client_for("bureau").get(reverse("dues_call_progress", args=[2027]))
    content = content.content.decode()
    assert "L'appel va démarrer" in content
    assert 'data-hx-trigger="every 2s"' in content
    assert "<script" not in content.split("</head>")[1]


def test_progress_counts_sent_and_without_recipient_then_stops_polling(
    client_for, network, django_capture_on_commit_callbacks
):
    DuesRateFactory(year=2027)
    with django_capture_on_commit_callbacks(execute=True):
        call_task(2027)
    response = client_for("bureau").get(reverse("dues_call_progress", args=[2027]))
    progress = response.context["progress"]
    assert (progress["total"], progress["sent"], progress["skipped"]) == (4, 3, 1)
    assert progress["done"] and progress["percent"] == 100
    content = response.content.decode()
    assert "data-hx-trigger" not in content
    assert network[3].name in content  # the call that did not leave, with a link
    assert reverse("dues_line_detail", args=[response.context["problems"][0]["pk"]]) in content


def test_progress_while_sending(client_for, network, django_capture_on_commit_callbacks):
    DuesRateFactory(year=2027)
    with django_capture_on_commit_callbacks():  # emails recorded, none delivered yet
        call_task(2027)
    SentReminder.objects.filter(pk=SentReminder.objects.order_by("pk")[0].pk).update(
        status=EmailStatus.SENT
    )
    response = client_for("bureau").get(
        reverse("dues_call_progress", args=[2027]), headers={"HX-Request": "true"}
    )
    progress = response.context["progress"]
    assert (progress["sent"], progress["waiting"], progress["running"]) == (1, 3, True)
    content = response.content.decode()
    assert content.lstrip().startswith("<section")  # the fragment only, for htmx
    assert 'data-hx-trigger="every 2s"' in content


def test_progress_of_a_year_out_of_range_is_404(client_for, db):
    assert client_for("bureau").get("/cotisations/appel/1900/envoi/").status_code == 404


# Query counts ------------------------------------------------------------------------------


def test_summary_query_count_is_pinned(client_for, network, django_assert_max_num_queries):
    client = client_for("bureau")
    client.post(URL, DATA)
    for _ in range(3):
        with_people(DuesPlatformFactory())
    # Session, user, the rate (twice: check and proposal), counts, rows, contacts,
    # called, exempt.
    with django_assert_max_num_queries(10):
        response = client.post(URL, DATA)
    assert response.context["preview"]["count"] == 7


def test_progress_query_count_is_pinned(
    client_for, network, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    DuesRateFactory(year=2027)
    with django_capture_on_commit_callbacks(execute=True):
        call_task(2027)
    client = client_for("bureau")
    client.get(reverse("dues_call_progress", args=[2027]))
    # Session, user, lines, emails by state, the calls that did not leave.
    with django_assert_max_num_queries(5):
        assert client.get(reverse("dues_call_progress", args=[2027])).status_code == 200


def test_progress_of_lines_called_without_email_is_done(client_for, db):
    """Lines called without the outbox (an import, the demo): nothing to wait for."""
    from members.services.dues import dues_call_year

    for _ in range(2):
        DuesPlatformFactory()
    DuesRateFactory(year=2027)
    dues_call_year(year=2027, send=False)
    response = client_for("bureau").get(reverse("dues_call_progress", args=[2027]))
    progress = response.context["progress"]
    assert (progress["done"], progress["without_email"], progress["total"]) == (True, 2, 0)
    assert "data-hx-trigger" not in response.content.decode()
    assert "2 lignes appelées sans e-mail" in response.content.decode()
