"""The dashboard's figures kept in the cache between two changes of the data.

The dashboard reads every app (a dozen GROUP BYs) and arranges a few hundred figures,
charts and tile maps; between two changes nothing moves. The whole ``Dashboard`` is kept
under a key naming the viewer's kind (bureau or ministry: what they may see differs), the
year, the region, the language, today's date (the "within 12 months", "open today" and
"overdue" figures move with it) and two **generations**: the dashboard's, which any save
or delete of a model the figures read increments (``innovalo/dashboard/signals.py``, at
once and again after the commit), and the survey results' (``surveys`` bumps it on every
change of a campaign, a question or a response, bulk writes included). A stale board is
therefore never served, except after a write made around the signals (a bulk SQL update
by a seed command), which ``TIMEOUT`` bounds. With Redis down the cache misses and the
board is computed as before.

The generations also date a stored national report (``NationalReport.generation``): a
report drawn from older figures is prepared again.

A new generation starts from the clock (milliseconds), not from 1, so that a cache
emptied (Redis restarted) never hands out a generation a stored report already carries.
"""

import hashlib
import logging
import time

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import get_language

from surveys.selectors.results import cache as survey_cache

logger = logging.getLogger(__name__)

GENERATION_KEY = "dashboard:generation"
TIMEOUT = 10 * 60


def _start() -> int:
    return int(time.time() * 1000)


def generation() -> str:
    """The current generation of the figures: the dashboard's and the surveys' (one
    round trip to the cache)."""
    values = cache.get_many([GENERATION_KEY, survey_cache.GENERATION_KEY])
    own = values.get(GENERATION_KEY)
    if own is None:
        cache.add(GENERATION_KEY, _start(), timeout=None)
        own = cache.get(GENERATION_KEY) or 0
    surveys = values.get(survey_cache.GENERATION_KEY)
    if surveys is None:
        surveys = survey_cache.generation()
    return f"{own}.{surveys}"


def invalidate() -> None:
    """Every cached board (and every stored report) is stale from now on."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # no generation yet (or evicted): start one no board has used
        cache.set(GENERATION_KEY, _start(), timeout=None)
    except Exception:  # the cache is down: boards are computed afresh anyway
        logger.warning("dashboard cache: could not invalidate", exc_info=False)


def key(*parts, generation_: str | None = None) -> str:
    """A key for ``parts`` (viewer, year, region...) in the current generation."""
    current = generation_ or generation()
    raw = repr((get_language(), timezone.localdate().isoformat(), parts))
    digest = hashlib.sha256(raw.encode()).hexdigest()[:32]
    return f"dashboard:{current}:{digest}"


def cached(key_: str, compute):
    """The value under ``key_``, computed and stored when missing."""
    value = cache.get(key_)
    if value is None:
        value = compute()
        cache.set(key_, value, timeout=TIMEOUT)
    return value
