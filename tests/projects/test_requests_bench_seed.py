"""seed_requests_bench: many firms' requests in bulk over the platforms, refused in
production."""

import io

import pytest
from django.core.management import CommandError, call_command

from projects.enums import RequestStatus
from projects.models import FirmRequest, RequestRouting
from tests.members.factories import PlatformFactory

pytestmark = pytest.mark.django_db


def test_refused_without_demo_data(settings):
    settings.ALLOW_DEMO_DATA = False
    with pytest.raises(CommandError):
        call_command("seed_requests_bench", "--requests", "5", stdout=io.StringIO())
    assert not FirmRequest.objects.exists()


def test_adds_requests_in_every_state_with_their_routings(settings):
    settings.ALLOW_DEMO_DATA = True
    PlatformFactory()
    out = io.StringIO()
    call_command("seed_requests_bench", "--requests", "400", stdout=out)
    assert "400 requests added" in out.getvalue()
    assert FirmRequest.objects.count() == 400
    assert RequestRouting.objects.count() == 400
    states = set(FirmRequest.objects.values_list("status", flat=True))
    assert {RequestStatus.DONE, RequestStatus.NEW, RequestStatus.IN_PROGRESS} <= states
    done = FirmRequest.objects.filter(status=RequestStatus.DONE)
    assert not done.filter(transfer_level__isnull=True).exists()
