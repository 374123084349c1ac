import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _run(code: str, **env):
    base = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    base.update({"DJANGO_SETTINGS_MODULE": "innovalo.settings", **env})
    base.pop("TESTING", None)
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=base, capture_output=True, text=True
    )


PRINT = "import django; django.setup(); from django.conf import settings as s; print(({}))"


def test_settings_come_from_the_environment():
    result = _run(
        PRINT.format(
            "s.DEBUG, s.ALLOWED_HOSTS, s.DATABASES['default']['ENGINE'], "
            "s.DATABASES['default']['NAME'], s.CELERY_BROKER_URL, s.EMAIL_HOST, "
            "s.DEFAULT_FROM_EMAIL, s.ASSOCIATION['siret'], s.ASSOCIATION['iban'], "
            "s.CSRF_TRUSTED_ORIGINS, s.CELERY_TASK_ALWAYS_EAGER"
        ),
        DEBUG="0",
        SECRET_KEY="x" * 60,
        ALLOWED_HOSTS="portail.innovalo.fr,innovalo.fr",
        CSRF_TRUSTED_ORIGINS="https://portail.innovalo.fr",
        DATABASE_URL="postgres://u:p@db.example:5432/innovalo",
        REDIS_URL="redis://cache.example:6379/0",
        EMAIL_URL="smtp://mail.example:2525",
        DEFAULT_FROM_EMAIL="bureau@innovalo.fr",
        ASSOCIATION_SIRET="11122233344455",
        ASSOCIATION_IBAN="FR76 0000",
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for expected in [
        "False",
        "'portail.innovalo.fr', 'innovalo.fr'",
        "django.db.backends.postgresql",
        "'innovalo'",
        "redis://cache.example:6379/0",
        "mail.example",
        "bureau@innovalo.fr",
        "11122233344455",
        "FR76 0000",
        "https://portail.innovalo.fr",
    ]:
        assert expected in out


def test_defaults_are_sqlite_and_in_process_tasks():
    result = _run(
        PRINT.format(
            "s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.DEBUG, "
            "s.DATABASES['default']['CONN_MAX_AGE']"
        ),
        DEBUG="1",
    )
    assert result.returncode == 0, result.stderr
    assert "sqlite3" in result.stdout and "True, True, 60" in result.stdout


def test_secret_key_is_required_when_debug_is_off():
    result = _run(PRINT.format("s.DEBUG"), DEBUG="0", SECRET_KEY="")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@pytest.mark.parametrize("proxy", ["0", "1"])
def test_check_deploy_is_clean_in_production(proxy):
    env = {
        "DEBUG": "0",
        "SECRET_KEY": "k" * 20 + "Zq8!x" * 10,
        "ALLOWED_HOSTS": "portail.innovalo.fr",
        "USE_X_FORWARDED_PROTO": proxy,
    }
    base = {k: v for k, v in os.environ.items() if k not in ("TESTING",)}
    base.update(env)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=base,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
