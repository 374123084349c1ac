"""Writes of firms' requests, public side: a firm's request filed through the form, its
routing to platforms, the firm's messages and its request to have its data deleted.

**The private link.** Like survey respondents' (``surveys/services/respondents.py``), a
request's token is *derived*: ``urlsafe-base64(HMAC-SHA256(SECRET_KEY,
"projects.request:<pk>:<salt>"))`` with a random 128-bit ``token_salt``; only its
sha256 (``token_hash``, unique) is stored. Every email carries the same link
(``request_link``); ``find_request_by_token`` finds the request back by the hash and
compares the token in constant time.
"""

import base64
import hashlib
import hmac
import secrets

from django.conf import settings
from django.urls import reverse

from ..models import FirmRequest

# A firm's contact data is kept this long after its request is closed (stated on the
# form; the anonymisation job imports it).
REQUEST_RETENTION_DAYS = 3 * 365
TOKEN_PREFIX = "projects.request"


def new_salt() -> str:
    return secrets.token_hex(16)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def derive_token(pk: int, salt: str) -> str:
    """The link token of request ``pk`` with ``salt`` (43 URL-safe characters)."""
    message = f"{TOKEN_PREFIX}:{pk}:{salt}".encode()
    digest = hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def request_token(firm_request) -> str:
    """The token of a request's private link (the same for every email)."""
    return derive_token(firm_request.pk, firm_request.token_salt)


def request_link(firm_request) -> str:
    """The absolute URL of the firm's private page."""
    return settings.SITE_URL + reverse("request_track", args=[request_token(firm_request)])


def find_request_by_token(token: str, queryset=None):
    """The request of a private link, or None (unknown, empty or absurd token). Found by
    the token's hash, then the token itself compared in constant time."""
    if not token or len(token) > 100:
        return None
    queryset = FirmRequest.objects.all() if queryset is None else queryset
    found = queryset.filter(token_hash=hash_token(token)).first()
    if found is None or not hmac.compare_digest(request_token(found), token):
        return None
    return found
