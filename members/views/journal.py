"""The dues accounting journal of a year and the general assembly's financial figures
(issue 12): bureau only, read only; CSV and XLSX streamed for the accountant."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from innovalo.exports import stream_csv, stream_xlsx_download
from innovalo.perms import require

from .. import perms
from ..selectors import journal as selectors

PAGE_SIZE = 50
EXPORT_CHUNK = 2000


def _year(request) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return timezone.localdate().year
    return year if 2000 <= year <= 2100 else timezone.localdate().year


def _header() -> list[str]:
    return [_("Date"), _("Pièce"), _("Compte"), _("Libellé"), _("Débit"), _("Crédit")]


def _export_rows(year):
    """The journal's lines as exported: (date, piece, account, label, debit, credit),
    read from the database in chunks (the union cannot use a server-side cursor)."""
    lines = selectors.journal_lines(year)
    offset = 0
    while True:
        chunk = list(lines[offset : offset + EXPORT_CHUNK])
        for row in chunk:
            yield row[:6]
        if len(chunk) < EXPORT_CHUNK:
            return
        offset += EXPORT_CHUNK


def _export(year, fmt):
    filename = f"journal-cotisations-{year}.{fmt}"
    rows = _export_rows(year)
    if fmt == "xlsx":
        title = _("Journal %(year)s") % {"year": year}
        return stream_xlsx_download(_header(), rows, filename, title=title)
    return stream_csv(_header(), rows, filename, date_format="%d/%m/%Y")


@require_GET
def dues_journal(request):
    """The year's receipts and cancellations as an accounting journal, with its totals
    and balance check, and the financial report's figures by year of call."""
    require(perms.can_manage_dues(request.user))
    year = _year(request)
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        return _export(year, fmt)
    page = Paginator(selectors.journal_lines(year), PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = [dict(zip(selectors.COLUMNS, row, strict=False)) for row in page]
    years = selectors.journal_years()
    if year not in years:
        years = sorted({*years, year}, reverse=True)
    return render(
        request,
        "members/dues/journal.html",
        {
            "year": year,
            "years": years,
            "page_obj": page,
            "totals": selectors.journal_totals(year),
            "accounts": selectors.accounts(),
            "report": selectors.financial_report(),
        },
    )
