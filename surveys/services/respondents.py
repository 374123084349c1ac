"""External respondents: their token link and their opt-out.

A token carries 256 bits (``secrets.token_urlsafe(32)``); only its sha256 is stored,
so the link in the email is the only copy. ``Respondent.find_by_token`` reads it back.
"""

import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from innovalo.audit import log_action

from ..enums import RespondentStatus
from ..models import Respondent
from ..models.responses import hash_token


@transaction.atomic
def respondent_token_create(*, respondent, actor=None) -> str:
    """A new token for the respondent's link (the previous link stops working); returns
    the token, which is stored nowhere. Not logged: the invitation that carries it is."""
    token = secrets.token_urlsafe(32)
    Respondent.objects.filter(pk=respondent.pk).update(token_hash=hash_token(token))
    respondent.token_hash = hash_token(token)
    return token


@transaction.atomic
def respondent_opt_out(*, respondent, actor=None) -> Respondent:
    """One click from an email: never mailed again. A second click changes nothing."""
    locked = Respondent.objects.select_for_update().get(pk=respondent.pk)
    if locked.status == RespondentStatus.OPTED_OUT:
        return locked
    old = locked.status
    locked.status = RespondentStatus.OPTED_OUT
    locked.opted_out_at = timezone.now()
    locked.save(update_fields=["status", "opted_out_at"])
    log_action(
        locked,
        "surveys.respondent_opted_out",
        actor=actor,
        scope=locked.campaign,
        message=_("Désinscription des courriels"),
        changes={"status": [old, RespondentStatus.OPTED_OUT]},
    )
    return locked
