"""Saved searches ("m'alerter"): create, rename, pause, delete, unsubscribe, and the one
transaction that records a digest and advances its watermark.

**The watermark.** A saved search remembers up to when its person has been told
(``SavedSearch.watermark``). It starts at the search's creation (the first digest only
brings what is new) and is set again when the filters change. A digest lists the calls
of the search published after it, and those published before it whose deadlines changed
after it; the digest job (``projects/reminders.py``) records the digest and advances
the watermark in one transaction (``digests_record``), so a run that crashes after some
emails never sends those again, and a run that finds nothing new keeps the watermark
(nothing is lost, nothing is sent).

**Unsubscribing** is one click from any digest, without logging in: the link carries a
signed token (``django.core.signing``, salt ``projects.unsubscribe``) naming the saved
search; the same link serves RFC 8058's one-click POST.
"""

import datetime
import logging
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import IntegrityError, transaction
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from innovalo.audit import diff, labelled, log_action, snapshot
from innovalo.exceptions import ServiceError
from innovalo.models import SentReminder

from ..models import SavedSearch

logger = logging.getLogger(__name__)

DIGEST_RULE = "call_digest"
UNSUBSCRIBE_SALT = "projects.unsubscribe"
MAX_PER_USER = 50
MAX_QUERY_LENGTH = SavedSearch._meta.get_field("query").max_length
# Query-string keys that are not filters: never saved.
NOT_FILTERS = {"page", "csrfmiddlewaretoken"}


# The query string ---------------------------------------------------------------------------


def normalize_query(data) -> str:
    """The list's query string as saved: filters only (no page), empty values dropped,
    keys in order, so that two identical searches have the same string (and the digest
    job filters the calls once for both)."""
    if isinstance(data, str):
        data = QueryDict(data)
    pairs = []
    for key in sorted(data.keys()):
        if key in NOT_FILTERS:
            continue
        for value in data.getlist(key):
            value = value.strip()
            if value:
                pairs.append((key, value))
    return urlencode(pairs)


# Unsubscribe links --------------------------------------------------------------------------


def unsubscribe_token(saved) -> str:
    """A token naming the saved search, signed; the same in every digest (it never
    expires: an old email's link still unsubscribes)."""
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign(str(saved.pk))


def saved_search_for_token(token: str) -> SavedSearch | None:
    try:
        pk = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign(token)
    except signing.BadSignature:
        return None
    if not pk.isdigit() or len(pk) > 18:
        return None
    return SavedSearch.objects.select_related("user").filter(pk=int(pk)).first()


def unsubscribe_url(saved) -> str:
    return settings.SITE_URL + reverse("saved_search_unsubscribe", args=[unsubscribe_token(saved)])


def unsubscribe_headers(url: str) -> dict:
    """RFC 2369 and RFC 8058 (one-click) headers of a digest."""
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


# Writes -------------------------------------------------------------------------------------


def _check_query(query: str) -> str:
    query = normalize_query(query)
    if len(query) > MAX_QUERY_LENGTH:
        raise ServiceError(_("Ces filtres sont trop longs pour une alerte."), field="query")
    return query


def _locked(saved) -> SavedSearch:
    return SavedSearch.objects.select_for_update().get(pk=saved.pk)


@transaction.atomic
def saved_search_create(*, user, name: str, query: str, frequency: str, actor) -> SavedSearch:
    """A new alert on the list's filters; its watermark is now: the first digest only
    brings what is published from now on."""
    query = _check_query(query)
    name = name.strip()
    if not name:
        raise ServiceError(_("Donnez un nom à cette alerte."), field="name")
    # One alert per person at a time (the person's row is the lock): the limit holds.
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    if SavedSearch.objects.filter(user=user).count() >= MAX_PER_USER:
        raise ServiceError(
            _("Vous avez déjà %(max)s alertes : supprimez-en une d'abord.") % {"max": MAX_PER_USER}
        )
    saved = SavedSearch.objects.create(
        user=user, name=name, query=query, frequency=frequency, watermark=timezone.now()
    )
    log_action(saved, "projects.alert_created", actor=actor, message=_("Alerte créée"))
    logger.info("saved search %s created by %s", saved.pk, user.pk)
    return saved


