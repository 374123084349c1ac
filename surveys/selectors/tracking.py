"""Reads of the tracking page and of reminders: who answered a campaign, who did not,
their last activity and the reminders they were sent.

Every figure is computed in SQL in a constant number of queries, whatever the number of
responses: the summary by region is one GROUP BY, a page of the list two queries (its
count, then its rows), the reminders of each row come from correlated subqueries on the
outbox (``SentReminder``) evaluated for the page's rows only, never a query per row.

**Who may be reminded** is stated once, as the SQL expression ``reminder_block``: an
empty string when a reminder may go now, else the reason it may not (already
submitted, opted out, the maximum number of reminders reached, the last one too
recent...). The daily job selects the rows whose block is empty, the reminders by hand
report the blocks of the rows the bureau ticked, and each reminder re-reads its row's
block under a row lock before it is recorded.

- Platform surveys remind the platforms expected to answer (``expected_platforms``:
  labelled or in renewal); their reminders are counted from the outbox rows of the
  campaign (period ``"<campaign pk>:..."``), skipped emails excepted.
- External questionnaires remind respondents who were invited and have neither
  completed, opted out nor bounced; their count and last date are the respondent's
  ``reminders_sent`` and ``last_reminded_at``, updated with each reminder recorded.
"""

import datetime

