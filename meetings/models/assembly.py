"""General assembly: resolutions and the bureau it elects."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Resolution(models.Model):
    """A general-assembly resolution and its vote."""

    meeting = models.ForeignKey(
        "meetings.Meeting",
        on_delete=models.PROTECT,
        related_name="resolutions",
        verbose_name=_("réunion"),
    )
    order = models.PositiveSmallIntegerField(_("numéro"), default=1)
    text = models.TextField(_("résolution"))
    votes_for = models.PositiveIntegerField(_("pour"), default=0)
    votes_against = models.PositiveIntegerField(_("contre"), default=0)
    abstentions = models.PositiveIntegerField(_("abstentions"), default=0)

    class Meta:
        verbose_name = _("résolution")
        verbose_name_plural = _("résolutions")
        ordering = ["meeting", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "order"],
                name="resolution_unique_number",
                violation_error_message=_("Ce numéro de résolution existe déjà."),
            )
        ]

    def __str__(self):
        return f"{self.order}. {self.text[:60]}"

    @property
    def adopted(self) -> bool:
        return self.votes_for > self.votes_against


class ElectedOfficer(models.Model):
    """A member of the bureau elected by a general assembly."""

    meeting = models.ForeignKey(
        "meetings.Meeting",
        on_delete=models.PROTECT,
        related_name="officers",
        verbose_name=_("réunion"),
    )
    position = models.CharField(_("fonction"), max_length=100)
    name = models.CharField(_("nom"), max_length=200)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("compte"),
    )
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("membre élu du bureau")
        verbose_name_plural = _("membres élus du bureau")
        ordering = ["meeting", "order", "pk"]

    def __str__(self):
        return f"{self.position} : {self.name}"
