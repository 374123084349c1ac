"""Bank statements (issue 12): imported statements, their credit lines and the
proposed or accepted matches with dues lines.

A statement is imported whole or not at all; each bank transaction keeps its bank
reference, unique, so importing the same statement twice records nothing twice.
An accepted match becomes a `Payment` through `dues_record_payment` (numbered
receipt as for any payment): the match keeps that payment.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .dues import DuesLine, Payment, money_field


class StatementFormat(models.TextChoices):
    CAMT053 = "camt053", _("CAMT.053 (ISO 20022)")
    CSV = "csv", _("CSV de la banque")


class TransactionStatus(models.TextChoices):
    UNMATCHED = "unmatched", _("Non rapproché")
    PROPOSED = "proposed", _("Rapprochement proposé")
    MATCHED = "matched", _("Rapproché")
    IGNORED = "ignored", _("Ignoré")


class MatchConfidence(models.TextChoices):
    HIGH = "high", _("Élevée")
    MEDIUM = "medium", _("Moyenne")
    LOW = "low", _("Faible")


class BankCsvMapping(models.Model):
    """The columns of a bank's CSV export, typed once and remembered."""

    bank = models.CharField(_("banque"), max_length=100, unique=True)
    date_column = models.CharField(_("colonne de la date"), max_length=100)
    amount_column = models.CharField(_("colonne du montant"), max_length=100)
    label_column = models.CharField(_("colonne du libellé"), max_length=100)
    payer_column = models.CharField(_("colonne du payeur"), max_length=100, blank=True)
    reference_column = models.CharField(_("colonne de la référence"), max_length=100, blank=True)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    class Meta:
        verbose_name = _("colonnes du CSV d'une banque")
        verbose_name_plural = _("colonnes des CSV des banques")
        ordering = ["bank"]

    def __str__(self):
        return self.bank


class BankStatement(models.Model):
    file_name = models.CharField(_("fichier"), max_length=255)
    format = models.CharField(_("format"), max_length=10, choices=StatementFormat.choices)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("importé par"),
    )
    imported_at = models.DateTimeField(_("importé le"), default=timezone.now)
    account_iban = models.CharField(_("IBAN du compte"), max_length=34, blank=True)
    period_start = models.DateField(_("du"), null=True, blank=True)
    period_end = models.DateField(_("au"), null=True, blank=True)
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64, db_index=True)

    class Meta:
        verbose_name = _("relevé bancaire")
        verbose_name_plural = _("relevés bancaires")
        ordering = ["-imported_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_start__isnull=True)
                | Q(period_end__isnull=True)
                | Q(period_start__lte=models.F("period_end")),
                name="bankstatement_period_ordered",
                violation_error_message=_("La période du relevé finit avant de commencer."),
            ),
        ]

    def __str__(self):
        return self.file_name

    def get_absolute_url(self):
        return reverse("bank_statement_detail", args=[self.pk])


class BankTransaction(models.Model):
    """One credit of a statement."""

    statement = models.ForeignKey(
        BankStatement,
        on_delete=models.PROTECT,
        related_name="transactions",
        verbose_name=_("relevé"),
    )
    booking_date = models.DateField(_("date de l'opération"))
    amount = money_field(_("montant"))
    currency = models.CharField(_("devise"), max_length=3, default="EUR")
    remittance_info = models.TextField(_("libellé"), blank=True)
    payer_name = models.CharField(_("payeur"), max_length=200, blank=True)
    payer_siret = models.CharField(_("SIRET du payeur"), max_length=14, blank=True)
    payer_iban = models.CharField(_("IBAN du payeur"), max_length=34, blank=True)
    bank_reference = models.CharField(_("référence bancaire"), max_length=100)
    status = models.CharField(
        _("état"),
        max_length=20,
        choices=TransactionStatus.choices,
        default=TransactionStatus.UNMATCHED,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("décidé par"),
    )
    decided_at = models.DateTimeField(_("décidé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("opération bancaire")
        verbose_name_plural = _("opérations bancaires")
        ordering = ["booking_date", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["bank_reference"],
                name="banktransaction_unique_reference",
                violation_error_message=_("Cette opération bancaire a déjà été importée."),
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="banktransaction_credit_positive",
                violation_error_message=_("Seuls les crédits sont importés."),
            ),
        ]
        indexes = [models.Index(fields=["status"], name="banktransaction_status_idx")]

    def __str__(self):
        return f"{self.booking_date} {self.amount} {self.currency} — {self.payer_name}"


class TransactionMatch(models.Model):
    """A share of a credit proposed for (or settled on) one dues line."""

    transaction = models.ForeignKey(
        BankTransaction,
        on_delete=models.CASCADE,
        related_name="matches",
        verbose_name=_("opération"),
    )
    line = models.ForeignKey(
        DuesLine,
        on_delete=models.PROTECT,
        related_name="bank_matches",
        verbose_name=_("ligne de cotisation"),
    )
    amount = money_field(_("montant"))
    confidence = models.CharField(_("confiance"), max_length=10, choices=MatchConfidence.choices)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accepté par"),
    )
    accepted_at = models.DateTimeField(_("accepté le"), null=True, blank=True)
    payment = models.ForeignKey(
        Payment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bank_matches",
        verbose_name=_("paiement"),
    )

    class Meta:
        verbose_name = _("rapprochement")
        verbose_name_plural = _("rapprochements")
        ordering = ["transaction", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["transaction", "line"],
                name="transactionmatch_one_per_line",
                violation_error_message=_("Cette opération est déjà rapprochée de cette ligne."),
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="transactionmatch_amount_positive",
                violation_error_message=_("Le montant rapproché doit être positif."),
            ),
            models.CheckConstraint(
                condition=Q(payment__isnull=True)
                | Q(accepted_at__isnull=False, payment__isnull=False),
                name="transactionmatch_payment_when_accepted",
                violation_error_message=_("Seul un rapprochement accepté a un paiement."),
            ),
        ]

    def __str__(self):
        return f"{self.transaction} → {self.line}"
