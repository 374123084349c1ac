import pytest
from django.core.cache import cache
from django.utils import translation

from innovalo.celery import app as celery_app
from innovalo.enums import Role

from .factories import UserFactory
from .smtp import smtp_server  # noqa: F401 (a fixture for the tests that send real mail)


def pytest_configure(config):
    """Under pytest-xdist each worker has its own database (pytest-django adds the
    suffix) and its own Celery queue, so that a real worker started by one test
    process never takes another process's tasks."""
    worker = getattr(config, "workerinput", {}).get("workerid")
    if worker:
        celery_app.conf.task_default_queue = f"innovalo-tests-{worker}"


@pytest.fixture(autouse=True)
def _isolated(settings):
    """Each test: tasks run in-process, a private cache, plain static storage."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = eager
    cache.clear()
    # A request in English (the language switch) leaves English active in this thread.
    translation.deactivate()


def _load_territories(django_db_blocker):
    from importlib import import_module

    from django.apps import apps

    with django_db_blocker.unblock():
        if not apps.get_model("members", "Department").objects.exists():
            import_module("members.migrations.0002_territories").load(apps, None)


@pytest.fixture(autouse=True)
def _territories_back(request, django_db_blocker):
    """A transactional test ends by emptying every table, the regions and departments
    loaded by a data migration included: load them again for the tests that follow, and
    before a transactional test too (its flush may come after this fixture's teardown of
    the test before, depending on the fixtures' order)."""
    marker = request.node.get_closest_marker("django_db")
    transactional = "transactional_db" in request.fixturenames or bool(
        marker and marker.kwargs.get("transaction")
    )
    if transactional:
        _load_territories(django_db_blocker)
    yield
    if transactional:
        _load_territories(django_db_blocker)


@pytest.fixture
def bureau(db):
    return UserFactory(role=Role.BUREAU, email="tresorier@exemple.fr")


@pytest.fixture
def ministry(db):
    return UserFactory(role=Role.MINISTRY, email="liaison@exemple.fr")


@pytest.fixture
def director(db):
    return UserFactory(role=Role.DIRECTOR, email="directrice@exemple.fr")


@pytest.fixture
def other_director(db):
    return UserFactory(role=Role.DIRECTOR, email="autre-directeur@exemple.fr")


ROLES = ["anonymous", "director", "other_director", "bureau", "ministry"]


@pytest.fixture
def client_for(client, request):
    """client_for("bureau") -> a test client logged in with that role's fixture."""

    def make(role):
        from django.test import Client

        c = Client()
        if role != "anonymous":
            c.force_login(request.getfixturevalue(role))
        return c

    return make


@pytest.fixture
def platform(db, director):
    """The director's platform (the `director` fixture manages it, and only it)."""
    from members.enums import PlatformRole

    from .members.factories import MembershipFactory, PlatformFactory

    platform = PlatformFactory(name="InnovalTech", acronym="IVT", slug="innovaltech")
    MembershipFactory(platform=platform, user=director, role=PlatformRole.DIRECTOR)
    return platform


@pytest.fixture
def other_platform(db, other_director):
    """Another platform, managed by `other_director` only."""
    from members.enums import PlatformRole

    from .members.factories import MembershipFactory, PlatformFactory

    platform = PlatformFactory(name="Plasti Vendée", slug="plasti-vendee")
    MembershipFactory(platform=platform, user=other_director, role=PlatformRole.DIRECTOR)
    return platform