@transaction.atomic
def saved_search_update(*, saved, name: str, frequency: str, actor) -> SavedSearch:
    saved = _locked(saved)
    name = name.strip()
    if not name:
        raise ServiceError(_("Donnez un nom à cette alerte."), field="name")
    fields = ["name", "frequency"]
    before = snapshot(saved, fields)
    saved.name, saved.frequency = name, frequency
    saved.save(update_fields=fields)
    changes = labelled(SavedSearch, diff(before, snapshot(saved, fields)))
    if changes:
        log_action(
            saved,
            "projects.alert_updated",
            actor=actor,
            message=_("Alerte modifiée"),
            changes=changes,
        )
    return saved


@transaction.atomic
def saved_search_toggle_pause(*, saved, actor) -> SavedSearch:
    """Pause an active alert; resume a paused or unsubscribed one. The watermark stays:
    the next digest brings what was published during the pause."""
    saved = _locked(saved)
    if saved.paused or saved.unsubscribed_at is not None:
        saved.paused, saved.unsubscribed_at = False, None
        action, message = "projects.alert_resumed", _("Alerte reprise")
    else:
        saved.paused = True
        action, message = "projects.alert_paused", _("Alerte en pause")
    saved.save(update_fields=["paused", "unsubscribed_at"])
    log_action(saved, action, actor=actor, message=message)
    return saved


@transaction.atomic
def saved_search_delete(*, saved, actor) -> None:
    saved = _locked(saved)
    log_action(
        saved, "projects.alert_deleted", actor=actor, message=_("Alerte supprimée : %s") % saved
    )
    saved.delete()


@transaction.atomic
def saved_search_unsubscribe(*, saved, now=None) -> SavedSearch:
    """One click from a digest (no login): no digest any more. A second click changes
    nothing."""
    saved = _locked(saved)
    if saved.unsubscribed_at is None:
        saved.unsubscribed_at = now or timezone.now()
        saved.save(update_fields=["unsubscribed_at"])
        log_action(
            saved, "projects.alert_unsubscribed", message=_("Désabonnement depuis un e-mail")
        )
    return saved


# Digests ------------------------------------------------------------------------------------


def _utc(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).isoformat()


def digest_period(since: datetime.datetime, until: datetime.datetime) -> str:
    """``"<new watermark>/<previous watermark>"`` (UTC, ISO): the new watermark makes the
    key unique; the previous one lets a retried delivery rebuild the same digest."""
    return f"{_utc(until)}/{_utc(since)}"


def parse_digest_period(period: str) -> tuple[datetime.datetime, datetime.datetime] | None:
    """(since, until) of a digest's period, or None."""
    try:
        until, since = period.split("/")
        return datetime.datetime.fromisoformat(since), datetime.datetime.fromisoformat(until)
    except ValueError:
        return None


def digests_record(*, watermarks: dict, until, now) -> dict[int, SentReminder]:
    """Record the digests of the saved searches ``{id: watermark they were computed
    from}``, in one transaction: the searches are locked (``SKIP LOCKED``: those another
    worker holds are left to it), those that still stand where their digest was computed
    (same watermark, still active) get their outbox row under the key (``call_digest``,
    the search, ``"<until>/<watermark>"``) and their watermark advanced to ``until``.
    Returns ``{id: outbox row}`` to send after the commit; a search done meanwhile by
    another run, paused, unsubscribed or deleted is not in it."""
    try:
        with transaction.atomic():
            locked = (
                SavedSearch.objects.select_for_update(skip_locked=True)
                .active()
                .filter(pk__in=list(watermarks))
                .order_by("pk")
                .values_list("pk", "watermark")
            )
            standing = [pk for pk, watermark in locked if watermark == watermarks[pk]]
            if not standing:
                return {}
            records = SentReminder.objects.bulk_create(
                SentReminder(
                    rule=DIGEST_RULE,
                    target=f"projects.savedsearch:{pk}",
                    period=digest_period(watermarks[pk], until),
                )
                for pk in standing
            )
            SavedSearch.objects.filter(pk__in=standing).update(watermark=until, last_sent_at=now)
    except IntegrityError:  # a key recorded already (it holds the watermark: cannot be)
        logger.warning("digests of saved searches %s recorded twice", sorted(watermarks))
        return {}
    return dict(zip(standing, records, strict=True))
