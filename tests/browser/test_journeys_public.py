"""The public's and the ministry's journeys, keyboard only and on a phone."""

import re

from playwright.sync_api import expect

from .conftest import DEMO_PASSWORD, no_sideways_scroll, shot


def test_public_directory_filters_profile_and_regions_map(page, base):
    page.goto(base + "/plateformes/")
    expect(page).to_have_title(re.compile("Annuaire des plateformes"))
    page.locator("#id_q").fill("ceramique")  # without its accent
    page.get_by_role("button", name="Filtrer").click()
    expect(page.get_by_role("status").first).to_contain_text("1 plateforme")
    page.get_by_role("link", name=re.compile("Céramique")).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Céramique")
    page.goto(base + "/plateformes/")
    page.locator("#id_region").select_option(label="Hauts-de-France")
    page.get_by_role("button", name="Filtrer").click()
    expect(page.get_by_role("status").first).to_contain_text("5 plateformes")
    page.get_by_role("link", name="Voir la carte des régions").click()
    page.get_by_role("link", name=re.compile("^Hauts-de-France : 5 plateformes")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hauts-de-France")
    shot(page, "public-region-1280")


def test_keyboard_only_login_and_directory_filters(page, base):
    page.goto(base + "/accounts/login/")
    page.keyboard.press("Tab")  # the skip link comes first
    expect(page.locator(".skip-link")).to_be_focused()
    page.locator("#id_login").focus()
    page.keyboard.type("directeur@innovalo.demo")
    page.keyboard.press("Tab")
    expect(page.locator("#id_password")).to_be_focused()
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(base + "/")
    page.goto(base + "/plateformes/")
    page.locator("#id_q").focus()
    page.keyboard.type("ceramique")
    page.keyboard.press("Enter")  # submits the filters' form
    expect(page.get_by_role("status").first).to_contain_text("1 plateforme")


def test_keyboard_only_profile_form(page, base):
    from .conftest import log_in

    log_in(page, base, "director")
    page.goto(base + "/plateformes/innovaltech/modifier/")
    page.locator("#id_phone").focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("03 23 00 00 01")
    # Tab forward through the form until its submit button has the focus, then Enter.
    for _ in range(400):
        page.keyboard.press("Tab")
        if page.evaluate(
            "document.activeElement.type === 'submit' && "
            "document.activeElement.closest('form.platform-form') !== null"
        ):
            break
    page.keyboard.press("Enter")
    page.wait_for_url(base + "/plateformes/innovaltech/")
    expect(page.locator("main")).to_contain_text("03 23 00 00 01")


def test_ministry_reads_the_dashboard_and_cannot_write(page, base):
    from .conftest import log_in

    log_in(page, base, "ministry")
    page.goto(base + "/tableau-de-bord/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.locator("#id_year").select_option("2016")
    page.locator("#id_region").select_option(label="Hauts-de-France")
    page.get_by_role("button", name=re.compile("Afficher|Filtrer")).click()
    assert "year=2016" in page.url
    membership = page.locator("section", has=page.locator("#adhesion")).first
    assert "€" not in membership.inner_text()  # never a dues amount for the ministry
    shot(page, "ministry-dashboard-1280")
    # The annual report: prepared once (a task; in-process here), then downloaded.
    page.goto(base + "/tableau-de-bord/rapport/?year=2016")
    page.get_by_role("button", name="Préparer le rapport").click()
    download = page.get_by_role("link", name=re.compile("Télécharger le rapport national 2016"))
    expect(download).to_be_visible(timeout=30_000)
    response = page.request.get(base + download.get_attribute("href"))
    assert response.status == 200 and response.body().startswith(b"%PDF")
    response = page.goto(base + "/plateformes/innovaltech/modifier/")
    assert response.status == 403
    expect(page.locator("main")).to_contain_text("lecture seule")


def test_phone_pages_do_not_scroll_sideways(page, base):
    from .conftest import log_in

    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, base, "director")
    for path in [
        "/",
        "/plateformes/",
        "/plateformes/innovaltech/",
        "/plateformes/innovaltech/modifier/",
        "/plateformes/innovaltech/cotisations/",
        "/reunions/",
        "/reunions/mes-actions/",
        "/appels/",
        "/enquetes/",
    ]:
        response = page.goto(base + path)
        assert response.status == 200, path
        assert no_sideways_scroll(page), f"{path} scrolls sideways at 390 px"
        name = path.strip("/").replace("/", "-") or "home"
        shot(page, f"director-{name}-390")
