"""A platform director's year, end to end in Chromium: the home page, the profile, the
dues and a PDF, a meeting's RSVP and a proposed item, the actions, the survey, a call."""

import re

from playwright.sync_api import expect

from .conftest import get_pdf, log_in, shot


def test_director_journey(page, base):
    log_in(page, base, "director")
    main = page.locator("main")

    # Home: what is due, the meeting awaiting an answer.
    expect(page).to_have_title(re.compile("Mon espace"))
    expect(main).to_contain_text("Réponse attendue")
    shot(page, "director-home-1280")

    # The profile: add an equipment row, save, see it on the profile.
    page.goto(base + "/plateformes/innovaltech/modifier/")
    rows = page.locator("input[name^='equipment-'][name$='-name']")
    before = rows.count()
    page.get_by_role("button", name="Ajouter un équipement").click()
    expect(rows).to_have_count(before + 1)
    rows.last.fill("Imprimante 3D métal")
    page.locator("form.platform-form button[type=submit]").last.click()
    page.wait_for_url(base + "/plateformes/innovaltech/")
    expect(main).to_contain_text("Imprimante 3D métal")

    # Dues: what is owed, and the notice to quote as a PDF.
    page.goto(base + "/plateformes/innovaltech/cotisations/")
    expect(main).to_contain_text("À régler")
    notice = page.get_by_role("link", name=re.compile(r"Télécharger l'appel \d{4}")).first
    assert get_pdf(page, base, notice.get_attribute("href")).startswith(b"%PDF")
    shot(page, "director-dues-1280")

    # The next meeting: answer, then propose an item for its agenda.
    page.goto(base + "/")
    page.get_by_role("link", name="Répondre à l'invitation").click()
    page.locator("#reponse").get_by_label("Je viendrai", exact=True).check()
    page.locator("#reponse").get_by_role("button", name="Répondre").click()
    expect(page.locator(".messages")).to_be_visible()
    page.locator("#id_title").fill("Mutualiser les achats d'équipements")
    page.get_by_role("button", name="Proposer").click()
    expect(main).to_contain_text("Mutualiser les achats d'équipements")
    shot(page, "director-meeting-1280")

    # My actions: mark one done.
    page.goto(base + "/reunions/mes-actions/")
    done = page.get_by_role("button", name=re.compile("^Marquer faite")).first
    label = done.inner_text()
    done.click()
    expect(page.locator(".messages")).to_be_visible()
    assert page.get_by_role("button", name=label).count() == 0

    # The survey: last year's answers at hand, a draft, then the response sent.
    page.goto(base + "/enquetes/")
    page.get_by_role("link", name="InnovalTech").first.click()
    expect(main).to_contain_text("L'an dernier")
    page.get_by_role("button", name="Reprendre les réponses de l'an dernier").click()
    page.get_by_role("button", name="Enregistrer le brouillon").last.click()
    expect(page.locator(".messages")).to_be_visible()
    page.get_by_role("button", name="Envoyer la réponse").click()
    confirm = page.get_by_role("button", name=re.compile("Confirmer|Envoyer"))
    if "/envoyer/" in page.url and confirm.count():
        confirm.first.click()
    expect(main).to_contain_text(re.compile("Envoyée|envoyée"))

    # A call: follow it, then save the search that found it.
    page.goto(base + "/appels/?q=composites")
    page.locator("main h2 a").first.click()
    page.get_by_role("button", name="Suivre cet appel").click()
    expect(main).to_contain_text(re.compile("suivez|Suivi|Ne plus suivre"))
    page.goto(base + "/appels/?q=composites")
    page.get_by_role("link", name="M'alerter").click()
    page.get_by_role("button", name=re.compile("Enregistrer|Créer")).click()
    page.wait_for_url(re.compile("/appels/alertes/"))
    expect(main).to_contain_text("Composites")
