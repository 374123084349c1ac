"""Every write about platforms, their people and correspondents."""

from ..enums import PlatformRole
from ..models import PlatformMembership


def grant_invited_platform(invitation, user):
    """An invitation for a platform links the new account to it (hook of invitation_accept)."""
    if invitation.platform_id:
        PlatformMembership.objects.get_or_create(
            platform_id=invitation.platform_id,
            user=user,
            defaults={"role": invitation.platform_role or PlatformRole.DIRECTOR},
        )
