"""Reading calls from CSV, XLSX and JSON files: columns, values, and files refused."""

import datetime
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from innovalo.exceptions import ServiceError
from projects import importers
from projects.importers import (
    PARIS,
    References,
    parse_deadlines,
    parse_decimal,
    parse_due_at,
    read_calls,
    resolve_references,
)

DATA = Path(__file__).parent / "data"


def upload(name, content):
    if isinstance(content, str):
        content = content.encode("utf-8")
    return SimpleUploadedFile(name, content)


def xlsx(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def paris(*args):
    return datetime.datetime(*args, tzinfo=PARIS)


# The sample files ----------------------------------------------------------------------


def test_csv_sample_with_french_headers_and_bom():
    table = read_calls(upload("calls.csv", (DATA / "calls.csv").read_bytes()))
    assert table.kind == "csv"
    assert [row.external_id for row in table.rows] == [
        "FR2030-NUM",
        "INOV-2030",
        "FEDER-HDF-2030",
        "CIR-AGREMENT",
    ]
    assert not any(row.errors for row in table.rows)
    first = table.rows[0].values
    assert first["title"] == "France 2030 — Transition numérique des PME"
    assert first["funders"] == ["Bpifrance", "État"]
    assert table.rows[0].funder_kinds == {"Bpifrance": "bpifrance", "État": "state"}
    assert first["themes"] == ["Numérique", "Industrie du futur"]
    assert first["kind"] == "call"
    assert first["scope"] == "national"
    assert first["applicants"] == ["smes", "consortia"]
    assert first["amount_min"] == Decimal("100000.00")
    assert first["amount_max"] == Decimal("2000000.00")
    assert first["rate_min"] == Decimal("25.00")
    assert first["rate_max"] == Decimal("45.50")
    assert first["opens_on"] == datetime.date(2030, 1, 15)
    assert first["open_all_year"] is False
    assert first["deadlines"] == [
        ("Pré-dépôt", paris(2030, 3, 1, 12, 0)),
        ("Dossier complet", paris(2030, 6, 1, 23, 59)),
    ]
    assert table.rows[1].values["kind"] == "contest"
    assert "scope" not in table.rows[1].values  # empty: the default, or the call's value
    feder = table.rows[2].values
    assert feder["kind"] == "eu_fund"
    assert feder["scope"] == "regional"  # regions given
    assert feder["regions"] == ["32", "Grand Est"]
    assert table.rows[3].values["open_all_year"] is True
    assert "deadlines" not in table.rows[3].values


def test_json_feed_like_aides_territoires():
    table = read_calls(upload("feed.json", (DATA / "aides-territoires.json").read_bytes()))
    assert table.kind == "json"
    assert [row.line for row in table.rows] == [1, 2]
    ademe, anr = (row.values for row in table.rows)
    assert table.rows[0].external_id == "158402"
    assert ademe["title"] == "Décarbonation de l'industrie (ADEME)"
    assert ademe["funders"] == ["ADEME"]
    assert ademe["themes"] == ["Transition énergétique", "Industrie du futur"]
    assert ademe["url"] == "https://agirpourlatransition.ademe.fr/decarbonation"
    assert ademe["opens_on"] == datetime.date(2030, 1, 10)
    assert ademe["deadlines"] == [("Date limite de dépôt", paris(2030, 5, 31, 23, 59))]
    assert (ademe["rate_min"], ademe["rate_max"]) == (Decimal("20.00"), Decimal("60.00"))
    assert anr["funders"] == ["ANR"]
    assert table.rows[1].funder_kinds == {"ANR": "anr"}
    assert anr["deadlines"] == [
        ("Pré-proposition", paris(2030, 2, 1, 13, 0)),
        ("Proposition détaillée", paris(2030, 6, 15, 23, 59)),
    ]
    assert anr["amount_max"] == Decimal("600000.00")
    assert anr["applicants"] == ["platforms", "consortia"]
    assert {"slug", "perimeter", "is_call_for_project"} <= set(table.ignored_columns)


def test_json_plain_list():
    content = json.dumps([{"external_id": "A", "title": "Un appel", "deadline": "2030-01-01"}])
    table = read_calls(upload("feed.json", content))
    assert table.rows[0].values["deadlines"] == [
        ("Date limite de dépôt", paris(2030, 1, 1, 23, 59))
    ]


def test_xlsx_with_date_cells():
    content = xlsx(
        [
            ["external_id", "title", "opens_on", "deadline", "deadline_label", "amount_max"],
            [
                "X1",
                "Appel XLSX",
                datetime.datetime(2030, 1, 5),
                datetime.datetime(2030, 3, 1),
                "",
                150000,
            ],
            [
                "X2",
                "Appel avec heure",
                None,
                datetime.datetime(2030, 3, 1, 12, 30),
                "Étape 1",
                2500.5,
            ],
        ]
    )
    table = read_calls(upload("appels.xlsx", content))
    assert table.kind == "xlsx"
    first, second = (row.values for row in table.rows)
    assert first["opens_on"] == datetime.date(2030, 1, 5)
    # A date cell reads as midnight: a deadline on that day, at 23:59.
    assert first["deadlines"] == [("Date limite de dépôt", paris(2030, 3, 1, 23, 59))]
    assert first["amount_max"] == Decimal("150000.00")
    assert second["deadlines"] == [("Étape 1", paris(2030, 3, 1, 12, 30))]
    assert second["amount_max"] == Decimal("2500.50")


def test_csv_with_commas_and_english_headers():
    content = 'external_id,title,funders,rate_max\nA1,"Appel, virgule",ADEME;Bpifrance,"50,5"\n'
    row = read_calls(upload("a.csv", content)).rows[0]
    assert row.values["title"] == "Appel, virgule"
    assert row.values["funders"] == ["ADEME", "Bpifrance"]
    assert row.values["rate_max"] == Decimal("50.50")


# Values ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "unit", "expected"),
    [
        ("1 500 000 €", "€", "1500000.00"),
        ("1\u202f500,50\u00a0€", "€", "1500.50"),
        ("€150000", "€", "150000.00"),
        ("45,5 %", "%", "45.50"),
        ("33.33", "%", "33.33"),
    ],
)
def test_decimals_french_and_plain(text, unit, expected):
    assert parse_decimal(text, unit=unit) == Decimal(expected)


