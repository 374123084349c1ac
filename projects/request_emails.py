"""Emails of firms' requests, public side, through the outbox (``innovalo.reminders``).
The services of ``projects/services/requests.py`` write one row per email in their
transaction; these senders load the row's objects, check that the email still makes
sense (the person still concerned, the routing still open, the firm's data not being
erased) and send it, or skip it.

- ``request_received`` (target the request, period "firm"): the firm's acknowledgement,
  with its private link.
- ``request_to_route`` (the request, "user-<id>"): the region's correspondent (or the
  bureau): a request waits for routing, with the portal's proposals.
- ``request_routed`` (the routing, "user-<id>"): a person of a platform the request was
  transmitted to.
- ``request_message_firm`` (the event, "user-<id>"): the firm wrote through its link.
"""

from django.conf import settings
from django.urls import NoReverseMatch

from innovalo.emails import send_templated_email
from innovalo.reminders import SkipEmail, email_rule

from .enums import RequestEventKind, RequestStatus, RoutingStatus
from .models import FirmRequest, RequestEvent, RequestRouting
from .services import requests as services


def _pk(text: str):
    return int(text) if text.isdigit() else None


def _target_pk(record):
    return _pk(record.target.partition(":")[2])


def _user_pk(record):
    _head, _sep, user_pk = record.period.rpartition("user-")
    return _pk(user_pk)


def _board_url(firm_request) -> str:
    """The request's page for the platforms and correspondents (the board's)."""
    try:
        path = firm_request.get_absolute_url()
    except NoReverseMatch:
        path = "/demandes/"
    return settings.SITE_URL + path


def _erased(firm_request) -> bool:
    return bool(firm_request.anonymised_at or firm_request.deletion_requested_at)


def _person_among(people, record):
    user_pk = _user_pk(record)
    person = next((p for p in people if p.pk == user_pk), None) if user_pk else None
    if person is None or not person.email:
        raise SkipEmail
    return person


@email_rule(services.RECEIVED_RULE)
def send_received(record) -> list[str]:
    firm_request = (
        FirmRequest.objects.select_related("target_platform", "department")
        .filter(pk=_target_pk(record))
        .first()
    )
    if firm_request is None or _erased(firm_request) or not firm_request.email:
        raise SkipEmail
    send_templated_email(
        "request_received",
        [firm_request.email],
        {
            "firm_request": firm_request,
            "link": services.request_link(firm_request),
            "retention_years": services.REQUEST_RETENTION_DAYS // 365,
        },
    )
    return [firm_request.email]


@email_rule(services.TO_ROUTE_RULE)
def send_to_route(record) -> list[str]:
    firm_request = (
        FirmRequest.objects.select_related("department", "region")
        .filter(pk=_target_pk(record))
        .first()
    )
    if firm_request is None or firm_request.status not in (RequestStatus.NEW, RequestStatus.ROUTED):
        raise SkipEmail
    person = _person_among(services.region_watchers(firm_request.region_id), record)
    proposals = list(
        firm_request.routings.filter(status=RoutingStatus.PROPOSED).select_related("platform")
    )
    send_templated_email(
        "request_to_route",
        [person.email],
        {
            "firm_request": firm_request,
            "person": person,
            "proposals": proposals,
            "domains": list(firm_request.domains.all()),
            "request_url": _board_url(firm_request),
        },
    )
    return [person.email]


@email_rule(services.ROUTED_RULE)
def send_routed(record) -> list[str]:
    routing = (
        RequestRouting.objects.select_related("request__department", "platform")
        .filter(pk=_target_pk(record))
        .first()
    )
    if routing is None or routing.status != RoutingStatus.NOTIFIED:
        raise SkipEmail
    firm_request = routing.request
    if firm_request.taken_by_id or firm_request.status != RequestStatus.ROUTED:
        raise SkipEmail
    person = _person_among(list(services.routing_people(routing)), record)
    send_templated_email(
        "request_routed",
        [person.email],
        {
            "firm_request": firm_request,
            "routing": routing,
            "person": person,
            "domains": list(firm_request.domains.all()),
            "request_url": _board_url(firm_request),
        },
    )
    return [person.email]


@email_rule(services.FIRM_MESSAGE_RULE)
def send_firm_message(record) -> list[str]:
    event = (
        RequestEvent.objects.select_related("request")
        .filter(pk=_target_pk(record), kind=RequestEventKind.MESSAGE_FIRM)
        .first()
    )
    if event is None or _erased(event.request):
        raise SkipEmail
    firm_request = event.request
    person = _person_among(services.message_recipients(firm_request), record)
    send_templated_email(
        "request_message_firm",
        [person.email],
        {
            "firm_request": firm_request,
            "event": event,
            "person": person,
            "request_url": _board_url(firm_request),
        },
    )
    return [person.email]
