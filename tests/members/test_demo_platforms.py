"""The demo platforms: enough, realistic, idempotent, and what other apps rely on."""

import io

import pytest
from django.db.models import Count

from innovalo.management.commands.seed_demo import DEMO_ACCOUNTS, demo_user
from members.demo_platforms import seed_platforms
from members.enums import LabelStatus
from members.models import Correspondent, Equipment, Platform, PlatformHost, PlatformMembership

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    for account in DEMO_ACCOUNTS:
        demo_user(*account)
    seed_platforms(io.StringIO())


def counts():
    return [
        Platform.objects.count(),
        PlatformHost.objects.count(),
        Equipment.objects.count(),
        PlatformMembership.objects.count(),
        Correspondent.objects.count(),
        Platform.history.count(),
    ]


def test_seed_is_idempotent(seeded):
    before = counts()
    seed_platforms(io.StringIO())
    assert counts() == before


def test_seed_gives_a_realistic_network(seeded):
    assert Platform.objects.count() >= 46
    assert Platform.objects.filter(is_member=True, label_status=LabelStatus.LABELLED).count() == 44
    regions = Platform.objects.values("department__region").annotate(n=Count("pk"))
    assert regions.count() >= 10
    assert Platform.objects.filter(department__code="85").exists()
    creusot = Platform.objects.get(slug="le-creusot")
    assert creusot.city == "Le Creusot" and creusot.department.code == "71"
    assert Platform.objects.review_due().count() >= 3
    assert not Platform.objects.annotate(n=Count("hosts")).filter(n=0).exists()
    assert Correspondent.objects.filter(kind="regional").count() >= 3
    assert Correspondent.objects.filter(kind="thematic").count() >= 3


def test_demo_director_manages_innovaltech_only(seeded):
    innovaltech = Platform.objects.get(slug="innovaltech")
    assert innovaltech.city == "Saint-Quentin"
    assert innovaltech.department.code == "02"
    assert innovaltech.region.name == "Hauts-de-France"
    assert list(innovaltech.memberships.values_list("user__email", flat=True)) == [
        "directeur@innovalo.demo"
    ]
    managed = PlatformMembership.objects.filter(user__email="directeur@innovalo.demo")
    assert [m.platform.slug for m in managed] == ["innovaltech"]
    for email in ["bureau@innovalo.demo", "ministere@innovalo.demo"]:
        assert not PlatformMembership.objects.filter(user__email=email).exists()


def test_every_demo_siret_passes_the_real_checks(seeded):
    from innovalo.identifiers import siret_is_valid

    sirets = list(Platform.objects.exclude(siret="").values_list("siret", flat=True))
    assert len(sirets) >= 40 and len(set(sirets)) == len(sirets)
    assert all(siret_is_valid(siret) for siret in sirets)


def test_most_demo_labels_predate_2016(seeded):
    """The national dashboard's first year shows the network of the time: 44 labelled
    platforms in 2016, a few labels granted since, one lost."""
    from innovalo.dashboard.selectors import dashboard_years, network

    years = dashboard_years()
    figures = network(years)
    assert figures.labelled[2016] == 44
    assert sum(figures.new.values()) == 3
    assert sum(figures.lost.values()) == 1
    assert figures.labelled[years[-1]] == 46  # 44 labelled and 2 in renewal today
