"""Reads of firms' requests for the platforms, the correspondents and the bureau: who sees
which requests, the board's rows, the requests to route, a request's page, and the
figures (counts, share answered, median time to first answer) computed by the database.

**Working days.** Reminders count working days: Monday to Friday. The portal has no
calendar of public holidays, so a public holiday counts as a working day (a reminder due
on 14 July goes out that day); ``WORKING_DAYS`` is the one place to change that.

**An answer** is an acceptance: ``first_answer_at`` is set when the first platform takes
the request. Declines and passes are answers of one platform, recorded on its routing;
they do not answer the firm. The median time to first answer runs from the request's
deposit (``created_at``, what the firm waits) to ``first_answer_at``.
"""

import datetime
from dataclasses import dataclass

from django.db.models import (
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
)
from django.utils import timezone

from innovalo.french import French
from innovalo.perms import is_bureau
from members.enums import TransferLevel
from members.models import Platform, Region

from .. import perms
from ..enums import CLOSED_REQUEST_STATUSES, OPEN_REQUEST_STATUSES, RequestStatus, RoutingStatus
from ..models import FirmRequest, Project, ProjectPartner
from ..models.requests import VISIBLE_ROUTINGS, RequestEvent, RequestRouting

# Monday (0) to Friday (4).
WORKING_DAYS = frozenset(range(5))
# A transmitted request with no answer for this many working days is late (a reminder
# goes to the platforms), and twice as many, to the correspondent.
LATE_AFTER_WORKING_DAYS = 5
# Requests listed in the correspondent's "to route" panel (the rest through the filter).
TO_ROUTE_CAP = 5  # the oldest first; a link leads to all of them
# The routings on a request's page: who has it first, the portal's proposals last.
ROUTING_ORDER = {
    RoutingStatus.ACCEPTED: 0,
    RoutingStatus.NOTIFIED: 1,
    RoutingStatus.PASSED: 2,
    RoutingStatus.DECLINED: 3,
    RoutingStatus.PROPOSED: 4,
}
# Badge of each state (classes of innovalo.css).
STATUS_BADGES = {
    RequestStatus.NEW: "badge-pending",
    RequestStatus.ROUTED: "badge-convened",
    RequestStatus.ACCEPTED: "badge-accepted",
    RequestStatus.IN_PROGRESS: "badge-accepted",
    RequestStatus.DONE: "badge-done",
    RequestStatus.DECLINED: "badge-declined",
    RequestStatus.NO_ANSWER: "badge-late",
}


# Working days --------------------------------------------------------------------------------


def _weekdays_after(start: datetime.date, end: datetime.date) -> int:
    """Working days in (start, end]."""
    if end <= start:
        return 0
    days = (end - start).days
    weeks, rest = divmod(days, 7)
    count = weeks * len(WORKING_DAYS)
    for offset in range(1, rest + 1):
        if (start + datetime.timedelta(days=weeks * 7 + offset)).weekday() in WORKING_DAYS:
            count += 1
    return count


def working_days_between(start: datetime.datetime, end: datetime.datetime) -> int:
    """Whole working days elapsed from `start` to `end` (local time): the n-th working
    day after `start`, at the same time of day, has passed. Transmitted on Friday at
    10:00, five working days have elapsed on the next Friday at 10:00."""
    if end <= start:
        return 0
    first, last = timezone.localtime(start), timezone.localtime(end)
    count = _weekdays_after(first.date(), last.date())
    if last.weekday() in WORKING_DAYS and last.date() > first.date() and last.time() < first.time():
        count -= 1
    return max(count, 0)


def add_working_days(start: datetime.datetime, days: int) -> datetime.datetime:
    """The moment `days` working days after `start` (same local time of day)."""
    moment = timezone.localtime(start)
    date = moment.date()
    while days > 0:
        date += datetime.timedelta(days=1)
        if date.weekday() in WORKING_DAYS:
            days -= 1
    naive = datetime.datetime.combine(date, moment.time().replace(tzinfo=None))
    return timezone.make_aware(naive, timezone.get_current_timezone())


# Who sees what -------------------------------------------------------------------------------


def visible_requests(user, queryset=None):
    """The requests `user` may open: all for the bureau; otherwise those of his regions
    (correspondent), and those transmitted to or taken by his platforms. Subqueries of
    ids, no join: no duplicate rows, no DISTINCT."""
    queryset = FirmRequest.objects.all() if queryset is None else queryset
    if is_bureau(user):
        return queryset
    if not perms.can_read_requests(user):
        return queryset.none()
    platforms = perms._platform_ids(user)
    regions = perms.correspondent_region_ids(user)
    if not platforms and not regions:
        return queryset.none()
    seen = Q(region_id__in=regions) if regions else Q(pk__in=[])
    if platforms:
        routed = RequestRouting.objects.filter(
            platform_id__in=platforms, status__in=VISIBLE_ROUTINGS
        ).values("request_id")
        seen |= Q(taken_by_id__in=platforms) | Q(pk__in=routed)
    return queryset.filter(seen)


