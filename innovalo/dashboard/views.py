"""The national dashboard, its charts' CSVs and the annual report: the bureau and the
ministry only (``innovalo.perms.can_read_national_data``). Every view only reads."""

from urllib.parse import urlencode

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from innovalo.exports import stream_csv
from innovalo.pdf import pdf_response, render_pdf
from innovalo.perms import can_read_national_data, require

from . import selectors
from .page import MAPS, build_dashboard


def _year(request, years) -> int:
    """The chosen year, or the current one (a wrong value is not an error)."""
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return years[-1]
    return year if year in years else years[-1]


def _scope(request):
    """(year, region or None, the current regions) from the query string."""
    regions = selectors.current_regions()
    years = selectors.dashboard_years()
    slug = request.GET.get("region", "")
    region = next((r for r in regions if r.slug == slug), None)
    return _year(request, years), region, regions, years


@require_GET
def dashboard(request):
    require(can_read_national_data(request.user))
    year, region, regions, years = _scope(request)
    board = build_dashboard(request.user, year, region, regions)
    chosen = request.GET.get("carte", "")
    chosen = chosen if chosen in MAPS else "plateformes"
    return render(
        request,
        "innovalo/dashboard/dashboard.html",
        {
            "board": board,
            "years": list(reversed(years)),
            "map_key": chosen,
            "map": board.maps[chosen],
            "csv_query": urlencode({"year": year, **({"region": region.slug} if region else {})}),
        },
    )


@require_GET
def chart_csv(request, chart):
    require(can_read_national_data(request.user))
    year, region, regions, _years = _scope(request)
    board = build_dashboard(request.user, year, region, regions)
    found = board.chart(chart)
    if found is None:
        raise Http404
    place = region.slug if region else "france"
    return stream_csv(found.header, found.csv_rows(), f"{chart}-{year}-{place}.csv")


@require_GET
def report_pdf(request):
    require(can_read_national_data(request.user))
    year, _region, regions, _years = _scope(request)
    board = build_dashboard(request.user, year, None, regions)
    filename, content = render_pdf(
        "pdf/national_report.html",
        {"board": board, "today": timezone.localdate()},
        filename=f"rapport-national-{year}.pdf",
    )
    return pdf_response(filename, content)
