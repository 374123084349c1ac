"""The import page, the review of changes set aside, and ``manage.py import_calls``:
who may, what they show, their queries, and that a GET writes nothing."""

import datetime
import io
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook

from innovalo.models import AuditEntry, SentReminder
from projects.enums import ChangeStatus
from projects.models import Call, CallDeadline, Funder, PendingCallChange
from tests.conftest import ROLES
from tests.projects.factories import CallFactory

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
BUREAU_ONLY = {
    "anonymous": 302,
    "director": 403,
    "other_director": 403,
    "bureau": 200,
    "ministry": 403,
}
CSV = "external_id;title;description\nA1;Appel A;Une description.\nA2;Appel B;Autre.\n"


def text(response) -> str:
    return response.content.decode().replace("&#x27;", "'")


def written():
    return (
        Call.objects.count(),
        CallDeadline.objects.count(),
        Funder.objects.count(),
        PendingCallChange.objects.count(),
        PendingCallChange.objects.filter(status=ChangeStatus.PENDING).count(),
        AuditEntry.objects.count(),
        SentReminder.objects.count(),
    )


def pending_change(call=None, **changes):
    call = call or CallFactory(title="Appel à revoir", source="veille", external_id="X1")
    return PendingCallChange.objects.create(
        call=call,
        source="veille",
        changes=changes
        or {
            "title": [call.title, f"{call.title} (nouveau)"],
            "amount_max": [None, "150000.00"],
            "kind": ["call", "contest"],
            "funders": [[], ["ADEME", "Bpifrance"]],
            "deadlines": [[], [["Dossier complet", "2030-06-01T23:59:00+02:00"]]],
        },
    )


def post_file(client, content, name="appels.csv", source="veille", **extra):
    if isinstance(content, str):
        content = content.encode("utf-8")
    return client.post(
        reverse("call_import"),
        {"file": SimpleUploadedFile(name, content), "source": source, **extra},
    )


# Who may ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url_name", ["call_import", "call_changes"])
def test_bureau_pages_per_role(client_for, role, url_name):
    response = client_for(role).get(reverse(url_name))
    assert response.status_code == BUREAU_ONLY[role]
    if role == "anonymous":
        assert reverse("account_login") in response["Location"]


@pytest.mark.parametrize("role", ["anonymous", "director", "other_director", "ministry"])
def test_only_the_bureau_may_post(client_for, role):
    change = pending_change()
    before = written()
    client = client_for(role)
    assert post_file(client, CSV).status_code in (302, 403)
    response = client.post(reverse("call_changes"), {"change": change.pk, "decision": "accept"})
    assert response.status_code in (302, 403)
    if role == "anonymous":
        assert reverse("account_login") in response["Location"]
    assert written() == before


# The import page --------------------------------------------------------------------------


def test_import_page_shows_the_form_and_the_columns(client_for):
    pending_change()
    with_counts = client_for("bureau").get(reverse("call_import"))
    content = text(with_counts)
    assert 'name="file"' in content and 'name="source"' in content
    assert "external_id" in content and "deadlines" in content
    assert "1 modification à examiner" in content


def test_import_page_get_writes_nothing_and_its_queries(client_for, django_assert_max_num_queries):
    for _ in range(3):
        pending_change(CallFactory())
    client = client_for("bureau")
    before = written()
    with django_assert_max_num_queries(4):
        assert client.get(reverse("call_import")).status_code == 200
    assert written() == before


def test_importing_a_csv_shows_the_report(client_for, bureau):
    response = post_file(client_for("bureau"), (DATA / "calls.csv").read_bytes())
    assert response.status_code == 200
    content = text(response)
    assert "Compte rendu de l'import « veille »" in content
    assert "Créés et publiés" in content
    assert "France 2030 — Transition numérique des PME" in content
    call = Call.objects.get(external_id="FR2030-NUM")
    assert reverse("call_detail", args=[call.pk]) in content
    assert Call.objects.filter(source="veille").count() == 4
    summary = AuditEntry.objects.get(action="projects.calls_imported")
    assert summary.actor == bureau
    # Again: everything unchanged.
    again = post_file(client_for("bureau"), (DATA / "calls.csv").read_bytes())
    assert "Inchangés (4)" in text(again)