def waiting_for(user, queryset):
    """ "À traiter": what waits for `user`'s answer. A platform's people: requests
    transmitted to one of their platforms that nobody has taken yet; a correspondent:
    the new requests of his regions (to route); the bureau: every new request."""
    todo = Q(pk__in=[])
    if is_bureau(user):
        todo |= Q(status=RequestStatus.NEW)
    regions = perms.correspondent_region_ids(user)
    if regions:
        todo |= Q(status=RequestStatus.NEW, region_id__in=regions)
    platforms = perms._platform_ids(user)
    if platforms:
        notified = RequestRouting.objects.filter(
            platform_id__in=platforms, status=RoutingStatus.NOTIFIED
        ).values("request_id")
        todo |= Q(status=RequestStatus.ROUTED, taken_by__isnull=True, pk__in=notified)
    return queryset.filter(todo)


# The board -----------------------------------------------------------------------------------


def _routings_prefetch(*statuses, light=False):
    routings = RequestRouting.objects.select_related("platform").order_by("pk")
    if light:  # the board prints a platform's name: not its forty other columns
        routings = routings.only(
            "pk",
            "request_id",
            "platform_id",
            "status",
            "notified_at",
            "platform__name",
            "platform__acronym",
            "platform__slug",
        )
    if statuses:
        routings = routings.filter(status__in=statuses)
    return Prefetch("routings", queryset=routings)


BOARD_FIELDS = (
    "pk",
    "company_name",
    "status",
    "status_changed_at",
    "created_at",
    "first_answer_at",
    "department",
    "taken_by",
)


def board_rows(queryset):
    """What a row of the board prints: department, domains, the platform that took it or
    those it is transmitted to (one query each, whatever the rows)."""
    return (
        queryset.select_related("department", "taken_by")
        .defer("need", "outcome", "token_salt", "token_hash", "phone", "siret", "email")
        .prefetch_related(
            Prefetch("domains", queryset=_domains()),
            _routings_prefetch(*VISIBLE_ROUTINGS),
        )
    )


def _domains():
    from members.models import Domain

    return Domain.objects.only("pk", "name").order_by(French("name"), "pk")


@dataclass
class Waiting:
    """How long the firm has waited: until its first answer, or until now."""

    days: int
    answered: bool
    late: bool


def waiting(firm_request, now=None) -> Waiting | None:
    """Calendar days from the deposit to the first answer (or to now while nobody took
    it and it is open); `late`: transmitted and unanswered for LATE_AFTER_WORKING_DAYS
    working days (uses the prefetched routings)."""
    now = now or timezone.now()
    if firm_request.first_answer_at:
        days = (firm_request.first_answer_at - firm_request.created_at).days
        return Waiting(days=max(days, 0), answered=True, late=False)
    if firm_request.status not in OPEN_REQUEST_STATUSES:
        return None
    late = firm_request.status == RequestStatus.ROUTED and any(
        routing.status == RoutingStatus.NOTIFIED
        and routing.notified_at
        and working_days_between(routing.notified_at, now) >= LATE_AFTER_WORKING_DAYS
        for routing in firm_request.routings.all()
    )
    return Waiting(days=max((now - firm_request.created_at).days, 0), answered=False, late=late)


def _day(value) -> str:
    from django.utils.formats import date_format

    return date_format(timezone.localtime(value), "j F Y")


def _where(row) -> str:
    from django.utils.translation import gettext as _

    if row.taken_by:
        return _("Prise par %(platform)s") % {"platform": row.taken_by}
    if row.notified_platforms:
        return f"{_('Transmise à')} {', '.join(map(str, row.notified_platforms))}"
    if row.routed_platforms:
        return f"{_('Sollicitées :')} {', '.join(map(str, row.routed_platforms))}"
    return _("Pas encore orientée") if row.status == RequestStatus.NEW else ""


def _waiting_text(wait) -> str:
    from django.utils.translation import ngettext

    if wait is None:
        return ""
    if wait.answered:
        text = ngettext("réponse en %(n)s jour", "réponse en %(n)s jours", wait.days)
    else:
        text = ngettext("attend depuis %(n)s jour", "attend depuis %(n)s jours", wait.days)
    return text % {"n": wait.days}


