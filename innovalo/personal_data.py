"""RGPD: what the portal holds about a person, and anonymising a person who leaves.

Apps add what they hold through PROVIDERS: functions (user) -> (section title, data),
where data is a list of dicts of plain values.
"""

import json
import logging

from django.db import transaction
from django.db.models import Q, Value
from django.db.models.functions import Replace
from django.utils import timezone

from .audit import log_action
from .models import AuditEntry, Invitation, SentReminder, User

logger = logging.getLogger(__name__)

PROVIDERS = []


def _account(user):
    return "Compte", [
        {
            "e-mail": user.email,
            "prénom": user.first_name,
            "nom": user.last_name,
            "téléphone": user.phone,
            "rôle": user.get_role_display(),
            "inscrit le": user.date_joined.isoformat(),
            "dernière connexion": user.last_login.isoformat() if user.last_login else None,
        }
    ]


def _invitations(user):
    rows = Invitation.objects.filter(email__iexact=user.email).select_related("invited_by")
    return "Invitations reçues", [
        {
            "rôle": invitation.get_role_display(),
            "invitée par": str(invitation.invited_by),
            "créée le": invitation.created_at.isoformat(),
            "état": invitation.get_status_display(),
        }
        for invitation in rows
    ]


def recipient_is(email: str) -> Q:
    """Rows whose comma-separated `recipients` hold exactly this address (not a
    substring: "ann@x.fr" is not "joann@x.fr")."""
    email = email.lower()
    return (
        Q(recipients__iexact=email)
        | Q(recipients__istartswith=f"{email}, ")
        | Q(recipients__iendswith=f", {email}")
        | Q(recipients__icontains=f", {email}, ")
    )


def _emails(user):
    rows = SentReminder.objects.filter(recipient_is(user.email)).order_by("created_at", "pk")
    return "E-mails envoyés par le portail", [
        {
            "type": row.rule,
            "état": row.get_status_display(),
            "envoyé le": row.sent_at.isoformat() if row.sent_at else None,
        }
        for row in rows
    ]


def _history(user):
    rows = AuditEntry.objects.filter(actor=user).order_by("created_at", "pk")
    return "Modifications faites dans le portail", [
        {"le": row.created_at.isoformat(), "action": row.action, "objet": row.object_repr}
        for row in rows
    ]


PROVIDERS.extend([_account, _invitations, _emails, _history])


def personal_data(user) -> list[tuple[str, list[dict]]]:
    return [provider(user) for provider in PROVIDERS]


# Functions (user, old_email) that erase an address from what an app stores.
ANONYMISE_HOOKS = []


def _erase_address(old_email: str, new_email: str) -> None:
    """The old address disappears from the outbox and from the history's messages."""
    SentReminder.objects.filter(recipient_is(old_email)).update(
        recipients=Replace("recipients", Value(old_email), Value(new_email))
    )
    AuditEntry.objects.filter(message__icontains=old_email).update(
        message=Replace("message", Value(old_email), Value(new_email))
    )
    for entry in AuditEntry.objects.filter(changes__icontains=old_email).iterator():
        text = json.dumps(entry.changes, ensure_ascii=False).replace(old_email, new_email)
        entry.changes = json.loads(text)
        entry.save(update_fields=["changes"])


@transaction.atomic
def user_anonymise(*, user: User, actor) -> User:
    """Erase a person's identity but keep the rows that mention them.

    Payments, minutes and history point at the same user row, which now reads
    "Personne anonymisée": nothing that mentions them breaks.
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    old_email = user.email
    user.email = f"anonyme-{user.pk}@anonyme.invalid"
    user.first_name = "Personne"
    user.last_name = "anonymisée"
    user.phone = ""
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.set_unusable_password()
    user.save()
    Invitation.objects.filter(email__iexact=old_email).update(
        email=user.email, first_name="", last_name="", revoked_at=timezone.now()
    )
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    _erase_address(old_email, user.email)
    for hook in ANONYMISE_HOOKS:
        hook(user, old_email)
    log_action(user, "user.anonymised", actor=actor, message="Personne anonymisée")
    logger.info("user %s anonymised by %s", user.pk, getattr(actor, "pk", None))
    return user
