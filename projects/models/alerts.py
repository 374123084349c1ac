"""Saved searches: a filtered list of calls and a digest of what entered it."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..enums import Frequency


class SavedSearchQuerySet(models.QuerySet):
    def active(self):
        return self.filter(paused=False, unsubscribed_at__isnull=True)


class SavedSearch(models.Model):
    """ "M'alerter": a list's filters, a frequency, and a watermark of its own.

    ``watermark`` is the moment up to which the user has been told: the digest lists what
    was published or had its dates changed after it, and the service advances it in the same
    transaction as the email's record, so a crashed run never sends a digest twice.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="saved_searches",
        verbose_name=_("personne"),
    )
    name = models.CharField(_("nom"), max_length=120)
    query = models.CharField(
        _("filtres"), max_length=1000, blank=True, help_text=_("La requête de la liste.")
    )
    frequency = models.CharField(
        _("fréquence"), max_length=10, choices=Frequency.choices, default=Frequency.WEEKLY
    )
    paused = models.BooleanField(_("en pause"), default=False)
    watermark = models.DateTimeField(_("alerté jusqu'au"), default=timezone.now)
    last_sent_at = models.DateTimeField(_("dernière alerte"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("désabonné le"), null=True, blank=True)
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)

    objects = SavedSearchQuerySet.as_manager()

    class Meta:
        verbose_name = _("alerte")
        verbose_name_plural = _("alertes")
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["frequency", "paused", "watermark"])]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return f"{reverse('call_list')}?{self.query}" if self.query else reverse("call_list")
