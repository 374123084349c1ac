"""seed_calls_bench: many published calls in bulk, refused in production."""

import io

import pytest
from django.core.management import CommandError, call_command

from projects.enums import CallStatus
from projects.models import Call, CallDeadline

pytestmark = pytest.mark.django_db


def test_refused_without_demo_data(settings):
    settings.ALLOW_DEMO_DATA = False
    with pytest.raises(CommandError):
        call_command("seed_calls_bench", "--calls", "5", stdout=io.StringIO())
    assert not Call.objects.exists()


def test_adds_published_calls_with_their_dates_and_more_on_a_second_run(settings):
    settings.ALLOW_DEMO_DATA = True
    out = io.StringIO()
    call_command("seed_calls_bench", "--calls", "60", stdout=out)
    assert "60 calls added" in out.getvalue()
    assert Call.objects.filter(status=CallStatus.PUBLISHED, source="bench").count() == 60
    assert CallDeadline.objects.count() >= 50
    assert Call.funders.through.objects.count() >= 60
    call_command("seed_calls_bench", "--calls", "10", stdout=io.StringIO())
    assert Call.objects.filter(source="bench").count() == 70
