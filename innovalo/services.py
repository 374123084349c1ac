"""Every write about accounts and invitations."""

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from .emails import send_templated_email
from .models import Invitation, User

logger = logging.getLogger(__name__)


class InvitationError(Exception):
    pass


def invitation_send_email(invitation_id: int, token: str) -> bool:
    """Email the link of an invitation, once per token (see innovalo.reminders).

    A token replaced by a resend, or an invitation no longer pending, sends nothing.
    """
    from .reminders import send_once

    invitation = Invitation.find_by_token(token)
    if invitation is None or invitation.pk != invitation_id:
        return False
    if invitation.status != Invitation.Status.PENDING:
        return False

    def send():
        url = settings.SITE_URL + reverse("invitation_accept", args=[token])
        send_templated_email(
            "invitation", [invitation.email], {"invitation": invitation, "accept_url": url}
        )
        Invitation.objects.filter(pk=invitation.pk).update(sent_at=timezone.now())
        return [invitation.email]

    return send_once(
        f"invitation:{invitation.pk}:{invitation.token_hash[:16]}", kind="invitation", send=send
    )


def _send_invitation(invitation: Invitation, token: str) -> None:
    """Enqueue the email once the transaction commits (in-process without a broker)."""
    from .tasks import send_invitation_email

    transaction.on_commit(lambda: send_invitation_email.delay(invitation.pk, token))


def _validity() -> datetime.timedelta:
    return datetime.timedelta(days=settings.INVITATION_VALID_DAYS)


@transaction.atomic
def invitation_create(*, email, role, invited_by, first_name="", last_name="", **extra):
    """Create an invitation and email its link once the transaction commits."""
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise InvitationError("Un compte existe déjà avec cette adresse.")
    # A new invitation replaces any pending one for the same address.
    Invitation.objects.pending().filter(email__iexact=email).update(revoked_at=timezone.now())
    token, token_hash = Invitation.new_token()
    invitation = Invitation.objects.create(
        email=email,
        role=role,
        first_name=first_name,
        last_name=last_name,
        invited_by=invited_by,
        token_hash=token_hash,
        expires_at=timezone.now() + _validity(),
        **extra,
    )
    _send_invitation(invitation, token)
    logger.info("invitation %s created by %s", invitation.pk, invited_by.pk)
    return invitation


@transaction.atomic
def invitation_resend(*, invitation: Invitation, actor) -> Invitation:
    """Send a fresh link (the old one stops working) and extend the expiry."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at or invitation.revoked_at:
        raise InvitationError("Cette invitation n'est plus active.")
    token, invitation.token_hash = Invitation.new_token()
    invitation.expires_at = timezone.now() + _validity()
    invitation.save(update_fields=["token_hash", "expires_at"])
    _send_invitation(invitation, token)
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor) -> Invitation:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at:
        raise InvitationError("Cette invitation a déjà été acceptée.")
    if not invitation.revoked_at:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
    return invitation


def invitation_accepted_hooks():
    """Apps attach what an accepted invitation grants (e.g. a platform link)."""
    return _ACCEPT_HOOKS


_ACCEPT_HOOKS = []


@transaction.atomic
def invitation_accept(*, token: str, password: str, first_name="", last_name="", phone=""):
    """Create the account of an invitation; usable once, before it expires."""
    invitation = Invitation.find_by_token(token)
    if invitation is None:
        raise InvitationError("Ce lien d'invitation n'est pas valide.")
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.status != Invitation.Status.PENDING:
        raise InvitationError(
            {
                Invitation.Status.ACCEPTED: "Cette invitation a déjà été utilisée.",
                Invitation.Status.EXPIRED: "Cette invitation a expiré.",
                Invitation.Status.REVOKED: "Cette invitation a été révoquée.",
            }[invitation.status]
        )
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise InvitationError("Un compte existe déjà avec cette adresse.")
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
    logger.info("invitation %s accepted", invitation.pk)
    return user
