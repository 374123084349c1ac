"""Protection of the public request form without third-party services.

- **Honeypot**: a text field (``HONEYPOT_FIELD``) that people never see (hidden by the
  ``visually-hidden`` class, inside an ``aria-hidden`` block, out of the tab order, its
  label telling to leave it empty) and that form-filling robots fill in.
- **Time check**: the page carries a signed timestamp (``django.core.signing``, salted
  for this form) in a hidden field. A form sent less than ``MIN_SECONDS`` after the page
  was served is refused (robots post at once), as is one older than ``MAX_SECONDS`` or
  whose stamp is missing or forged ("page expired, send again"). The page shown again
  carries a fresh stamp and everything typed.
- **Rate limit**: counters in the cache (Redis in production), per client address
  (``request.META["REMOTE_ADDR"]``: behind the reverse proxy it must be the client's,
  which the proxy sets) and per email address (its hash): at most ``IP_LIMIT`` requests
  an hour from one address and ``EMAIL_LIMIT`` a day for one email. Only requests filed
  count (a form sent back with errors does not). Fixed windows: a counter starts with
  the first request and expires ``IP_WINDOW`` / ``EMAIL_WINDOW`` later. The firm's
  messages through its private link are limited too (``MESSAGE_LIMIT`` a day per request).

Each refusal is a sentence the page shows above the form; nothing typed is lost.
"""

import hashlib
import time

from django.core import signing
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

HONEYPOT_FIELD = "website"
STAMP_FIELD = "stamp"
STAMP_SALT = "projects.request-form"
MIN_SECONDS = 3
MAX_SECONDS = 2 * 3600
IP_LIMIT, IP_WINDOW = 5, 3600
EMAIL_LIMIT, EMAIL_WINDOW = 3, 24 * 3600
MESSAGE_LIMIT, MESSAGE_WINDOW = 10, 24 * 3600

HONEYPOT_REFUSED = _(
    "Votre demande n'est pas partie : un champ réservé à la détection des robots était "
    "rempli (peut-être par le remplissage automatique de votre navigateur). Vos "
    "informations sont conservées : vérifiez-les et envoyez de nouveau."
)
TOO_FAST = _(
    "Envoi trop rapide : vos informations sont conservées, relisez-les et envoyez de "
    "nouveau dans quelques secondes."
)
EXPIRED = _("La page a expiré : vos informations sont conservées, envoyez de nouveau.")
IP_LIMITED = _(
    "Trop de demandes envoyées depuis votre connexion : vos informations sont conservées, "
    "envoyez de nouveau dans une heure."
)
EMAIL_LIMITED = _(
    "Trois demandes au plus par jour avec la même adresse e-mail : vos informations sont "
    "conservées, envoyez de nouveau demain ou écrivez dans le suivi d'une demande déjà "
    "déposée."
)
MESSAGES_LIMITED = _(
    "Vous avez envoyé beaucoup de messages aujourd'hui : votre texte est conservé, "
    "envoyez-le demain."
)


def issue_stamp(now=None) -> str:
    """The signed timestamp of a page served now."""
    return signing.dumps(int((now or time.time()) * 1000), salt=STAMP_SALT, compress=False)


def check_stamp(value, now=None):
    """None if the form was sent between MIN_SECONDS and MAX_SECONDS after its page was
    served; else the refusal's message."""
    if not isinstance(value, str) or not value or len(value) > 200:
        return EXPIRED
    try:
        served = signing.loads(value, salt=STAMP_SALT)
    except signing.BadSignature:
        return EXPIRED
    if not isinstance(served, int):
        return EXPIRED
    age = (now or time.time()) - served / 1000
    if age < MIN_SECONDS:
        return TOO_FAST
    if age > MAX_SECONDS:
        return EXPIRED
    return None


def check_honeypot(data):
    """None if the trap field is empty (or absent); else the refusal's message."""
    return HONEYPOT_REFUSED if (data.get(HONEYPOT_FIELD) or "").strip() else None


def check_form(data, now=None):
    """The refusal of a sent form (honeypot, then time), or None."""
    return check_honeypot(data) or check_stamp(data.get(STAMP_FIELD), now=now)


# Rate limits ----------------------------------------------------------------------------


def _email_key(email: str) -> str:
    digest = hashlib.sha256((email or "").strip().lower().encode()).hexdigest()
    return f"requests:email:{digest}"


def _ip_key(ip: str) -> str:
    return f"requests:ip:{(ip or 'unknown')[:64]}"


def _count(key) -> int:
    try:
        return int(cache.get(key) or 0)
    except (TypeError, ValueError):
        return 0


def _hit(key, window) -> None:
    cache.add(key, 0, timeout=window)
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)


def check_rate(*, ip: str, email: str):
    """The refusal if this address or this email sent their quota already, or None."""
    if _count(_ip_key(ip)) >= IP_LIMIT:
        return IP_LIMITED
    if _count(_email_key(email)) >= EMAIL_LIMIT:
        return EMAIL_LIMITED
    return None


def count_request(*, ip: str, email: str) -> None:
    """Count a request filed, for its address and its email."""
    _hit(_ip_key(ip), IP_WINDOW)
    _hit(_email_key(email), EMAIL_WINDOW)


def check_messages(request_pk: int):
    return MESSAGES_LIMITED if _count(f"requests:messages:{request_pk}") >= MESSAGE_LIMIT else None


def count_message(request_pk: int) -> None:
    _hit(f"requests:messages:{request_pk}", MESSAGE_WINDOW)
