from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


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


# Transfer, agreements and steering committees (issue 11) ------------------------


class TransferLevel(models.IntegerChoices):
    """The four levels of technology transfer of the IUT Midi-Pyrénées plan."""

    PRACTICES = 1, _("1 · Pratiques et outils (projets d'étudiants, stages)")
    WORK_STUDY = 2, _("2 · Innovation par l'alternance")
    EXPERTISE = 3, _("3 · Expertise technologique et formation")
    RESEARCH = 4, _("4 · Partenariat de recherche (verrou technologique)")


class AgreementKind(models.TextChoices):
    HOST = "host", _("Établissement d'accueil")
    FIRM = "firm", _("Entreprise")
    REGION = "region", _("Région ou collectivité")
    CAMPUS = "campus", _("Campus des métiers et des qualifications")
    LAB = "lab", _("Laboratoire de recherche")
    OTHER = "other", _("Autre partenaire")


class College(models.TextChoices):
    """The four colleges of a steering committee."""

    ECONOMY = "economy", _("Économie")
    TERRITORY = "territory", _("Territoire")
    TRAINING = "training", _("Formation")
    RESEARCH = "research", pgettext_lazy("college", "Recherche")
