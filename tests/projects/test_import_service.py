"""The import of calls: created, dates applied, other changes set aside, unchanged,
refused (all or nothing); idempotence; accepting and refusing what was set aside."""

import datetime
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from freezegun import freeze_time
from openpyxl import Workbook

from innovalo.exceptions import ServiceError
from innovalo.models import AuditEntry
from projects.enums import CallStatus, ChangeStatus, FunderKind
from projects.importers import PARIS, read_calls
from projects.models import Call, CallDeadline, Funder, PendingCallChange, Theme
from projects.services.imports import (
    ImportRefused,
    call_change_accept,
    call_change_refuse,
    calls_import,
)
from tests.projects.factories import FunderFactory

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
HEADER = "external_id;title;funders;description;amount_min;amount_max;opens_on;deadlines\n"


def run(content, name="appels.csv", source="test", actor=None, dry_run=False):
    if isinstance(content, str):
        content = content.encode("utf-8")
    table = read_calls(SimpleUploadedFile(name, content))
    return calls_import(source=source, table=table, actor=actor, dry_run=dry_run)


def csv_row(
    external_id="A1",
    title="Appel A",
    funders="ADEME",
    description="Première description.",
    amount_min="",
    amount_max="100000",
    opens_on="2030-01-10",
    deadlines="Pré-dépôt=2030-03-01 12:00 | Dossier complet=2030-06-01",
):
    cells = [external_id, title, funders, description, amount_min, amount_max, opens_on, deadlines]
    return ";".join(cells) + "\n"


def counts():
    return {
        "calls": Call.objects.count(),
        "deadlines": CallDeadline.objects.count(),
        "funders": Funder.objects.count(),
        "themes": Theme.objects.count(),
        "pending": PendingCallChange.objects.count(),
        "links": Call.funders.through.objects.count()
        + Call.themes.through.objects.count()
        + Call.regions.through.objects.count(),
    }


def snapshot():
    return sorted(
        Call.objects.values_list(
            "pk", "title", "updated_at", "dates_changed_at", "published_at", "status"
        )
    ) + sorted(CallDeadline.objects.values_list("pk", "label", "due_at"))


def paris(*args):
    return datetime.datetime(*args, tzinfo=PARIS)


# Created ----------------------------------------------------------------------------------


@freeze_time("2029-11-02 10:00:00+01:00")
def test_the_sample_csv_creates_published_calls(bureau):
    FunderFactory(name="Bpifrance", kind=FunderKind.BPIFRANCE)
    report = run((DATA / "calls.csv").read_bytes(), source="veille", actor=bureau)
    assert report.counts() == {
        "created": 4,
        "updated": 0,
        "set_aside": 0,
        "unchanged": 0,
        "refused": 0,
    }
    assert [o.line for o in report.created] == [2, 3, 4, 5]
    call = Call.objects.get(source="veille", external_id="FR2030-NUM")
    assert call.status == CallStatus.PUBLISHED
    assert call.published_at == timezone.now()
    assert call.dates_changed_at is None
    assert call.kind == "call" and call.scope == "national"
    assert call.applicants == ["smes", "consortia"]
    assert (call.amount_min, call.amount_max) == (Decimal("100000"), Decimal("2000000"))
    assert (call.rate_min, call.rate_max) == (Decimal("25"), Decimal("45.5"))
    assert call.opens_on == datetime.date(2030, 1, 15)
    assert sorted(f.name for f in call.funders.all()) == ["Bpifrance", "État"]
    assert sorted(t.name for t in call.themes.all()) == ["Industrie du futur", "Numérique"]
    assert list(call.deadlines.values_list("label", "due_at")) == [
        ("Pré-dépôt", paris(2030, 3, 1, 12, 0)),
        ("Dossier complet", paris(2030, 6, 1, 23, 59)),
    ]
    # New funders take the kind of funder_kind (else "state"); a known one keeps its own.
    assert dict(Funder.objects.values_list("name", "kind")) == {
        "Bpifrance": "bpifrance",
        "État": "state",
        "ADEME": "state",
        "Région Hauts-de-France": "region",
        "Ministère de l'Enseignement supérieur et de la Recherche": "state",
    }
    assert Theme.objects.get(name="Transition énergétique").slug == "transition-energetique"
    feder = Call.objects.get(external_id="FEDER-HDF-2030")
    assert feder.scope == "regional"
    assert sorted(r.name for r in feder.regions.all()) == ["Grand Est", "Hauts-de-France"]
    assert Call.objects.get(external_id="CIR-AGREMENT").open_all_year is True
    # One history entry per call, and one for the import.
    assert AuditEntry.objects.filter(action="projects.call_imported", actor=bureau).count() == 4
    summary = AuditEntry.objects.get(action="projects.calls_imported")
    assert summary.target == "projects.import:veille"
    assert summary.changes["created"] == 4


