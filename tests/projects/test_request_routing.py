"""Routing of firms' requests: the portal's proposals (``projects/routing.py``) and
``route()``, the correspondent's confirmation, each platform's people told once."""

import pytest
from django.core import mail

from innovalo.enums import EmailStatus
from innovalo.models import SentReminder
from innovalo.reminders import retry_unsent
from members.enums import LabelStatus, PlatformRole
from members.models import Region
from projects.enums import RequestEventKind, RequestStatus, RoutingStatus
from projects.routing import MAX_PROPOSALS, NEIGHBOURS, neighbours, propose
from projects.services.requests import ROUTED_RULE, route
from tests.factories import UserFactory
from tests.members.factories import (
    CorrespondentFactory,
    DomainFactory,
    MembershipFactory,
    PlatformFactory,
    department,
)

from .requests_factories import FirmRequestFactory, RoutingFactory

pytestmark = pytest.mark.django_db


# Neighbours --------------------------------------------------------------------------------


def test_the_thirteen_metropolitan_regions_have_symmetric_neighbours():
    metropolitan = {c for c in NEIGHBOURS if c >= "11"}
    assert len(metropolitan) == 13
    for code, others in NEIGHBOURS.items():
        assert code not in others
        for other in others:
            assert code in NEIGHBOURS[other], (code, other)


def test_neighbours_are_known_regions_and_overseas_have_none():
    codes = set(Region.objects.current().values_list("code", flat=True))
    assert set(NEIGHBOURS) == codes
    assert neighbours("32") == {"11", "28", "44"}  # Hauts-de-France
    for overseas in ("01", "02", "03", "04", "06"):
        assert neighbours(overseas) == frozenset()
    assert neighbours("99") == frozenset()


# Proposals --------------------------------------------------------------------------------


def _platform(dept, *domains, **kwargs):
    platform = PlatformFactory(department=department(dept), **kwargs)
    platform.domains.set(domains)
    return platform


def _names(proposals):
    return [p.platform.name for p in proposals]


def test_proposals_share_a_domain_same_region_first_then_neighbours_then_elsewhere():
    meca, textile = DomainFactory(name="Mécanique"), DomainFactory(name="Textile")
    far = _platform("13", meca, name="Loin")  # Bouches-du-Rhône: PACA, not a neighbour
    near = _platform("76", meca, name="Voisine")  # Seine-Maritime: Normandie, neighbour
    here = _platform("80", meca, name="Ici")  # Somme: Hauts-de-France
    _platform("60", textile, name="Autre domaine")  # Oise: HdF, the other domain
    both = _platform("51", meca, textile, name="Deux domaines")  # Marne: Grand Est

    proposals = propose(region=department("02").region, domain_ids=[meca.pk, textile.pk])

    assert _names(proposals) == ["Autre domaine", "Ici", "Deux domaines", "Voisine", "Loin"]
    scores = {p.platform.pk: p.score for p in proposals}
    assert scores[here.pk] == 10 + 5
    assert scores[both.pk] == 20 + 2
    assert scores[near.pk] == 10 + 2
    assert scores[far.pk] == 10


def test_proposals_leave_out_platforms_without_a_shared_domain():
    meca, textile = DomainFactory(name="Mécanique"), DomainFactory(name="Textile")
    _platform("80", textile, name="Textile seulement")
    _platform("80", meca, name="Mécanique")
    proposals = propose(region=department("02").region, domain_ids=[meca.pk])
    assert _names(proposals) == ["Mécanique"]


def test_proposals_are_of_labelled_platforms_only():
    meca = DomainFactory(name="Mécanique")
    _platform("80", meca, name="Labellisée")
    _platform("80", meca, name="En renouvellement", label_status=LabelStatus.RENEWAL)
    _platform("80", meca, name="Expirée", label_status=LabelStatus.EXPIRED)
    _platform("80", meca, name="Jamais", label_status=LabelStatus.NOT_LABELLED)
    proposals = propose(region=department("02").region, domain_ids=[meca.pk])
    assert sorted(_names(proposals)) == ["En renouvellement", "Labellisée"]


def test_at_most_five_proposals_the_best_kept(django_assert_num_queries):
    meca = DomainFactory(name="Mécanique")
    for n in range(4):
        _platform("13", meca, name=f"Loin {n}")
    for n in range(4):
        _platform("02", meca, name=f"Ici {n}")
    region = department("02").region
    with django_assert_num_queries(1):
        proposals = propose(region=region, domain_ids=[meca.pk])
    assert len(proposals) == MAX_PROPOSALS == 5
    assert _names(proposals)[:4] == ["Ici 0", "Ici 1", "Ici 2", "Ici 3"]


def test_overseas_region_gets_its_own_then_any_region():
    meca = DomainFactory(name="Mécanique")
    _platform("971", meca, name="Guadeloupe")
    _platform("02", meca, name="Aisne")
    proposals = propose(region=department("971").region, domain_ids=[meca.pk])
    assert _names(proposals) == ["Guadeloupe", "Aisne"]
    assert [p.ring for p in proposals] == [0, 2]


def test_a_request_without_domains_is_matched_on_its_region_and_neighbours():
    _platform("80", name="Ici")
    _platform("76", name="Voisine")
    _platform("13", name="Loin")
    proposals = propose(region=department("02").region, domain_ids=[])
    assert _names(proposals) == ["Ici", "Voisine"]


