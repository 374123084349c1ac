import csv
import io
from decimal import Decimal

from openpyxl import load_workbook

from innovalo.exports import export_csv, export_xlsx

COLUMNS = [("Nom", lambda row: row["name"]), ("Montant", lambda row: row["amount"])]
ROWS = [
    {"name": '=HYPERLINK("http://x")', "amount": Decimal("-12.50")},
    {"name": "+33 3 23 00 00 01", "amount": Decimal("150.00")},
    {"name": "@SUM(A1)", "amount": None},
    {"name": "Plasti Vendée", "amount": 3},
]


def test_csv_defuses_formulas_and_keeps_numbers():
    response = export_csv(ROWS, COLUMNS, "test")
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0] == ["Nom", "Montant"]
    assert rows[1] == ['\'=HYPERLINK("http://x")', "-12,50"]
    assert rows[2] == ["+33 3 23 00 00 01", "150,00"]
    assert rows[3][0] == "'@SUM(A1)"
    assert rows[4] == ["Plasti Vendée", "3"]


def test_xlsx_has_no_formula_cells():
    response = export_xlsx(ROWS, COLUMNS, "test")
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [cell.value for cell in sheet["A"]]
    assert values[1] == '\'=HYPERLINK("http://x")'
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    assert sheet["B2"].value == Decimal("-12.50") or sheet["B2"].value == -12.5
