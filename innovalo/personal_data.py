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
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .audit import log_action
from .french import date_text
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


# What each kind of email is, for "Mes données" (the rules are the emails' names).
EMAIL_LABELS = {
    "action_overdue": _("Action en retard"),
    "action_soon": _("Action à échéance proche"),
    "agreement_ending": _("Convention bientôt échue"),
    "call_deadline": _("Date limite d'un appel suivi"),
    "call_digest": _("Alerte appels à projets"),
    "call_proposal_published": _("Appel proposé publié"),
    "call_proposal_refused": _("Appel proposé refusé"),
    "dues_call": _("Appel de cotisation"),
    "dues_digest": _("Récapitulatif des cotisations"),
    "dues_reminder": _("Relance de cotisation"),
    "invitation": _("Invitation au portail"),
    "meeting_convocation": _("Convocation à une réunion"),
    "meeting_eve": _("Rappel la veille d'une réunion"),
    "platform_review": _("Revue de la fiche de la plateforme"),
    "project_partner": _("Partenaire d'un projet"),
    "project_stage": _("Étape d'un projet"),
    "project_step_overdue": _("Étape de projet en retard"),
    "project_step_soon": _("Étape de projet à échéance proche"),
    "request_board_back_to_route": _("Demande d'entreprise à réorienter"),
    "request_message_firm": _("Message d'une entreprise"),
    "request_message_platform": _("Message d'une plateforme à une entreprise"),
    "request_received": _("Accusé de réception d'une demande"),
    "request_reminder_correspondent": _("Relance d'une demande (correspondant)"),
    "request_reminder_platform": _("Relance d'une demande (plateforme)"),
    "request_routed": _("Demande d'entreprise transmise"),
    "request_to_route": _("Demande d'entreprise à orienter"),
    "survey_invitation": _("Invitation à une enquête"),
    "survey_reminder_platform": _("Relance d'enquête"),
    "survey_reminder_respondent": _("Relance d'enquête"),
}


def _emails(user):
    rows = SentReminder.objects.filter(recipient_is(user.email)).order_by("created_at", "pk")
    return "E-mails envoyés par le portail", [
        {
            "type": str(EMAIL_LABELS.get(row.rule, row.rule)),
            "état": row.get_status_display(),
            "envoyé le": row.sent_at.isoformat() if row.sent_at else None,
        }
        for row in rows
    ]


def _history(user):
    rows = AuditEntry.objects.filter(actor=user).order_by("created_at", "pk")
    return "Modifications faites dans le portail", [
        {
            "le": row.created_at.isoformat(),
            "action": row.message or row.action,
            "objet": row.object_repr,
        }
        for row in rows
    ]


PROVIDERS.extend([_account, _invitations, _emails, _history])


def personal_data(user) -> list[tuple[str, list[dict]]]:
    return [provider(user) for provider in PROVIDERS]


def _readable(value):
    """An ISO date or date-time of the JSON download as the page prints it ("1er février
    2016", "21 janvier 2016 à 13:15"); any other value unchanged."""
    if not isinstance(value, str) or len(value) < 10 or not value[:4].isdigit():
        return value
    try:
        moment = parse_datetime(value) if len(value) > 10 else None
        if moment is not None:
            if timezone.is_aware(moment):
                moment = timezone.localtime(moment)
            return date_text(moment, gettext("j F Y à H:i"))
        day = parse_date(value)
    except ValueError:
        return value
    return date_text(day) if day is not None else value


def readable_sections(sections) -> list[tuple[str, list[dict]]]:
    """``personal_data`` as the page shows it: labels capitalised, dates in words."""
    return [
        (title, [{capfirst(key): _readable(value) for key, value in row.items()} for row in rows])
        for title, rows in sections
    ]


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
