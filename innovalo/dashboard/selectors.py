"""The national dashboard's figures, read from every app in a fixed number of queries.

Each reader below is one query (or one statement), whatever the number of platforms,
years or responses: the totals are GROUP BYs and conditional counts computed by the
database; Python only arranges the few dozen groups they return. The years are the
columns of one aggregate (a conditional count per year), so more years add
expressions to a query, never queries.

A platform is *labelled in a year* when its label's dates (``label_granted_on`` to
``label_expires_on``) cross that year; a label with no date counts every year while it
is held. Only the current label's dates are kept (not the earlier labels'), which the
method section says.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import BooleanField, Count, ExpressionWrapper, Q, Sum
from django.db.models.functions import ExtractYear
from django.utils import timezone

from meetings.enums import ActionStatus, Attendance, MeetingKind, MeetingStatus
from meetings.models import ActionItem, Meeting, MeetingInvitation
from members.enums import DuesStatus, LabelStatus
from members.models import Domain, DuesLine, Platform, Region
from members.models.dues import CLOSED
from members.models.platforms import REVIEW_PERIOD
from projects.enums import ProjectStage
from projects.models import Call, Project, ProjectPartner
from projects.models.calls import CLOSING_SOON_DAYS
from surveys.enums import CampaignKind
from surveys.models import Campaign, Question, Response
from surveys.selectors.results import NO_FILTERS, SUBMITTED, TREND_TYPES, Filters
from surveys.selectors.results.answers import answer_figures
from surveys.selectors.results.regions import expected_by_region, region_indicators

FIRST_YEAR = 2016  # the association's first dues, and the dashboard's first year
CURRENT_LABELS = (LabelStatus.LABELLED, LabelStatus.RENEWAL)  # as surveys' EXPECTED_LABELS
HELD_LABELS = (*CURRENT_LABELS, LabelStatus.EXPIRED)
LOST_LABELS = (LabelStatus.EXPIRED, LabelStatus.NOT_LABELLED)
HELD_MEETINGS = (MeetingStatus.HELD, MeetingStatus.MINUTES_DRAFTED, MeetingStatus.MINUTES_PUBLISHED)
ATTENDED = (Attendance.PRESENT, Attendance.REPRESENTED)
EXPIRING_DAYS = 365


def dashboard_years(today=None) -> list[int]:
    today = today or timezone.localdate()
    return list(range(FIRST_YEAR, max(today.year, FIRST_YEAR) + 1))


def current_regions() -> list:
    """The current regions, in the tile map's order (one query)."""
    return list(
        Region.objects.current()
        .only("pk", "name", "slug", "code", "tile_col", "tile_row")
        .order_by("tile_row", "tile_col", "pk")
    )


# Network ----------------------------------------------------------------------------------


def labelled_in(year, prefix="") -> Q:
    """Platforms labelled at some time in ``year`` (``prefix``: the path from another model)."""
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)

    def at(name):
        return prefix + name

    dated = Q(**{at("label_granted_on__lte"): end}) & (
        Q(**{at("label_expires_on__isnull"): True}) | Q(**{at("label_expires_on__gte"): start})
    )
    undated = Q(**{at("label_granted_on__isnull"): True, at("label_status__in"): CURRENT_LABELS})
    return Q(**{at("label_status__in"): HELD_LABELS}) & (dated | undated)


def _platforms(region_id):
    platforms = Platform.objects.order_by()
    if region_id:
        platforms = platforms.filter(department__region_id=region_id)
    return platforms


@dataclass
class Network:
    labelled: dict  # {year: platforms labelled that year}
    new: dict  # {year: labels granted that year}
    lost: dict  # {year: labels that ran out that year and were not renewed}
    current: int  # platforms labelled today (labelled or in renewal)
    expiring: int  # of which the label runs out within 12 months
    reviewed: int  # of which the profile was reviewed within 12 months


