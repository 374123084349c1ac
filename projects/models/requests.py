"""Requests from firms (``/demandes/``): a firm's need, routed to one or several
platforms, taken by the first that accepts, followed by the firm through a private link,
closed with a transfer level and an outcome. Writes live in
``projects/services/requests.py``."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.enums import TransferLevel

from ..enums import (
    OPEN_REQUEST_STATUSES,
    RequestEventKind,
    RequestSource,
    RequestStatus,
    RequestTiming,
    RoutingStatus,
)


class FirmRequestQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN_REQUEST_STATUSES)

    def of_platforms(self, platform_ids):
        """Requests routed to (or taken by) one of these platforms."""
        return self.filter(
            Q(taken_by_id__in=platform_ids)
            | Q(routings__platform_id__in=platform_ids, routings__status__in=VISIBLE_ROUTINGS)
        ).distinct()

    def of_regions(self, region_ids):
        return self.filter(region_id__in=region_ids)


class FirmRequest(models.Model):
    """A firm's request. The firm has no account: a private link (a token whose hash only
    is stored, like survey respondents') lets it follow the request and write."""

    company_name = models.CharField(_("entreprise"), max_length=200)
    siret = models.CharField(_("SIRET"), max_length=14, blank=True)
    contact_name = models.CharField(_("nom du contact"), max_length=200)
    email = models.EmailField(_("adresse e-mail"))
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    department = models.ForeignKey(
        "members.Department",
        on_delete=models.PROTECT,
        related_name="firm_requests",
        verbose_name=_("département"),
    )
    region = models.ForeignKey(
        "members.Region",
        on_delete=models.PROTECT,
        related_name="firm_requests",
        verbose_name=_("région"),
        help_text=_("Celle du département (pour les tableaux et les correspondants)."),
    )
    need = models.TextField(_("besoin"))
    domains = models.ManyToManyField(
        "members.Domain", blank=True, related_name="firm_requests", verbose_name=_("domaines")
    )
    timing = models.CharField(_("échéance souhaitée"), max_length=20, choices=RequestTiming.choices)
    source = models.CharField(
        _("déposée depuis"), max_length=20, choices=RequestSource.choices, default="directory"
    )
    target_platform = models.ForeignKey(
        "members.Platform",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="addressed_requests",
        verbose_name=_("plateforme choisie par l'entreprise"),
    )
    status = models.CharField(
        _("état"), max_length=20, choices=RequestStatus.choices, default=RequestStatus.NEW
    )
    taken_by = models.ForeignKey(
        "members.Platform",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="taken_requests",
        verbose_name=_("plateforme qui la traite"),
    )
    consent_at = models.DateTimeField(_("consentement donné le"))
    token_salt = models.CharField(max_length=32, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("déposée le"), default=timezone.now, db_index=True)
    status_changed_at = models.DateTimeField(_("état depuis le"), default=timezone.now)
    routed_at = models.DateTimeField(_("orientée le"), null=True, blank=True)
    first_answer_at = models.DateTimeField(_("première réponse le"), null=True, blank=True)
    closed_at = models.DateTimeField(_("close le"), null=True, blank=True)
    transfer_level = models.PositiveSmallIntegerField(
        _("niveau de transfert"), choices=TransferLevel.choices, null=True, blank=True
    )
    outcome = models.TextField(_("résultat"), blank=True)
    amount_invoiced = models.DecimalField(
        _("montant facturé (€)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    follow_up_project = models.ForeignKey(
        "projects.Project",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="firm_requests",
        verbose_name=_("projet de suite"),
    )
    deletion_requested_at = models.DateTimeField(_("effacement demandé le"), null=True, blank=True)
    anonymised_at = models.DateTimeField(_("anonymisée le"), null=True, blank=True)

    objects = FirmRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("demande d'entreprise")
        verbose_name_plural = _("demandes d'entreprises")
        ordering = ["-created_at", "pk"]
        indexes = [
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["region", "status"]),
            models.Index(fields=["closed_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_invoiced__isnull=True) | Q(amount_invoiced__gte=0),
                name="firmrequest_amount_positive",
                violation_error_message=_("Un montant ne peut pas être négatif."),
            ),
        ]

    def __str__(self):
        return f"{self.company_name} — {self.created_at:%Y-%m-%d}"

    def get_absolute_url(self):
        return reverse("request_detail", args=[self.pk])


VISIBLE_ROUTINGS = (
    RoutingStatus.NOTIFIED,
    RoutingStatus.ACCEPTED,
    RoutingStatus.DECLINED,
    RoutingStatus.PASSED,
)


class RequestRouting(models.Model):
    """A platform a request is routed to: proposed by the portal (matching domains and
    region), confirmed by the correspondent (or sent at once when the firm chose the
    platform), then accepted, declined with a reason, or passed to another platform."""

    request = models.ForeignKey(
        FirmRequest, on_delete=models.CASCADE, related_name="routings", verbose_name=_("demande")
    )
    platform = models.ForeignKey(
        "members.Platform",
        on_delete=models.CASCADE,
        related_name="request_routings",
        verbose_name=_("plateforme"),
    )
    status = models.CharField(
        _("état"), max_length=20, choices=RoutingStatus.choices, default=RoutingStatus.PROPOSED
    )
    score = models.PositiveSmallIntegerField(
        _("pertinence"), default=0, help_text=_("Domaines en commun, même région...")
    )
    reason = models.TextField(_("motif"), blank=True)
    passed_to = models.ForeignKey(
        "members.Platform",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("passée à"),
    )
    routed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("le"), default=timezone.now)
    notified_at = models.DateTimeField(_("transmise le"), null=True, blank=True)
    answered_at = models.DateTimeField(_("réponse le"), null=True, blank=True)

    class Meta:
        verbose_name = _("orientation")
        verbose_name_plural = _("orientations")
        ordering = ["-score", "pk"]
        indexes = [models.Index(fields=["platform", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "platform"],
                name="requestrouting_unique_platform",
                violation_error_message=_("La demande est déjà orientée vers cette plateforme."),
            ),
            models.UniqueConstraint(
                fields=["request"],
                condition=Q(status=RoutingStatus.ACCEPTED),
                name="requestrouting_one_acceptance",
                violation_error_message=_("Une autre plateforme a déjà accepté la demande."),
            ),
        ]

    def __str__(self):
        return f"{self.request} → {self.platform}"


class RequestEvent(models.Model):
    """What happened to a request, dated: each change of state, each routing, each message
    (from the firm through its link, or from a platform), internal notes."""

    request = models.ForeignKey(
        FirmRequest, on_delete=models.CASCADE, related_name="events", verbose_name=_("demande")
    )
    kind = models.CharField(_("nature"), max_length=20, choices=RequestEventKind.choices)
    status = models.CharField(
        _("nouvel état"), max_length=20, choices=RequestStatus.choices, blank=True
    )
    platform = models.ForeignKey(
        "members.Platform",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("plateforme"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    text = models.TextField(_("texte"), blank=True)
    created_at = models.DateTimeField(_("le"), default=timezone.now)

    class Meta:
        verbose_name = _("événement d'une demande")
        verbose_name_plural = _("événements des demandes")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.request}: {self.get_kind_display()}"
