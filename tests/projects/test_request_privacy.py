"""The firms' contact data erased: requests closed more than the retention period ago,
and at once those whose firm asked (an open one closed first); idempotent, by batches at
a constant number of queries; the counts keep working."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from innovalo.models import AuditEntry, SentReminder
from projects import request_reminders as jobs
from projects.enums import RequestEventKind, RequestStatus
from projects.models import FirmRequest, RequestEvent
from projects.selectors.requests import request_figures
from projects.services import request_actions as services
from projects.services.requests import REQUEST_RETENTION_DAYS, request_deletion_ask
from tests.members.factories import DomainFactory

from .requests_factories import EventFactory, FirmRequestFactory
from .test_requests_board_fixtures import *  # noqa: F403 (fixtures)
from .test_requests_board_fixtures import routed_to

pytestmark = pytest.mark.django_db

NOW = timezone.now()
RETENTION = datetime.timedelta(days=REQUEST_RETENTION_DAYS)


def closed(ago, status=RequestStatus.DONE, **kwargs):
    when = NOW - ago
    return FirmRequestFactory(
        status=status, closed_at=when, status_changed_at=when, created_at=when, **kwargs
    )


def fresh(firm_request):
    return FirmRequest.objects.get(pk=firm_request.pk)


def is_anonymised(firm_request) -> bool:
    row = fresh(firm_request)
    return row.anonymised_at is not None


def test_retention_anonymises_requests_closed_long_ago_only():
    old = closed(RETENTION + datetime.timedelta(days=1))
    recent = closed(RETENTION - datetime.timedelta(days=1))
    old_but_open = FirmRequestFactory(created_at=NOW - 2 * RETENTION)
    assert jobs.request_privacy(now=NOW) == 1
    assert is_anonymised(old)
    assert not is_anonymised(recent)
    assert not is_anonymised(old_but_open)


def test_what_is_erased_and_what_stays(platform):
    domain = DomainFactory(name="Usinage")
    firm_request = closed(
        RETENTION * 2,
        company_name="Fonderie Dupont",
        taken_by=platform,
        transfer_level=3,
        amount_invoiced=1200,
        outcome="Étude livrée",
        domains=[domain],
    )
    EventFactory(request=firm_request, kind=RequestEventKind.MESSAGE_FIRM, text="Je suis M. Dupont")
    EventFactory(
        request=firm_request, kind=RequestEventKind.MESSAGE_PLATFORM, text="Bonjour M. Dupont"
    )
    EventFactory(request=firm_request, kind=RequestEventKind.NOTE, text="Client fidèle")
    jobs.request_privacy(now=NOW)
    row = fresh(firm_request)
    assert row.company_name == services.ANONYMOUS_COMPANY
    assert row.contact_name == services.ANONYMOUS_CONTACT
    assert row.email == f"anonymised-{row.pk}@invalid"
    assert (row.phone, row.siret, row.need) == ("", "", "")
    assert row.anonymised_at is not None
    texts = dict(RequestEvent.objects.filter(request=row).values_list("kind", "text"))
    assert texts[RequestEventKind.MESSAGE_FIRM] == ""
    assert texts[RequestEventKind.MESSAGE_PLATFORM] == ""
    assert texts[RequestEventKind.NOTE] == "Client fidèle"
    # What the counts need stays.
    assert (row.status, row.transfer_level, row.taken_by) == (RequestStatus.DONE, 3, platform)
    assert row.amount_invoiced == 1200
    assert list(row.domains.all()) == [domain]


def test_the_address_and_the_name_leave_the_outbox_and_the_history(platform, director):
    firm_request = closed(RETENTION * 2, company_name="Fonderie Dupont", taken_by=platform)
    email = firm_request.email
    SentReminder.objects.create(
        rule="request_received",
        target=f"projects.firmrequest:{firm_request.pk}",
        period="firm",
        recipients=email,
    )
    event = EventFactory(request=firm_request, kind=RequestEventKind.MESSAGE_PLATFORM)
    SentReminder.objects.create(
        rule=services.MESSAGE_RULE,
        target=f"projects.requestevent:{event.pk}",
        period="firm",
        recipients=email,
    )
    # An email to a platform's person about the same request keeps its recipient.
    SentReminder.objects.create(
        rule="request_routed",
        target=f"projects.firmrequest:{firm_request.pk}",
        period="user-1",
        recipients=director.email,
    )
    AuditEntry.objects.create(
        action="request.created",
        target=f"projects.firmrequest:{firm_request.pk}",
        scope=f"projects.firmrequest:{firm_request.pk}",
        object_repr=str(firm_request),
        message="Demande déposée par Fonderie Dupont",
    )
    jobs.request_privacy(now=NOW)
    recipients = set(SentReminder.objects.values_list("recipients", flat=True))
    assert email not in recipients
    assert f"anonymised-{firm_request.pk}@invalid" in recipients
    assert director.email in recipients
    history = AuditEntry.objects.filter(target=f"projects.firmrequest:{firm_request.pk}")
    assert not history.filter(message__contains="Dupont").exists()
    assert not history.filter(object_repr__contains="Dupont").exists()
    assert history.filter(action="request.anonymised").count() == 1


def test_a_closed_request_whose_firm_asked_is_anonymised_at_once():
    firm_request = closed(datetime.timedelta(days=3))
    request_deletion_ask(request=firm_request)
    assert jobs.request_privacy(now=NOW) == 1
    assert is_anonymised(firm_request)
    assert fresh(firm_request).status == RequestStatus.DONE


def test_an_open_request_whose_firm_asked_is_declined_then_anonymised(platform):
    firm_request = routed_to(platform)
    request_deletion_ask(request=firm_request)
    jobs.request_privacy(now=NOW)
    row = fresh(firm_request)
    assert row.status == RequestStatus.DECLINED
    assert row.closed_at is not None
    assert row.anonymised_at is not None
    event = RequestEvent.objects.filter(request=row, kind=RequestEventKind.STATUS).last()
    assert (event.status, event.text) == (RequestStatus.DECLINED, services.DELETION_REASON)
    # Not reminded, not closed "without answer" afterwards.
    assert jobs.request_reminders(now=NOW + datetime.timedelta(days=40)) == 0
    assert fresh(firm_request).status == RequestStatus.DECLINED


def test_the_job_is_idempotent():
    firm_request = closed(RETENTION * 2)
    request_deletion_ask(request=FirmRequestFactory())
    assert jobs.request_privacy(now=NOW) == 2
    stamped = fresh(firm_request).anonymised_at
    counts = (RequestEvent.objects.count(), AuditEntry.objects.count())
    assert jobs.request_privacy(now=NOW) == 0
    assert jobs.request_privacy(now=NOW + datetime.timedelta(days=1)) == 0
    assert fresh(firm_request).anonymised_at == stamped
    assert (RequestEvent.objects.count(), AuditEntry.objects.count()) == counts


def test_the_counts_keep_working(platform):
    domain = DomainFactory(name="Textile")
    for _n in range(3):
        closed(RETENTION * 2, domains=[domain], taken_by=platform, transfer_level=2)
    before = request_figures()
    jobs.request_privacy(now=NOW)
    after = request_figures()
    assert after == before


def _cost(count, monkeypatch=None) -> int:
    for _n in range(count):
        firm_request = closed(RETENTION * 2)
        EventFactory(request=firm_request, kind=RequestEventKind.MESSAGE_FIRM)
    open_request = FirmRequestFactory()
    request_deletion_ask(request=open_request)
    with CaptureQueriesContext(connection) as captured:
        assert jobs.request_privacy(now=NOW) == count + 1
    return len(captured)


def test_a_batch_costs_the_same_for_3_or_30_requests():
    assert _cost(3) == _cost(30)


def test_several_batches(monkeypatch):
    monkeypatch.setattr(jobs, "PRIVACY_BATCH", 4)
    for _n in range(10):
        closed(RETENTION * 2)
    assert jobs.request_privacy(now=NOW) == 10
    assert FirmRequest.objects.filter(anonymised_at__isnull=True).count() == 0


def test_the_page_of_an_anonymised_request(client_for):
    firm_request = closed(RETENTION * 2)
    jobs.request_privacy(now=NOW)
    response = client_for("bureau").get(firm_request.get_absolute_url())
    assert response.status_code == 200
    assert services.ANONYMOUS_COMPANY in response.content.decode()
    assert firm_request.email not in response.content.decode()


def test_an_anonymised_request_cannot_be_reopened(bureau):
    from innovalo.exceptions import ServiceError

    firm_request = closed(RETENTION * 2)
    jobs.request_privacy(now=NOW)
    with pytest.raises(ServiceError):
        services.request_reopen(firm_request=fresh(firm_request), actor=bureau)