def test_importing_json_and_xlsx_from_the_page(client_for):
    client = client_for("bureau")
    response = post_file(client, (DATA / "aides-territoires.json").read_bytes(), "feed.json")
    assert response.status_code == 200
    assert "Créés et publiés (2)" in text(response)
    assert "élément 1</strong>" in text(response)
    workbook = Workbook()
    workbook.active.append(["Identifiant", "Titre", "Date limite"])
    workbook.active.append(["X1", "Appel du tableur", datetime.datetime(2030, 3, 1)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = post_file(client, buffer.getvalue(), "appels.xlsx", source="tableur")
    assert response.status_code == 200
    assert "Créés et publiés (1)" in text(response)
    assert Call.objects.get(source="tableur").deadlines.get().due_at.hour == 22  # 23:59 Paris


def test_a_refused_file_shows_each_row_and_writes_nothing(client_for):
    before = written()
    content = (
        "external_id;title;amount_max;deadlines\nA1;Bon appel;1000;\nA2;;beaucoup;Étape=bientôt\n"
    )
    response = post_file(client_for("bureau"), content)
    assert response.status_code == 400
    page = text(response)
    assert "rien n'a été importé" in page
    assert "Refusés (1)" in page
    assert "<code>title</code>" in page and "Ce champ est obligatoire." in page
    assert "<code>amount_max</code>" in page and "« beaucoup » n'est pas un nombre." in page
    assert "<code>deadlines</code>" in page
    assert written() == before


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("a.csv", b"", "vide"),
        ("a.csv", b"titre\nA\n", "Colonne(s) obligatoire(s) absente(s)"),
        ("a.csv", "external_id;title\nA;Caf\xe9\n".encode("latin-1"), "UTF-8"),
        ("a.json", b"{not json", "JSON est mal form"),
        ("a.xlsx", b"PK\x03\x04xx", "XLSX ne peut pas"),
    ],
)
def test_a_malformed_file_is_a_message_not_a_500(client_for, name, content, message):
    before = written()
    response = post_file(client_for("bureau"), content, name)
    assert response.status_code == 400
    assert message in text(response)
    assert written() == before


def test_too_many_rows_is_a_message(client_for, monkeypatch):
    from projects import importers

    monkeypatch.setattr(importers, "MAX_ROWS", 1)
    limits = importers.LIMITS
    monkeypatch.setattr(
        importers,
        "LIMITS",
        importers.Limits(1, limits.max_sheet_rows, limits.max_columns, limits.max_unpacked_bytes),
    )
    response = post_file(client_for("bureau"), CSV)
    assert response.status_code == 400
    assert "découpez-le" in text(response)
    assert not Call.objects.exists()


def test_the_source_is_required_on_the_page(client_for):
    response = post_file(client_for("bureau"), CSV, source="")
    assert response.status_code == 400
    assert not Call.objects.exists()


def test_dry_run_from_the_page(client_for):
    response = post_file(client_for("bureau"), CSV, dry_run="on")
    assert response.status_code == 200
    assert "Simulation : rien n'a été enregistré" in response.content.decode().replace(
        "&#x27;", "'"
    )
    assert not Call.objects.exists()


def test_changes_set_aside_show_in_the_report(client_for):
    client = client_for("bureau")
    post_file(client, CSV)
    response = post_file(client, CSV.replace("Appel A", "Appel A bis"))
    page = text(response)
    assert "Mis de côté pour le bureau (1)" in page
    assert "<del>Appel A</del>" in page and "<ins>Appel A bis</ins>" in page


# The review of the changes ------------------------------------------------------------------


def test_changes_page_lists_each_field_with_old_and_new(client_for):
    change = pending_change()
    other = pending_change(CallFactory(title="Déjà traité"))
    other.status = ChangeStatus.REFUSED
    other.save()
    page = text(client_for("bureau").get(reverse("call_changes")))
    assert "1 modification en attente" in page
    assert change.call.title in page and "Déjà traité" not in page
    assert "<del>Appel à revoir</del>" in page and "<ins>Appel à revoir (nouveau)</ins>" in page
    assert "<ins>150\xa0000\xa0€</ins>" in page
    assert "Concours d'innovation" in page
    assert "ADEME, Bpifrance" in page
    assert "Dossier complet : 1 juin 2030, 23:59" in page
    assert f'name="change" value="{change.pk}"' in page


@pytest.mark.parametrize("count", [3, 20])
def test_changes_page_queries_do_not_grow(client_for, django_assert_max_num_queries, count):
    for _ in range(count):
        pending_change(CallFactory())
    client = client_for("bureau")
    before = written()
    with django_assert_max_num_queries(5):
        response = client.get(reverse("call_changes"))
    assert response.status_code == 200
    assert written() == before


