"""Survey reminders: the daily job and the bureau's reminders by hand, within each
campaign's limits (days before closing, maximum number, minimum delay).

**When.** Only while the campaign is open, from its opening to its closing day
included (answers are accepted until then). The job sends the reminder of the latest
reminder day reached: with days [14, 7, 2] and a closing on the 30th, the "14" reminder
goes on the 16th (or on the next run if the job did not run that day, until the 23rd,
when the "7" reminder takes over). A reminder day that falls on or before the opening
is never sent. The bureau reminds by hand any day the campaign is open.

**Whom.** ``selectors.tracking``: the platforms expected to answer (labelled or in
renewal, ``selectors.expected``) that have not submitted, through their directors and
staff; the respondents invited that have neither completed, opted out nor bounced.
Never more than ``max_reminders`` per target and campaign (reminders by hand
included), never two within ``min_days_between_reminders`` calendar days.

**Once.** Each reminder is a row of the outbox (``SentReminder``) keyed by (rule,
target, period): rule ``survey_reminder_platform`` or ``survey_reminder_respondent``,
target the platform or the respondent, period ``"<campaign>:<days>"`` for the job and
``"<campaign>:manual:<date>"`` by hand. Reminders are recorded by batches, each in a
short transaction that first locks its targets' rows and re-reads their limits, so a
second run, a retry, two workers at once or a double click send nothing twice (the
lock makes the second see the first's rows: the same key is "already", another key
"too soon"; the unique key stays the last guard); each email leaves after the commit,
through the outbox's ``deliver`` (the job) or its delivery task (by hand), with no
lock held during the SMTP exchange.
"""

import datetime
import logging
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from innovalo.audit import log_action
from innovalo.emails import send_templated_email
from innovalo.exceptions import ServiceError
from innovalo.models import SentReminder
from innovalo.reminders import SkipEmail, deliver, email_rule
from innovalo.tasks import deliver_email, enqueue
from members.models import Platform

from ..enums import CampaignStatus, RespondentStatus, ResponseStatus
from ..models import Campaign, Respondent, Response
from ..selectors import tracking as selectors
from ..selectors.tracking import PLATFORM_RULE, REMINDED_ROLES, RESPONDENT_RULE, Block

logger = logging.getLogger(__name__)

# A POST by hand names at most this many targets (a page of the list is 50).
MAX_BY_HAND = 500
# The job records its reminders by batches of this many targets (one transaction each).
BATCH = 200


def reminder_days(campaign) -> list[int]:
    """The campaign's reminder days (days before closing), valid ones only, largest
    first: [14, 7, 2]."""
    days = set()
    for value in campaign.reminder_days or []:
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 366:
            days.add(value)
    return sorted(days, reverse=True)


def reminders_open(campaign, today=None) -> bool:
    """Reminders may go: the campaign is open and its closing day has not passed."""
    today = today or timezone.localdate()
    return campaign.status == CampaignStatus.OPEN and campaign.opens_on <= today <= (
        campaign.closes_on
    )


def due_reminder_day(campaign, today=None) -> int | None:
    """The reminder day whose reminder is due today (the latest reached), or None."""
    today = today or timezone.localdate()
    if not reminders_open(campaign, today):
        return None
    due = None
    for days in reminder_days(campaign):  # largest first: the latest reached wins
        day = campaign.closes_on - datetime.timedelta(days=days)
        if campaign.opens_on < day <= today:
            due = days
    return due


def _target(rule, pk) -> str:
    return f"{'members.platform' if rule == PLATFORM_RULE else 'surveys.respondent'}:{pk}"


