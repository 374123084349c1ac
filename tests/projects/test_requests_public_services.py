import pytest

from projects.services.requests import find_request_by_token
from tests.members.factories import DomainFactory

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
