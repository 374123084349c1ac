"""The bureau's year, end to end in Chromium: a split payment with its receipt and a
notice, a two-day meeting from agenda to published minutes and an action, a survey's
tracking and reminders, an import of calls."""

import datetime
import re

from django.utils import timezone
from playwright.sync_api import expect

from .conftest import get_pdf, log_in, shot


def _confirm(page):
    """The confirmation step of an irreversible action (a page, no script)."""
    page.get_by_role("button", name=re.compile("^(Confirmer|Oui|Publier|Convoquer)")).last.click()


def test_bureau_journey(page, base, tmp_path):
    log_in(page, base, "bureau")
    main = page.locator("main")

    # Dues: one transfer paying two platforms' 2026 dues, its receipt, a notice.
    page.goto(base + "/cotisations/")
    expect(page).to_have_title(re.compile("Cotisations"))
    shot(page, "bureau-dues-board-1280")
    page.goto(base + "/cotisations/paiements/nouveau/")
    page.locator("#id_amount").fill("600")
    page.locator("#id_reference").fill("VIR-PARCOURS-BUREAU")
    page.locator("#id_payer").fill("Agence comptable du lycée")
    page.locator("#id_alloc-0-line").fill("Céramique Limousin 2026")
    page.locator("#id_alloc-0-amount").fill("300")
    page.locator("#id_alloc-1-line").fill("Cosmétique Loiret 2026")
    page.locator("#id_alloc-1-amount").fill("300")
    page.get_by_role("button", name=re.compile("Enregistrer le paiement")).click()
    expect(page.locator(".messages")).to_be_visible()
    receipt = page.get_by_role("link", name=re.compile(r"RE-\d{4}-\d{4}")).first
    assert get_pdf(page, base, receipt.get_attribute("href")).startswith(b"%PDF")
    page.goto(base + "/plateformes/innovaltech/cotisations/")
    notice = page.get_by_role("link", name=re.compile(r"Appel de cotisation AC-\d{4}")).first
    assert get_pdf(page, base, notice.get_attribute("href")).startswith(b"%PDF")

    # A two-day meeting held last week: agenda, invitations, attendance, minutes, action.
    first_day = timezone.localdate() - datetime.timedelta(days=8)
    second_day = first_day + datetime.timedelta(days=1)
    page.goto(base + "/reunions/nouvelle/")
    page.locator("#id_kind").select_option(index=1)
    page.locator("#id_title").fill("Rencontre nationale du parcours")
    page.locator("#id_start").fill(f"{first_day.isoformat()}T14:00")
    page.locator("#id_end").fill(f"{second_day.isoformat()}T13:00")
    page.locator("#id_place").fill("Le Creusot")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url(re.compile(r"/reunions/\d+/ordre-du-jour/"))
    meeting_url = page.url.split("ordre-du-jour/")[0]
    page.locator("#id_day").select_option(index=1)  # the second day
    page.locator("#id_start_time").fill("08:30")
    page.locator("#id_end_time").fill("11:00")
    page.locator("#id_title").fill("Visite d'entreprise")
    page.get_by_role("button", name="Enregistrer").click()
    expect(main).to_contain_text("Visite d'entreprise")

    page.goto(meeting_url + "invitations/")
    page.locator("#id_all_directors").check()
    page.get_by_role("button", name="Inviter").click()
    expect(page.locator(".messages")).to_be_visible()

    page.goto(meeting_url)
    page.get_by_role("button", name=re.compile("^Convoquer")).click()
    _confirm(page)
    expect(page.locator(".messages")).to_be_visible()

    page.goto(meeting_url + "presences/")
    present = page.locator("main select")
    for index in range(min(present.count(), 3)):
        present.nth(index).select_option(index=1)
    page.get_by_role("button", name="Enregistrer les présences").click()
    expect(page.locator(".messages")).to_be_visible()

    page.goto(meeting_url + "actions/")
    page.locator("#id_title").fill("Envoyer la synthèse aux régions")
    page.locator("main input[name=owners]").first.check()
    page.locator("#id_due_date").fill(
        (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    )
    page.get_by_role("button", name="Enregistrer").click()
    expect(main).to_contain_text("Envoyer la synthèse aux régions")

    page.goto(meeting_url + "compte-rendu/")
    page.get_by_role("button", name="Commencer la rédaction").click()
    page.locator("main textarea").first.fill("Synthèse : quatre ateliers, un plan d'action.")
    page.get_by_role("button", name=re.compile("^Enregistrer")).first.click()
    page.goto(meeting_url + "compte-rendu/publier/")
    _confirm(page)
    expect(page.locator(".messages")).to_be_visible()
    page.goto(meeting_url)
    expect(main).to_contain_text(re.compile("publié", re.IGNORECASE))
    minutes = page.get_by_role("link", name=re.compile("Compte rendu.*PDF", re.IGNORECASE)).first
    assert get_pdf(page, base, minutes.get_attribute("href")).startswith(b"%PDF")
    shot(page, "bureau-meeting-1280")

    # The survey's tracking page and a reminder to the platforms chosen.
    page.goto(base + "/enquetes/")
    page.get_by_role("link", name=re.compile("Enquête d'impact 20\\d\\d")).first.click()
    page.get_by_role("link", name=re.compile("Suivi")).first.click()
    expect(page).to_have_url(re.compile("/suivi/"))
    targets = page.locator("main input[name=targets]")
    if targets.count():
        targets.first.check()
        page.get_by_role("button", name="Relancer la sélection").click()
        expect(page.locator(".messages")).to_be_visible()
    shot(page, "bureau-survey-tracking-1280")

    # Calls: a CSV from a funder's site, imported all or nothing.
    csv = tmp_path / "appels.csv"
    csv.write_text(
        "identifiant;titre;financeurs;nature;date_limite\n"
        "PARCOURS-1;Appel du parcours : transition numérique;Région Bourgogne-Franche-Comté;"
        f"call;{(timezone.localdate() + datetime.timedelta(days=60)).isoformat()}\n",
        encoding="utf-8",
    )
    page.goto(base + "/appels/import/")
    page.locator("#id_file").set_input_files(str(csv))
    page.locator("#id_source").fill("region-bfc")
    page.get_by_role("button", name="Importer").click()
    expect(main).to_contain_text("Import enregistré")
    expect(main).to_contain_text(re.compile(r"Créés et publiés\s*:\s*1"))
    page.goto(base + "/appels/?q=parcours")
    expect(main).to_contain_text("Appel du parcours : transition numérique")