def test_accepting_from_the_page(client_for, bureau):
    change = pending_change()
    response = client_for("bureau").post(
        reverse("call_changes"), {"change": change.pk, "decision": "accept", "page": "1"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("call_changes") + "?page=1"
    call = Call.objects.get(pk=change.call_id)
    assert call.title == "Appel à revoir (nouveau)"
    assert call.kind == "contest"
    assert sorted(f.name for f in call.funders.all()) == ["ADEME", "Bpifrance"]
    assert call.deadlines.get().label == "Dossier complet"
    change.refresh_from_db()
    assert change.status == ChangeStatus.ACCEPTED and change.decided_by == bureau
    assert AuditEntry.objects.filter(action="projects.call_change_accepted").exists()


def test_refusing_from_the_page(client_for, bureau):
    change = pending_change()
    client = client_for("bureau")
    response = client.post(reverse("call_changes"), {"change": change.pk, "decision": "refuse"})
    assert response.status_code == 302
    assert Call.objects.get(pk=change.call_id).title == "Appel à revoir"
    change.refresh_from_db()
    assert change.status == ChangeStatus.REFUSED
    page = text(client.get(reverse("call_changes")))
    assert "reste inchangé" in page
    # Deciding again is a message, not an error.
    client.post(reverse("call_changes"), {"change": change.pk, "decision": "accept"})
    assert "déjà été traitée" in text(client.get(reverse("call_changes")))


@pytest.mark.parametrize(
    "data",
    [{}, {"change": "abc", "decision": "accept"}, {"change": "1", "decision": "maybe"}],
)
def test_a_bad_decision_is_a_message(client_for, data):
    change = pending_change()
    client = client_for("bureau")
    response = client.post(reverse("call_changes"), data)
    assert response.status_code == 302
    change.refresh_from_db()
    assert change.status == ChangeStatus.PENDING


def test_an_unknown_change_is_a_404(client_for):
    client = client_for("bureau")
    response = client.post(reverse("call_changes"), {"change": 999999, "decision": "accept"})
    assert response.status_code == 404
    huge = client.post(reverse("call_changes"), {"change": "9" * 30, "decision": "accept"})
    assert huge.status_code == 302


# The command ------------------------------------------------------------------------------


def test_command_imports_and_reports(tmp_path):
    path = tmp_path / "appels.csv"
    path.write_bytes((DATA / "calls.csv").read_bytes())
    out = StringIO()
    call_command("import_calls", str(path), "--source", "veille", stdout=out)
    output = out.getvalue()
    assert "4 créé(s)" in output
    assert "ligne 2 [FR2030-NUM] France 2030" in output
    assert Call.objects.filter(source="veille").count() == 4
    out = StringIO()
    call_command("import_calls", str(path), "--source", "veille", stdout=out)
    assert "0 créé(s)" in out.getvalue() and "4 inchangé(s)" in out.getvalue()


def test_command_dry_run_writes_nothing(tmp_path):
    path = tmp_path / "feed.json"
    path.write_bytes((DATA / "aides-territoires.json").read_bytes())
    out = StringIO()
    call_command("import_calls", str(path), "--source", "at", "--dry-run", stdout=out)
    assert "Simulation" in out.getvalue() and "2 créé(s)" in out.getvalue()
    assert "élément 1 [158402]" in out.getvalue()
    assert not Call.objects.exists()


def test_command_refused_rows_exit_with_an_error(tmp_path):
    path = tmp_path / "appels.csv"
    path.write_text("external_id;title;rate_max\nA;T;120\nB;;\n", encoding="utf-8")
    out = StringIO()
    with pytest.raises(CommandError, match="rien n'a été importé"):
        call_command("import_calls", str(path), "--source", "veille", stdout=out)
    output = out.getvalue()
    assert "ligne 2 [A] T" in output and "(rate_max)" in output
    assert "ligne 3 [B]" in output and "(title) : Ce champ est obligatoire." in output
    assert not Call.objects.exists()


def test_command_unreadable_or_missing_file(tmp_path):
    with pytest.raises(CommandError, match="introuvable"):
        call_command("import_calls", str(tmp_path / "absent.csv"), "--source", "x")
    path = tmp_path / "vide.json"
    path.write_text("", encoding="utf-8")
    with pytest.raises(CommandError, match="vide"):
        call_command("import_calls", str(path), "--source", "x")
