from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """A person's role in the portal. Directors are linked to platforms in members/."""

    DIRECTOR = "director", _("Directeur·rice de plateforme")
    BUREAU = "bureau", _("Bureau")
    MINISTRY = "ministry", _("Ministère")


class EmailStatus(models.TextChoices):
    """Where an email of the outbox stands (``innovalo.models.SentReminder``)."""

    PENDING = "pending", _("À envoyer")
    SENDING = "sending", _("En cours d'envoi")
    SENT = "sent", _("Envoyé")
    FAILED = "failed", _("Échec (sera réessayé)")
    SKIPPED = "skipped", _("Sans objet")


class ReportEdition(models.TextChoices):
    """The national report's editions: the bureau's has the dues amounts, the ministry's
    rates and counts only (``innovalo.dashboard.page.viewer_kind``)."""

    BUREAU = "bureau", _("Bureau")
    MINISTRY = "ministry", _("Ministère")


class ReportStatus(models.TextChoices):
    """Where a stored national report stands (``innovalo.models.NationalReport``)."""

    PENDING = "pending", _("En préparation")
    READY = "ready", _("Prêt")
    FAILED = "failed", _("Échec")
