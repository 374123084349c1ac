"""Cached pages and figures invalidated by a generation number (the dashboard's figures,
the anonymous directory): the pieces they share.

A **generation** is a counter in the cache that a change of the data increments; every
cached value's key carries it, so a change makes every older value unreachable at once.
A new generation starts from the clock (milliseconds), not from 1, so that a cache
emptied (Redis restarted) never hands out a generation an older value (or a stored
report) already carries. A write inside a transaction also opens a **writing window**:
values computed while it is open are served but not stored (they may have read the rows
before the commit). With the cache down, reads miss, bumps are logged, and pages are
computed as before.
"""

import hashlib
import logging
import time

from django.core.cache import cache

logger = logging.getLogger(__name__)


def fresh() -> int:
    """A generation no value has used yet."""
    return int(time.time() * 1000)


def read(keys, writing_key, *, also=()) -> tuple[list, bool, dict]:
    """The generations under `keys` (each started if missing), whether a value computed
    now may be stored (no writing window open), and the values of the keys `also`
    (another cache's generation, not started here): one round trip."""
    values = cache.get_many([*keys, *also, writing_key])
    generations = []
    for key in keys:
        value = values.get(key)
        if value is None:
            cache.add(key, fresh(), timeout=None)
            value = cache.get(key) or 0
        generations.append(value)
    return generations, writing_key not in values, {key: values.get(key) for key in also}


def bump(key) -> None:
    """Every value cached under the generation at `key` is stale from now on."""
    try:
        cache.incr(key)
    except ValueError:  # no generation yet (or evicted): start one no value has used
        cache.set(key, fresh(), timeout=None)
    except Exception:  # noqa: BLE001 - the cache is down: values are computed afresh
        logger.warning("cache: could not invalidate %s", key, exc_info=False)


def open_writing_window(writing_key, seconds) -> None:
    cache.set(writing_key, 1, timeout=seconds)


def digest(*parts) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


def get_or_compute(key, compute, *, store: bool, timeout: int):
    """The value under `key`, computed (and stored if `store`) when missing; an entry
    that does not load counts as a miss."""
    try:
        value = cache.get(key)
    except Exception:  # noqa: BLE001
        logger.warning("cache: could not read %s", key, exc_info=True)
        value = None
    if value is None:
        value = compute()
        if store:
            cache.set(key, value, timeout=timeout)
    return value
