"""Every page each role reaches from the home page: no axe-core violation (WCAG 2.1 AA
and best practices) and valid HTML for the W3C Nu validator."""

import os
import re

import pytest

from .conftest import SHOTS
from .crawl import axe_violations, crawl, java, nu_errors

REPORTS = SHOTS.parent / "accessibility"

ROLES = ["anonymous", "director", "bureau", "ministry"]
# Enough for every page shape a role reaches (two pages of each shape are visited).
PAGE_LIMIT = int(os.environ.get("A11Y_PAGE_LIMIT", "400"))


@pytest.mark.parametrize("role", ROLES)
def test_pages_reached_by_each_role_pass_axe_and_the_nu_validator(as_role, base, role, tmp_path):
    page = as_role(role)
    problems, visited = [], 0
    for path, html in crawl(page, base, limit=PAGE_LIMIT):
        visited += 1
        name = re.sub(r"[^a-zA-Z0-9]+", "_", path).strip("_") or "home"
        (tmp_path / f"{name}.html").write_text(html)
        for violation in axe_violations(page):
            problems.append(
                f"{path}: axe {violation['id']} ({violation['impact']}) "
                f"{violation['help']} at {violation['nodes']}"
            )
    if java():
        for error in nu_errors(tmp_path):
            problems.append(f"{error['file']}:{error['line']}: Nu {error['message']}")
    REPORTS.mkdir(parents=True, exist_ok=True)
    (REPORTS / f"{role}.txt").write_text(
        f"{visited} pages checked\n" + "".join(f"{problem}\n" for problem in problems)
    )
    assert visited >= 5
    assert not problems, f"{len(problems)} problems, see var/accessibility/{role}.txt:\n" + (
        "\n".join(problems[:30])
    )


# Forms sent empty: the page in error (summary at the top, each message next to its field).
FORMS = {
    "anonymous": ["/accounts/login/", "/demandes/nouvelle/"],
    "director": ["/plateformes/innovaltech/modifier/", "/appels/proposer/", "/projets/nouveau/"],
    "bureau": [
        "/reunions/nouvelle/",
        "/cotisations/paiements/nouveau/",
        "/appels/nouveau/",
        "/enquetes/nouvelle/",
        "/invitations/",
    ],
}


def _submit_empty(page):
    """Empty every text field of the page's main form, lift the browser's own checks so
    that the server's answer is what is tested, and send it."""
    form = (
        page.locator("main form[method=post]")
        .filter(has=page.locator("input[type=text], input[type=email], textarea"))
        .first
    )
    form.evaluate(
        """form => {
            form.noValidate = true;
            form.querySelectorAll('input[type=text], input[type=email], textarea')
                .forEach(field => { field.value = ''; });
        }"""
    )
    form.locator("button[type=submit], input[type=submit]").last.click()
    page.wait_for_load_state()


@pytest.mark.parametrize("role", sorted(FORMS))
def test_forms_in_error_pass_axe_and_the_nu_validator(as_role, base, role, tmp_path):
    page = as_role(role)
    problems = []
    for path in FORMS[role]:
        page.goto(base + path)
        _submit_empty(page)
        html = page.content()
        assert page.locator(".error, .form-errors").count(), f"{path}: no error shown"
        name = re.sub(r"[^a-zA-Z0-9]+", "_", path).strip("_")
        (tmp_path / f"{name}.html").write_text(html)
        for violation in axe_violations(page):
            problems.append(
                f"{path} (in error): axe {violation['id']} ({violation['impact']}) "
                f"{violation['help']} at {violation['nodes']}"
            )
    if java():
        for error in nu_errors(tmp_path):
            problems.append(f"{error['file']}:{error['line']}: Nu {error['message']}")
    assert not problems, "\n".join(problems)
