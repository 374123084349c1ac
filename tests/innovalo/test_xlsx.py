"""The streamed XLSX writer: a file spreadsheets open, values typed, rows read lazily."""

import datetime
import io
from decimal import Decimal

from openpyxl import load_workbook

from innovalo.xlsx import sheet_name, stream_xlsx


def _read(chunks):
    workbook = load_workbook(io.BytesIO(b"".join(chunks)))
    return workbook.active, [list(row) for row in workbook.active.iter_rows(values_only=True)]


def test_a_file_openpyxl_reads_back_with_typed_values():
    rows = [
        [1, Decimal("12.5"), "Plasti Vendée", datetime.date(2026, 4, 15), True, None],
        [2, 0.25, "a < b & c", datetime.datetime(2026, 4, 15, 9, 30), False, ["essais", "conseil"]],
    ]
    sheet, values = _read(stream_xlsx(["n", "montant", "nom", "date", "oui", "vide"], rows))
    assert values[0] == ["n", "montant", "nom", "date", "oui", "vide"]
    assert values[1] == [1, 12.5, "Plasti Vendée", datetime.datetime(2026, 4, 15), True, None]
    assert values[2][:5] == [2, 0.25, "a < b & c", datetime.datetime(2026, 4, 15, 9, 30), False]
    assert values[2][5] == "essais, conseil"
    assert sheet["A1"].font.b


def test_text_that_looks_like_a_formula_stays_text():
    _sheet, values = _read(stream_xlsx(["x"], [['=HYPERLINK("http://x")'], ["+33 3 23 00"]]))
    assert values[1:] == [['=HYPERLINK("http://x")'], ["+33 3 23 00"]]


def test_control_characters_are_dropped_not_an_invalid_file():
    _sheet, values = _read(stream_xlsx(["x"], [["bip\x07 bop\ttab"]]))
    assert values[1] == ["bip bop\ttab"]


def test_rows_are_read_lazily_and_bytes_come_before_the_end():
    consumed = []

    def rows():
        for n in range(2000):
            consumed.append(n)
            yield [n, f"ligne {n}"]

    stream = stream_xlsx(["n", "texte"], rows())
    first = next(stream)
    assert first.startswith(b"PK") and consumed == []
    second = next(stream)
    assert second and len(consumed) == 500
    rest = list(stream)
    _sheet, values = _read([first, second, *rest])
    assert len(values) == 2001 and values[-1] == [1999, "ligne 1999"]


def test_sheet_names_excel_accepts():
    assert sheet_name("Enquête 2026 : réponses [brouillon]") == "Enquête 2026   réponses  brouil"
    assert len(sheet_name("x" * 40)) == 31
    assert sheet_name("///") == "Feuille 1"
