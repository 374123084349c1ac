"""A figure of the dashboard: its SVG chart (``surveys.charts``, the same markup in the
page and in the PDF), the table of its data, what it counts, the list behind it, and its
CSV (the table's cells as numbers, "secret" where statistical secrecy hides one)."""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property

from surveys.charts import bar_chart, line_chart, table_rows
from surveys.selectors.results import SECRET_TEXT, Figure

PLACES = {"percent": Decimal("0.1"), "money": Decimal("0.01")}


@dataclass
class Chart:
    slug: str  # its CSV's name: /tableau-de-bord/<slug>.csv
    title: str
    caption: str  # what it counts
    label_head: str  # the head of the rows' labels (year, region, stage...)
    heads: list  # the heads of the cells
    rows: list  # [(label, [Figure])]
    svg: str = ""
    link: tuple | None = None  # (url, text): the list behind the figure
    notes: list = field(default_factory=list)

    @cached_property
    def body(self) -> str:
        """The table's rows, formatted once (kept with the board in the cache)."""
        return table_rows(self.rows)

    @property
    def header(self) -> list:
        return [str(self.label_head), *(str(head) for head in self.heads)]

    def csv_rows(self):
        for label, cells in self.rows:
            yield [str(label), *(csv_cell(cell) for cell in cells)]


def csv_cell(cell):
    """A cell as a spreadsheet reads it: a number, "secret", or empty."""
    if not isinstance(cell, Figure):
        return cell
    if cell.secret:
        return str(SECRET_TEXT)
    if cell.value is None:
        return ""
    if isinstance(cell.value, int):
        return cell.value
    value = Decimal(str(cell.value))
    return value.quantize(PLACES.get(cell.style, Decimal("0.01")), rounding=ROUND_HALF_UP)


def count(value) -> Figure:
    return Figure(value or 0, style="integer")


def percent(part, whole) -> Figure:
    """``part`` of ``whole`` in percent; "—" when there is no whole."""
    if not whole:
        return Figure(None)
    return Figure(Decimal(part) * 100 / Decimal(whole), style="percent")


def money(value) -> Figure:
    return Figure(Decimal(value or 0), style="money")


def line(title, rows, column=0, *, maximum=None) -> str:
    """A line over the rows' labels (years), the ``column``-th cell charted."""
    return line_chart(
        title,
        [(label, cells[column].shown, str(cells[column])) for label, cells in rows],
        maximum=maximum,
    )


def bars(title, rows, column=0, *, maximum=None) -> str:
    return bar_chart(
        title,
        [(label, cells[column].shown, str(cells[column])) for label, cells in rows],
        maximum=maximum,
    )
