"""The calls watch: funders, themes, calls with their dated stages, who follows them and
which platforms are interested. Writes live in ``projects/services/calls.py``."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..enums import (
    PRIVATE_STATUSES,
    CallKind,
    CallScope,
    CallState,
    CallStatus,
    ChangeStatus,
    FunderKind,
)

CLOSING_SOON_DAYS = 30


class Funder(models.Model):
    name = models.CharField(_("nom"), max_length=200, unique=True)
    kind = models.CharField(_("nature"), max_length=20, choices=FunderKind.choices)
    website = models.URLField(_("site web"), blank=True)

    class Meta:
        verbose_name = _("financeur")
        verbose_name_plural = _("financeurs")
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name


class Theme(models.Model):
    name = models.CharField(_("nom"), max_length=120, unique=True)
    slug = models.SlugField(_("identifiant"), max_length=120, unique=True)

    class Meta:
        verbose_name = _("thème")
        verbose_name_plural = _("thèmes")
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name


class CallQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=CallStatus.PUBLISHED)

    def visible_to(self, user):
        """Published and archived calls for every member; proposals (pending or refused)
        for the bureau and for whoever proposed them."""
        from innovalo.perms import is_bureau

        if is_bureau(user):
            return self
        return self.filter(~Q(status__in=PRIVATE_STATUSES) | Q(proposed_by=user))

    def with_next_deadline(self, now=None):
        """``next_deadline``: the first deadline still ahead (None when there is none).
        Ordered by the date alone (two deadlines at the same instant give the same
        value): the (call, due_at) index then answers without a sort, for each of the
        thousands of calls a list sorted by its next deadline reads."""
        now = now or timezone.now()
        ahead = CallDeadline.objects.filter(call=OuterRef("pk"), due_at__gte=now).order_by("due_at")
        return self.annotate(next_deadline=Subquery(ahead.values("due_at")[:1]))

    def in_state(self, state, now=None):
        """Filter on the computed state (needs ``with_next_deadline`` with the same ``now``)."""
        now = now or timezone.now()
        today = timezone.localdate(now)
        soon = now + datetime.timedelta(days=CLOSING_SOON_DAYS)
        started = Q(opens_on__isnull=True) | Q(opens_on__lte=today)
        if state == CallState.UPCOMING:
            return self.filter(opens_on__gt=today)
        if state == CallState.CLOSED:
            return self.filter(started, open_all_year=False, next_deadline__isnull=True)
        if state == CallState.CLOSING_SOON:
            return self.filter(started, next_deadline__lte=soon)
        if state == CallState.OPEN:  # open, closing soon included
            return self.filter(started).filter(
                Q(open_all_year=True) | Q(next_deadline__isnull=False)
            )
        return self

    def for_list(self, now=None):
        return (
            self.with_next_deadline(now)
            .prefetch_related("funders", "themes", "regions")
            .order_by(F("next_deadline").asc(nulls_last=True), "-published_at", "pk")
        )


class Call(models.Model):
    """A call for projects, contest, label, fund or tax credit, with one or more deadlines."""

    title = models.CharField(_("titre"), max_length=300)
    funders = models.ManyToManyField(
        Funder, blank=True, related_name="calls", verbose_name=_("financeurs")
    )
    themes = models.ManyToManyField(
        Theme, blank=True, related_name="calls", verbose_name=_("thèmes")
    )
    kind = models.CharField(
        _("nature"), max_length=20, choices=CallKind.choices, default=CallKind.CALL_FOR_PROJECTS
    )
    scope = models.CharField(
        _("portée"), max_length=20, choices=CallScope.choices, default=CallScope.NATIONAL
    )
    regions = models.ManyToManyField(
        "members.Region",
        blank=True,
        related_name="calls",
        verbose_name=_("régions"),
        help_text=_("Pour un appel régional : la ou les régions concernées."),
    )
    description = models.TextField(_("description"), blank=True)
    eligibility = models.TextField(_("éligibilité"), blank=True)
    applicants = models.JSONField(
        _("qui peut candidater"),
        default=list,
        blank=True,
        help_text=_("Plateformes, établissements d'accueil, PME, consortiums."),
    )
    amount_min = models.DecimalField(
        _("montant minimum (€)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    amount_max = models.DecimalField(
        _("montant maximum (€)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    rate_min = models.DecimalField(
        _("taux d'aide minimum (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    rate_max = models.DecimalField(
        _("taux d'aide maximum (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    url = models.URLField(_("page de l'appel"), max_length=500, blank=True)
    application_url = models.URLField(_("site de dépôt"), max_length=500, blank=True)
    contact = models.CharField(_("contact"), max_length=300, blank=True)
    opens_on = models.DateField(_("ouverture"), null=True, blank=True)
    open_all_year = models.BooleanField(
        _("ouvert toute l'année"),
        default=False,
        help_text=_("Sans date limite : dépôt possible à tout moment."),
    )
    status = models.CharField(
        _("statut"), max_length=20, choices=CallStatus.choices, default=CallStatus.PUBLISHED
    )
    refusal_reason = models.TextField(
        _("motif du refus"), blank=True, help_text=_("Pour une proposition refusée.")
    )
    source = models.CharField(_("source"), max_length=60, blank=True)
    external_id = models.CharField(_("identifiant dans la source"), max_length=120, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposed_calls",
        verbose_name=_("proposé par"),
    )
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)
    updated_at = models.DateTimeField(_("modifié le"), default=timezone.now)
    published_at = models.DateTimeField(_("publié le"), null=True, blank=True, db_index=True)
    dates_changed_at = models.DateTimeField(
        _("dates modifiées le"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_("Dernière modification d'une date limite (pour les alertes)."),
    )

    objects = CallQuerySet.as_manager()

    class Meta:
        verbose_name = _("appel")
        verbose_name_plural = _("appels")
        ordering = ["-published_at", "pk"]
        indexes = [
            models.Index(fields=["status", "published_at"]),
            # The list filtered by kind (issue 15): a fifth of the calls, read without
            # the other four fifths.
            models.Index(fields=["kind", "status"], name="call_kind_status_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"],
                condition=~Q(source=""),
                name="call_unique_external_id",
                violation_error_message=_("Cet appel existe déjà pour cette source."),
            ),
            models.CheckConstraint(
                condition=Q(amount_min__isnull=True)
                | Q(amount_max__isnull=True)
                | Q(amount_min__lte=F("amount_max")),
                name="call_amount_range",
                violation_error_message=_("Le montant minimum dépasse le maximum."),
            ),
            models.CheckConstraint(
                condition=Q(rate_min__isnull=True)
                | Q(rate_max__isnull=True)
                | Q(rate_min__lte=F("rate_max")),
                name="call_rate_range",
                violation_error_message=_("Le taux minimum dépasse le maximum."),
            ),
            models.CheckConstraint(
                condition=(Q(rate_min__isnull=True) | Q(rate_min__gte=0, rate_min__lte=100))
                & (Q(rate_max__isnull=True) | Q(rate_max__gte=0, rate_max__lte=100)),
                name="call_rate_percent",
                violation_error_message=_("Un taux d'aide est compris entre 0 et 100 %%."),
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("call_detail", args=[self.pk])

    def state(self, now=None, next_deadline=None):
        """Upcoming, open, closing soon or closed, from the opening date and the next
        deadline still ahead (pass ``next_deadline`` when it was annotated)."""
        now = now or timezone.now()
        if self.opens_on and self.opens_on > timezone.localdate(now):
            return CallState.UPCOMING
        if next_deadline is None:
            next_deadline = getattr(self, "next_deadline", None)
            if next_deadline is None and not hasattr(self, "next_deadline"):
                upcoming = [d.due_at for d in self.deadlines.all() if d.due_at >= now]
                next_deadline = min(upcoming) if upcoming else None
        if next_deadline is None:
            return CallState.OPEN if self.open_all_year else CallState.CLOSED
        if next_deadline <= now + datetime.timedelta(days=CLOSING_SOON_DAYS):
            return CallState.CLOSING_SOON
        return CallState.OPEN


class CallDeadline(models.Model):
    """A dated stage of a call: pre-proposal, full proposal, cut-off 1, 2..."""

    call = models.ForeignKey(
        Call, on_delete=models.CASCADE, related_name="deadlines", verbose_name=_("appel")
    )
    label = models.CharField(_("étape"), max_length=120, default=_("Date limite de dépôt"))
    due_at = models.DateTimeField(_("date et heure limites"))

    class Meta:
        verbose_name = _("date limite")
        verbose_name_plural = _("dates limites")
        ordering = ["due_at", "pk"]
        indexes = [models.Index(fields=["call", "due_at"])]

    def __str__(self):
        return f"{self.label} — {self.due_at:%Y-%m-%d %H:%M}"


class CallFollowQuerySet(models.QuerySet):
    def of(self, user):
        return self.filter(user=user)


class CallFollow(models.Model):
    """ "Suivre cet appel": its deadlines go into the user's reminders and ICS feed."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="follows")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="call_follows"
    )
    created_at = models.DateTimeField(_("depuis le"), default=timezone.now)

    objects = CallFollowQuerySet.as_manager()

    class Meta:
        verbose_name = _("appel suivi")
        verbose_name_plural = _("appels suivis")
        ordering = ["-created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["call", "user"],
                name="callfollow_unique",
                violation_error_message=_("Vous suivez déjà cet appel."),
            )
        ]

    def __str__(self):
        return f"{self.user} → {self.call}"


