"""A campaign (a yearly platform survey or an external questionnaire), its ordered
sections of ordered questions, and the choices of choice questions.

A question's ``code`` is stable: unique in its campaign, kept when a campaign is
copied to the next year, so that years compare.
"""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from ..enums import CHOICE_TYPES, CampaignKind, CampaignStatus, QuestionType


def default_reminder_days():
    return [14, 7, 2]


class Campaign(models.Model):
    title = models.CharField(_("titre"), max_length=200)
    year = models.PositiveSmallIntegerField(_("année"))
    kind = models.CharField(
        _("type"), max_length=16, choices=CampaignKind.choices, default=CampaignKind.PLATFORM_SURVEY
    )
    opens_on = models.DateField(_("ouverture"))
    closes_on = models.DateField(_("clôture"))
    status = models.CharField(
        _("état"), max_length=16, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    introduction = models.TextField(_("introduction"), blank=True)
    anonymous = models.BooleanField(
        _("anonyme"),
        default=False,
        help_text=_("Les réponses ne sont jamais montrées à côté d'une identité."),
    )
    reminder_days = models.JSONField(
        _("relances (jours avant la clôture)"), default=default_reminder_days, blank=True
    )
    max_reminders = models.PositiveSmallIntegerField(_("nombre maximal de relances"), default=3)
    min_days_between_reminders = models.PositiveSmallIntegerField(
        _("délai minimal entre deux relances (jours)"), default=3
    )
    copied_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="copies",
        verbose_name=_("copiée de"),
    )
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    class Meta:
        verbose_name = _("campagne")
        verbose_name_plural = _("campagnes")
        ordering = ["-year", "title", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gt=F("opens_on")),
                name="surveys_campaign_closes_after_opens",
                violation_error_message=_("La clôture doit suivre l'ouverture."),
            ),
            models.CheckConstraint(
                condition=Q(year__gte=2000, year__lte=2200),
                name="surveys_campaign_year_range",
                violation_error_message=_("L'année de la campagne n'est pas plausible."),
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_external(self):
        return self.kind == CampaignKind.EXTERNAL


class Section(models.Model):
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="sections", verbose_name=_("campagne")
    )
    # No unique (campaign, order): reordering renumbers rows one by one.
    order = models.PositiveIntegerField(_("ordre"), default=0)
    title = models.CharField(_("titre"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["campaign", "order", "pk"]

    def __str__(self):
        return self.title


class Question(models.Model):
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="questions", verbose_name=_("campagne")
    )
    section = models.ForeignKey(
        Section, on_delete=models.CASCADE, related_name="questions", verbose_name=_("section")
    )
    order = models.PositiveIntegerField(_("ordre"), default=0)
    code = models.SlugField(_("code"), max_length=50)
    label = models.CharField(_("intitulé"), max_length=500)
    help_text = models.TextField(_("aide"), blank=True)
    required = models.BooleanField(_("obligatoire"), default=False)
    type = models.CharField(_("type"), max_length=20, choices=QuestionType.choices)
    unit = models.CharField(_("unité"), max_length=30, blank=True)
    min_value = models.DecimalField(
        _("minimum"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    max_value = models.DecimalField(
        _("maximum"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    is_ministry_indicator = models.BooleanField(_("indicateur pour le ministère"), default=False)
    show_if_question = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dependent_questions",
        verbose_name=_("affichée si la question"),
    )
    show_if_choice_code = models.SlugField(_("a pour réponse le choix"), max_length=50, blank=True)
    # Number tables: [{"code": "tpe", "label": "TPE"}, ...]
    rows = models.JSONField(_("lignes"), default=list, blank=True)
    columns = models.JSONField(_("colonnes"), default=list, blank=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["section__order", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "code"],
                name="surveys_question_code_unique",
                violation_error_message=_("Ce code est déjà utilisé dans la campagne."),
            ),
            models.CheckConstraint(
                condition=Q(min_value__isnull=True)
                | Q(max_value__isnull=True)
                | Q(min_value__lte=F("max_value")),
                name="surveys_question_min_le_max",
                violation_error_message=_("Le minimum ne peut dépasser le maximum."),
            ),
            models.CheckConstraint(
                condition=Q(show_if_question__isnull=True, show_if_choice_code="")
                | (Q(show_if_question__isnull=False) & ~Q(show_if_choice_code="")),
                name="surveys_question_condition_complete",
                violation_error_message=_("Une condition nomme une question et un de ses choix."),
            ),
        ]

    def __str__(self):
        return f"{self.code} — {self.label}"

    @property
    def is_choice(self):
        return self.type in CHOICE_TYPES

    def is_visible(self, values: dict, questions: dict | None = None) -> bool:
        """Shown to the respondent, given the answers' values by code ({code: value});
        a question whose condition's question is itself hidden is hidden. ``questions``
        ({pk: question}, the campaign's) saves a query per level of conditions."""
        seen = set()
        question = self
        while question.show_if_question_id is not None and question.pk not in seen:
            seen.add(question.pk)
            parent = (questions or {}).get(question.show_if_question_id)
            parent = parent or question.show_if_question
            value = values.get(parent.code)
            chosen = value if isinstance(value, list) else [value]
            if question.show_if_choice_code not in chosen:
                return False
            question = parent
        return True


class Choice(models.Model):
    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="choices", verbose_name=_("question")
    )
    order = models.PositiveIntegerField(_("ordre"), default=0)
    code = models.SlugField(_("code"), max_length=50)
    label = models.CharField(_("libellé"), max_length=300)

    class Meta:
        verbose_name = _("choix")
        verbose_name_plural = _("choix")
        ordering = ["question", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["question", "code"],
                name="surveys_choice_code_unique",
                violation_error_message=_("Ce code de choix existe déjà pour la question."),
            ),
        ]

    def __str__(self):
        return self.label
