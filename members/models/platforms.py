import datetime

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from innovalo.identifiers import validate_siret

from ..enums import CorrespondentKind, EstablishmentKind, HostRole, LabelStatus, PlatformRole
from .territories import Department, Region

uai_validator = RegexValidator(
    r"^\d{7}[A-Z]$", _("Un code UAI compte 7 chiffres suivis d'une lettre majuscule.")
)

# The profile a platform's people keep current (in the order of the edit page), and
# the fields only the bureau changes (the label is granted by the association).
PROFILE_FIELDS = (
    "name",
    "acronym",
    "description",
    "address",
    "postal_code",
    "city",
    "department",
    "website",
    "email",
    "phone",
    "domains",
    "services",
    "services_description",
    "campuses",
    "billing_name",
    "billing_address",
    "siret",
    "chorus_service_code",
)
BUREAU_FIELDS = ("label_status", "label_granted_on", "label_expires_on", "is_member")
# A profile not reviewed for this long is due for review (reminder, home page).
REVIEW_PERIOD = datetime.timedelta(days=365)
# A search uses its first words only: each word adds a clause on six columns, and a
# thousand of them exceed what a database accepts in one query.
MAX_SEARCH_WORDS = 10


class Domain(models.Model):
    """A technological domain (mechanics, plastics, digital...): a managed list."""

    name = models.CharField(_("nom"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("domaine")
        verbose_name_plural = _("domaines")
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name


class Service(models.Model):
    """A kind of service offered to companies (tests, prototyping, training...)."""

    name = models.CharField(_("nom"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name


class Establishment(models.Model):
    """A lycée, IUT, university or other establishment that hosts platforms."""

    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(_("type"), max_length=30, choices=EstablishmentKind.choices)
    uai = models.CharField(
        _("code UAI"), max_length=8, unique=True, null=True, blank=True, validators=[uai_validator]
    )
    city = models.CharField(_("ville"), max_length=100)
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="establishments",
        verbose_name=_("département"),
    )

    class Meta:
        verbose_name = _("établissement")
        verbose_name_plural = _("établissements")
        ordering = ["name", "pk"]

    def __str__(self):
        return f"{self.name} ({self.city})"


class Campus(models.Model):
    """A *campus des métiers et des qualifications*."""

    name = models.CharField(_("nom"), max_length=200, unique=True)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="campuses", verbose_name=_("région")
    )
    website = models.URLField(_("site web"), blank=True)

    class Meta:
        verbose_name = _("campus des métiers et des qualifications")
        verbose_name_plural = _("campus des métiers et des qualifications")
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name


class PlatformQuerySet(models.QuerySet):
    def for_directory(self):
        """Everything a directory row shows, in a fixed number of queries."""
        return self.select_related("department__region").prefetch_related(
            "domains",
            Prefetch(
                "hosts",
                queryset=PlatformHost.objects.select_related("establishment").order_by(
                    "role", "pk"
                ),
            ),
        )

    def for_detail(self):
        return self.for_directory().prefetch_related(
            "services",
            "campuses",
            "equipment",
            Prefetch(
                "memberships",
                queryset=PlatformMembership.objects.select_related("user").order_by(
                    "role", "user__last_name", "pk"
                ),
            ),
        )

    def managed_by(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(memberships__user=user).distinct()

    def members(self):
        """Platforms that are members of the association (they are called for dues)."""
        return self.filter(is_member=True)

    def search(self, text):
        """Platforms matching every word of `text` (its first MAX_SEARCH_WORDS words)
        in their name, acronym, city, presentation, services or department."""
        match = Q()
        for word in (text or "").split()[:MAX_SEARCH_WORDS]:
            match &= (
                Q(name__icontains=word)
                | Q(acronym__icontains=word)
                | Q(city__icontains=word)
                | Q(description__icontains=word)
                | Q(services_description__icontains=word)
                | Q(department__name__icontains=word)
            )
        return self.filter(match)

    def review_due(self, now=None):
        """Profiles never reviewed, or not for REVIEW_PERIOD."""
        now = now or timezone.now()
        return self.filter(Q(reviewed_at__isnull=True) | Q(reviewed_at__lt=now - REVIEW_PERIOD))


class Platform(models.Model):
    name = models.CharField(_("nom"), max_length=200)
    acronym = models.CharField(_("sigle"), max_length=30, blank=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    description = models.TextField(_("présentation"), blank=True)
    city = models.CharField(_("ville"), max_length=100)
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="platforms",
        verbose_name=_("département"),
    )
    address = models.CharField(_("adresse"), max_length=255, blank=True)
    postal_code = models.CharField(_("code postal"), max_length=10, blank=True)
    website = models.URLField(_("site web"), blank=True)
    email = models.EmailField(_("e-mail de contact public"), blank=True)
    phone = models.CharField(_("téléphone public"), max_length=30, blank=True)
    domains = models.ManyToManyField(
        Domain, blank=True, related_name="platforms", verbose_name=_("domaines")
    )
    services = models.ManyToManyField(
        Service, blank=True, related_name="platforms", verbose_name=_("services proposés")
    )
    services_description = models.TextField(_("détail des services"), blank=True)
    campuses = models.ManyToManyField(
        Campus,
        blank=True,
        related_name="platforms",
        verbose_name=_("campus des métiers et des qualifications"),
    )
    label_status = models.CharField(
        _("label"), max_length=20, choices=LabelStatus.choices, default=LabelStatus.NOT_LABELLED
    )
    label_granted_on = models.DateField(_("labellisée le"), null=True, blank=True)
    label_expires_on = models.DateField(_("label valable jusqu'au"), null=True, blank=True)
    is_member = models.BooleanField(
        _("adhérente"), default=True, help_text=_("Appelée à cotiser chaque année.")
    )
    billing_name = models.CharField(_("nom de facturation"), max_length=200, blank=True)
    billing_address = models.TextField(_("adresse de facturation"), blank=True)
    siret = models.CharField(_("SIRET"), max_length=14, blank=True, validators=[validate_siret])
    chorus_service_code = models.CharField(_("code service Chorus Pro"), max_length=100, blank=True)
    reviewed_at = models.DateTimeField(_("fiche revue le"), null=True, blank=True)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    history = HistoricalRecords(m2m_fields=[domains, services, campuses])
    objects = PlatformQuerySet.as_manager()

    class Meta:
        verbose_name = _("plateforme")
        verbose_name_plural = _("plateformes")
        ordering = ["name", "pk"]

    def __str__(self):
        return f"{self.name} ({self.acronym})" if self.acronym else self.name

    def get_absolute_url(self):
        return reverse("platform_detail", args=[self.slug])

    @property
    def region(self):
        return self.department.region

    def review_is_due(self, now=None) -> bool:
        """Never reviewed, or not for REVIEW_PERIOD (as ``Platform.objects.review_due``)."""
        now = now or timezone.now()
        return self.reviewed_at is None or self.reviewed_at < now - REVIEW_PERIOD

    def people_emails(self, *roles):
        """Emails of the platform's people with the given roles (all if none)."""
        qs = self.memberships.filter(user__is_active=True)
        if roles:
            qs = qs.filter(role__in=roles)
        return list(qs.values_list("user__email", flat=True).distinct())


class PlatformHost(models.Model):
    """An establishment hosting a platform, as carrying or partner establishment."""

    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="hosts")
    establishment = models.ForeignKey(
        Establishment,
        on_delete=models.PROTECT,
        related_name="hosted_platforms",
        verbose_name=_("établissement"),
    )
    role = models.CharField(
        _("rôle"), max_length=20, choices=HostRole.choices, default=HostRole.CARRYING
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("établissement d'accueil")
        verbose_name_plural = _("établissements d'accueil")
        ordering = ["role", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "establishment"],
                name="platformhost_unique",
                violation_error_message=_("Cet établissement est déjà lié à la plateforme."),
            )
        ]

    def __str__(self):
        return f"{self.establishment} — {self.get_role_display()}"


class Equipment(models.Model):
    platform = models.ForeignKey(
        Platform, on_delete=models.CASCADE, related_name="equipment", verbose_name=_("plateforme")
    )
    name = models.CharField(_("équipement"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("équipement")
        verbose_name_plural = _("équipements")
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name


class PlatformMembership(models.Model):
    """A person of a platform: director, staff or accounting contact."""

    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="platform_memberships",
        verbose_name=_("personne"),
    )
    role = models.CharField(
        _("rôle"), max_length=20, choices=PlatformRole.choices, default=PlatformRole.DIRECTOR
    )
    created_at = models.DateTimeField(_("depuis le"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("personne de la plateforme")
        verbose_name_plural = _("personnes de la plateforme")
        ordering = ["role", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "user"],
                name="platformmembership_unique",
                violation_error_message=_("Cette personne est déjà liée à la plateforme."),
            )
        ]

    def __str__(self):
        return f"{self.user} — {self.platform} ({self.get_role_display()})"


class Correspondent(models.Model):
    """One regional correspondent per region, one thematic correspondent per domain."""

    kind = models.CharField(_("type"), max_length=20, choices=CorrespondentKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="correspondences",
        verbose_name=_("personne"),
    )
    region = models.ForeignKey(
        Region,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="correspondents",
        verbose_name=_("région"),
    )
    domain = models.ForeignKey(
        Domain,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="correspondents",
        verbose_name=_("domaine"),
    )

    class Meta:
        verbose_name = _("correspondant")
        verbose_name_plural = _("correspondants")
        ordering = ["kind", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind=CorrespondentKind.REGIONAL, region__isnull=False, domain__isnull=True)
                    | Q(kind=CorrespondentKind.THEMATIC, domain__isnull=False, region__isnull=True)
                ),
                name="correspondent_kind_matches_target",
                violation_error_message=_(
                    "Un correspondant régional a une région ; un thématique, un domaine."
                ),
            ),
            models.UniqueConstraint(
                fields=["region"],
                condition=Q(kind=CorrespondentKind.REGIONAL),
                name="one_regional_correspondent_per_region",
                violation_error_message=_("Cette région a déjà un correspondant."),
            ),
            models.UniqueConstraint(
                fields=["domain"],
                condition=Q(kind=CorrespondentKind.THEMATIC),
                name="one_thematic_correspondent_per_domain",
                violation_error_message=_("Ce domaine a déjà un correspondant."),
            ),
        ]

    def __str__(self):
        target = self.region or self.domain
        return f"{self.user} — {self.get_kind_display()} ({target})"
