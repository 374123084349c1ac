"""RGPD: what the portal holds about a person, and anonymising a person who leaves.

Apps add what they hold through PROVIDERS: functions (user) -> (section title, data),
where data is a list of dicts of plain values.
"""

import logging

from django.db import transaction
from django.utils import timezone

from .models import Invitation, SentReminder, User

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


def _emails(user):
    rows = SentReminder.objects.filter(recipients__icontains=user.email).order_by("created_at")
    return "E-mails envoyés par le portail", [
        {"type": row.kind, "envoyé le": row.sent_at.isoformat() if row.sent_at else None}
        for row in rows
    ]


PROVIDERS.extend([_account, _invitations, _emails])


def personal_data(user) -> list[tuple[str, list[dict]]]:
    return [provider(user) for provider in PROVIDERS]


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
    logger.info("user %s anonymised by %s", user.pk, getattr(actor, "pk", None))
    return user