from django.core.paginator import Page, Paginator
from django.db.models import (
    Case,
    CharField,
    Count,
    DateTimeField,
    Exists,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Concat, Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from innovalo.enums import EmailStatus
from innovalo.french import French
from innovalo.lookups import AmongIds
from innovalo.models import SentReminder
from members.enums import PlatformRole
from members.models import Department, PlatformMembership, Region

from ..enums import RespondentStatus, ResponseStatus
from ..models import Respondent
from .expected import expected_platforms, expected_respondents

PLATFORM_RULE = "survey_reminder_platform"
RESPONDENT_RULE = "survey_reminder_respondent"
# The people of a platform who are reminded (the accounting contact is not).
REMINDED_ROLES = (PlatformRole.DIRECTOR, PlatformRole.STAFF)

PAGE_SIZE = 50
# Statuses the list filters on; "pending" (the default) is every non-respondent.
PENDING = "pending"
STATUS_FILTERS = (ResponseStatus.NOT_STARTED, ResponseStatus.DRAFT, ResponseStatus.SUBMITTED)


class Block:
    """Why a reminder may not go now (the value of ``reminder_block``)."""

    NONE = ""
    SUBMITTED = "submitted"
    OPTED_OUT = "opted_out"
    BOUNCED = "bounced"
    NOT_INVITED = "not_invited"
    NO_CONTACT = "no_contact"
    MAX = "max"
    TOO_SOON = "too_soon"
    ALREADY = "already"
    UNKNOWN = "unknown"

    LABELS = {
        SUBMITTED: _("a déjà répondu"),
        OPTED_OUT: _("désinscrit des courriels"),
        BOUNCED: _("adresse en échec"),
        NOT_INVITED: _("pas encore invité"),
        NO_CONTACT: _("aucune personne à relancer"),
        MAX: _("nombre maximal de relances atteint"),
        TOO_SOON: _("relancé trop récemment"),
        ALREADY: _("déjà relancé aujourd'hui"),
        UNKNOWN: _("inconnu dans cette campagne"),
    }


def reminder_cutoff(campaign, today: datetime.date) -> datetime.datetime:
    """A target last reminded before this instant may be reminded today: the minimum
    delay is counted in calendar days (reminded on the 1st with 3 days: again from
    the 4th, whatever the hour)."""
    first_day = today - datetime.timedelta(days=campaign.min_days_between_reminders - 1)
    return timezone.make_aware(datetime.datetime.combine(first_day, datetime.time.min))


def _block(campaign, today, *, submitted, count, last, extra=()):
    """The reason a reminder may not go (``Block``), as one SQL CASE."""
    whens = [When(submitted, then=Value(Block.SUBMITTED)), *extra]
    whens += [
        When(Q(**{f"{count}__gte": campaign.max_reminders}), then=Value(Block.MAX)),
        When(Q(**{f"{last}__gte": reminder_cutoff(campaign, today)}), then=Value(Block.TOO_SOON)),
    ]
    return Case(*whens, default=Value(Block.NONE), output_field=CharField())


# Platforms ------------------------------------------------------------------------------


def _platform_reminders(campaign):
    """The reminders of the outer platform for this campaign (skipped emails aside)."""
    target = Concat(Value("members.platform:"), Cast(OuterRef("pk"), output_field=CharField()))
    return (
        SentReminder.objects.filter(
            rule=PLATFORM_RULE, target=target, period__startswith=f"{campaign.pk}:"
        )
        .exclude(status=EmailStatus.SKIPPED)
        .order_by()
    )


def _platform_states(campaign):
    """The expected platforms, each with its response's status ("not_started" without
    a response), last activity and region (one LEFT JOIN, no subquery)."""
    return (
        expected_platforms()
        .annotate(
            campaign_response=FilteredRelation(
                "survey_responses", condition=Q(survey_responses__campaign=campaign)
            )
        )
        .annotate(
            response_status=Coalesce(
                F("campaign_response__status"), Value(ResponseStatus.NOT_STARTED)
            ),
            last_activity=F("campaign_response__updated_at"),
            submitted_at=F("campaign_response__submitted_at"),
            region_name=F("department__region__name"),
            region_id=F("department__region_id"),
        )
    )


def platform_rows(campaign, today=None):
    """The expected platforms of a platform survey with their states, their reminders
    (``reminder_count``, ``last_reminder_at``) and ``reminder_block``."""
    today = today or timezone.localdate()
    reminders = _platform_reminders(campaign)
    people = PlatformMembership.objects.filter(
        platform=OuterRef("pk"), user__is_active=True, role__in=REMINDED_ROLES
    )
    return (
        _platform_states(campaign)
        .annotate(
            reminder_count=Coalesce(
                Subquery(
                    reminders.values("target").annotate(n=Count("pk")).values("n")[:1],
                    output_field=IntegerField(),
                ),
                Value(0),
            ),
            last_reminder_at=Subquery(
                reminders.order_by("-created_at").values("created_at")[:1],
                output_field=DateTimeField(),
            ),
        )
        .annotate(
            reminder_block=_block(
                campaign,
                today,
                submitted=Q(response_status=ResponseStatus.SUBMITTED),
                count="reminder_count",
                last="last_reminder_at",
                extra=[When(~Exists(people), then=Value(Block.NO_CONTACT))],
            )
        )
    )


def platforms_to_remind(campaign, period: str, today=None) -> list[int]:
    """The ids of the platforms a reminder of ``period`` may go to now (one query)."""
    recorded = SentReminder.objects.filter(
        rule=PLATFORM_RULE,
        period=period,
        target=Concat(Value("members.platform:"), Cast(OuterRef("pk"), output_field=CharField())),
    )
    return list(
        platform_rows(campaign, today)
        .filter(reminder_block=Block.NONE)
        .exclude(Exists(recorded))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


# Respondents ----------------------------------------------------------------------------


def _respondent_states(respondents):
    return respondents.annotate(
        response_status=Coalesce(F("response__status"), Value(ResponseStatus.NOT_STARTED)),
        last_activity=F("response__updated_at"),
        region_name=F("department__region__name"),
        region_id=F("department__region_id"),
    )


def respondent_rows(campaign, today=None):
    """The respondents of an external questionnaire (all of them, opted out included)
    with their states, their reminders and ``reminder_block``."""
    today = today or timezone.localdate()
    return (
        _respondent_states(Respondent.objects.filter(campaign=campaign))
        .annotate(reminder_count=F("reminders_sent"), last_reminder_at=F("last_reminded_at"))
        .annotate(
            reminder_block=_block(
                campaign,
                today,
                submitted=Q(response_status=ResponseStatus.SUBMITTED)
                | Q(status=RespondentStatus.COMPLETED),
                count="reminders_sent",
                last="last_reminded_at",
                extra=[
                    When(
                        Q(status=RespondentStatus.OPTED_OUT) | Q(opted_out_at__isnull=False),
                        then=Value(Block.OPTED_OUT),
                    ),
                    When(status=RespondentStatus.BOUNCED, then=Value(Block.BOUNCED)),
                    When(invited_at__isnull=True, then=Value(Block.NOT_INVITED)),
                ],
            )
        )
    )


def respondents_to_remind(campaign, period: str, today=None) -> list[int]:
    """The ids of the respondents a reminder of ``period`` may go to now (one query,
    however many thousands of respondents)."""
    recorded = SentReminder.objects.filter(
        rule=RESPONDENT_RULE,
        period=period,
        target=Concat(Value("surveys.respondent:"), Cast(OuterRef("pk"), output_field=CharField())),
    )
    return list(
        respondent_rows(campaign, today)
        .filter(reminder_block=Block.NONE)
        .exclude(Exists(recorded))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def rows_for(campaign, today=None):
    return (
        respondent_rows(campaign, today) if campaign.is_external else platform_rows(campaign, today)
    )


def blocks_of(campaign, pks, today=None) -> dict[int, str]:
    """{pk: reminder_block} of the given platforms or respondents (one query); a pk
    that is not a row of the campaign is absent."""
    return dict(rows_for(campaign, today).filter(pk__in=pks).values_list("pk", "reminder_block"))


# The tracking page ----------------------------------------------------------------------


def tracking_summary(campaign) -> tuple[dict, list[dict]]:
    """The response rate and the states of the expected answers, in total and by
    region: one GROUP BY query (the total adds up its few region rows). Each region
    row has its ``region_id``, so that the list's count is read from them
    (``count_from_summary``)."""
    if campaign.is_external:
        rows = _respondent_states(expected_respondents(campaign))
    else:
        rows = _platform_states(campaign)
    regions = [
        {**group, "not_started": group["expected"] - group["submitted"] - group["draft"]}
        for group in rows.order_by()
        .values("region_id", "region_name")
        .annotate(
            expected=Count("pk"),
            submitted=Count("pk", filter=Q(response_status=ResponseStatus.SUBMITTED)),
            draft=Count("pk", filter=Q(response_status=ResponseStatus.DRAFT)),
        )
        .order_by(French("region_name"), "region_id")
    ]
    summary = {
        key: sum(region[key] for region in regions)
        for key in ("expected", "submitted", "draft", "not_started")
    }
    summary["rate"] = (
        round(100 * summary["submitted"] / summary["expected"]) if summary["expected"] else 0
    )
    return summary, regions


SUMMARY_TIMEOUT = 10 * 60


def cached_tracking_summary(campaign) -> tuple[dict, list[dict]]:
    """``tracking_summary``, kept in the cache under the survey results' generation
    (any response, respondent, campaign or platform saved: ``surveys/signals.py``) and
    the directory's (regions and departments too: ``members.caches``), so that the
    page does not aggregate every expected platform or respondent at each visit."""
    from django.core.cache import cache

    from members import caches as platform_cache

    from .results import cache as results_cache

    platforms, storable = platform_cache.generation()
    key = f"surveys:tracking:1:{campaign.pk}:{results_cache.generation()}:{platforms}"
    try:
        value = cache.get(key)
    except Exception:  # noqa: BLE001 - an entry that does not load is a miss
        value = None
    if value is None:
        value = tracking_summary(campaign)
        if storable:
            cache.set(key, value, timeout=SUMMARY_TIMEOUT)
    return value


def count_from_summary(campaign, regions, *, region=None, status=None) -> int | None:
    """The number of rows of the list (``tracking_page``) read from the summary's region
    rows, without a query; None for an external questionnaire, whose list holds every
    respondent (opted out included) and its summary the expected ones only."""
    if campaign.is_external:
        return None
    keys = _status_keys(status)
    return sum(
        row[key] for row in regions if region is None or row["region_id"] == region for key in keys
    )


def _status_filter(rows, status):
    if status in STATUS_FILTERS:
        return rows.filter(response_status=status)
    return rows.exclude(response_status=ResponseStatus.SUBMITTED)


PLATFORM_COLUMNS = (
    "pk",
    "name",
    "slug",
    "region_name",
    "response_status",
    "last_activity",
    "submitted_at",
    "reminder_count",
    "last_reminder_at",
    "reminder_block",
)
RESPONDENT_COLUMNS = (
    "pk",
    "email",
    "organisation",
    "language",
    "status",
    "invited_at",
    "region_name",
    "response_status",
    "last_activity",
    "reminder_count",
    "last_reminder_at",
    "reminder_block",
)


def _status_keys(status) -> tuple[str, ...]:
    """The summary's columns that count the rows of the list of `status`."""
    return {
        ResponseStatus.NOT_STARTED: ("not_started",),
        ResponseStatus.DRAFT: ("draft",),
        ResponseStatus.SUBMITTED: ("submitted",),
    }.get(status, ("not_started", "draft"))  # pending: every non-respondent


def _page_regions(regions, status, offset, per_page) -> tuple[list[int], int]:
    """The regions whose rows hold the page that starts at `offset` of the platforms'
    list (sorted by region name first), and the page's offset among their rows, from
    the summary's region rows (in the same order, each with its counts). Regions of the
    same name are taken together: the list mixes their platforms by name."""
    keys = _status_keys(status)
    blocks = []  # [name, [region ids], rows]
    for row in regions:
        rows = sum(row[key] for key in keys)
        if blocks and blocks[-1][0] == row["region_name"]:
            blocks[-1][1].append(row["region_id"])
            blocks[-1][2] += rows
        else:
            blocks.append([row["region_name"], [row["region_id"]], rows])
    chosen, before, seen = [], 0, 0
    for _name, ids, rows in blocks:
        if seen + rows > offset and seen < offset + per_page:
            if not chosen:
                before = seen
            chosen.extend(ids)
        seen += rows
    return chosen, offset - before


def tracking_page(
    campaign,
    *,
    region=None,
    status=None,
    number=None,
    per_page=PAGE_SIZE,
    count=None,
    regions=None,
):
    """A page of the list (non-respondents by default, or those of ``status``) as plain
    rows: the count of the matching rows (``count`` when the caller read it from the
    summary, else one query without subquery) and the page's rows in one query, whose
    reminders and reminder block are computed for those rows only (the rows are chosen
    by a subquery first: PostgreSQL otherwise hashes every platform's people to answer
    "anyone to remind?" for fifty rows). Respondents come in the order of the
    (campaign, lower(email)) unique index, so a page of 100,000 is an index scan.

    Platforms come by region name first: with the summary's region rows (``regions``,
    with ``count`` read from them), the page is chosen among the platforms of the one or
    two regions that hold it, through the departments' index, rather than by sorting
    every expected platform of a federation (4,400) to keep fifty."""
    rows = _status_filter(rows_for(campaign), status)
    if region is not None:
        rows = rows.filter(region_id=region)
    if campaign.is_external:
        # lower(email) is unique in a campaign: a stable order on its own.
        order, columns = (Lower("email"),), RESPONDENT_COLUMNS
    else:
        order, columns = (French("region_name"), French("name"), "pk"), PLATFORM_COLUMNS
    rows = rows.order_by(*order)
    paginator = Paginator(rows, per_page)
    paginator.count = rows.count() if count is None else count
    try:
        number = max(min(int(number), paginator.num_pages), 1)
    except (TypeError, ValueError):
        number = 1
    offset = (number - 1) * per_page
    page = []
    ids = None  # the regions whose platforms hold the page
    if not campaign.is_external and paginator.count:
        if region is not None:
            ids = [region]
        elif regions is not None and count is not None:
            ids, offset = _page_regions(regions, status, offset, per_page)
    if ids is not None:
        departments = Department.objects.filter(region__in=ids).order_by().values("pk")
        rows = rows.filter(AmongIds(F("department"), departments))
    if paginator.count:
        chosen = rows.values("pk")[offset : offset + per_page]
        # The same rows, narrowed to the page's (building them again costs more).
        page = list(rows.filter(pk__in=Subquery(chosen)).values(*columns))
    labels = dict(ResponseStatus.choices)
    respondent_labels = dict(RespondentStatus.choices)
    for row in page:
        row["response_status_label"] = labels.get(row["response_status"], "")
        row["block_label"] = Block.LABELS.get(row["reminder_block"], "")
        row["label"] = row.get("name") or row.get("organisation") or row.get("email")
        if "status" in row:
            row["status_label"] = respondent_labels.get(row["status"], "")
    return Page(page, number, paginator)


def region_choices() -> list[tuple[int, str]]:
    return list(Region.objects.current().order_by(French("name"), "pk").values_list("pk", "name"))
