"""The agenda (*ordre du jour*) and the items members propose for it."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from ..enums import AgendaItemKind, ProposalStatus


class AgendaItem(models.Model):
    """An item of the agenda (*ordre du jour*). Items at the same time are parallel groups."""

    meeting = models.ForeignKey(
        "meetings.Meeting",
        on_delete=models.CASCADE,
        related_name="agenda_items",
        verbose_name=_("réunion"),
    )
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)
    day = models.DateField(_("jour"))
    start_time = models.TimeField(_("heure de début"), null=True, blank=True)
    end_time = models.TimeField(_("heure de fin"), null=True, blank=True)
    title = models.CharField(_("titre"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    presenters = models.CharField(_("intervenant·es"), max_length=255, blank=True)
    kind = models.CharField(
        _("type"), max_length=20, choices=AgendaItemKind.choices, default=AgendaItemKind.TALK
    )
    room = models.CharField(
        _("salle"), max_length=100, blank=True, help_text=_("Pour les ateliers en parallèle.")
    )
    survey_campaign = models.ForeignKey(
        "surveys.Campaign",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("résultats d'enquête présentés"),
        help_text=_("Le point renvoie aux résultats de cette campagne."),
    )

    class Meta:
        verbose_name = _("point de l'ordre du jour")
        verbose_name_plural = _("points de l'ordre du jour")
        ordering = ["day", F("start_time").asc(nulls_last=True), "order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__isnull=True)
                | Q(start_time__isnull=True)
                | Q(end_time__gte=F("start_time")),
                name="agendaitem_end_after_start",
                violation_error_message=_("L'heure de fin doit suivre l'heure de début."),
            ),
            models.CheckConstraint(
                condition=Q(end_time__isnull=True) | Q(start_time__isnull=False),
                name="agendaitem_end_needs_start",
                violation_error_message=_("Une heure de fin demande une heure de début."),
            ),
        ]

    def __str__(self):
        return self.title


class AgendaProposal(models.Model):
    """A member proposes an agenda item; the bureau accepts or declines it with a reason."""

    meeting = models.ForeignKey(
        "meetings.Meeting",
        on_delete=models.CASCADE,
        related_name="proposals",
        verbose_name=_("réunion"),
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="agenda_proposals",
        verbose_name=_("proposé par"),
    )
    title = models.CharField(_("titre"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("état"), max_length=20, choices=ProposalStatus.choices, default=ProposalStatus.PENDING
    )
    decline_reason = models.TextField(_("motif du refus"), blank=True)
    agenda_item = models.OneToOneField(
        "meetings.AgendaItem",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposal",
        verbose_name=_("point de l'ordre du jour"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("décidé par"),
    )
    decided_at = models.DateTimeField(_("décidé le"), null=True, blank=True)
    created_at = models.DateTimeField(_("proposé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("proposition de point")
        verbose_name_plural = _("propositions de points")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=ProposalStatus.DECLINED) | ~Q(decline_reason=""),
                name="agendaproposal_decline_has_reason",
                violation_error_message=_("Un refus doit être motivé."),
            )
        ]

    def __str__(self):
        return self.title
