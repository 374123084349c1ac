"""The services of the public side of firms' requests: filing (region, consent, token,
routing, emails through the outbox, never twice), the firm's messages and its deletion
request; the factories shared with the other requests' tests."""

import pytest
from django.core import mail
from django.utils import timezone

from innovalo.enums import EmailStatus
from innovalo.exceptions import ServiceError
from innovalo.models import SentReminder
from innovalo.reminders import deliver, registered_rules, retry_unsent, run_jobs
from members.enums import LabelStatus, PlatformRole
from projects.enums import RequestEventKind, RequestStatus, RoutingStatus
from projects.services import requests as services
from projects.services.requests import find_request_by_token, request_create
from tests.factories import UserFactory
from tests.members.factories import (
    CorrespondentFactory,
    DomainFactory,
    MembershipFactory,
    PlatformFactory,
    department,
)

from .requests_factories import EventFactory, FirmRequestFactory, RoutingFactory

pytestmark = pytest.mark.django_db


def test_factories_give_a_request_with_a_working_link():
    firm_request = FirmRequestFactory(domains=[DomainFactory()])
    assert find_request_by_token(firm_request.token) == firm_request
    assert firm_request.domains.count() == 1
    assert firm_request.region == firm_request.department.region
    RoutingFactory(request=firm_request)
    EventFactory(request=firm_request)
    assert find_request_by_token(firm_request.token + "x") is None
    assert find_request_by_token("") is None


def test_the_email_rules_are_registered():
    for rule in (
        services.RECEIVED_RULE,
        services.TO_ROUTE_RULE,
        services.ROUTED_RULE,
        services.FIRM_MESSAGE_RULE,
    ):
        assert rule in registered_rules()


def test_the_retention_period_is_three_years():
    assert services.REQUEST_RETENTION_DAYS == 3 * 365


def create(**overrides):
    arguments = {
        "company_name": " Atelier Dupont ",
        "siret": "73282932000074",
        "contact_name": "Camille Dupont",
        "email": "camille@atelier-dupont.fr",
        "phone": "",
        "department": department("51"),  # Marne: Grand Est
        "need": "Contrôler nos pièces.",
        "domains": [],
        "timing": "asap",
    }
    arguments.update(overrides)
    return request_create(**arguments)


def test_filing_dates_the_consent_takes_the_department_s_region_and_stores_the_hash_only():
    firm_request, token = create()
    firm_request.refresh_from_db()
    assert firm_request.company_name == "Atelier Dupont"
    assert firm_request.region.code == "44"
    assert firm_request.consent_at == firm_request.created_at
    assert firm_request.token_hash == services.hash_token(token)
    assert len(firm_request.token_salt) == 32
    assert token == services.request_token(firm_request)
    assert find_request_by_token(token) == firm_request
    created = firm_request.events.get()
    assert created.kind == RequestEventKind.CREATED and created.status == RequestStatus.NEW


def test_each_request_has_its_own_token():
    first, first_token = create()
    second, second_token = create()
    assert first_token != second_token
    assert find_request_by_token(second_token) == second


def test_a_request_addressed_to_a_platform_no_longer_labelled_is_refused():
    platform = PlatformFactory(label_status=LabelStatus.EXPIRED)
    with pytest.raises(ServiceError):
        create(platform=platform)


def test_an_unknown_timing_is_refused():
    with pytest.raises(ServiceError) as error:
        create(timing="tomorrow")
    assert error.value.field == "timing"


def test_a_second_run_of_the_outbox_sends_nothing_twice(django_capture_on_commit_callbacks):
    correspondent = CorrespondentFactory(region=department("51").region).user
    platform = PlatformFactory(department=department("51"))
    domain = DomainFactory()
    platform.domains.set([domain])
    with django_capture_on_commit_callbacks(execute=True):
        firm_request, _token = create(domains=[domain])
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [correspondent.email, "camille@atelier-dupont.fr"]
    )
    assert firm_request.routings.get().status == RoutingStatus.PROPOSED
    assert retry_unsent() == 0
    assert run_jobs(["outbox"]).sent == {"outbox": 0}
    for record in SentReminder.objects.all():
        assert deliver(record.pk) is False
    assert len(mail.outbox) == 2
    assert set(SentReminder.objects.values_list("status", flat=True)) == {EmailStatus.SENT}


