"""Minutes: versions never rewritten once published, and their approval."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..enums import MinutesStatus


class Minutes(models.Model):
    """One version of a meeting's minutes. Published versions are never rewritten."""

    meeting = models.ForeignKey(
        "meetings.Meeting",
        on_delete=models.PROTECT,
        related_name="minutes_versions",
        verbose_name=_("réunion"),
    )
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    status = models.CharField(
        _("état"), max_length=20, choices=MinutesStatus.choices, default=MinutesStatus.DRAFT
    )
    summary = models.TextField(_("introduction"), blank=True)
    correction_note = models.TextField(
        _("nature de la correction"), blank=True, help_text=_("Pour une nouvelle version.")
    )
    participants = models.JSONField(
        _("participant·es à la publication"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Présent·es, excusé·es, absent·es et représenté·es, figés à la publication."),
    )
    record = models.JSONField(
        _("actions et votes à la publication"),
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "Actions, résolutions et bureau élu figés à la publication : ce qui change ensuite "
            "ne réécrit pas le compte rendu publié."
        ),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("rédigé par"),
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    published_at = models.DateTimeField(_("publié le"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("publié par"),
    )

    class Meta:
        verbose_name = _("compte rendu")
        verbose_name_plural = _("comptes rendus")
        ordering = ["meeting", "-version", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "version"],
                name="minutes_unique_version",
                violation_error_message=_("Cette version du compte rendu existe déjà."),
            ),
            models.UniqueConstraint(
                fields=["meeting"],
                condition=Q(status=MinutesStatus.DRAFT),
                name="minutes_one_draft_per_meeting",
                violation_error_message=_("Un brouillon de compte rendu existe déjà."),
            ),
            models.CheckConstraint(
                condition=Q(status=MinutesStatus.DRAFT) | Q(published_at__isnull=False),
                name="minutes_published_has_date",
                violation_error_message=_("Un compte rendu publié a une date de publication."),
            ),
        ]

    def __str__(self):
        return f"{self.meeting} — v{self.version}"

    def save(self, *args, **kwargs):
        if self._stored_is_published():
            raise ValidationError(
                _("Un compte rendu publié ne se modifie pas : créez une version.")
            )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._stored_is_published():
            raise ValidationError(_("Un compte rendu publié ne se supprime pas."))
        return super().delete(*args, **kwargs)

    @property
    def is_published(self) -> bool:
        return self.status == MinutesStatus.PUBLISHED

    def _stored_is_published(self) -> bool:
        return bool(
            self.pk and Minutes.objects.filter(pk=self.pk, status=MinutesStatus.PUBLISHED).exists()
        )


class MinutesItem(models.Model):
    """Text and decisions of the minutes for one agenda item (or a free section)."""

    minutes = models.ForeignKey(
        "meetings.Minutes",
        on_delete=models.PROTECT,
        related_name="items",
        verbose_name=_("compte rendu"),
    )
    agenda_item = models.ForeignKey(
        "meetings.AgendaItem",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="minutes_items",
        verbose_name=_("point de l'ordre du jour"),
    )
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)
    title = models.CharField(_("titre"), max_length=255)
    text = models.TextField(_("compte rendu"), blank=True)
    decisions = models.TextField(_("décisions"), blank=True, help_text=_("Une décision par ligne."))

    class Meta:
        verbose_name = _("point du compte rendu")
        verbose_name_plural = _("points du compte rendu")
        ordering = ["minutes", "order", "pk"]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if self._minutes_published():
            raise ValidationError(
                _("Un compte rendu publié ne se modifie pas : créez une version.")
            )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._minutes_published():
            raise ValidationError(_("Un compte rendu publié ne se supprime pas."))
        return super().delete(*args, **kwargs)

    @property
    def decision_list(self) -> list[str]:
        return [line.strip() for line in self.decisions.splitlines() if line.strip()]

    def _minutes_published(self) -> bool:
        return Minutes.objects.filter(pk=self.minutes_id, status=MinutesStatus.PUBLISHED).exists()


class MinutesApproval(models.Model):
    """Minutes approved at a later meeting, which records it."""

    minutes = models.ForeignKey(
        "meetings.Minutes",
        on_delete=models.PROTECT,
        related_name="approvals",
        verbose_name=_("compte rendu"),
    )
    approved_at = models.ForeignKey(
        "meetings.Meeting",
        on_delete=models.PROTECT,
        related_name="approvals_recorded",
        verbose_name=_("approuvé lors de"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("enregistré par"),
    )
    created_at = models.DateTimeField(_("enregistré le"), auto_now_add=True)

    class Meta:
        verbose_name = _("approbation de compte rendu")
        verbose_name_plural = _("approbations de comptes rendus")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["minutes"],
                name="minutesapproval_once",
                violation_error_message=_("Ce compte rendu est déjà approuvé."),
            )
        ]

    def __str__(self):
        return f"{self.minutes} — {self.approved_at}"