@pytest.mark.parametrize("text", ["abc", "1,000", "1.000,50", "12 €€", "1e5"])
def test_decimals_refused(text):
    with pytest.raises(ValueError):
        parse_decimal(text, unit="€")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2030-03-01", paris(2030, 3, 1, 23, 59)),
        ("01/03/2030", paris(2030, 3, 1, 23, 59)),
        ("2030-03-01 12:00", paris(2030, 3, 1, 12, 0)),
        ("01/03/2030 12h30", paris(2030, 3, 1, 12, 30)),
        ("2030-03-01 00:00:00", paris(2030, 3, 1, 23, 59)),
        ("2030-03-01T10:00:00Z", datetime.datetime(2030, 3, 1, 10, tzinfo=datetime.UTC)),
    ],
)
def test_due_at_forms(text, expected):
    assert parse_due_at(text) == expected


def test_deadlines_sorted_without_duplicates():
    assert parse_deadlines("B=2030-06-01 | A=2030-03-01 12:00 | B=2030-06-01 | 2030-09-01") == [
        ("A", paris(2030, 3, 1, 12, 0)),
        ("B", paris(2030, 6, 1, 23, 59)),
        ("Date limite de dépôt", paris(2030, 9, 1, 23, 59)),
    ]


def _errors(content, name="a.csv"):
    table = read_calls(upload(name, content))
    return table.rows[0].errors


def test_each_bad_cell_is_reported_with_its_column():
    errors = _errors(
        "external_id;title;kind;amount_min;amount_max;rate_max;url;opens_on;open_all_year;"
        "deadlines;applicants\n"
        "A;;tombola;200;100;150 %;pas-une-url;31/02/2030;peut-être;Étape=demain;robots\n"
    )
    assert set(errors) == {
        "title",
        "kind",
        "amount_min",
        "rate_max",
        "url",
        "opens_on",
        "open_all_year",
        "deadlines",
        "applicants",
    }
    assert "obligatoire" in errors["title"][0]
    assert "tombola" in errors["kind"][0]
    assert "minimum dépasse" in errors["amount_min"][0]


