"""Actions decided in meetings: what, who, by when."""

from django.conf import settings
from django.db import models
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..enums import ActionStatus


class ActionItemQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=ActionStatus.OPEN)

    def owned_by(self, user):
        return self.filter(owners=user)

    def for_list(self):
        return self.select_related("meeting", "agenda_item").prefetch_related("owners")


class ActionItem(models.Model):
    """ "⇒ Ph. Planard, by mid-April": what, who, by when, from which meeting."""

    meeting = models.ForeignKey(
        "meetings.Meeting",
        on_delete=models.PROTECT,
        related_name="actions",
        verbose_name=_("réunion"),
    )
    agenda_item = models.ForeignKey(
        "meetings.AgendaItem",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="actions",
        verbose_name=_("point de l'ordre du jour"),
    )
    title = models.CharField(_("action"), max_length=255)
    description = models.TextField(_("précisions"), blank=True)
    owners = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="meeting_actions",
        verbose_name=_("responsables (membres)"),
    )
    owner_names = models.CharField(
        _("autres responsables"),
        max_length=255,
        blank=True,
        help_text=_("Personnes sans compte, séparées par des virgules."),
    )
    due_date = models.DateField(_("échéance"), null=True, blank=True)
    status = models.CharField(
        _("état"), max_length=20, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    done_at = models.DateTimeField(_("terminée le"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("créée par"),
    )
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)

    objects = ActionItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = [F("due_date").asc(nulls_last=True), "pk"]
        indexes = [
            # A meeting page's carried-over actions: the open ones of the earlier meetings.
            models.Index(fields=["status", "meeting"], name="actionitem_status_meeting_idx"),
            # Someone's actions by state and due date ("Mes actions", the home's panel):
            # read down this order until a page of theirs, not all of theirs sorted.
            models.Index(fields=["status", "due_date", "id"], name="actionitem_status_due_idx"),
        ]

    def __str__(self):
        return self.title

    def owner_labels(self) -> list[str]:
        """Every owner, members first (uses the prefetched owners)."""
        labels = [str(user) for user in self.owners.all()]
        labels += [name.strip() for name in self.owner_names.split(",") if name.strip()]
        return labels

    @property
    def is_overdue(self) -> bool:
        return bool(
            self.status == ActionStatus.OPEN
            and self.due_date
            and self.due_date < timezone.localdate()
        )