# route() ----------------------------------------------------------------------------------


@pytest.fixture
def correspondent(db):
    return CorrespondentFactory(user=UserFactory(email="correspondant@exemple.fr")).user


def _people(platform, count=2):
    people = [
        MembershipFactory(platform=platform, role=PlatformRole.DIRECTOR).user,
        *(
            MembershipFactory(platform=platform, role=PlatformRole.STAFF).user
            for _ in range(count - 1)
        ),
    ]
    # The accounting contact is not told.
    MembershipFactory(platform=platform, role=PlatformRole.ACCOUNTING)
    return people


def test_route_notifies_the_chosen_platforms_and_withdraws_the_other_proposals(
    correspondent, django_capture_on_commit_callbacks
):
    firm_request = FirmRequestFactory()
    first, second, left = PlatformFactory(), PlatformFactory(), PlatformFactory()
    for platform in (first, second, left):
        RoutingFactory(request=firm_request, platform=platform, status=RoutingStatus.PROPOSED)
    outside = PlatformFactory()
    people = _people(first) + _people(outside, 1)

    with django_capture_on_commit_callbacks(execute=True):
        notified = route(request=firm_request, platforms=[first, outside], actor=correspondent)

    assert {r.platform for r in notified} == {first, outside}
    statuses = dict(firm_request.routings.values_list("platform_id", "status"))
    assert statuses == {
        first.pk: RoutingStatus.NOTIFIED,
        outside.pk: RoutingStatus.NOTIFIED,
        second.pk: RoutingStatus.WITHDRAWN,
        left.pk: RoutingStatus.WITHDRAWN,
    }
    firm_request.refresh_from_db()
    assert firm_request.status == RequestStatus.ROUTED
    assert firm_request.routed_at is not None
    event = firm_request.events.get(kind=RequestEventKind.ROUTED)
    assert event.author == correspondent and event.status == RequestStatus.ROUTED
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)
    assert all(firm_request.company_name in m.subject for m in mail.outbox)
    assert SentReminder.objects.filter(rule=ROUTED_RULE, status=EmailStatus.SENT).count() == 3


def test_route_tells_each_person_once_a_second_call_or_run_sends_nothing(
    correspondent, django_capture_on_commit_callbacks
):
    firm_request = FirmRequestFactory()
    platform = PlatformFactory()
    _people(platform, 2)
    with django_capture_on_commit_callbacks(execute=True):
        route(request=firm_request, platforms=[platform], actor=correspondent)
    assert len(mail.outbox) == 2

    with django_capture_on_commit_callbacks(execute=True):
        again = route(request=firm_request, platforms=[platform], actor=correspondent)
    assert again == []
    assert retry_unsent() == 0
    assert len(mail.outbox) == 2
    assert firm_request.events.filter(kind=RequestEventKind.ROUTED).count() == 1


def test_route_adds_a_platform_to_a_routed_request_telling_only_the_new_one(
    correspondent, django_capture_on_commit_callbacks
):
    firm_request = FirmRequestFactory()
    first, second = PlatformFactory(), PlatformFactory()
    _people(first, 1)
    newcomer = _people(second, 1)
    with django_capture_on_commit_callbacks(execute=True):
        route(request=firm_request, platforms=[first], actor=correspondent)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        route(request=firm_request, platforms=[first, second], actor=correspondent)
    assert [m.to for m in mail.outbox] == [[newcomer[0].email]]


def test_the_acting_person_is_not_told(django_capture_on_commit_callbacks):
    firm_request = FirmRequestFactory()
    platform = PlatformFactory()
    director, staff = _people(platform, 2)
    with django_capture_on_commit_callbacks(execute=True):
        route(request=firm_request, platforms=[platform], actor=director)
    assert [m.to for m in mail.outbox] == [[staff.email]]


@pytest.mark.parametrize(
    "status", [RequestStatus.ACCEPTED, RequestStatus.IN_PROGRESS, RequestStatus.DONE]
)
def test_route_refuses_a_request_no_longer_to_route(status, correspondent):
    from innovalo.exceptions import ServiceError

    firm_request = FirmRequestFactory(status=status)
    with pytest.raises(ServiceError):
        route(request=firm_request, platforms=[PlatformFactory()], actor=correspondent)
    assert not firm_request.routings.exists()


def test_route_refuses_no_platform_and_a_platform_that_declined(correspondent):
    from innovalo.exceptions import ServiceError

    firm_request = FirmRequestFactory()
    declined = RoutingFactory(request=firm_request, status=RoutingStatus.DECLINED).platform
    with pytest.raises(ServiceError):
        route(request=firm_request, platforms=[], actor=correspondent)
    with pytest.raises(ServiceError) as error:
        route(request=firm_request, platforms=[declined], actor=correspondent)
    assert error.value.field == "platforms"


def test_a_routing_withdrawn_before_its_email_left_sends_nothing(correspondent):
    firm_request = FirmRequestFactory()
    platform = PlatformFactory()
    _people(platform, 1)
    route(request=firm_request, platforms=[platform], actor=correspondent)  # not committed
    firm_request.routings.update(status=RoutingStatus.WITHDRAWN)
    from innovalo.reminders import deliver

    for record in SentReminder.objects.filter(rule=ROUTED_RULE):
        deliver(record.pk)
    assert mail.outbox == []
    assert set(SentReminder.objects.values_list("status", flat=True)) == {EmailStatus.SKIPPED}