def decorate_rows(rows, now=None) -> list:
    """Each row with its badge, the platforms it went to, its waiting time, and the texts
    the board prints, written here once per row rather than by a template's translation
    tags (the board cost 18 times the one-query page)."""
    from django.utils.translation import gettext as _

    now = now or timezone.now()
    rows = list(rows)
    for row in rows:
        row.badge = STATUS_BADGES.get(row.status, "")
        routings = list(row.routings.all())
        row.notified_platforms = [
            routing.platform
            for routing in routings
            if routing.status in (RoutingStatus.NOTIFIED, RoutingStatus.ACCEPTED)
        ]
        row.routed_platforms = [routing.platform for routing in routings]
        row.waiting = waiting(row, now)
        row.waiting_text = _waiting_text(row.waiting)
        row.since_text = _("depuis le %(date)s") % {"date": _day(row.status_changed_at)}
        row.filed_text = _("déposée le %(date)s") % {"date": _day(row.created_at)}
        row.where_text = _where(row)
        row.domain_names = [domain.name for domain in row.domains.all()]
    return rows


def to_route(user, cap=TO_ROUTE_CAP):
    """The new requests of the user's regions (all regions for the bureau), oldest
    first, each with the portal's proposals (`proposals`, by relevance); and how many
    there are. Three queries."""
    queryset = FirmRequest.objects.filter(status=RequestStatus.NEW)
    if not is_bureau(user):
        regions = perms.correspondent_region_ids(user)
        if not regions:
            return [], 0
        queryset = queryset.filter(region_id__in=regions)
    count = queryset.count()
    if not count:
        return [], 0
    proposals = (
        RequestRouting.objects.filter(status=RoutingStatus.PROPOSED)
        .select_related("platform")
        .order_by("-score", "pk")
    )
    rows = list(
        queryset.select_related("department")
        .prefetch_related(Prefetch("routings", queryset=proposals, to_attr="proposals"))
        .order_by("created_at", "pk")[:cap]
    )
    return rows, count


# A request's page ----------------------------------------------------------------------------


def request_for_page(pk):
    """A request with what its page prints, in a fixed number of queries."""
    routings = RequestRouting.objects.select_related("platform", "passed_to", "routed_by").order_by(
        "created_at", "pk"
    )
    events = RequestEvent.objects.select_related("author", "platform").order_by("created_at", "pk")
    return (
        FirmRequest.objects.select_related(
            "department", "region", "taken_by", "target_platform", "follow_up_project"
        )
        .prefetch_related(
            Prefetch("domains", queryset=_domains()),
            Prefetch("routings", queryset=routings),
            Prefetch("events", queryset=events),
        )
        .filter(pk=pk)
        .first()
    )


def answerable_routings(user, firm_request) -> list:
    """The routings the user may accept, decline or pass (his platforms')."""
    return [
        routing
        for routing in firm_request.routings.all()
        if perms.can_answer_routing(user, routing, firm_request)
    ]


def project_choices(user):
    """The projects a follow-up may point to: those the user's platforms lead or are
    partners of; every project for the bureau."""
    projects = Project.objects.only("pk", "title", "acronym").order_by(French("title"), "pk")
    if is_bureau(user):
        return projects
    platforms = perms._platform_ids(user)
    if not platforms:
        return projects.none()
    partnered = ProjectPartner.objects.filter(platform_id__in=platforms).values("project_id")
    return projects.filter(Q(lead_platform_id__in=platforms) | Q(pk__in=partnered))


def route_choices():
    """The platforms a request may be routed to: the portal's proposals first (by
    relevance), then every other platform by name (one query)."""
    return Platform.objects.only("pk", "name", "acronym").order_by(French("name"), "pk")


def request_page(user, firm_request) -> dict:
    """What a request's page shows to `user` (no further query but the perms caches)."""
    routings = sorted(
        firm_request.routings.all(),
        key=lambda r: (ROUTING_ORDER.get(r.status, 9), -r.score, r.created_at, r.pk),
    )
    return {
        "firm_request": firm_request,
        "badge": STATUS_BADGES.get(firm_request.status, ""),
        "domains": list(firm_request.domains.all()),
        "routings": [r for r in routings if r.status != RoutingStatus.WITHDRAWN],
        "proposals": sorted(
            (r for r in routings if r.status == RoutingStatus.PROPOSED),
            key=lambda r: (-r.score, r.pk),
        ),
        "events": list(firm_request.events.all()),
        "waiting": waiting(firm_request),
        "answerable": answerable_routings(user, firm_request),
        "can_route": perms.can_route_request(user, firm_request),
        "can_handle": perms.can_handle_request(user, firm_request),
        "can_note": perms.can_note_request(user, firm_request),
        "can_close": perms.can_close_request(user, firm_request),
        "can_reopen": perms.can_reopen_request(user, firm_request),
        "is_open": firm_request.status in OPEN_REQUEST_STATUSES,
        "can_start": perms.can_handle_request(user, firm_request)
        and firm_request.status == RequestStatus.ACCEPTED,
    }


