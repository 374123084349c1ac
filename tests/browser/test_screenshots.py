"""Each role's main pages at 1280 and 390 px, kept under var/screenshots as CI output
(the pages people judge), with no sideways scrolling on a phone."""

import pytest

from .conftest import no_sideways_scroll, shot

MAIN_PAGES = {
    "anonymous": ["/", "/plateformes/", "/plateformes/innovaltech/", "/regions/", "/donnees/"],
    "director": [
        "/",
        "/plateformes/innovaltech/cotisations/",
        "/reunions/",
        "/reunions/mes-actions/",
        "/enquetes/",
        "/appels/",
        "/projets/",
    ],
    "bureau": [
        "/",
        "/cotisations/",
        "/cotisations/releves/",
        "/cotisations/comptabilite/",
        "/reunions/",
        "/enquetes/",
        "/appels/",
        "/projets/",
        "/demandes/",
        "/invitations/",
        "/tableau-de-bord/",
    ],
    "ministry": ["/", "/tableau-de-bord/", "/plateformes/", "/enquetes/"],
}


@pytest.mark.parametrize("role", sorted(MAIN_PAGES))
def test_main_pages_at_desktop_and_phone_widths(as_role, base, role):
    page = as_role(role)
    sideways = []
    for width, height in ((1280, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        for path in MAIN_PAGES[role]:
            response = page.goto(base + path)
            assert response.status == 200, (role, path, response.status)
            name = path.strip("/").replace("/", "-") or "home"
            shot(page, f"{role}-{name}-{width}")
            if width == 390 and not no_sideways_scroll(page):
                sideways.append(path)
    assert not sideways, f"scroll sideways at 390 px for {role}: {sideways}"