def test_a_title_too_long_is_refused():
    errors = _errors(f"external_id;title\nA;{'x' * 301}\n")
    assert "300" in errors["title"][0]


def test_funder_kind_count_must_match():
    errors = _errors("external_id;title;funders;funder_kind\nA;T;X|Y|Z;region|eu\n")
    assert "funder_kind" in errors


def test_a_deadline_label_without_a_date_is_an_error():
    assert "deadline" in _errors("external_id;title;deadline_label\nA;T;Étape 1\n")


def test_a_json_item_that_is_not_an_object():
    table = read_calls(upload("feed.json", '[{"id": "A", "name": "T"}, 3]'))
    assert not table.rows[0].errors
    assert "file" in table.rows[1].errors


@pytest.mark.django_db
def test_references_funders_themes_regions_and_duplicates():
    from tests.projects.factories import FunderFactory, ThemeFactory

    FunderFactory(name="Bpifrance")
    ThemeFactory(name="Numérique", slug="numerique")
    table = read_calls(
        upload(
            "a.csv",
            "external_id;title;funders;themes;regions\n"
            "A;T;bpifrance|Nouveau financeur;numérique|Nouveau thème;Picardie|84\n"
            "A;T2;;;Atlantide\n",
        )
    )
    references = References.load()
    resolve_references(table.rows, references)
    first, second = table.rows
    assert first.values["funders"] == ["Bpifrance", "Nouveau financeur"]
    assert first.values["themes"] == ["Nouveau thème", "Numérique"]
    # A former region counts as the region that absorbed it.
    assert first.values["regions"] == ["Auvergne-Rhône-Alpes", "Hauts-de-France"]
    assert references.new_funders == {"nouveau financeur": ("Nouveau financeur", "state")}
    assert references.new_themes == {"nouveau-theme": "Nouveau thème"}
    assert "déjà présent" in second.errors["external_id"][0]
    assert "Atlantide" in second.errors["regions"][0]


# Files refused -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("a.csv", b"", "vide"),
        ("a.csv", b"\n\n", "vide"),
        ("a.csv", b"external_id;title\n", "aucun appel"),
        ("a.csv", b"titre;financeurs\nT;X\n", "external_id"),
        ("a.csv", "external_id;titre\nA;Caf\xe9\n".encode("latin-1"), "UTF-8"),
        ("a.csv", b"external_id;title\x00\n", "binaires"),
        ("a.xlsx", b"external_id;title\nA;T\n", "XLSX"),
        ("a.xlsx", b"PK\x03\x04broken", "XLSX"),
        ("a.json", b'{"results": [', "JSON est mal form"),
        ("a.json", b'{"data": []}', "results"),
        ("a.json", b"[]", "aucun appel"),
        ("a.pdf", b"%PDF-1.4", "Format"),
    ],
)
def test_unreadable_files_are_refused_with_a_message(name, content, message):
    with pytest.raises(ServiceError) as refused:
        read_calls(upload(name, content))
    assert message in str(refused.value)
    assert refused.value.field == "file"


def test_too_many_rows(monkeypatch):
    monkeypatch.setattr(importers, "MAX_ROWS", 2)
    monkeypatch.setattr(
        importers,
        "LIMITS",
        importers.Limits(max_rows=2, max_sheet_rows=10, max_columns=60, max_unpacked_bytes=10**6),
    )
    rows = "".join(f"A{n};T{n}\n" for n in range(5))
    with pytest.raises(ServiceError, match="dépasse"):
        read_calls(upload("a.csv", "external_id;title\n" + rows))
    items = json.dumps([{"id": n, "name": "T"} for n in range(5)])
    with pytest.raises(ServiceError, match="dépasse"):
        read_calls(upload("a.json", items))


def test_too_large_a_file(monkeypatch):
    monkeypatch.setattr(importers, "MAX_BYTES", 10)
    with pytest.raises(ServiceError, match="10 Mo"):
        read_calls(upload("a.csv", "external_id;title\nA;Un titre\n"))