def network(years, region_id=None, today=None) -> Network:
    """The platforms' labels per year and today: one GROUP BY (label status, years of
    the label's grant and expiry, expiring soon, reviewed lately), a few dozen groups
    that the years add up."""
    today = today or timezone.localdate()
    soon = today + datetime.timedelta(days=EXPIRING_DAYS)
    expiring = Q(label_expires_on__gte=today, label_expires_on__lt=soon)
    reviewed = Q(reviewed_at__gte=timezone.now() - REVIEW_PERIOD)
    groups = (
        _platforms(region_id)
        .annotate(
            granted=ExtractYear("label_granted_on"),
            expires=ExtractYear("label_expires_on"),
            expiring=ExpressionWrapper(expiring, output_field=BooleanField()),
            reviewed=ExpressionWrapper(reviewed, output_field=BooleanField()),
        )
        .values_list("label_status", "granted", "expires", "expiring", "reviewed")
        .annotate(n=Count("pk"))
    )
    result = Network(
        labelled=dict.fromkeys(years, 0),
        new=dict.fromkeys(years, 0),
        lost=dict.fromkeys(years, 0),
        current=0,
        expiring=0,
        reviewed=0,
    )
    for status, granted, expires, is_expiring, is_reviewed, n in groups:
        if status in CURRENT_LABELS:
            result.current += n
            result.expiring += n if is_expiring else 0
            result.reviewed += n if is_reviewed else 0
        if status in LOST_LABELS and expires in result.lost:
            result.lost[expires] += n
        if status not in HELD_LABELS:
            continue
        if granted in result.new:
            result.new[granted] += n
        if granted is None and status not in CURRENT_LABELS:
            continue  # an expired label with no date: when it was held is unknown
        for year in years:
            if (granted is None or granted <= year) and (expires is None or expires >= year):
                result.labelled[year] += n
    return result


def labelled_by_region(year) -> dict:
    """{region id: platforms labelled in ``year``}, every region (one query)."""
    rows = (
        Platform.objects.order_by()
        .values_list("department__region_id")
        .annotate(n=Count("pk", filter=labelled_in(year)))
    )
    return dict(rows)


def labelled_by_domain(year, region_id=None) -> list[tuple]:
    """[(domain, platforms labelled in ``year``)], every domain, most first (one query)."""
    condition = labelled_in(year, "platforms__")
    if region_id:
        condition &= Q(platforms__department__region_id=region_id)
    domains = Domain.objects.annotate(n=Count("platforms", filter=condition, distinct=True))
    domains = domains.only("pk", "name", "slug").order_by("-n", "name")
    return [(domain, domain.n) for domain in domains]


# Membership -------------------------------------------------------------------------------


@dataclass
class DuesYear:
    year: int
    expected: int = 0  # lines the association expects money from (neither exempt nor cancelled)
    paid: int = 0  # paid in full
    paying: int = 0  # paid in full or in part
    called_amount: object = 0  # the bureau's only
    received_amount: object = 0


def _dues_totals(rows, key) -> dict:
    """{key: DuesYear} from (key, status, count, due, paid) groups (a few dozen)."""
    totals = {}
    for group_key, status, count, due, paid in rows:
        total = totals.setdefault(group_key, DuesYear(year=group_key))
        if status in CLOSED:
            continue
        total.expected += count
        total.paid += count if status == DuesStatus.PAID else 0
        total.paying += count if status in (DuesStatus.PAID, DuesStatus.PARTLY_PAID) else 0
        total.called_amount += due or 0
        total.received_amount += paid or 0
    return totals


def dues_by_year(years, region_id=None) -> dict:
    """{year: DuesYear} since FIRST_YEAR (one GROUP BY year, status). The paid rate is the
    dues board's: lines paid among the lines expected (11 of 44 in 2016)."""
    lines = DuesLine.objects.order_by().filter(year__gte=years[0], year__lte=years[-1])
    if region_id:
        lines = lines.filter(platform__department__region_id=region_id)
    rows = lines.values_list("year", "status").annotate(
        n=Count("pk"), due=Sum("amount_due"), paid=Sum("paid_amount")
    )
    totals = _dues_totals(rows, "year")
    return {year: totals.get(year, DuesYear(year=year)) for year in years}


def dues_by_region(year) -> dict:
    """{region id: DuesYear} of ``year``, every region (one GROUP BY region, status)."""
    rows = (
        DuesLine.objects.order_by()
        .filter(year=year)
        .values_list("platform__department__region_id", "status")
        .annotate(n=Count("pk"), due=Sum("amount_due"), paid=Sum("paid_amount"))
    )
    return _dues_totals(rows, "region")


