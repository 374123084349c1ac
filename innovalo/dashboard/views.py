"""The national dashboard, its charts' CSVs and the annual report: the bureau and the
ministry only (``innovalo.perms.can_read_national_data``).

The figures come from the cache (``cache``, ``page.cached_dashboard``) while the data
has not changed. Every GET only reads: the report's PDF is prepared by a task that a
POST enqueues (``services.report_request``), and its download serves the stored bytes
while they are current; otherwise it leads to the report's page, which offers to
prepare it and shows its progress."""

from urllib.parse import urlencode

from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from innovalo.enums import ReportStatus
from innovalo.exports import stream_csv
from innovalo.models import NationalReport
from innovalo.pdf import pdf_response
from innovalo.perms import can_read_national_data, require

from . import cache as dashboard_cache
from . import selectors
from .page import MAPS, cached_dashboard, cached_regions, viewer_kind
from .services import PENDING_FOR, current_report, report_filename, report_request


def _year(request, years) -> int:
    """The chosen year, or the current one (a wrong value is not an error)."""
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return years[-1]
    return year if year in years else years[-1]


def _scope(request, generation):
    """(year, region or None, the current regions, the years) from the query string."""
    regions = cached_regions(generation)
    years = selectors.dashboard_years()
    slug = request.GET.get("region", "")
    region = next((r for r in regions if r.slug == slug), None)
    return _year(request, years), region, regions, years


@require_GET
def dashboard(request):
    require(can_read_national_data(request.user))
    generation = dashboard_cache.generation()
    year, region, regions, years = _scope(request, generation)
    board = cached_dashboard(request.user, year, region, regions, generation=generation)
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
    generation = dashboard_cache.generation()
    year, region, regions, _years = _scope(request, generation)
    board = cached_dashboard(request.user, year, region, regions, generation=generation)
    found = board.chart(chart)
    if found is None:
        raise Http404
    place = region.slug if region else "france"
    return stream_csv(found.header, found.csv_rows(), f"{chart}-{year}-{place}.csv")


# The annual report ----------------------------------------------------------------------


def _report_year(request) -> int:
    years = selectors.dashboard_years()
    source = request.POST if request.method == "POST" else request.GET
    try:
        year = int(source.get("year", ""))
    except ValueError:
        return years[-1]
    return year if year in years else years[-1]


def _report_url(year) -> str:
    return f"{reverse('dashboard_report_page')}?{urlencode({'year': year})}"


@require_http_methods(["GET", "POST"])
def report(request):
    """Where the report of a year stands: ready to download, being prepared (the page
    asks for itself again every two seconds through htmx), stale or never prepared (a
    button prepares it). The POST asks for it (once) and comes back here."""
    require(can_read_national_data(request.user))
    year = _report_year(request)
    if request.method == "POST":
        report_request(year=year, user=request.user)
        return redirect(_report_url(year))
    stored = current_report(year, request.user)
    generation = dashboard_cache.generation().value
    state = "missing"
    if stored is not None:
        if stored.is_current(generation):
            state = "ready"
        elif stored.status == ReportStatus.PENDING:
            lost = stored.requested_at < timezone.now() - PENDING_FOR
            state = "lost" if lost else "pending"
        elif stored.status == ReportStatus.READY:
            state = "stale"
        else:
            state = "failed"
    context = {
        "year": year,
        "years": list(reversed(selectors.dashboard_years())),
        "report": stored,
        "state": state,
        "page_url": _report_url(year),
    }
    if request.headers.get("HX-Request") == "true":
        return render(request, "innovalo/dashboard/includes/report_status.html", context)
    return render(request, "innovalo/dashboard/report.html", context)


@require_GET
def report_pdf(request):
    """The stored report of the year while it is current; otherwise its page, which
    offers to prepare it (a GET writes nothing, so it does not draw it here)."""
    require(can_read_national_data(request.user))
    year = _report_year(request)
    stored = NationalReport.objects.filter(year=year, edition=viewer_kind(request.user)).first()
    if stored is None or not stored.is_current(dashboard_cache.generation().value):
        return redirect(_report_url(year))
    return pdf_response(report_filename(year), bytes(stored.content))
