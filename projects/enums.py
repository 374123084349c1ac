from django.db import models
from django.utils.translation import gettext_lazy as _


class FunderKind(models.TextChoices):
    STATE = "state", _("État")
    REGION = "region", _("Région")
    EU = "eu", _("Union européenne")
    BPIFRANCE = "bpifrance", _("Bpifrance")
    ADEME = "ademe", _("ADEME")
    ANR = "anr", _("ANR")
    FOUNDATION = "foundation", _("Fondation")
    FIRM = "firm", _("Entreprise")


class CallKind(models.TextChoices):
    CALL_FOR_PROJECTS = "call", _("Appel à projets")
    CONTEST = "contest", _("Concours d'innovation")
    LABEL = "label", _("Label ou agrément")
    EU_FUND = "eu_fund", _("Fonds européen ou FEDER")
    TAX_CREDIT = "tax_credit", _("Crédit d'impôt")


class CallScope(models.TextChoices):
    NATIONAL = "national", _("National")
    REGIONAL = "regional", _("Régional")
    EUROPEAN = "european", _("Européen")


class CallStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposé")
    PUBLISHED = "published", _("Publié")
    ARCHIVED = "archived", _("Archivé")
    REFUSED = "refused", _("Proposition refusée")


# A proposal, pending or refused, is seen by the bureau and its proposer only.
PRIVATE_STATUSES = (CallStatus.PROPOSED, CallStatus.REFUSED)


class Applicant(models.TextChoices):
    PLATFORMS = "platforms", _("Plateformes")
    HOSTS = "hosts", _("Établissements d'accueil")
    SMES = "smes", _("PME")
    CONSORTIA = "consortia", _("Consortiums")


class CallState(models.TextChoices):
    """Where a call stands today, from its dates (computed, never stored)."""

    UPCOMING = "upcoming", _("À venir")
    OPEN = "open", _("Ouvert")
    CLOSING_SOON = "closing_soon", _("Clôture proche")
    CLOSED = "closed", _("Clos")


class ChangeStatus(models.TextChoices):
    PENDING = "pending", _("À examiner")
    ACCEPTED = "accepted", _("Acceptée")
    REFUSED = "refused", _("Refusée")


class Frequency(models.TextChoices):
    DAILY = "daily", _("Chaque jour")
    WEEKLY = "weekly", _("Chaque semaine")


class ProjectStage(models.TextChoices):
    IDEA = "idea", _("Idée")
    CONSORTIUM = "consortium", _("Consortium")
    WRITING = "writing", _("Rédaction")
    SUBMITTED = "submitted", _("Déposé")
    WON = "won", _("Retenu")
    NOT_RETAINED = "not_retained", _("Non retenu")
    WITHDRAWN = "withdrawn", _("Abandonné")


OPEN_STAGES = (
    ProjectStage.IDEA,
    ProjectStage.CONSORTIUM,
    ProjectStage.WRITING,
    ProjectStage.SUBMITTED,
)
DECIDED_STAGES = (ProjectStage.WON, ProjectStage.NOT_RETAINED)


class PartnerKind(models.TextChoices):
    PLATFORM = "platform", _("Plateforme du réseau")
    FIRM = "firm", _("Entreprise")
    LAB = "lab", _("Laboratoire")
    OTHER = "other", _("Autre partenaire")


# Requests from firms (issue 11) ------------------------------------------------------


class RequestStatus(models.TextChoices):
    NEW = "new", _("Nouvelle")
    ROUTED = "routed", _("Orientée")
    ACCEPTED = "accepted", _("Acceptée")
    IN_PROGRESS = "in_progress", _("En cours")
    DONE = "done", _("Terminée")
    DECLINED = "declined", _("Déclinée")
    NO_ANSWER = "no_answer", _("Sans réponse")


OPEN_REQUEST_STATUSES = (
    RequestStatus.NEW,
    RequestStatus.ROUTED,
    RequestStatus.ACCEPTED,
    RequestStatus.IN_PROGRESS,
)
CLOSED_REQUEST_STATUSES = (RequestStatus.DONE, RequestStatus.DECLINED, RequestStatus.NO_ANSWER)


class RequestTiming(models.TextChoices):
    ASAP = "asap", _("Dès que possible")
    QUARTER = "quarter", _("Dans les 3 mois")
    HALF_YEAR = "half_year", _("Dans les 6 mois")
    LATER = "later", _("Plus tard, sans urgence")


class RoutingStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposée par le portail")
    NOTIFIED = "notified", _("Transmise à la plateforme")
    ACCEPTED = "accepted", _("Acceptée")
    DECLINED = "declined", _("Déclinée")
    PASSED = "passed", _("Passée à une autre plateforme")
    WITHDRAWN = "withdrawn", _("Retirée")


class RequestEventKind(models.TextChoices):
    CREATED = "created", _("Demande déposée")
    STATUS = "status", _("Changement d'état")
    ROUTED = "routed", _("Orientation")
    MESSAGE_FIRM = "message_firm", _("Message de l'entreprise")
    MESSAGE_PLATFORM = "message_platform", _("Message de la plateforme")
    NOTE = "note", _("Note interne")


class RequestSource(models.TextChoices):
    DIRECTORY = "directory", _("Annuaire")
    REGION = "region", _("Page d'une région")
    PLATFORM = "platform", _("Fiche d'une plateforme")