# Figures -------------------------------------------------------------------------------------


def _figures_queryset(year=None, region=None):
    queryset = FirmRequest.objects.all()
    if year:
        queryset = queryset.filter(created_at__year=int(year))
    if region:
        queryset = queryset.filter(region=region)
    return queryset.order_by()


def _request_domains():
    return FirmRequest.domains.through.objects.filter(firmrequest_id=OuterRef("pk"))


ANSWERED = Q(taken_by__isnull=False)
ROUTED = Q(routed_at__isnull=False)


def _share(part, whole):
    return round(100 * part / whole) if whole else None


def median_duration(queryset, start, end, count=None) -> datetime.timedelta | None:
    """The median of `end - start` over the rows where both are set: the middle one or
    two values, sorted by the database (one query, and one more to count them when
    `count` is not given). Portable: no vendor function."""
    rows = queryset.filter(**{f"{start}__isnull": False, f"{end}__isnull": False})
    if count is None:
        count = rows.count()
    if not count:
        return None
    duration = ExpressionWrapper(F(end) - F(start), output_field=DurationField())
    middle = (count - 1) // 2
    values = list(
        rows.annotate(duration=duration)
        .order_by("duration", "pk")
        .values_list("duration", flat=True)[middle : middle + (2 - count % 2)]
    )
    if not values:
        return None
    return sum(values, datetime.timedelta()) / len(values)


def request_figures(year=None, region=None) -> dict:
    """Counts of requests (optionally of one year of deposit, one region): in all,
    per region (with those routed and answered), per domain (a request in two domains
    counts in each), per transfer level (closed as done), per state; the share answered
    (taken by a platform, among those routed) and the median time from deposit to first
    answer. Six queries whatever the requests; no company, no person."""
    queryset = _figures_queryset(year, region)
    totals = queryset.aggregate(
        total=Count("pk"),
        routed=Count("pk", filter=ROUTED),
        answered=Count("pk", filter=ROUTED & ANSWERED),
        open=Count("pk", filter=Q(status__in=OPEN_REQUEST_STATUSES)),
        closed=Count("pk", filter=Q(status__in=CLOSED_REQUEST_STATUSES)),
        without_domain=Count("pk", filter=~Q(Exists(_request_domains()))),
        first_answered=Count("first_answer_at"),
    )
    per_region = list(
        queryset.values("region_id", "region__name")
        .annotate(
            count=Count("pk"),
            routed=Count("pk", filter=ROUTED),
            answered=Count("pk", filter=ROUTED & ANSWERED),
        )
        .order_by("-count", "region__name")
    )
    for row in per_region:
        row["share"] = _share(row["answered"], row["routed"])
    per_domain = list(
        queryset.filter(domains__isnull=False)
        .values("domains__name")
        .annotate(count=Count("pk"))
        .order_by("-count", "domains__name")
    )
    levels = dict(
        queryset.filter(transfer_level__isnull=False, status=RequestStatus.DONE)
        .values_list("transfer_level")
        .annotate(count=Count("pk"))
        .values_list("transfer_level", "count")
    )
    states = dict(queryset.values_list("status").annotate(count=Count("pk")))
    median = median_duration(
        queryset, "created_at", "first_answer_at", count=totals["first_answered"]
    )
    return {
        "year": year,
        "region": region,
        "total": totals["total"],
        "open": totals["open"],
        "closed": totals["closed"],
        "routed": totals["routed"],
        "answered": totals["answered"],
        "share_answered": _share(totals["answered"], totals["routed"]),
        "median_first_answer": median,
        "median_first_answer_hours": None if median is None else median.total_seconds() / 3600,
        "per_region": [
            {
                "region": row["region__name"],
                "count": row["count"],
                "routed": row["routed"],
                "answered": row["answered"],
                "share": row["share"],
            }
            for row in per_region
        ],
        "per_domain": [
            {"domain": row["domains__name"], "count": row["count"]} for row in per_domain
        ],
        "without_domain": totals["without_domain"],
        "per_level": [
            {"level": value, "label": label, "count": levels.get(value, 0)}
            for value, label in TransferLevel.choices
        ],
        "per_state": [
            {"status": value, "label": label, "count": states.get(value, 0)}
            for value, label in RequestStatus.choices
        ],
    }


def figure_regions():
    return Region.objects.current().order_by(French("name"), "pk")


def first_answer_label(median: datetime.timedelta | None):
    """(value, unit) for the page: hours under two days, days beyond."""
    if median is None:
        return None
    hours = median.total_seconds() / 3600
    if hours < 48:
        return round(hours, 1), "hours"
    return round(hours / 24, 1), "days"