# Impact (the platform survey) -------------------------------------------------------------


@dataclass
class Impact:
    campaigns: dict  # {year: Campaign} the viewer may see the results of
    questions: dict  # {code: [(Campaign, Question)]} the ministry indicators, oldest first
    stats: dict  # {question id: {n, total, median...}} (the region filter applied)
    submitted: dict  # {year: submitted responses} (the region filter applied)
    outside: dict  # {year: of which from platforms not labelled today}
    campaign: object  # the chosen year's campaign, or None
    indicators: list  # its indicators totalled per region
    figures: object  # its figures per region (every region), for ``region_rows``


def survey_campaigns(visible) -> dict:
    """{year: the year's platform survey} the viewer may see the results of (one query):
    the latest of the year."""
    chosen = {}
    for campaign in Campaign.objects.filter(kind=CampaignKind.PLATFORM_SURVEY).order_by(
        "year", "pk"
    ):
        if visible(campaign):
            chosen[campaign.year] = campaign
    return chosen


def impact(year, region_id, visible) -> Impact:
    """The ministry indicators of the platform surveys per year, the responses per year,
    and the chosen year's figures per region: four queries (campaigns, questions, the
    responses per year, the answers' figures), five with a region chosen (the figures per
    region are every region's)."""
    campaigns = survey_campaigns(visible)
    by_pk = {campaign.pk: campaign for campaign in campaigns.values()}
    questions = defaultdict(list)
    rows = (
        Question.objects.filter(
            campaign_id__in=list(by_pk), is_ministry_indicator=True, type__in=TREND_TYPES
        )
        .select_related("section")
        .order_by("campaign__year", "section__order", "order", "pk")
    )
    for question in rows:
        questions[question.code].append((by_pk[question.campaign_id], question))
    responses = Response.objects.order_by().filter(status=SUBMITTED, campaign_id__in=list(by_pk))
    if region_id:
        responses = responses.filter(platform__department__region_id=region_id)
    counts = responses.values_list("campaign__year").annotate(
        n=Count("pk"), outside=Count("pk", filter=~Q(platform__label_status__in=CURRENT_LABELS))
    )
    submitted, outside = {}, {}
    for campaign_year, n, out in counts:
        submitted[campaign_year], outside[campaign_year] = n, out

    campaign = campaigns.get(year)
    chosen = [question for pairs in questions.values() for _c, question in pairs]
    indicators = region_indicators([q for q in chosen if campaign and q.campaign_id == campaign.pk])
    stat_ids = [q.pk for q in chosen]
    filters = Filters(region=region_id) if region_id else NO_FILTERS
    regional = {}
    if campaign is not None:
        regional = {
            "regional": [q.pk for q in indicators],
            "submitted_in": campaign.pk,
            "per_region": {"expected": expected_by_region(campaign, NO_FILTERS)},
        }
    if region_id or not regional:
        stats = answer_figures(filters, list(by_pk), stats=stat_ids).stats if stat_ids else {}
        per_region = answer_figures(NO_FILTERS, [campaign.pk], **regional) if regional else None
    else:
        per_region = answer_figures(NO_FILTERS, list(by_pk), stats=stat_ids, **regional)
        stats = per_region.stats
    return Impact(
        campaigns=campaigns,
        questions=dict(questions),
        stats=stats,
        submitted=submitted,
        outside=outside,
        campaign=campaign,
        indicators=indicators,
        figures=per_region,
    )


# Calls and projects -----------------------------------------------------------------------