@pytest.mark.parametrize("kind", ["csv", "xlsx", "json"])
def test_a_second_import_of_the_same_file_changes_nothing(kind, bureau):
    if kind == "csv":
        name, content = "calls.csv", (DATA / "calls.csv").read_bytes()
    elif kind == "json":
        name, content = "feed.json", (DATA / "aides-territoires.json").read_bytes()
    else:
        name, content = "calls.xlsx", _xlsx_of(DATA / "calls.csv")
    first = run(content, name=name, actor=bureau)
    assert first.counts()["created"] == len(first.created) > 0
    before, numbers, entries = snapshot(), counts(), AuditEntry.objects.count()
    second = run(content, name=name, actor=bureau)
    assert second.counts() == {
        "created": 0,
        "updated": 0,
        "set_aside": 0,
        "unchanged": len(first.created),
        "refused": 0,
    }
    assert snapshot() == before
    assert counts() == numbers
    # Only the import itself is logged.
    assert AuditEntry.objects.count() == entries + 1


def _xlsx_of(csv_path) -> bytes:
    text = csv_path.read_text("utf-8-sig")
    import csv

    workbook = Workbook()
    sheet = workbook.active
    for row in csv.reader(io.StringIO(text), delimiter=";"):
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_the_same_external_id_in_another_source_is_another_call():
    run(HEADER + csv_row(), source="a")
    report = run(HEADER + csv_row(), source="b")
    assert len(report.created) == 1
    assert Call.objects.filter(external_id="A1").count() == 2


def test_empty_cells_keep_defaults_and_values():
    run(HEADER + csv_row())
    report = run(HEADER + csv_row(description="", funders="", amount_max=""))
    assert len(report.unchanged) == 1
    call = Call.objects.get()
    assert call.description == "Première description."
    assert call.amount_max == Decimal("100000")


def test_dry_run_reports_and_writes_nothing():
    report = run(HEADER + csv_row() + csv_row("A2", "Appel B"), dry_run=True)
    assert report.dry_run
    assert len(report.created) == 2
    assert counts() == dict.fromkeys(counts(), 0)
    assert not AuditEntry.objects.exists()


# Dates applied, other changes set aside ------------------------------------------------------


def test_changed_dates_are_applied_at_once(bureau):
    run(HEADER + csv_row())
    call = Call.objects.get()
    pre, full = call.deadlines.order_by("due_at")
    with freeze_time("2029-12-01 09:00:00+01:00"):
        report = run(
            HEADER
            + csv_row(
                opens_on="2030-01-20",
                deadlines="Pré-dépôt=2030-03-15 12:00 | Dossier complet=2030-06-01"
                " | Oral=2030-07-01",
            ),
            actor=bureau,
        )
    assert [o.external_id for o in report.updated] == ["A1"]
    assert not report.set_aside and not report.unchanged
    assert set(report.updated[0].changes) == {"opens_on", "deadlines"}
    call.refresh_from_db()
    assert call.opens_on == datetime.date(2030, 1, 20)
    assert call.dates_changed_at == datetime.datetime(2029, 12, 1, 8, tzinfo=datetime.UTC)
    deadlines = list(call.deadlines.order_by("due_at"))
    assert [(d.label, d.due_at) for d in deadlines] == [
        ("Pré-dépôt", paris(2030, 3, 15, 12, 0)),
        ("Dossier complet", paris(2030, 6, 1, 23, 59)),
        ("Oral", paris(2030, 7, 1, 23, 59)),
    ]
    # A stage keeps its row (and its calendar UID) when only its date moves.
    assert [d.pk for d in deadlines[:2]] == [pre.pk, full.pk]
    assert not PendingCallChange.objects.exists()
    entry = AuditEntry.objects.get(action="projects.call_import_updated")
    assert entry.actor == bureau
    assert entry.changes["opens_on"] == ["2030-01-10", "2030-01-20"]


def test_a_removed_deadline_is_deleted():
    run(HEADER + csv_row())
    run(HEADER + csv_row(deadlines="Dossier complet=2030-06-01"))
    assert list(CallDeadline.objects.values_list("label", flat=True)) == ["Dossier complet"]