def test_emails_left_pending_when_the_broker_was_down_leave_once(settings):
    """Without the commit's callbacks (the broker down), the rows wait for the outbox job."""
    CorrespondentFactory(region=department("51").region)
    create()
    assert mail.outbox == []
    later = timezone.now() + timezone.timedelta(minutes=5)
    assert retry_unsent(now=later) == 2
    assert retry_unsent(now=later) == 0
    assert len(mail.outbox) == 2


def test_the_acknowledgement_is_skipped_once_deletion_is_asked():
    firm_request, _token = create()
    services.request_deletion_ask(request=firm_request)
    record = SentReminder.objects.get(rule=services.RECEIVED_RULE)
    assert deliver(record.pk) is False
    assert mail.outbox == []


def test_the_correspondent_email_is_skipped_once_the_request_is_taken():
    CorrespondentFactory(region=department("51").region)
    firm_request, _token = create()
    firm_request.__class__.objects.filter(pk=firm_request.pk).update(status=RequestStatus.ACCEPTED)
    record = SentReminder.objects.get(rule=services.TO_ROUTE_RULE)
    assert deliver(record.pk) is False


def test_a_platform_without_people_leaves_its_request_to_the_correspondent(
    django_capture_on_commit_callbacks,
):
    correspondent = CorrespondentFactory(region=department("51").region).user
    platform = PlatformFactory()
    with django_capture_on_commit_callbacks(execute=True):
        create(platform=platform)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [correspondent.email, "camille@atelier-dupont.fr"]
    )


def test_inactive_people_are_not_told(django_capture_on_commit_callbacks):
    platform = PlatformFactory()
    MembershipFactory(platform=platform, user=UserFactory(is_active=False))
    active = MembershipFactory(platform=platform, role=PlatformRole.STAFF).user
    with django_capture_on_commit_callbacks(execute=True):
        create(platform=platform)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [active.email, "camille@atelier-dupont.fr"]
    )


# Messages and deletion ------------------------------------------------------------------------


def test_a_message_once_per_person_even_if_sent_twice(django_capture_on_commit_callbacks):
    firm_request = FirmRequestFactory(status=RequestStatus.ROUTED)
    routing = RoutingFactory(request=firm_request)
    person = MembershipFactory(platform=routing.platform).user
    with django_capture_on_commit_callbacks(execute=True):
        event = services.request_firm_message(request=firm_request, text=" Bonjour ")
    assert event.text == "Bonjour"
    assert event.kind == RequestEventKind.MESSAGE_FIRM
    assert [m.to for m in mail.outbox] == [[person.email]]
    services.schedule_email(services.FIRM_MESSAGE_RULE, event, f"user-{person.pk}")
    assert retry_unsent(now=timezone.now() + timezone.timedelta(minutes=5)) == 0
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("text", ["", "   ", "x" * (services.MESSAGE_MAX_LENGTH + 1)])
def test_an_empty_or_too_long_message_is_refused(text):
    firm_request = FirmRequestFactory()
    with pytest.raises(ServiceError) as error:
        services.request_firm_message(request=firm_request, text=text)
    assert error.value.field == "text"


def test_no_message_on_a_closed_request_or_after_deletion_asked():
    closed = FirmRequestFactory(status=RequestStatus.DONE)
    with pytest.raises(ServiceError):
        services.request_firm_message(request=closed, text="Merci")
    erased = FirmRequestFactory(deletion_requested_at=timezone.now())
    with pytest.raises(ServiceError):
        services.request_firm_message(request=erased, text="Merci")


def test_deletion_is_dated_once():
    firm_request = FirmRequestFactory()
    services.request_deletion_ask(request=firm_request)
    first = firm_request.deletion_requested_at
    assert first is not None
    services.request_deletion_ask(request=firm_request)
    firm_request.refresh_from_db()
    assert firm_request.deletion_requested_at == first
