from django.db import models
from django.utils.translation import gettext_lazy as _


class MeetingKind(models.TextChoices):
    BUREAU = "bureau", _("Réunion de bureau")
    NATIONAL = "national", _("Réunion nationale")
    GENERAL_ASSEMBLY = "general_assembly", _("Assemblée générale")
    WORKING_GROUP = "working_group", _("Groupe de travail")
    EXTERNAL = "external", _("Réunion extérieure")
    STEERING_COMMITTEE = "steering_committee", _("Comité de pilotage d'une plateforme")


class MeetingStatus(models.TextChoices):
    DRAFT = "draft", _("En préparation")
    CONVENED = "convened", _("Convoquée")
    HELD = "held", _("Tenue")
    MINUTES_DRAFTED = "minutes_drafted", _("Compte rendu en rédaction")
    MINUTES_PUBLISHED = "minutes_published", _("Compte rendu publié")
    CANCELLED = "cancelled", _("Annulée")


class AgendaItemKind(models.TextChoices):
    TALK = "talk", _("Intervention")
    WORKING_GROUP = "working_group", _("Atelier / groupe de travail")
    BREAK = "break", _("Pause")
    MEAL = "meal", _("Repas")
    VISIT = "visit", _("Visite")


class ProposalStatus(models.TextChoices):
    PENDING = "pending", _("En attente")
    ACCEPTED = "accepted", _("Acceptée")
    DECLINED = "declined", _("Refusée")


class RsvpStatus(models.TextChoices):
    PENDING = "pending", _("Sans réponse")
    YES = "yes", _("Inscrit·e")
    NO = "no", _("Ne viendra pas")


class Attendance(models.TextChoices):
    UNKNOWN = "", _("Non renseignée")
    PRESENT = "present", _("Présent·e")
    EXCUSED = "excused", _("Excusé·e")
    ABSENT = "absent", _("Absent·e")
    REPRESENTED = "represented", _("Représenté·e")


class MinutesStatus(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    PUBLISHED = "published", _("Publié")


class ActionStatus(models.TextChoices):
    OPEN = "open", _("En cours")
    DONE = "done", _("Faite")
    CANCELLED = "cancelled", _("Annulée")


class AttachmentKind(models.TextChoices):
    DOCUMENT = "document", _("Document")
    PRESENTATION = "presentation", _("Présentation")
    FINANCIAL_REPORT = "financial_report", _("Rapport financier")
    ACTIVITY_REPORT = "activity_report", _("Rapport d'activité")