def _record(campaign, rule, pks, period, today, actor) -> tuple[list[SentReminder], Counter]:
    """Record the reminders of ``pks`` that may go now, in one transaction: the targets'
    rows are locked (in id order), their blocks re-read, the outbox rows inserted and the
    respondents' counters updated. Returns (the rows recorded, {why not: how many}).

    Every writer of these keys holds the target's lock, so a key already recorded is
    seen here (``ALREADY``) rather than met as a unique violation; the unique key
    stays the last guard (a violation records nothing of the batch)."""
    model = Platform if rule == PLATFORM_RULE else Respondent
    skipped = Counter()
    with transaction.atomic():
        locked = list(
            model.objects.select_for_update()
            .filter(pk__in=pks)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        blocks = selectors.blocks_of(campaign, locked, today)
        targets = {}
        for pk in pks:
            block = blocks.get(pk, Block.UNKNOWN)
            if block == Block.NONE:
                targets[_target(rule, pk)] = pk
            else:
                skipped[block] += 1
        recorded = set(
            SentReminder.objects.filter(rule=rule, period=period, target__in=targets).values_list(
                "target", flat=True
            )
        )
        skipped[Block.ALREADY] += len(recorded)
        new = [
            SentReminder(rule=rule, target=target, period=period, sent_by=actor)
            for target in targets
            if target not in recorded
        ]
        try:
            with transaction.atomic():
                records = SentReminder.objects.bulk_create(new)
        except IntegrityError:
            logger.warning("survey %s: reminders %s recorded meanwhile", campaign.pk, period)
            skipped[Block.ALREADY] += len(new)
            return [], skipped
        if rule == RESPONDENT_RULE and records:
            Respondent.objects.filter(pk__in=[targets[r.target] for r in records]).update(
                reminders_sent=F("reminders_sent") + 1, last_reminded_at=timezone.now()
            )
    return records, skipped


def survey_send_due_reminders(today=None) -> int:
    """The daily job: each open campaign's due reminder to each target that may be
    reminded (selected in one query per campaign), recorded by batches, then sent one by
    one through the outbox. Returns how many emails were sent."""
    today = today or timezone.localdate()
    sent = 0
    campaigns = Campaign.objects.filter(
        status=CampaignStatus.OPEN, opens_on__lte=today, closes_on__gte=today
    ).order_by("pk")
    for campaign in campaigns:
        days = due_reminder_day(campaign, today)
        if days is None:
            continue
        period = f"{campaign.pk}:{days}"
        if campaign.is_external:
            rule, pks = RESPONDENT_RULE, selectors.respondents_to_remind(campaign, period, today)
        else:
            rule, pks = PLATFORM_RULE, selectors.platforms_to_remind(campaign, period, today)
        for start in range(0, len(pks), BATCH):
            records, _skipped = _record(
                campaign, rule, pks[start : start + BATCH], period, today, None
            )
            sent += sum(deliver(record.pk) for record in records)
        logger.info(
            "survey %s: reminder %s days before closing, %s targets", campaign.pk, days, len(pks)
        )
    return sent


@dataclass
class RemindReport:
    """What a reminder by hand did: how many reminded, how many skipped and why."""

    reminded: int = 0
    skipped: Counter = field(default_factory=Counter)

    @property
    def skipped_count(self) -> int:
        return sum(self.skipped.values())

    def reasons(self) -> list[tuple[str, int]]:
        """[(why, how many)] in a stable order, for the page's message."""
        return [
            (str(label), self.skipped[block])
            for block, label in Block.LABELS.items()
            if self.skipped[block]
        ]


def survey_remind_by_hand(*, campaign, pks, actor, today=None) -> RemindReport:
    """Remind the platforms (platform survey) or respondents (external questionnaire)
    the bureau ticked, within the campaign's limits; each is skipped with its reason
    when it may not be reminded. A double click sends nothing twice (the period is the
    day). The emails leave after the commit (the outbox's delivery task)."""
    today = today or timezone.localdate()
    if not reminders_open(campaign, today):
        raise ServiceError(_("La campagne n'est pas ouverte : aucune relance possible."))
    pks = sorted({int(pk) for pk in pks})
    if not pks:
        raise ServiceError(_("Cochez au moins une ligne à relancer."), field="targets")
    if len(pks) > MAX_BY_HAND:
        raise ServiceError(
            _("Relancez au plus %(max)s lignes à la fois.") % {"max": MAX_BY_HAND},
            field="targets",
        )
    rule = RESPONDENT_RULE if campaign.is_external else PLATFORM_RULE
    period = f"{campaign.pk}:manual:{today.isoformat()}"
    report = RemindReport()
    with transaction.atomic():
        records, report.skipped = _record(campaign, rule, pks, period, today, actor)
        report.reminded = len(records)
        for record in records:
            enqueue(deliver_email, record.pk)
        if report.reminded:
            log_action(
                campaign,
                "surveys.reminded_by_hand",
                actor=actor,
                scope=campaign,
                message=_("Relance à la main : %(count)s") % {"count": report.reminded},
                changes={"reminded": ["", report.reminded], "skipped": ["", report.skipped_count]},
            )
    return report


# Senders --------------------------------------------------------------------------------


def _campaign_of(record) -> Campaign | None:
    campaign_pk, _sep, _rest = record.period.partition(":")
    if not campaign_pk.isdigit():
        return None
    return Campaign.objects.filter(pk=int(campaign_pk)).first()


def _days_left(campaign) -> int:
    return max((campaign.closes_on - timezone.localdate()).days, 0)


@email_rule(PLATFORM_RULE)
def send_platform_reminder(record) -> list[str]:
    """Remind a platform's directors and staff of a survey they have not submitted.
    Nothing is sent when the campaign closed, the response was submitted meanwhile, or
    the platform has nobody to remind any more."""
    campaign = _campaign_of(record)
    platform = record.target_object
    if campaign is None or platform is None or not reminders_open(campaign):
        raise SkipEmail
    response = Response.objects.filter(campaign=campaign, platform=platform).first()
    if response is not None and response.status == ResponseStatus.SUBMITTED:
        raise SkipEmail
    recipients = sorted(platform.people_emails(*REMINDED_ROLES))
    if not recipients:
        raise SkipEmail
    url = settings.SITE_URL + reverse("survey_response", args=[campaign.pk, platform.slug])
    send_templated_email(
        "survey_reminder_platform",
        recipients,
        {
            "campaign": campaign,
            "platform": platform,
            "draft": response is not None and response.status == ResponseStatus.DRAFT,
            "response_url": url,
            "days_left": _days_left(campaign),
        },
    )
    return recipients


@email_rule(RESPONDENT_RULE)
def send_respondent_reminder(record) -> list[str]:
    """Remind a respondent of a questionnaire not completed, with the token link and
    the one-click opt-out; in English when the respondent's language is English.
    Nothing is sent when the campaign closed or the respondent completed, opted out
    or bounced meanwhile."""
    from .respondents import respondent_link, respondent_opt_out_link, unsubscribe_headers

    _label, _sep, pk = record.target.partition(":")
    respondent = (
        Respondent.objects.select_related("campaign", "response").filter(pk=int(pk)).first()
        if pk.isdigit()
        else None
    )
    if respondent is None:
        raise SkipEmail
    campaign = respondent.campaign
    response = getattr(respondent, "response", None)
    if (
        not reminders_open(campaign)
        or respondent.status
        in (RespondentStatus.COMPLETED, RespondentStatus.OPTED_OUT, RespondentStatus.BOUNCED)
        or respondent.opted_out_at is not None
        or (response is not None and response.status == ResponseStatus.SUBMITTED)
    ):
        raise SkipEmail
    english = respondent.language == "en"
    send_templated_email(
        "survey_reminder_respondent_en" if english else "survey_reminder_respondent",
        [respondent.email],
        {
            "campaign": campaign,
            "respondent": respondent,
            "started": response is not None and response.status == ResponseStatus.DRAFT,
            "link": respondent_link(respondent),
            "opt_out_link": respondent_opt_out_link(respondent),
            "days_left": _days_left(campaign),
        },
        language="en" if english else "fr",
        headers=unsubscribe_headers(respondent),
    )
    return [respondent.email]
