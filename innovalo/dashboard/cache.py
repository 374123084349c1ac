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
report drawn from older figures is prepared again. Generations and the writing window
are ``innovalo.generations``'s, shared with the directory's cache.
"""

from dataclasses import dataclass

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import get_language

from innovalo import generations
from surveys.selectors.results import cache as survey_cache

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


def generation() -> Generation:
    """The current generation of the figures, and whether a board computed now may be
    stored (one round trip to the cache, the surveys' generation included)."""
    (own,), storable, also = generations.read(
        [GENERATION_KEY], WRITING_KEY, also=[survey_cache.GENERATION_KEY]
    )
    surveys = also[survey_cache.GENERATION_KEY]
    if surveys is None:
        surveys = survey_cache.generation()
    return Generation(f"{own}.{surveys}", storable=storable)


def invalidate(*, writing: bool = False) -> None:
    """Every cached board (and every stored report) is stale from now on; ``writing``:
    the change is not committed yet (open the writing window)."""
    generations.bump(GENERATION_KEY)
    if writing:
        generations.open_writing_window(WRITING_KEY, WRITING_WINDOW)


def committed() -> None:
    """Close the writing window (tests: the transaction they write in never commits)."""
    cache.delete(WRITING_KEY)


def key(*parts, generation_: Generation | None = None) -> str:
    """A key for ``parts`` (viewer, year, region...) in the current generation."""
    current = generation_ or generation()
    digest = generations.digest(get_language(), timezone.localdate().isoformat(), parts)
    return f"dashboard:{FORMAT}:{current.value}:{digest}"


def cached(key_: str, compute, *, store: bool = True):
    """The value under ``key_``, computed (and stored if ``store``) when missing."""
    return generations.get_or_compute(key_, compute, store=store, timeout=TIMEOUT)


def kept(*parts, compute):
    """A value other pages compute from the dashboard's sources (the dues board's
    figures, the projects board's...), kept under ``parts`` in the current generation:
    computed (and stored, unless a writing window is open) when missing."""
    current = generation()
    return cached(key(*parts, generation_=current), compute, store=current.storable)
