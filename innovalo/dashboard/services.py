"""The national report's writes: asking for it (a POST) and preparing it (a task).

Opening the report never writes (a GET): when no stored report is current, the page
offers to prepare it. ``report_request`` records the request and enqueues the task once
(a double click or a second viewer finds it pending and enqueues nothing);
``report_prepare`` draws the PDF from the cached figures and stores it with the figures'
generation, so that the download serves the stored bytes until the figures move on.

A report is stored with the generation read before it was drawn: a change during the
drawing makes it stale at once. (A change still uncommitted when the drawing reads its
rows, and committed after, is the one case it misses, as the cache's writing window
does for boards; the next change, or the next year's report, moves on.)

Neither writes an audit entry: preparing a report changes no data, and an audit entry
would make the figures' generation move (``signals``), the report stale at once.
"""

import datetime
import logging
import time

from django.db import transaction
from django.utils import timezone

from innovalo.enums import ReportStatus
from innovalo.models import NationalReport, User
from innovalo.pdf import render_pdf
from innovalo.perms import can_read_national_data

from . import cache as dashboard_cache
from .page import cached_dashboard, viewer_kind

logger = logging.getLogger(__name__)

# A request still pending after this long is taken as lost (a worker died): asked again.
PENDING_FOR = datetime.timedelta(minutes=10)


def report_filename(year) -> str:
    return f"rapport-national-{year}.pdf"


def current_report(year, user):
    """The stored report of ``year`` in ``user``'s edition (without its bytes), or None."""
    return (
        NationalReport.objects.defer("content").filter(year=year, edition=viewer_kind(user)).first()
    )


def report_request(*, year: int, user) -> tuple[NationalReport, bool]:
    """Ask for the report of ``year`` in ``user``'s edition: (report, enqueued). Nothing
    is enqueued when the stored report is current, or already being prepared from the
    current figures (a double POST)."""
    from innovalo.tasks import enqueue, prepare_national_report

    generation = dashboard_cache.generation().value
    now = timezone.now()
    edition = viewer_kind(user)
    NationalReport.objects.get_or_create(
        year=year,
        edition=edition,
        defaults={"generation": "", "status": ReportStatus.PENDING, "requested_by": user},
    )
    with transaction.atomic():
        report = (
            NationalReport.objects.select_for_update()
            .defer("content")
            .get(year=year, edition=edition)
        )
        if report.is_current(generation):
            return report, False
        pending = report.status == ReportStatus.PENDING and report.generation == generation
        if pending and report.requested_at > now - PENDING_FOR:
            return report, False
        report.status = ReportStatus.PENDING
        report.generation = generation
        report.requested_at = now
        report.requested_by = user
        report.save(update_fields=["status", "generation", "requested_at", "requested_by"])
        enqueue(prepare_national_report, report.pk, user.pk)
    logger.info("national report %s (%s) requested", year, edition)
    return report, True


def report_prepare(*, report_id: int, user_id: int):
    """Draw and store the report ``report_id`` as ``user_id`` sees the figures (their
    edition); a rerun finds it current and draws nothing. Returns the report or None."""
    report = NationalReport.objects.defer("content").filter(pk=report_id).first()
    if report is None:
        return None
    generation = dashboard_cache.generation()
    if report.is_current(generation.value):
        return report
    user = User.objects.filter(pk=user_id).first()
    if user is None or not can_read_national_data(user) or viewer_kind(user) != report.edition:
        logger.warning("national report %s: user %s may not prepare it", report_id, user_id)
        NationalReport.objects.filter(pk=report_id).update(status=ReportStatus.FAILED)
        return None
    start = time.perf_counter()
    try:
        board = cached_dashboard(user, report.year, generation=generation)
        _filename, content = render_pdf(
            "pdf/national_report.html",
            {"board": board, "today": timezone.localdate()},
            filename=report_filename(report.year),
        )
    except Exception:  # noqa: BLE001 - shown as failed, to be asked again; the log has it
        logger.exception("national report %s (%s) failed", report.year, report.edition)
        NationalReport.objects.filter(pk=report_id).update(status=ReportStatus.FAILED)
        return None
    seconds = time.perf_counter() - start
    with transaction.atomic():
        report = NationalReport.objects.select_for_update().defer("content").get(pk=report_id)
        report.content = content
        report.status = ReportStatus.READY
        report.generation = generation.value
        report.created_at = timezone.now()
        report.seconds = seconds
        report.save(update_fields=["content", "status", "generation", "created_at", "seconds"])
    logger.info("national report %s (%s) ready in %.2f s", report.year, report.edition, seconds)
    return report