def test_other_changes_to_a_published_call_are_set_aside(bureau):
    run(HEADER + csv_row())
    call = Call.objects.get()
    before = snapshot()
    report = run(
        HEADER
        + csv_row(title="Appel A (modifié)", funders="ADEME|Bpifrance", amount_max="120000,50"),
        actor=bureau,
    )
    assert [o.external_id for o in report.set_aside] == ["A1"]
    assert not report.updated
    assert snapshot() == before  # the call itself is untouched
    change = PendingCallChange.objects.get()
    assert change.call == call and change.source == "test"
    assert change.status == ChangeStatus.PENDING
    assert change.changes == {
        "title": ["Appel A", "Appel A (modifié)"],
        "funders": [["ADEME"], ["ADEME", "Bpifrance"]],
        "amount_max": ["100000.00", "120000.50"],
    }
    # The new funder exists, for when the change is accepted.
    assert Funder.objects.filter(name="Bpifrance").exists()
    assert AuditEntry.objects.filter(action="projects.call_change_set_aside").count() == 1


def test_dates_and_other_changes_together():
    run(HEADER + csv_row())
    report = run(HEADER + csv_row(title="Nouveau titre", opens_on="2030-02-01"))
    assert [o.external_id for o in report.updated] == ["A1"]
    assert [o.external_id for o in report.set_aside] == ["A1"]
    call = Call.objects.get()
    assert call.opens_on == datetime.date(2030, 2, 1)
    assert call.title == "Appel A"
    assert PendingCallChange.objects.get().changes == {"title": ["Appel A", "Nouveau titre"]}


def test_a_change_already_pending_is_not_set_aside_twice():
    run(HEADER + csv_row())
    content = HEADER + csv_row(title="Nouveau titre")
    run(content)
    change = PendingCallChange.objects.get()
    entries = AuditEntry.objects.count()
    report = run(content)
    assert [o.external_id for o in report.unchanged] == ["A1"]
    assert "attend déjà" in report.unchanged[0].note
    assert PendingCallChange.objects.get().created_at == change.created_at
    assert AuditEntry.objects.count() == entries + 1


def test_a_new_change_replaces_the_pending_one():
    run(HEADER + csv_row())
    run(HEADER + csv_row(title="Titre 2"))
    first = PendingCallChange.objects.get()
    report = run(HEADER + csv_row(title="Titre 3", description="Autre description."))
    assert len(report.set_aside) == 1
    change = PendingCallChange.objects.get()
    assert change.pk == first.pk
    assert change.changes == {
        "title": ["Appel A", "Titre 3"],
        "description": ["Première description.", "Autre description."],
    }


def test_a_pending_change_is_withdrawn_when_the_source_matches_the_call_again():
    run(HEADER + csv_row())
    run(HEADER + csv_row(title="Titre 2"))
    report = run(HEADER + csv_row())
    assert [o.external_id for o in report.unchanged] == ["A1"]
    assert "retirée" in report.unchanged[0].note
    assert not PendingCallChange.objects.exists()


def test_every_change_to_an_archived_call_is_set_aside():
    run(HEADER + csv_row())
    Call.objects.update(status=CallStatus.ARCHIVED)
    report = run(HEADER + csv_row(opens_on="2030-02-01", title="Rouvert"))
    assert not report.updated
    assert len(report.set_aside) == 1
    call = Call.objects.get()
    assert call.opens_on == datetime.date(2030, 1, 10)
    assert set(PendingCallChange.objects.get().changes) == {"title", "opens_on"}


def test_a_proposal_takes_every_change():
    run(HEADER + csv_row())
    Call.objects.update(status=CallStatus.PROPOSED)
    report = run(HEADER + csv_row(title="Titre revu", opens_on="2030-02-01"))
    assert len(report.updated) == 1 and not report.set_aside
    call = Call.objects.get()
    assert (call.title, call.opens_on) == ("Titre revu", datetime.date(2030, 2, 1))


# Refused: all or nothing ------------------------------------------------------------------


def test_one_bad_row_refuses_the_whole_file():
    content = (
        HEADER
        + csv_row("A1")
        + csv_row("A2", funders="Nouveau financeur")
        + csv_row("A3", amount_min="500", amount_max="100", opens_on="31/02/2030")
        + csv_row("", title="")
    )
    with pytest.raises(ImportRefused) as refused:
        run(content)
    report = refused.value.report
    assert "2 appel(s) refusé(s) sur 4" in str(refused.value)
    assert [(o.line, o.external_id) for o in report.refused] == [(4, "A3"), (5, "")]
    assert dict(report.refused[0].errors).keys() == {"amount_min", "opens_on"}
    assert dict(report.refused[1].errors).keys() == {"external_id", "title"}
    assert counts() == dict.fromkeys(counts(), 0)
    assert not AuditEntry.objects.exists()


def test_a_refused_file_leaves_known_calls_as_they_were():
    run(HEADER + csv_row())
    before, numbers = snapshot(), counts()
    with pytest.raises(ImportRefused):
        run(HEADER + csv_row(opens_on="2030-02-01", title="X") + csv_row("A2", amount_max="x"))
    assert snapshot() == before
    assert counts() == numbers


