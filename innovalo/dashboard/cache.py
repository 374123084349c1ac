"""The dashboard's figures kept in the cache between two changes of the data.

The dashboard reads every app (a dozen GROUP BYs) and arranges a few hundred figures,
charts and tile maps; between two changes nothing moves. The whole ``Dashboard`` is kept
under a key naming the viewer's kind (bureau or ministry: what they may see differs), the
year, the region, the language, today's date (the "within 12 months", "open today" and
"overdue" figures move with it) and two **generations**: the dashboard's, which any save
or delete of a model the figures read increments (``innovalo/dashboard/signals.py``), and
the survey results' (``surveys`` bumps it on every change of a campaign, a question or a
response, bulk writes included). With Redis down the cache misses and the board is
computed as before.

A write inside a transaction bumps the generation before its commit: a board computed by
another request meanwhile would read the rows before the commit and be stored under the
new generation. So such a write also opens a **writing window** (``WRITING_WINDOW``
seconds, renewed by each write): boards computed while it is open are served but not
stored. (``surveys`` bumps its generation again after the commit instead; here that
would add a commit callback to every transaction that writes a platform, a dues line or
a meeting, which the apps' tests count.) A stale board is therefore never served, except
after a write made around the signals (a bulk SQL update by a seed command) or a
transaction that runs on for longer than the window after its last write, which
``TIMEOUT`` bounds.

The generations also date a stored national report (``NationalReport.generation``): a
report drawn from older figures is prepared again. A new generation starts from the
clock (milliseconds), not from 1, so that a cache emptied (Redis restarted) never hands
out a generation a stored report already carries.
"""

import hashlib
import logging
import time
from dataclasses import dataclass

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import get_language

from surveys.selectors.results import cache as survey_cache

logger = logging.getLogger(__name__)

GENERATION_KEY = "dashboard:generation"
WRITING_KEY = "dashboard:writing"
WRITING_WINDOW = 30  # seconds
TIMEOUT = 10 * 60
# Part of every key: bump it when the cached objects change shape (``page.Dashboard``,
# ``charts.Chart``...), so that a deployment never reads boards pickled by the old code.
FORMAT = 1


@dataclass(frozen=True)
class Generation:
    value: str  # "<dashboard's>.<surveys'>"
    storable: bool = True  # False while a writing window is open

    def __str__(self):
        return self.value


def _start() -> int:
    return int(time.time() * 1000)


def generation() -> Generation:
    """The current generation of the figures, and whether a board computed now may be
    stored (one round trip to the cache)."""
    values = cache.get_many([GENERATION_KEY, survey_cache.GENERATION_KEY, WRITING_KEY])
    own = values.get(GENERATION_KEY)
    if own is None:
        cache.add(GENERATION_KEY, _start(), timeout=None)
        own = cache.get(GENERATION_KEY) or 0
    surveys = values.get(survey_cache.GENERATION_KEY)
    if surveys is None:
        surveys = survey_cache.generation()
    return Generation(f"{own}.{surveys}", storable=WRITING_KEY not in values)


def invalidate(*, writing: bool = False) -> None:
    """Every cached board (and every stored report) is stale from now on; ``writing``:
    the change is not committed yet (open the writing window)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # no generation yet (or evicted): start one no board has used
        cache.set(GENERATION_KEY, _start(), timeout=None)
    except Exception:  # the cache is down: boards are computed afresh anyway
        logger.warning("dashboard cache: could not invalidate", exc_info=False)
    if writing:
        cache.set(WRITING_KEY, 1, timeout=WRITING_WINDOW)


def committed() -> None:
    """Close the writing window (tests: the transaction they write in never commits)."""
    cache.delete(WRITING_KEY)


def key(*parts, generation_: Generation | None = None) -> str:
    """A key for ``parts`` (viewer, year, region...) in the current generation."""
    current = generation_ or generation()
    raw = repr((get_language(), timezone.localdate().isoformat(), parts))
    digest = hashlib.sha256(raw.encode()).hexdigest()[:32]
    return f"dashboard:{FORMAT}:{current.value}:{digest}"


def cached(key_: str, compute, *, store: bool = True):
    """The value under ``key_``, computed (and stored if ``store``) when missing."""
    try:
        value = cache.get(key_)
    except Exception:  # noqa: BLE001 - an entry that does not load is a miss
        logger.warning("dashboard cache: could not read %s", key_, exc_info=True)
        value = None
    if value is None:
        value = compute()
        if store:
            cache.set(key_, value, timeout=TIMEOUT)
    return value
