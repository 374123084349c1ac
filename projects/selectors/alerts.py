"""Reads of the calls watch's reminders and alerts: the followed deadlines due for a
reminder, the saved searches due for a digest and what each digest holds, and the
"my alerts" page with each search's filters in words."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from innovalo.french import French
from innovalo.perms import is_bureau

from ..enums import CallState, CallStatus, Frequency
from ..filters import DEFAULTS, CallFilter, load_choices
from ..models import Call, CallDeadline, Funder, SavedSearch

# Reminders of a followed call's deadline: so many days before it, smallest first.
DEADLINE_STEPS = (1, 7, 30)


def deadline_step(due_at, now) -> int | None:
    """The reminder due for a deadline at ``due_at``: the smallest step reached (a
    missed 30-day reminder is not sent once the 7-day one is due), None when the
    deadline has passed or is more than 30 days ahead."""
    left = due_at - now
    if left <= datetime.timedelta(0):
        return None
    for days in DEADLINE_STEPS:
        if left <= datetime.timedelta(days=days):
            return days
    return None


def deadline_reminders_due(now) -> list[tuple[int, datetime.datetime, int, int]]:
    """(call id, deadline, user id, step) for each deadline of a published call ahead
    within 30 days, for each active person following the call; one query."""
    horizon = now + datetime.timedelta(days=max(DEADLINE_STEPS))
    rows = (
        CallDeadline.objects.filter(
            call__status=CallStatus.PUBLISHED,
            due_at__gt=now,
            due_at__lte=horizon,
            call__follows__user__is_active=True,
        )
        .order_by("due_at", "call_id", "call__follows__user_id")
        .values_list("call_id", "due_at", "call__follows__user_id")
        .distinct()
    )
    return [(call_id, due, user_id, deadline_step(due, now)) for call_id, due, user_id in rows]


# Digests ------------------------------------------------------------------------------------

# Digests leave from this hour on (local time), so that they arrive in the morning.
DIGEST_HOUR = 7
# A weekly digest goes on Mondays, when the last one is older than this (a day's margin
# for a job that ran at 9:05 last Monday and at 7:05 today).
WEEKLY_GAP = datetime.timedelta(days=6)


def searches_due(now):
    """The active saved searches whose digest may go now, with their person.

    - Nothing before ``DIGEST_HOUR`` (local time).
    - Daily: not yet sent today (local day): several runs a day send one digest.
    - Weekly: on Mondays, when none was sent for ``WEEKLY_GAP``.
    """
    local = timezone.localtime(now)
    if local.hour < DIGEST_HOUR:
        return SavedSearch.objects.none()
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    due = Q(frequency=Frequency.DAILY) & (
        Q(last_sent_at__isnull=True) | Q(last_sent_at__lt=midnight)
    )
    if local.weekday() == 0:
        due |= Q(frequency=Frequency.WEEKLY) & (
            Q(last_sent_at__isnull=True) | Q(last_sent_at__lte=now - WEEKLY_GAP)
        )
    return (
        SavedSearch.objects.active()
        .filter(due, user__is_active=True)
        .select_related("user")
        .order_by("pk")
    )


# Digests wait this long after a call's publication or its dates' change: a transaction
# still open (an import of many rows) when the job runs commits its calls with a
# ``published_at`` from before the job; they are told in the next digest, never lost.
SETTLE = datetime.timedelta(minutes=10)
# A digest lists at most this many calls of each kind, then links to the list.
MAX_LISTED = 20


def digest_until(now) -> datetime.datetime:
    """The new watermark of the digests of a run at ``now`` (to the second)."""
    return (now - SETTLE).replace(microsecond=0)


@dataclass
class DigestCalls:
    """The ids of a digest's calls: those that entered the search, those whose dates
    changed (in the search's order)."""

    new: list[int] = field(default_factory=list)
    changed: list[int] = field(default_factory=list)

    def __bool__(self):
        return bool(self.new or self.changed)


def _candidates(query, user, since, until, now, choices) -> list[tuple]:
    """(id, published_at, dates_changed_at) of the published calls of a search that
    were published, or had their dates changed, in (since, until]; one query."""
    calls = CallFilter(
        QueryDict(query),
        queryset=Call.objects.with_next_deadline(now),
        user=user,
        now=now,
        choices=choices,
    ).qs
    return list(
        calls.filter(status=CallStatus.PUBLISHED, published_at__isnull=False)
        .filter(
            Q(published_at__gt=since, published_at__lte=until)
            | Q(dates_changed_at__gt=since, dates_changed_at__lte=until, published_at__lte=until)
        )
        .values_list("pk", "published_at", "dates_changed_at")
    )


def _split(rows, since, until) -> DigestCalls:
    digest = DigestCalls()
    for pk, published, changed in rows:
        if since < published <= until:
            digest.new.append(pk)
        elif published <= since and changed is not None and since < changed <= until:
            digest.changed.append(pk)
    return digest


def digests_of(searches, until, now) -> dict[int, DigestCalls]:
    """{saved search id: its digest} for the searches with something new in
    (watermark, until]. Searches with the same filters (and the same kind of reader:
    the bureau's status choices differ) are filtered once: one query per distinct query
    string, plus three for the form's choices."""
    choices = load_choices()
    groups = defaultdict(list)
    for saved in searches:
        groups[(saved.query, is_bureau(saved.user))].append(saved)
    digests = {}
    for (query, _bureau), members in groups.items():
        since = min(saved.watermark for saved in members)
        if since >= until:
            continue
        rows = _candidates(query, members[0].user, since, until, now, choices)
        if not rows:
            continue
        for saved in members:
            digest = _split(rows, saved.watermark, until)
            if digest:
                digests[saved.pk] = digest
    return digests


def digest_of(saved, since, until, now) -> DigestCalls:
    """The digest of one search over (since, until] (a retried delivery rebuilds it)."""
    rows = _candidates(saved.query, saved.user, since, until, now, load_choices())
    return _split(rows, since, until)


@dataclass
class DigestCall:
    """A call as a digest prints it."""

    pk: int
    title: str
    funders: str
    next_deadline: datetime.datetime | None
    state: str
    open_all_year: bool
    url: str


def digest_call_rows(ids, now) -> dict[int, DigestCall]:
    """The calls of many digests, read once: two queries (the calls with their next
    deadline, their funders)."""
    from django.conf import settings

    calls = (
        Call.objects.with_next_deadline(now)
        .filter(pk__in=set(ids))
        .prefetch_related(Prefetch("funders", queryset=Funder.objects.only("pk", "name")))
        .only("pk", "title", "opens_on", "open_all_year")
    )
    site = settings.SITE_URL
    labels = dict(CallState.choices)
    return {
        call.pk: DigestCall(
            pk=call.pk,
            title=call.title,
            funders=", ".join(funder.name for funder in call.funders.all()),
            next_deadline=call.next_deadline,
            state=str(labels[call.state(now)]),
            open_all_year=call.open_all_year,
            url=site + reverse("call_detail", args=[call.pk]),
        )
        for call in calls
    }


# "My alerts" ----------------------------------------------------------------------------------


def my_saved_searches(user):
    return SavedSearch.objects.filter(user=user).order_by(French("name"), "pk")


def describe_query(query: str, user, choices=None) -> list[tuple[str, str]]:
    """A saved search's filters in words: [(label, value)], the list's defaults (open,
    published calls) and the sort left out. Never a query when ``choices`` is given."""
    filterset = CallFilter(
        QueryDict(query),
        queryset=Call.objects.none(),
        user=user,
        choices=choices if choices is not None else load_choices(),
    )
    form = filterset.form
    form.is_valid()
    words = []
    for name, form_field in form.fields.items():
        value = form.cleaned_data.get(name)
        if name == "sort" or value in (None, "", [], ()) or value == DEFAULTS.get(name):
            continue
        if isinstance(value, datetime.date):
            text = date_format(value, "j F Y")
        elif isinstance(value, list | tuple):
            labels = dict(form_field.choices)
            text = ", ".join(str(labels.get(item, item)) for item in value)
        elif getattr(form_field, "choices", None):
            text = str(dict(form_field.choices).get(value, value))
        else:
            text = f"« {value} »"
        words.append((str(form_field.label), text))
    return words


def describe_searches(searches, user) -> None:
    """Each search's ``filters`` in words (three queries for the whole page)."""
    if not searches:
        return
    choices = load_choices()
    for saved in searches:
        saved.filters = describe_query(saved.query, user, choices)
