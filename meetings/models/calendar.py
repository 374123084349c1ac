"""Personal calendar feeds by secret link."""

import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class CalendarFeed(models.Model):
    """A personal calendar feed by secret link; revocable and regenerable."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="meeting_calendar_feed",
        verbose_name=_("personne"),
    )
    token = models.CharField(_("jeton"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("créé le"), auto_now=True)

    class Meta:
        verbose_name = _("agenda personnel")
        verbose_name_plural = _("agendas personnels")
        ordering = ["user", "pk"]

    def __str__(self):
        return str(self.user)

    def get_absolute_url(self):
        return reverse("meeting_feed", args=[self.token])

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(32)
