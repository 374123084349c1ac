"""The directory kept in the cache between two changes of what it shows (issue 15).

The public directory is the portal's busiest page and, between two edits of a platform,
nothing on it moves. Two things are kept:

- the **filter lists** (regions, departments, domains, services: ``directory_filter_lists``),
  under the *lists' generation*, which a save or delete of one of those four models
  increments;
- the **anonymous page's body** (filters, count, table, pagination: everything but the
  layout, which holds the session's CSRF token and messages), per language and query
  string, under the *directory's generation*, which any change of what a row shows or a
  filter reads increments: a platform, its domains, services, hosts and transfer offers,
  an establishment, and the lists' models.

A write inside a transaction increments the generation before its commit: a body
computed by another request meanwhile could read the rows before the commit and be
stored under the new generation. So such a write also opens a **writing window**
(``WRITING_WINDOW`` seconds, renewed by each write) in which bodies are served but not
stored, as the dashboard's cache does (``innovalo/dashboard/cache.py``). ``TIMEOUT``
bounds what a write made around the signals (a bulk SQL update) leaves behind, and what
a per-process cache (no ``REDIS_URL``: each worker has its own) keeps after another
worker's write.
"""

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.translation import get_language

from innovalo import generations

LISTS_GENERATION_KEY = "directory:lists-generation"
GENERATION_KEY = "directory:generation"
WRITING_KEY = "directory:writing"
WRITING_WINDOW = 30  # seconds
TIMEOUT = 5 * 60
# Part of every key: bump it when what is cached changes shape.
FORMAT = 1


def _generations() -> tuple[int, int, bool]:
    """(directory's generation, lists' generation, storable): one round trip."""
    (directory, lists), storable, _also = generations.read(
        [GENERATION_KEY, LISTS_GENERATION_KEY], WRITING_KEY
    )
    return directory, lists, storable


def invalidate(*, lists: bool = False, writing: bool = False) -> None:
    """Every cached directory body (and with ``lists`` the filter lists) is stale from
    now on; ``writing``: the change is not committed yet (open the writing window)."""
    generations.bump(GENERATION_KEY)
    if lists:
        generations.bump(LISTS_GENERATION_KEY)
    if writing:
        generations.open_writing_window(WRITING_KEY, WRITING_WINDOW)


def generation() -> tuple[str, bool]:
    """The generation of what the directory shows, lists included, and whether a value
    computed now may be stored: for other pages that read platforms and their regions."""
    directory, lists, storable = _generations()
    return f"{directory}.{lists}", storable


def committed() -> None:
    """Close the writing window (tests: the transaction they write in never commits)."""
    cache.delete(WRITING_KEY)


def filter_lists(compute):
    """The directory's filter lists (``compute()`` when missing or stale)."""
    _directory, lists, storable = _generations()
    key = f"directory:{FORMAT}:lists:{lists}"
    return generations.get_or_compute(key, compute, store=storable, timeout=TIMEOUT)


def anonymous_body(request, compute) -> str:
    """The anonymous directory's body for this language and query string (``compute()``
    when missing or stale)."""
    directory, lists, storable = _generations()
    digest = generations.digest(get_language(), sorted(request.GET.lists()))
    key = f"directory:{FORMAT}:body:{directory}.{lists}:{digest}"
    return generations.get_or_compute(key, compute, store=storable, timeout=TIMEOUT)


# Signals ---------------------------------------------------------------------------------


def _writing() -> bool:
    return transaction.get_connection().in_atomic_block


def _lists_changed(sender, raw=False, **kwargs):
    if not raw:  # loaddata
        invalidate(lists=True, writing=_writing())


def _rows_changed(sender, raw=False, action=None, **kwargs):
    if raw or (action is not None and not action.startswith("post_")):
        return
    invalidate(writing=_writing())


def list_sources() -> list:
    from .models import Department, Domain, Region, Service

    return [Region, Department, Domain, Service]


def row_sources() -> list:
    from .models import Establishment, Platform, PlatformHost, TransferOffer

    return [Platform, PlatformHost, Establishment, TransferOffer]


def connect():
    from .models import Platform

    for model in list_sources():
        uid = f"directory-lists-{model._meta.label}"
        post_save.connect(_lists_changed, sender=model, dispatch_uid=uid)
        post_delete.connect(_lists_changed, sender=model, dispatch_uid=f"{uid}-d")
    for model in row_sources():
        uid = f"directory-rows-{model._meta.label}"
        post_save.connect(_rows_changed, sender=model, dispatch_uid=uid)
        post_delete.connect(_rows_changed, sender=model, dispatch_uid=f"{uid}-d")
    for field in ("domains", "services"):
        m2m_changed.connect(
            _rows_changed,
            sender=getattr(Platform, field).through,
            dispatch_uid=f"directory-rows-{field}",
        )
