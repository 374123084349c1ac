"""The home page's calls panel: my followed calls' next deadlines, the calls closing
within 30 days, my projects' next steps; nothing for the anonymous visitor."""

import datetime

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from innovalo.models import AuditEntry, SentReminder
from projects.enums import CallStatus, ProjectStage
from projects.views.home import CLOSING_KEY

from .factories import FollowFactory, ProjectFactory, with_deadline

pytestmark = pytest.mark.django_db


def test_a_director_sees_followed_deadlines_closing_calls_and_next_steps(
    client_for, director, platform
):
    followed = with_deadline(12, title="Appel suivi par la directrice")
    FollowFactory(call=followed, user=director)
    with_deadline(20, title="Autre appel proche")
    with_deadline(90, title="Appel lointain")
    with_deadline(12, title="Appel archivé", status=CallStatus.ARCHIVED)
    ProjectFactory(
        lead_platform=platform,
        stage=ProjectStage.WRITING,
        next_step="Relire le budget",
        next_step_owner=director,
        next_step_due=timezone.localdate() + datetime.timedelta(days=3),
    )
    page = client_for("director").get(reverse("home")).content.decode()
    assert "Appel suivi par la directrice" in page
    assert "Autre appel proche" not in page  # not followed: counted, not listed
    assert "2 appels se clôturent dans les 30 jours" in page
    assert "Relire le budget" in page


def test_nothing_to_show_means_no_panel(client_for):
    page = client_for("ministry").get(reverse("home")).content.decode()
    assert "Veille des appels" not in page


def test_the_anonymous_home_page_has_no_panel(client):
    with_deadline(5)
    assert "Veille des appels" not in client.get(reverse("home")).content.decode()


def test_the_count_of_closing_calls_is_kept_a_while_and_a_get_writes_nothing(
    client_for, django_assert_max_num_queries
):
    with_deadline(5)
    client = client_for("bureau")
    before = (AuditEntry.objects.count(), SentReminder.objects.count())
    client.get(reverse("home"))
    assert cache.get(CLOSING_KEY) == 1
    assert (AuditEntry.objects.count(), SentReminder.objects.count()) == before