class CallInterest(models.Model):
    """ "Ma plateforme est intéressée": the first step of a project."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="interests")
    platform = models.ForeignKey(
        "members.Platform",
        on_delete=models.CASCADE,
        related_name="call_interests",
        verbose_name=_("plateforme"),
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("le"), default=timezone.now)

    class Meta:
        verbose_name = _("intérêt d'une plateforme")
        verbose_name_plural = _("intérêts des plateformes")
        ordering = ["-created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["call", "platform"],
                name="callinterest_unique",
                violation_error_message=_("Cette plateforme s'est déjà dite intéressée."),
            )
        ]

    def __str__(self):
        return f"{self.platform} → {self.call}"


class PendingCallChange(models.Model):
    """A change an import brought to a published call, set aside for the bureau."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="pending_changes")
    source = models.CharField(_("source"), max_length=60)
    changes = models.JSONField(_("modifications"), help_text=_("{champ: [avant, après]}"))
    status = models.CharField(
        _("état"), max_length=20, choices=ChangeStatus.choices, default=ChangeStatus.PENDING
    )
    created_at = models.DateTimeField(_("importée le"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("décidée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("modification importée à examiner")
        verbose_name_plural = _("modifications importées à examiner")
        ordering = ["-created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["call"],
                condition=Q(status=ChangeStatus.PENDING),
                name="pendingcallchange_one_pending",
                violation_error_message=_("Une modification attend déjà pour cet appel."),
            )
        ]

    def __str__(self):
        return f"{self.call} ({self.source})"
