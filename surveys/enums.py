from django.db import models
from django.utils.translation import gettext_lazy as _


class CampaignKind(models.TextChoices):
    PLATFORM_SURVEY = "platform", _("Enquête des plateformes")
    EXTERNAL = "external", _("Questionnaire externe")


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("En préparation")
    OPEN = "open", _("Ouverte")
    CLOSED = "closed", _("Clôturée")
    PUBLISHED = "published", _("Résultats publiés")


class QuestionType(models.TextChoices):
    INTEGER = "integer", _("Nombre entier")
    DECIMAL = "decimal", _("Nombre décimal (avec unité)")
    MONEY = "money", _("Montant (€)")
    PERCENTAGE = "percentage", _("Pourcentage")
    SHORT_TEXT = "short_text", _("Texte court")
    LONG_TEXT = "long_text", _("Texte long")
    SINGLE_CHOICE = "single_choice", _("Choix unique")
    MULTIPLE_CHOICE = "multiple_choice", _("Choix multiple")
    SCALE = "scale", _("Échelle de 1 à 5")
    YES_NO = "yes_no", _("Oui / non")
    DATE = "date", _("Date")
    NUMBER_TABLE = "number_table", _("Tableau de nombres")


NUMBER_TYPES = (
    QuestionType.INTEGER,
    QuestionType.DECIMAL,
    QuestionType.MONEY,
    QuestionType.PERCENTAGE,
    QuestionType.SCALE,
)
BOUNDED_TYPES = (*NUMBER_TYPES, QuestionType.NUMBER_TABLE)
CHOICE_TYPES = (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE)


class ResponseStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Non commencée")
    DRAFT = "draft", _("Brouillon")
    SUBMITTED = "submitted", _("Envoyée")


class RespondentStatus(models.TextChoices):
    INVITED = "invited", _("Invité")
    STARTED = "started", _("Commencé")
    COMPLETED = "completed", _("Terminé")
    OPTED_OUT = "opted_out", _("Désinscrit")
    BOUNCED = "bounced", _("Adresse en échec")


class InvitationState(models.TextChoices):
    """Where a respondent's invitation email stands (see ``surveys/services/invitations``).

    At most once: a respondent is claimed (``sending``) in the database before its
    message leaves, and marked ``sent`` once the SMTP server accepted it; a worker
    killed in between leaves at most one row ``sending`` (uncertain), which the bureau
    may send again or leave."""

    NONE = "none", _("Pas encore demandée")
    PENDING = "pending", _("En attente d'envoi")
    HELD = "held", _("Envoi arrêté")
    SENDING = "sending", _("Envoi en cours")
    SENT = "sent", _("Envoyée")
    FAILED = "failed", _("Échec de l'envoi")
    SKIPPED = "skipped", _("Non envoyée (désinscrit ou adresse en échec)")
