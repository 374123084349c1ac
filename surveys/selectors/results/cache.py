"""The results of a campaign kept in the cache between two changes.

A results page recomputes every figure (GROUP BYs over the answers, year over year,
regions) and formats thousands of them; between two submissions nothing changes. The page
is kept under a key naming the campaign, the viewer's kind (bureau, ministry, platform
people: what they may see differs), the filters, the language and a **generation** that
any change to a response, a question, a section, a choice or a campaign increments
(``surveys/signals.py``, after the commit). A stale page is therefore never served, except
for the rare write made around the signals (a bulk SQL update by a seed command), which
``TIMEOUT`` bounds. With Redis down the cache misses and the page is computed as before.
"""

import hashlib
import logging

from django.core.cache import cache
from django.utils.translation import get_language

logger = logging.getLogger(__name__)

GENERATION_KEY = "surveys:results:generation"
TIMEOUT = 10 * 60


def generation() -> int:
    value = cache.get(GENERATION_KEY)
    if value is None:
        value = 1
        cache.add(GENERATION_KEY, value, timeout=None)
    return value


def invalidate() -> None:
    """Every cached results page is stale from now on."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # no generation yet (or evicted): start one that no page has used
        cache.set(GENERATION_KEY, generation() + 1, timeout=None)
    except Exception:  # the cache is down: pages are computed afresh anyway
        logger.warning("survey results cache: could not invalidate", exc_info=False)


def key(campaign, viewer: str, *parts) -> str:
    raw = repr((campaign.pk, viewer, get_language(), parts))
    digest = hashlib.sha256(raw.encode()).hexdigest()[:32]
    return f"surveys:results:{generation()}:{campaign.pk}:{digest}"


def cached(key_: str, compute):
    """The value under ``key_``, computed and stored when missing."""
    value = cache.get(key_)
    if value is None:
        value = compute()
        cache.set(key_, value, timeout=TIMEOUT)
    return value
