"""The results of a campaign kept in the cache between two changes.

A results page recomputes every figure (GROUP BYs over the answers, year over year,
regions) and formats thousands of them; between two submissions nothing changes. The page
is kept under a key naming the campaign, the viewer's kind (bureau, ministry, platform
people: what they may see differs), the filters, the language and a **generation** that
any change to a response, a question, a section, a choice or a campaign increments
(``surveys/signals.py``, after the commit). A stale page is therefore never served, except
for the rare write made around the signals (a bulk SQL update by a seed command), which
``TIMEOUT`` bounds. With Redis down the cache misses and the page is computed as before.
Generations are ``innovalo.generations``'s: a lost one starts again from the clock, never
from a number a page already used.
"""

from django.core.cache import cache
from django.utils.translation import get_language

from innovalo import generations

GENERATION_KEY = "surveys:results:generation"
TIMEOUT = 10 * 60


def generation() -> int:
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, generations.fresh(), timeout=None)
        value = cache.get(GENERATION_KEY) or 0
    return value


def invalidate() -> None:
    """Every cached results page is stale from now on."""
    generations.bump(GENERATION_KEY)


def key(campaign, viewer: str, *parts) -> str:
    digest = generations.digest(campaign.pk, viewer, get_language(), parts)
    return f"surveys:results:{generation()}:{campaign.pk}:{digest}"


def cached(key_: str, compute):
    """The value under ``key_``, computed and stored when missing."""
    return generations.get_or_compute(key_, compute, store=True, timeout=TIMEOUT)
