"""Every write about platforms, their people and correspondents."""

import datetime
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from innovalo.emails import send_templated_email
from innovalo.enums import Role
from innovalo.reminders import send_once

from ..enums import PlatformRole
from ..models import Platform, PlatformMembership

logger = logging.getLogger(__name__)

REVIEW_PERIOD = datetime.timedelta(days=365)


class PlatformImportError(Exception):
    """The import was refused: `rows` are the validated rows, some with errors."""

    def __init__(self, rows):
        super().__init__("import refused")
        self.rows = rows


def grant_invited_platform(invitation, user):
    """An invitation for a platform links the new account to it (hook of invitation_accept)."""
    if invitation.platform_id:
        PlatformMembership.objects.get_or_create(
            platform_id=invitation.platform_id,
            user=user,
            defaults={"role": invitation.platform_role or PlatformRole.DIRECTOR},
        )


@transaction.atomic
def platform_update(*, form, formsets=(), actor) -> Platform:
    """Save a platform's profile with its equipment and hosts; mark it reviewed now.

    The forms are already valid. History is recorded by simple_history, with the
    actor as the author (the request middleware does it for web requests too).
    """
    platform = form.instance
    platform.reviewed_at = timezone.now()
    platform._history_user = actor
    platform = form.save()
    for formset in formsets:
        formset.instance = platform
        for obj in formset.save(commit=False):
            obj._history_user = actor
            obj.save()
        for obj in formset.deleted_objects:
            obj._history_user = actor
            obj.delete()
    logger.info("platform %s updated by %s", platform.pk, getattr(actor, "pk", None))
    return platform


def platform_invite(*, platform, actor, email, first_name="", last_name="", platform_role=""):
    """Invite a person for a platform: accepting the invitation links them to it.

    Raises innovalo.services.InvitationError (e.g. an account already exists).
    """
    from innovalo.services import invitation_create

    return invitation_create(
        email=email,
        role=Role.DIRECTOR,
        invited_by=actor,
        first_name=first_name,
        last_name=last_name,
        platform=platform,
        platform_role=platform_role or PlatformRole.DIRECTOR,
    )


@transaction.atomic
def platform_import(*, raw_rows, actor) -> list[Platform]:
    """Create every platform of an import, or none.

    The rows are validated again here (the database may have changed since the
    preview); any error refuses the whole import with PlatformImportError.
    """
    from ..importers import validate_rows

    rows = validate_rows(raw_rows)
    if not rows or any(row.errors for row in rows):
        raise PlatformImportError(rows)
    created = []
    for row in rows:
        platform = Platform(**row.fields)
        platform._history_user = actor
        try:
            # A concurrent import may have taken the slug since the validation.
            with transaction.atomic():
                platform.save()
        except IntegrityError:
            row.errors.append(_("Le slug « %s » est déjà pris par une plateforme.") % platform.slug)
            raise PlatformImportError(rows) from None
        if row.domains:
            platform.domains.set(row.domains)
        if row.services:
            platform.services.set(row.services)
        created.append(platform)
    logger.info("%s platforms imported by %s", len(created), getattr(actor, "pk", None))
    return created


def stale_platforms(now=None):
    """Platforms whose profile was never reviewed, or not for 12 months."""
    now = now or timezone.now()
    return Platform.objects.filter(
        Q(reviewed_at__isnull=True) | Q(reviewed_at__lt=now - REVIEW_PERIOD)
    ).order_by("pk")


def platform_review_reminders() -> int:
    """Yearly job: ask the directors of stale platforms to review their profile.

    One email per platform and calendar year (key in SentReminder): running it
    twice, or on two workers at once, sends nothing twice.
    """
    now = timezone.now()
    year = timezone.localdate(now).year
    sent = 0
    directors = PlatformMembership.objects.filter(
        role=PlatformRole.DIRECTOR, user__is_active=True
    ).values_list("platform_id", "user__email")
    emails_by_platform = {}
    for platform_id, email in directors:
        emails_by_platform.setdefault(platform_id, []).append(email)
    for platform in stale_platforms(now).filter(pk__in=emails_by_platform.keys()):
        recipients = sorted(set(emails_by_platform[platform.pk]))

        def send(platform=platform, recipients=recipients):
            edit_url = settings.SITE_URL + reverse("platform_edit", args=[platform.slug])
            send_templated_email(
                "platform_review",
                recipients,
                {"platform": platform, "edit_url": edit_url},
            )
            return recipients

        if send_once(f"platform-review:{platform.pk}:{year}", kind="platform_review", send=send):
            sent += 1
    return sent
