"""Responses (one per platform, or one per external respondent), their answers in
one typed column each, and the external respondents reached by a token link.

A response's ``version`` grows with every save: a save that names an older version
is refused (two people of one platform never overwrite each other silently).
"""

import hashlib
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from ..enums import InvitationState, QuestionType, RespondentStatus, ResponseStatus
from .campaigns import Campaign, Question

TEXT_STORED = (QuestionType.SHORT_TEXT, QuestionType.LONG_TEXT, QuestionType.SINGLE_CHOICE)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Respondent(models.Model):
    """An external respondent (an SME): no account, a token link. The token is derived
    (an HMAC of the respondent's id and random ``token_salt`` under the site's key), so
    every email carries the same link; only its sha256 is stored, to find it back. A
    new salt revokes the link."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="respondents", verbose_name=_("campagne")
    )
    email = models.EmailField(_("courriel"))
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    siret = models.CharField(_("SIRET"), max_length=14, blank=True)
    department = models.ForeignKey(
        "members.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("département"),
    )
    language = models.CharField(_("langue"), max_length=8, default="fr")
    token_hash = models.CharField(max_length=64, unique=True, null=True, editable=False)
    token_salt = models.CharField(max_length=32, blank=True, editable=False)
    invitation = models.CharField(
        _("invitation"),
        max_length=16,
        choices=InvitationState.choices,
        default=InvitationState.NONE,
    )
    invitation_claimed_at = models.DateTimeField(_("envoi commencé le"), null=True, blank=True)
    invited_at = models.DateTimeField(_("invité le"), null=True, blank=True)
    invitation_error = models.CharField(_("erreur d'envoi"), max_length=300, blank=True)
    status = models.CharField(
        _("état"), max_length=16, choices=RespondentStatus.choices, default=RespondentStatus.INVITED
    )
    opted_out_at = models.DateTimeField(_("désinscrit le"), null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(_("relances envoyées"), default=0)
    last_reminded_at = models.DateTimeField(_("dernière relance"), null=True, blank=True)
    created_at = models.DateTimeField(_("ajouté le"), auto_now_add=True)

    class Meta:
        verbose_name = _("répondant")
        verbose_name_plural = _("répondants")
        ordering = ["campaign", "email", "pk"]
        indexes = [
            # The invitation task claims the next pending respondent of a campaign.
            models.Index(fields=["campaign", "invitation", "id"], name="surveys_resp_invitation"),
        ]
        constraints = [
            models.UniqueConstraint(
                "campaign",
                Lower("email"),
                name="surveys_respondent_email_unique",
                violation_error_message=_("Ce courriel est déjà un répondant de la campagne."),
            ),
        ]

    def __str__(self):
        return self.organisation or self.email

    @classmethod
    def find_by_token(cls, token: str):
        """The respondent of a token link, or None (unknown, empty or absurd token)."""
        if not token or len(token) > 200:
            return None
        return cls.objects.select_related("campaign").filter(token_hash=hash_token(token)).first()


class Response(models.Model):
    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, related_name="responses", verbose_name=_("campagne")
    )
    platform = models.ForeignKey(
        "members.Platform",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="survey_responses",
        verbose_name=_("plateforme"),
    )
    respondent = models.OneToOneField(
        Respondent,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="response",
        verbose_name=_("répondant"),
    )
    status = models.CharField(
        _("état"), max_length=16, choices=ResponseStatus.choices, default=ResponseStatus.NOT_STARTED
    )
    version = models.PositiveIntegerField(_("version"), default=0)
    submitted_at = models.DateTimeField(_("envoyée le"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("envoyée par"),
    )
    created_at = models.DateTimeField(_("commencée le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    class Meta:
        verbose_name = _("réponse")
        verbose_name_plural = _("réponses")
        ordering = ["campaign", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(platform__isnull=False, respondent__isnull=True)
                | Q(platform__isnull=True, respondent__isnull=False),
                name="surveys_response_one_owner",
                violation_error_message=_(
                    "Une réponse est celle d'une plateforme ou d'un répondant, pas des deux."
                ),
            ),
            models.UniqueConstraint(
                fields=["campaign", "platform"],
                condition=Q(platform__isnull=False),
                name="surveys_response_one_per_platform",
                violation_error_message=_("La plateforme a déjà une réponse à cette campagne."),
            ),
            models.CheckConstraint(
                condition=~Q(status=ResponseStatus.SUBMITTED) | Q(submitted_at__isnull=False),
                name="surveys_response_submitted_has_date",
                violation_error_message=_("Une réponse envoyée a une date d'envoi."),
            ),
        ]

    def __str__(self):
        owner = self.platform if self.platform_id else self.respondent
        return f"{self.campaign} — {owner}"


class Answer(models.Model):
    """One answer, in the one column its question's type uses: numbers (and yes/no as
    1/0) in ``value_number``, texts and a single choice's code in ``value_text``, dates in
    ``value_date``, a multiple choice's codes and a number table in ``value_json``."""

    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="answers", verbose_name=_("réponse")
    )
    question = models.ForeignKey(
        Question, on_delete=models.PROTECT, related_name="answers", verbose_name=_("question")
    )
    value_number = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    value_text = models.TextField(blank=True)
    value_date = models.DateField(null=True, blank=True)
    value_json = models.JSONField(null=True, blank=True)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    class Meta:
        verbose_name = _("réponse à une question")
        verbose_name_plural = _("réponses aux questions")
        ordering = ["response", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["response", "question"],
                name="surveys_answer_one_per_question",
                violation_error_message=_("La question a déjà une réponse."),
            ),
        ]

    def __str__(self):
        return f"{self.question.code}: {self.value}"

    def set_value(self, question_type: str, value) -> None:
        self.value_number, self.value_text, self.value_date, self.value_json = None, "", None, None
        if question_type == QuestionType.YES_NO:
            self.value_number = Decimal(1 if value else 0)
        elif question_type in TEXT_STORED:
            self.value_text = value
        elif question_type == QuestionType.DATE:
            self.value_date = value
        elif question_type == QuestionType.MULTIPLE_CHOICE:
            self.value_json = list(value)
        elif question_type == QuestionType.NUMBER_TABLE:
            self.value_json = {
                row: {col: str(number) for col, number in cols.items()}
                for row, cols in value.items()
            }
        else:
            self.value_number = value

    def get_value(self, question_type: str):
        """The typed value (what ``answer_value`` returns for this answer)."""
        if question_type == QuestionType.YES_NO:
            return None if self.value_number is None else bool(self.value_number)
        if question_type in TEXT_STORED:
            return self.value_text
        if question_type == QuestionType.DATE:
            return self.value_date
        if question_type == QuestionType.MULTIPLE_CHOICE:
            return list(self.value_json or [])
        if question_type == QuestionType.NUMBER_TABLE:
            return {
                row: {col: Decimal(number) for col, number in cols.items()}
                for row, cols in (self.value_json or {}).items()
            }
        if question_type in (QuestionType.INTEGER, QuestionType.SCALE):
            return None if self.value_number is None else int(self.value_number)
        return self.value_number

    @property
    def value(self):
        return self.get_value(self.question.type)
