"""Every write about accounts and invitations (the service contract: keyword
arguments, an actor, one transaction, ``ServiceError`` on refusal, one history entry)."""

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .audit import log_action
from .emails import send_templated_email
from .exceptions import ServiceError
from .models import Invitation, User
from .reminders import SkipEmail, email_rule, schedule_email

logger = logging.getLogger(__name__)

# Kept as a name for the apps that catch it: an invitation refusal is a ServiceError.
InvitationError = ServiceError


@email_rule("invitation")
def send_invitation(record) -> list[str]:
    """The link of an invitation, once per token (the period is the token's salt).

    A token replaced by a resend, or an invitation no longer pending, sends nothing.
    """
    invitation = record.target_object
    if invitation is None or invitation.status != Invitation.Status.PENDING:
        raise SkipEmail
    if not invitation.token_salt or record.period != invitation.token_salt:
        raise SkipEmail
    url = settings.SITE_URL + reverse("invitation_accept", args=[invitation.token])
    send_templated_email(
        "invitation", [invitation.email], {"invitation": invitation, "accept_url": url}
    )
    Invitation.objects.filter(pk=invitation.pk).update(sent_at=timezone.now())
    return [invitation.email]


def _scope(invitation: Invitation):
    """An invitation for a platform shows in the platform's history."""
    return invitation.platform if invitation.platform_id else invitation


def _validity() -> datetime.timedelta:
    return datetime.timedelta(days=settings.INVITATION_VALID_DAYS)


@transaction.atomic
def invitation_create(*, email, role, invited_by, first_name="", last_name="", **extra):
    """Create an invitation and email its link once the transaction commits."""
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ServiceError(_("Un compte existe déjà avec cette adresse."), "email")
    # A new invitation replaces any pending one for the same address.
    Invitation.objects.pending().filter(email__iexact=email).update(revoked_at=timezone.now())
    invitation = Invitation(
        email=email,
        role=role,
        first_name=first_name,
        last_name=last_name,
        invited_by=invited_by,
        expires_at=timezone.now() + _validity(),
        **extra,
    )
    invitation.set_new_token()
    invitation.save()
    schedule_email("invitation", invitation, invitation.token_salt, actor=invited_by)
    log_action(
        invitation,
        "invitation.created",
        actor=invited_by,
        message=_("Invitation de %(email)s (%(role)s)")
        % {"email": invitation.email, "role": invitation.get_role_display()},
        changes={"email": [None, invitation.email], "role": [None, invitation.get_role_display()]},
        scope=_scope(invitation),
    )
    logger.info("invitation %s created by %s", invitation.pk, invited_by.pk)
    return invitation


@transaction.atomic
def invitation_resend(*, invitation: Invitation, actor) -> Invitation:
    """Send a fresh link (the old one stops working) and extend the expiry."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at or invitation.revoked_at:
        raise ServiceError(_("Cette invitation n'est plus active."))
    invitation.set_new_token()
    invitation.expires_at = timezone.now() + _validity()
    invitation.save(update_fields=["token_hash", "token_salt", "expires_at"])
    schedule_email("invitation", invitation, invitation.token_salt, actor=actor)
    log_action(
        invitation,
        "invitation.resent",
        actor=actor,
        message=_("Invitation renvoyée à %s") % invitation.email,
        scope=_scope(invitation),
    )
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor) -> Invitation:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at:
        raise ServiceError(_("Cette invitation a déjà été acceptée."))
    if not invitation.revoked_at:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        log_action(
            invitation,
            "invitation.revoked",
            actor=actor,
            message=_("Invitation de %s révoquée") % invitation.email,
            scope=_scope(invitation),
        )
    return invitation


def invitation_accepted_hooks():
    """Apps attach what an accepted invitation grants (e.g. a platform link)."""
    return _ACCEPT_HOOKS


_ACCEPT_HOOKS = []


@transaction.atomic
def invitation_accept(*, token: str, password: str, first_name="", last_name="", phone=""):
    """Create the account of an invitation; usable once, before it expires.

    The address was chosen by the bureau and the link reached it: it is stored as
    verified (``innovalo.signals``), which allauth requires before a second factor.
    """
    invitation = Invitation.find_by_token(token)
    if invitation is None:
        raise ServiceError(_("Ce lien d'invitation n'est pas valide."))
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.status != Invitation.Status.PENDING:
        raise ServiceError(
            {
                Invitation.Status.ACCEPTED: _("Cette invitation a déjà été utilisée."),
                Invitation.Status.EXPIRED: _("Cette invitation a expiré."),
                Invitation.Status.REVOKED: _("Cette invitation a été révoquée."),
            }[invitation.status]
        )
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise ServiceError(_("Un compte existe déjà avec cette adresse."))
    user = User.objects.create_user(
        email=invitation.email,
        password=password,
        first_name=first_name or invitation.first_name,
        last_name=last_name or invitation.last_name,
        phone=phone,
        role=invitation.role,
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    for hook in _ACCEPT_HOOKS:
        hook(invitation, user)
    log_action(
        invitation,
        "invitation.accepted",
        actor=user,
        message=_("Invitation acceptée par %s") % user.email,
        scope=_scope(invitation),
    )
    logger.info("invitation %s accepted", invitation.pk)
    return user