def test_the_source_is_required():
    with pytest.raises(ServiceError) as refused:
        run(HEADER + csv_row(), source="  ")
    assert refused.value.field == "source"


# Accept or refuse ---------------------------------------------------------------------------


def _set_aside(**changes):
    run(HEADER + csv_row())
    run(HEADER + csv_row(**changes))
    return PendingCallChange.objects.get()


def test_accepting_a_change_applies_it(bureau):
    change = _set_aside(title="Titre revu", funders="ADEME|Bpifrance", amount_max="120000")
    call = call_change_accept(change=change, actor=bureau)
    call.refresh_from_db()
    assert call.title == "Titre revu"
    assert call.amount_max == Decimal("120000")
    assert sorted(f.name for f in call.funders.all()) == ["ADEME", "Bpifrance"]
    change.refresh_from_db()
    assert change.status == ChangeStatus.ACCEPTED
    assert change.decided_by == bureau and change.decided_at is not None
    entry = AuditEntry.objects.get(action="projects.call_change_accepted")
    assert entry.actor == bureau and entry.changes["title"] == ["Appel A", "Titre revu"]
    # The source and the call agree now.
    assert (
        len(
            run(
                HEADER + csv_row(title="Titre revu", funders="ADEME|Bpifrance", amount_max="120000")
            ).unchanged
        )
        == 1
    )


def test_accepting_dates_of_an_archived_call_marks_them_changed(bureau):
    run(HEADER + csv_row())
    Call.objects.update(status=CallStatus.ARCHIVED)
    run(HEADER + csv_row(deadlines="Dossier complet=2030-07-01"))
    call_change_accept(change=PendingCallChange.objects.get(), actor=bureau)
    call = Call.objects.get()
    assert call.dates_changed_at is not None
    assert list(call.deadlines.values_list("label", "due_at")) == [
        ("Dossier complet", paris(2030, 7, 1, 23, 59))
    ]


def test_refusing_a_change_keeps_the_call_and_it_does_not_come_back(bureau):
    change = _set_aside(title="Titre revu")
    before = snapshot()
    call_change_refuse(change=change, actor=bureau)
    assert snapshot() == before
    change.refresh_from_db()
    assert change.status == ChangeStatus.REFUSED and change.decided_by == bureau
    assert AuditEntry.objects.filter(action="projects.call_change_refused").count() == 1
    report = run(HEADER + csv_row(title="Titre revu"))
    assert len(report.unchanged) == 1 and "refusée" in report.unchanged[0].note
    assert PendingCallChange.objects.filter(status=ChangeStatus.PENDING).count() == 0
    # Another value from the source is set aside again.
    run(HEADER + csv_row(title="Titre encore revu"))
    assert PendingCallChange.objects.filter(status=ChangeStatus.PENDING).count() == 1


def test_a_change_is_decided_once(bureau):
    change = _set_aside(title="Titre revu")
    call_change_refuse(change=change, actor=bureau)
    with pytest.raises(ServiceError, match="déjà été traitée"):
        call_change_accept(change=change, actor=bureau)
    assert Call.objects.get().title == "Appel A"


def test_accepting_a_change_that_breaks_a_range_is_refused(bureau):
    change = _set_aside(amount_min="150000", amount_max="")
    with pytest.raises(ServiceError, match="minimum dépasse"):
        call_change_accept(change=change, actor=bureau)
    change.refresh_from_db()
    assert change.status == ChangeStatus.PENDING
    assert Call.objects.get().amount_min is None


def test_json_and_csv_of_the_same_source_agree():
    feed = [
        {
            "id": "A1",
            "name": "Appel A",
            "financers": ["ADEME"],
            "description": "Première description.",
            "amount_max": 100000,
            "start_date": "2030-01-10",
            "deadlines": [
                {"label": "Pré-dépôt", "date": "2030-03-01T12:00:00"},
                {"label": "Dossier complet", "date": "2030-06-01"},
            ],
        }
    ]
    run(HEADER + csv_row())
    report = run(json.dumps({"results": feed}), name="feed.json")
    assert len(report.unchanged) == 1


def test_a_concurrent_import_of_the_same_calls_is_a_message(monkeypatch):
    """Another import created the same (source, external id) between our read and our
    write: the unique constraint refuses ours, nothing of it is kept."""
    from projects.services import imports

    original = imports._create

    def racing(source, pairs, *args):
        Call.objects.create(title="Écrit par l'autre import", source=source, external_id="A1")
        return original(source, pairs, *args)

    monkeypatch.setattr(imports, "_create", racing)
    with pytest.raises(ServiceError, match="au même moment"):
        run(HEADER + csv_row() + csv_row("A2", "Appel B"))
    assert not Call.objects.exists()
    assert not AuditEntry.objects.exists()
