"""A platform's transfer offer (which of the four levels it offers), its partnership
agreements (*conventions*) and its steering committee's members. Writes live in
``members/services/partnerships.py`` (offer, agreements) and ``members/services/steering.py``
(the committee)."""

import datetime
import os
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ..enums import AgreementKind, College, TransferLevel


class TransferOffer(models.Model):
    """A transfer level a platform offers, with a short text saying how."""

    platform = models.ForeignKey(
        "members.Platform",
        on_delete=models.CASCADE,
        related_name="transfer_offers",
        verbose_name=_("plateforme"),
    )
    level = models.PositiveSmallIntegerField(_("niveau"), choices=TransferLevel.choices)
    description = models.CharField(_("ce que la plateforme propose"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("niveau de transfert proposé")
        verbose_name_plural = _("niveaux de transfert proposés")
        ordering = ["level", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "level"],
                name="transferoffer_unique_level",
                violation_error_message=_("Ce niveau est déjà proposé par la plateforme."),
            )
        ]

    def __str__(self):
        return f"{self.platform} — {self.get_level_display()}"


def agreement_path(instance, filename):
    """MEDIA_ROOT/agreements/<platform id>/<random><ext>: never the uploaded name."""
    ext = os.path.splitext(filename)[1].lower()
    return f"agreements/{instance.platform_id}/{uuid.uuid4().hex}{ext}"


class AgreementQuerySet(models.QuerySet):
    def ending_within(self, days, today=None):
        today = today or timezone.localdate()
        return self.filter(ends_on__gte=today, ends_on__lte=today + datetime.timedelta(days=days))


class Agreement(models.Model):
    """A partnership agreement (*convention*) of a platform."""

    platform = models.ForeignKey(
        "members.Platform",
        on_delete=models.CASCADE,
        related_name="agreements",
        verbose_name=_("plateforme"),
    )
    partner = models.CharField(_("partenaire"), max_length=200)
    kind = models.CharField(_("nature du partenaire"), max_length=20, choices=AgreementKind.choices)
    subject = models.CharField(pgettext_lazy("agreement", "objet"), max_length=300)
    starts_on = models.DateField(_("début"))
    ends_on = models.DateField(
        _("fin"), null=True, blank=True, help_text=_("Vide : sans date de fin.")
    )
    document = models.FileField(_("convention signée"), upload_to=agreement_path, blank=True)
    document_name = models.CharField(_("nom du fichier"), max_length=255, blank=True)
    document_sha256 = models.CharField(max_length=64, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)

    objects = AgreementQuerySet.as_manager()

    class Meta:
        verbose_name = _("convention")
        verbose_name_plural = _("conventions")
        ordering = [F("ends_on").asc(nulls_last=True), "pk"]
        indexes = [models.Index(fields=["ends_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="agreement_dates_in_order",
                violation_error_message=_("La fin d'une convention suit son début."),
            )
        ]

    def __str__(self):
        return f"{self.partner} — {self.subject}"


class SteeringMember(models.Model):
    """A member of a platform's steering committee: a person of the portal, or an outside
    name with an organisation; each in one of the four colleges."""

    platform = models.ForeignKey(
        "members.Platform",
        on_delete=models.CASCADE,
        related_name="steering_members",
        verbose_name=_("plateforme"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="steering_seats",
        verbose_name=_("personne du portail"),
    )
    name = models.CharField(_("nom"), max_length=200, blank=True)
    email = models.EmailField(_("adresse e-mail"), blank=True)
    organisation = models.CharField(_("organisme"), max_length=200, blank=True)
    college = models.CharField(_("collège"), max_length=20, choices=College.choices)
    role = models.CharField(_("rôle"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("depuis le"), default=timezone.now)

    class Meta:
        verbose_name = _("membre du comité de pilotage")
        verbose_name_plural = _("membres du comité de pilotage")
        ordering = ["college", "name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(name=""),
                name="steeringmember_user_or_name",
                violation_error_message=_(
                    "Un membre est une personne du portail ou un nom avec son organisme."
                ),
            ),
            models.UniqueConstraint(
                fields=["platform", "user"],
                condition=Q(user__isnull=False),
                name="steeringmember_unique_user",
                violation_error_message=_("Cette personne siège déjà au comité."),
            ),
        ]

    def __str__(self):
        return str(self.user) if self.user_id else self.name