def calls_now(now=None) -> dict:
    """Published calls open today, of which closing within CLOSING_SOON_DAYS (one query)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    started = Q(opens_on__isnull=True) | Q(opens_on__lte=today)
    soon = now + datetime.timedelta(days=CLOSING_SOON_DAYS)
    is_open = started & (Q(open_all_year=True) | Q(next_deadline__isnull=False))
    return (
        Call.objects.published()
        .with_next_deadline(now)
        .order_by()
        .aggregate(
            open=Count("pk", filter=is_open),
            closing=Count("pk", filter=started & Q(next_deadline__lte=soon)),
        )
    )


def _projects(region_id):
    projects = Project.objects.order_by()
    if region_id:
        projects = projects.filter(lead_platform__department__region_id=region_id)
    return projects


def projects_by_stage(region_id=None) -> dict:
    """{stage: projects} (one query; the region is the lead platform's)."""
    return dict(_projects(region_id).values_list("stage").annotate(n=Count("pk")))


@dataclass
class ProjectYear:
    year: int
    submitted: int
    won: int
    obtained: object  # the amounts obtained by the projects won that year


def projects_by_year(years, region_id=None) -> dict:
    """{year: ProjectYear}: projects submitted that year, won (decided) that year, and the
    amounts the partners obtained for them (two GROUP BYs)."""
    result = {year: ProjectYear(year=year, submitted=0, won=0, obtained=0) for year in years}
    won = ExpressionWrapper(Q(stage=ProjectStage.WON), output_field=BooleanField())
    groups = (
        _projects(region_id)
        .annotate(sent=ExtractYear("submitted_on"), decided=ExtractYear("decided_on"), won=won)
        .values_list("sent", "decided", "won")
        .annotate(n=Count("pk"))
    )
    for sent, decided, is_won, n in groups:
        if sent in result:
            result[sent].submitted += n
        if is_won and decided in result:
            result[decided].won += n
    partners = ProjectPartner.objects.order_by().filter(project__stage=ProjectStage.WON)
    if region_id:
        partners = partners.filter(project__lead_platform__department__region_id=region_id)
    amounts = (
        partners.annotate(decided=ExtractYear("project__decided_on"))
        .values_list("decided")
        .annotate(total=Sum("amount_obtained"))
    )
    for decided, total in amounts:
        if decided in result:
            result[decided].obtained = total or 0
    return result


# Meetings ---------------------------------------------------------------------------------


@dataclass
class MeetingYear:
    year: int
    meetings: int  # the association's meetings convened or held (no steering committee)
    invited: int  # platforms' people invited to those held
    attended: int  # of which present or represented
    platforms: int  # platforms represented (someone present or represented)


def meetings_by_year(years, region_id=None) -> dict:
    """{year: MeetingYear} (two GROUP BY year; the region is the invited people's
    platform's)."""
    result = {
        year: MeetingYear(year=year, meetings=0, invited=0, attended=0, platforms=0)
        for year in years
    }
    association = ~Q(kind=MeetingKind.STEERING_COMMITTEE) & ~Q(status=MeetingStatus.DRAFT)
    meetings = (
        Meeting.objects.order_by()
        .filter(association)
        .annotate(year=ExtractYear("start"))
        .values_list("year")
        .annotate(n=Count("pk"))
    )
    for year, n in meetings:
        if year in result:
            result[year].meetings = n
    invitations = MeetingInvitation.objects.order_by().filter(
        ~Q(meeting__kind=MeetingKind.STEERING_COMMITTEE),
        meeting__status__in=HELD_MEETINGS,
        platform__isnull=False,
    )
    if region_id:
        invitations = invitations.filter(platform__department__region_id=region_id)
    attended = Q(attendance__in=ATTENDED)
    rows = (
        invitations.annotate(year=ExtractYear("meeting__start"))
        .values_list("year")
        .annotate(
            invited=Count("pk"),
            attended=Count("pk", filter=attended),
            platforms=Count("platform", filter=attended, distinct=True),
        )
    )
    for year, invited, present, platforms in rows:
        if year in result:
            line = result[year]
            line.invited, line.attended, line.platforms = invited, present, platforms
    return result


def actions_now(today=None) -> dict:
    """The association's actions still open, of which overdue (one query)."""
    today = today or timezone.localdate()
    is_open = Q(status=ActionStatus.OPEN)
    return (
        ActionItem.objects.order_by()
        .filter(~Q(meeting__kind=MeetingKind.STEERING_COMMITTEE))
        .aggregate(
            open=Count("pk", filter=is_open),
            overdue=Count("pk", filter=is_open & Q(due_date__lt=today)),
        )
    )
