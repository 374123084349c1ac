"""Co-built projects: a lead platform, partners with their budget lines, a stage from the
idea to the funder's decision, documents and a next step."""

import os
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..enums import OPEN_STAGES, PartnerKind, ProjectStage


class ProjectQuerySet(models.QuerySet):
    def of_platforms(self, platform_ids):
        """Projects a platform leads or is a partner of."""
        return self.filter(
            Q(lead_platform_id__in=platform_ids) | Q(partners__platform_id__in=platform_ids)
        ).distinct()

    def open(self):
        return self.filter(stage__in=OPEN_STAGES)

    def with_budget(self):
        """``budget_total`` and ``obtained_total`` summed in SQL over the partners' lines."""
        return self.annotate(
            budget_total=Sum("partners__budget_requested"),
            obtained_total=Sum("partners__amount_obtained"),
        )

    def for_board(self):
        return (
            self.select_related("call", "lead_platform", "lead_platform__department__region")
            .prefetch_related("partners__platform")
            .order_by("stage", "deadline", "pk")
        )


class Project(models.Model):
    title = models.CharField(_("titre"), max_length=300)
    acronym = models.CharField(_("acronyme"), max_length=40, blank=True)
    summary = models.TextField(_("résumé"), blank=True)
    call = models.ForeignKey(
        "projects.Call",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projects",
        verbose_name=_("appel visé"),
    )
    lead_platform = models.ForeignKey(
        "members.Platform",
        on_delete=models.PROTECT,
        related_name="led_projects",
        verbose_name=_("plateforme porteuse"),
    )
    stage = models.CharField(
        _("étape"), max_length=20, choices=ProjectStage.choices, default=ProjectStage.IDEA
    )
    stage_changed_at = models.DateTimeField(_("étape depuis le"), default=timezone.now)
    deadline = models.DateTimeField(
        _("date limite"),
        null=True,
        blank=True,
        help_text=_("Reprise des dates de l'appel ; modifiable."),
    )
    submitted_on = models.DateField(_("déposé le"), null=True, blank=True)
    decided_on = models.DateField(_("décision le"), null=True, blank=True)
    decision_note = models.TextField(_("décision du financeur"), blank=True)
    next_step = models.CharField(_("prochaine étape"), max_length=300, blank=True)
    next_step_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="project_next_steps",
        verbose_name=_("responsable de la prochaine étape"),
    )
    next_step_due = models.DateField(_("échéance de la prochaine étape"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)
    updated_at = models.DateTimeField(_("modifié le"), default=timezone.now)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("projet")
        verbose_name_plural = _("projets")
        ordering = ["-created_at", "pk"]
        indexes = [models.Index(fields=["stage", "deadline"])]

    def __str__(self):
        return f"{self.acronym} — {self.title}" if self.acronym else self.title

    def get_absolute_url(self):
        return reverse("project_detail", args=[self.pk])


class ProjectPartner(models.Model):
    """A partner's line: a platform of the network or an outside partner (firm, lab),
    its role and the budget requested for it; the amount obtained once decided."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="partners", verbose_name=_("projet")
    )
    kind = models.CharField(
        _("nature"), max_length=20, choices=PartnerKind.choices, default=PartnerKind.PLATFORM
    )
    platform = models.ForeignKey(
        "members.Platform",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="project_partnerships",
        verbose_name=_("plateforme"),
    )
    organisation = models.CharField(
        _("organisme"), max_length=200, blank=True, help_text=_("Pour un partenaire extérieur.")
    )
    role = models.CharField(_("rôle"), max_length=200, blank=True)
    budget_requested = models.DecimalField(
        _("budget demandé (€)"), max_digits=12, decimal_places=2, default=0
    )
    amount_obtained = models.DecimalField(
        _("montant obtenu (€)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    order = models.PositiveIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("partenaire")
        verbose_name_plural = _("partenaires")
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "platform"],
                condition=Q(platform__isnull=False),
                name="projectpartner_unique_platform",
                violation_error_message=_("Cette plateforme est déjà partenaire du projet."),
            ),
            models.CheckConstraint(
                condition=(Q(kind=PartnerKind.PLATFORM) & Q(platform__isnull=False))
                | (~Q(kind=PartnerKind.PLATFORM) & Q(platform__isnull=True) & ~Q(organisation="")),
                name="projectpartner_platform_or_organisation",
                violation_error_message=_(
                    "Un partenaire est une plateforme du réseau ou un organisme nommé."
                ),
            ),
            models.CheckConstraint(
                condition=Q(budget_requested__gte=0)
                & (Q(amount_obtained__isnull=True) | Q(amount_obtained__gte=0)),
                name="projectpartner_amounts_positive",
                violation_error_message=_("Un montant ne peut pas être négatif."),
            ),
        ]

    def __str__(self):
        return str(self.platform) if self.platform_id else self.organisation


ALLOWED_EXTENSIONS = (".pdf", ".docx", ".xlsx", ".pptx", ".odt", ".ods", ".odp", ".png", ".jpg")
MAX_DOCUMENT_SIZE = 10 * 1024 * 1024


def document_path(instance, filename):
    """MEDIA_ROOT/projects/<project id>/<random><ext>: never the uploaded name."""
    ext = os.path.splitext(filename)[1].lower()
    return f"projects/{instance.project_id}/{uuid.uuid4().hex}{ext}"


class ProjectDocument(models.Model):
    """A project's document, served only to those who may see the project's documents."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="documents", verbose_name=_("projet")
    )
    title = models.CharField(_("titre"), max_length=200)
    file = models.FileField(_("fichier"), upload_to=document_path)
    original_name = models.CharField(_("nom d'origine"), max_length=255)
    size = models.PositiveIntegerField(_("taille"), default=0)
    sha256 = models.CharField(max_length=64, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("déposé le"), default=timezone.now)

    class Meta:
        verbose_name = _("document du projet")
        verbose_name_plural = _("documents du projet")
        ordering = ["-uploaded_at", "pk"]

    def __str__(self):
        return self.title
