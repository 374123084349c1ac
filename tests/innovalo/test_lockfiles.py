"""Lock files name packages, versions and hashes, never a machine's paths; production
installs only what it runs."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([^\s\\]+)")


def _pins(name):
    pins = {}
    for line in (ROOT / name).read_text(encoding="utf-8").splitlines():
        match = PIN.match(line)
        if match:
            pins[match.group(1).lower()] = match.group(2)
    return pins


@pytest.mark.parametrize("name", ["requirements.lock", "requirements-dev.lock"])
def test_a_lock_file_holds_no_local_path_or_index(name):
    text = (ROOT / name).read_text(encoding="utf-8")
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        assert not stripped.startswith(("-i", "--index-url", "--extra-index-url", "-f")), line
        assert not stripped.startswith("--find-links"), line
        assert "file:" not in stripped and "/opt/" not in stripped, line


@pytest.mark.parametrize("name", ["requirements.lock", "requirements-dev.lock"])
def test_every_package_is_pinned_with_hashes(name):
    blocks = re.split(r"\n(?=[A-Za-z0-9])", (ROOT / name).read_text(encoding="utf-8"))
    packages = [block for block in blocks if PIN.match(block)]
    assert len(packages) > 20
    for block in packages:
        assert "--hash=sha256:" in block, block.splitlines()[0]


def test_production_installs_no_test_or_lint_tool():
    production = _pins("requirements.lock")
    for tool in ("pytest", "pytest-django", "pytest-xdist", "ruff", "factory-boy", "freezegun"):
        assert tool not in production
    assert {"django", "celery", "weasyprint", "gunicorn", "psycopg2-binary"} <= set(production)


def test_development_runs_the_same_versions_as_production():
    production, development = _pins("requirements.lock"), _pins("requirements-dev.lock")
    assert {name: development.get(name) for name in production} == production
    assert {"pytest", "pytest-xdist", "ruff"} <= set(development)
