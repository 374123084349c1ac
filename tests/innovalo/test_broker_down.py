"""With Redis stopped, the portal keeps serving: login, pages and forms work, the
cache and the login rate limits degrade (logged), /sante/ answers 503, and no email
is lost: it waits in the outbox and leaves once the broker is back.

These tests start a private redis-server (a real one), use it as broker and cache,
then stop it.
"""

import datetime
import re
import shutil
import socket
import subprocess
import time

import pytest
from django.core import mail
from django.core.cache import caches
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from innovalo.celery import app as celery_app
from innovalo.enums import EmailStatus, Role
from innovalo.models import Invitation, SentReminder

from ..factories import PASSWORD, UserFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server"),
]


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrivateRedis:
    def __init__(self):
        self.port = _free_port()
        self.process = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(100):
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.1):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        if self.process:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


def _reset_celery_pools():
    celery_app._pool = None
    celery_app.__dict__.get("amqp") and setattr(celery_app.amqp, "_producer_pool", None)


@pytest.fixture
def redis_then_down(settings):
    """A real Redis as broker and cache; the test stops it with `.stop()`."""
    server = PrivateRedis()
    server.start()
    settings.CACHES = {
        "default": {
            "BACKEND": "innovalo.cache.ResilientRedisCache",
            "LOCATION": server.url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    old = celery_app.conf.broker_url, celery_app.conf.task_always_eager
    celery_app.conf.broker_url = server.url
    celery_app.conf.task_always_eager = False
    _reset_celery_pools()
    yield server
    server.stop()
    celery_app.conf.broker_url, celery_app.conf.task_always_eager = old
    _reset_celery_pools()
    caches["default"].close()


def test_with_redis_up_the_cache_and_the_broker_work(redis_then_down, client):
    caches["default"].set("probe", 1)
    assert caches["default"].get("probe") == 1
    assert client.get(reverse("health")).status_code == 200


def test_login_works_with_redis_down(redis_then_down, client):
    user = UserFactory(email="connexion@exemple.fr")
    redis_then_down.stop()
    # A failed login is refused with a message, not a 500.
    response = client.post(reverse("account_login"), {"login": user.email, "password": "non"})
    assert response.status_code == 200
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.wsgi_request.user.is_authenticated
    assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse("platform_list")).status_code == 200


def test_health_answers_503_with_the_broker_down(redis_then_down, client):
    redis_then_down.stop()
    response = client.get(reverse("health"))
    assert response.status_code == 503
    assert response.json()["broker"] == "error"
    assert response.json()["database"] == "ok"


def test_no_email_is_lost_while_the_broker_is_down(
    redis_then_down, client, django_capture_on_commit_callbacks
):
    bureau = UserFactory(role=Role.BUREAU)
    client.force_login(bureau)
    redis_then_down.stop()
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("invitation_list"), {"email": "attente@exemple.fr", "role": Role.MINISTRY}
        )
    assert response.status_code == 302  # the form worked, the data is saved
    assert time.monotonic() - started < 10  # and it failed fast
    invitation = Invitation.objects.get(email="attente@exemple.fr")
    record = SentReminder.objects.get(rule="invitation")
    assert record.status == EmailStatus.PENDING
    assert mail.outbox == []

    # The broker is back: the next run of the outbox job (cron or beat) sends it once.
    redis_then_down.start()
    SentReminder.objects.filter(pk=record.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=5)
    )
    call_command("send_reminders", "--only", "outbox")
    call_command("send_reminders", "--only", "outbox")
    assert len(mail.outbox) == 1
    token = re.search(r"/invitation/([^/\s]+)/", mail.outbox[0].body).group(1)
    assert Invitation.find_by_token(token) == invitation
    record.refresh_from_db()
    assert record.status == EmailStatus.SENT
