"""Invitees: their answer (RSVP) and their attendance."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..enums import Attendance, RsvpStatus


class MeetingInvitation(models.Model):
    """An invitee: a member (a user, representing a platform) or an external guest."""

    meeting = models.ForeignKey(
        "meetings.Meeting",
        on_delete=models.CASCADE,
        related_name="invitations",
        verbose_name=_("réunion"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meeting_invitations",
        verbose_name=_("membre"),
    )
    platform = models.ForeignKey(
        "members.Platform",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="meeting_invitations",
        verbose_name=_("plateforme représentée"),
    )
    guest_name = models.CharField(_("nom de l'invité·e"), max_length=200, blank=True)
    guest_organisation = models.CharField(_("organisme"), max_length=200, blank=True)
    guest_email = models.EmailField(_("e-mail de l'invité·e"), blank=True)
    rsvp = models.CharField(
        _("réponse"), max_length=10, choices=RsvpStatus.choices, default=RsvpStatus.PENDING
    )
    dinner = models.BooleanField(_("dîner"), default=False)
    visit = models.BooleanField(_("visite"), default=False)
    rsvp_at = models.DateTimeField(_("répondu le"), null=True, blank=True)
    attendance = models.CharField(
        _("présence"), max_length=20, choices=Attendance.choices, default="", blank=True
    )
    represented_by = models.CharField(_("représenté·e par"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("invité·e le"), auto_now_add=True)

    class Meta:
        verbose_name = _("invitation à une réunion")
        verbose_name_plural = _("invitations à une réunion")
        ordering = ["meeting", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "user"],
                condition=Q(user__isnull=False),
                name="meetinginvitation_unique_user",
                violation_error_message=_("Cette personne est déjà invitée."),
            ),
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(guest_name=""),
                name="meetinginvitation_user_or_guest",
                violation_error_message=_("Un·e invité·e extérieur·e doit avoir un nom."),
            ),
        ]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.user_id:
            return str(self.user)
        return self.guest_name

    @property
    def organisation(self) -> str:
        if self.platform_id:
            return str(self.platform)
        return self.guest_organisation

    @property
    def email(self) -> str:
        if self.user_id:
            return self.user.email if self.user.is_active else ""
        return self.guest_email
