from django.db import models
from django.utils.translation import gettext_lazy as _


class LabelStatus(models.TextChoices):
    LABELLED = "labelled", _("Labellisée")
    RENEWAL = "renewal", _("Renouvellement en cours")
    EXPIRED = "expired", _("Label expiré")
    NOT_LABELLED = "not_labelled", _("Non labellisée")


class EstablishmentKind(models.TextChoices):
    LYCEE = "lycee", _("Lycée")
    IUT = "iut", _("IUT")
    UNIVERSITY = "university", _("Université")
    ENGINEERING_SCHOOL = "engineering_school", _("École d'ingénieurs")
    OTHER = "other", _("Autre")


class HostRole(models.TextChoices):
    CARRYING = "carrying", _("Établissement porteur")
    PARTNER = "partner", _("Établissement partenaire")


class PlatformRole(models.TextChoices):
    DIRECTOR = "director", _("Directeur·rice")
    STAFF = "staff", _("Membre de l'équipe")
    ACCOUNTING = "accounting", _("Contact comptable")


class CorrespondentKind(models.TextChoices):
    REGIONAL = "regional", _("Correspondant régional")
    THEMATIC = "thematic", _("Correspondant thématique")


# Dues (issue 4) ---------------------------------------------------------------


class DuesStatus(models.TextChoices):
    TO_CALL = "to_call", _("À appeler")
    CALLED = "called", _("Appelée")
    PARTLY_PAID = "partly_paid", _("Payée en partie")
    PAID = "paid", _("Payée")
    EXEMPT = "exempt", _("Exonérée")
    CANCELLED = "cancelled", _("Annulée")


class PaymentMethod(models.TextChoices):
    TRANSFER = "transfer", _("Virement")
    CHEQUE = "cheque", _("Chèque")
    MANDATE = "mandate", _("Mandat administratif")
    CARD = "card", _("Carte bancaire")
    CASH = "cash", _("Espèces")


class DuesDocumentKind(models.TextChoices):
    NOTICE = "notice", _("Appel de cotisation")
    RECEIPT = "receipt", _("Reçu")
    CERTIFICATE = "certificate", _("Attestation d'adhésion")
