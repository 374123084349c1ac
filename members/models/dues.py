"""Dues (*cotisations*): rates, dues lines, payments and their allocation, documents.

Money is `Decimal` (DecimalField 10,2) everywhere. Nothing about money is deleted
or rewritten: a mistaken payment gets a `PaymentCancellation` entry, a dues line
is cancelled (status + who/when/why), a document of a cancelled payment is marked
void, and services write one `innovalo.audit` entry for every change. Writes live
in `members/services/dues/`, reads in `members/selectors/dues.py`.

A line stores what it received (`paid_amount`) and its state (`status`): the
services update both under the line's row lock, check constraints keep them
coherent, and `manage.py check_dues` compares them with the allocations.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from innovalo.french import French, date_text
from innovalo.money import amount_text

from ..enums import DuesStatus, PaymentMethod
from .platforms import Platform

ZERO = Decimal("0.00")
MONEY = {"max_digits": 10, "decimal_places": 2}
# No dues, payment or document before this year: a date typed "0001" or "26" is a
# mistake, and would open a document series "RE-1-0001".
FIRST_POSSIBLE_YEAR = 2000
CLOSED = (DuesStatus.EXEMPT, DuesStatus.CANCELLED)
OPEN = (DuesStatus.TO_CALL, DuesStatus.CALLED, DuesStatus.PARTLY_PAID)
UNPAID = (DuesStatus.CALLED, DuesStatus.PARTLY_PAID)


def money_field(verbose_name, **kwargs):
    return models.DecimalField(verbose_name, **MONEY, **kwargs)


class DuesRate(models.Model):
    """The amount of the dues for a year, and the default due date of its call."""

    year = models.PositiveSmallIntegerField(_("année"), unique=True)
    amount = money_field(_("montant"))
    due_date = models.DateField(_("échéance"))
    note = models.CharField(_("note"), max_length=255, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("tarif de cotisation")
        verbose_name_plural = _("tarifs de cotisation")
        ordering = ["-year", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="duesrate_amount_positive",
                violation_error_message=_("Le montant de la cotisation doit être positif."),
            ),
        ]

    def __str__(self):
        return f"{self.year} — {amount_text(self.amount)} €"


class DuesExemption(models.Model):
    """A platform exempted from the dues of a year, with the reason."""

    platform = models.ForeignKey(
        Platform,
        on_delete=models.PROTECT,
        related_name="dues_exemptions",
        verbose_name=_("plateforme"),
    )
    year = models.PositiveSmallIntegerField(_("année"))
    reason = models.CharField(_("motif"), max_length=255)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("décidée par"),
    )
    created_at = models.DateTimeField(_("décidée le"), default=timezone.now)

    class Meta:
        verbose_name = _("exonération")
        verbose_name_plural = _("exonérations")
        ordering = ["-year", "platform__name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "year"],
                name="duesexemption_one_per_platform_year",
                violation_error_message=_("Cette plateforme est déjà exonérée pour cette année."),
            ),
        ]

    def __str__(self):
        return f"{self.platform} — {self.year}"


class DuesLineQuerySet(models.QuerySet):
    def open(self):
        """Lines that may still receive money."""
        return self.filter(status__in=OPEN)

    def late(self, today=None):
        today = today or timezone.localdate()
        return self.filter(status__in=UNPAID, due_date__lt=today)

    def for_board(self):
        return self.select_related("platform__department__region").order_by(
            French("platform__name").asc(), "pk"
        )

    def for_detail(self):
        return self.select_related("platform__department__region", "exemption")


class DuesLine(models.Model):
    """The dues of one platform for one year."""

    platform = models.ForeignKey(
        Platform, on_delete=models.PROTECT, related_name="dues_lines", verbose_name=_("plateforme")
    )
    year = models.PositiveSmallIntegerField(_("année"), db_index=True)
    status = models.CharField(
        _("état"), max_length=20, choices=DuesStatus.choices, default=DuesStatus.TO_CALL
    )
    amount_due = money_field(_("montant dû"))
    paid_amount = money_field(
        _("payé"),
        default=ZERO,
        help_text=_("Somme des affectations des paiements non annulés, tenue par les services."),
    )
    due_date = models.DateField(_("échéance"))
    purchase_order = models.CharField(
        _("numéro de bon de commande"),
        max_length=100,
        blank=True,
        help_text=_("Facultatif : imprimé sur l'appel de cotisation (commande publique)."),
    )
    called_at = models.DateTimeField(_("appelée le"), null=True, blank=True)
    exemption = models.OneToOneField(
        DuesExemption,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="line",
        verbose_name=_("exonération"),
    )
    cancelled_at = models.DateTimeField(_("annulée le"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("annulée par"),
    )
    cancellation_reason = models.CharField(_("motif d'annulation"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    history = HistoricalRecords()

    objects = DuesLineQuerySet.as_manager()

    class Meta:
        verbose_name = _("ligne de cotisation")
        verbose_name_plural = _("lignes de cotisation")
        ordering = ["-year", "platform__name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "year"],
                name="duesline_one_per_platform_year",
                violation_error_message=_(
                    "Cette plateforme a déjà une ligne de cotisation pour cette année."
                ),
            ),
            models.CheckConstraint(
                condition=Q(amount_due__gt=0),
                name="duesline_amount_due_positive",
                violation_error_message=_("Le montant dû doit être positif."),
            ),
            models.CheckConstraint(
                condition=Q(paid_amount__gte=0, paid_amount__lte=F("amount_due")),
                name="duesline_paid_amount_within_due",
                violation_error_message=_("Le montant payé dépasse le montant dû."),
            ),
            models.CheckConstraint(
                condition=(
                    Q(status__in=CLOSED, paid_amount=0)
                    | Q(status=DuesStatus.TO_CALL, paid_amount=0, called_at__isnull=True)
                    | Q(status=DuesStatus.CALLED, paid_amount=0, called_at__isnull=False)
                    | Q(
                        status=DuesStatus.PARTLY_PAID,
                        paid_amount__gt=0,
                        paid_amount__lt=F("amount_due"),
                    )
                    | Q(status=DuesStatus.PAID, paid_amount=F("amount_due"))
                ),
                name="duesline_status_matches_paid_amount",
                violation_error_message=_("L'état de la ligne ne correspond pas au montant payé."),
            ),
            models.CheckConstraint(
                condition=Q(year__gte=FIRST_POSSIBLE_YEAR),
                name="duesline_year_from_2000",
                violation_error_message=_("Année de cotisation invalide."),
            ),
        ]
        indexes = [models.Index(fields=["year", "status"], name="duesline_year_status_idx")]

    def __str__(self):
        return f"{self.platform} — {self.year}"

    def get_absolute_url(self):
        return reverse("dues_line_detail", args=[self.pk])

    @property
    def status_label(self) -> str:
        """`get_status_display()` without rebuilding every label (a board shows 50)."""
        return DuesStatus(self.status).label

    @property
    def balance(self) -> Decimal:
        """What the line still owes (nothing when exempt or cancelled)."""
        return ZERO if self.status in CLOSED else self.amount_due - self.paid_amount

    @property
    def is_open(self):
        return self.status in OPEN

    @property
    def is_unpaid(self):
        """Called and not settled: reminders go to these lines."""
        return self.status in UNPAID

    def settled_status(self, paid_amount: Decimal) -> str:
        """The status that goes with `paid_amount` (the rule `check_dues` recomputes)."""
        if self.status in CLOSED:
            return self.status
        if paid_amount >= self.amount_due:
            return DuesStatus.PAID
        if paid_amount > 0:
            return DuesStatus.PARTLY_PAID
        return DuesStatus.TO_CALL if self.called_at is None else DuesStatus.CALLED


class PaymentQuerySet(models.QuerySet):
    def valid(self):
        return self.filter(cancellation__isnull=True)


class Payment(models.Model):
    """Money received. It may settle the dues of several platforms (allocations)."""

    received_on = models.DateField(_("reçu le"))
    amount = money_field(_("montant"))
    method = models.CharField(_("moyen de paiement"), max_length=20, choices=PaymentMethod.choices)
    reference = models.CharField(
        _("référence"), max_length=100, blank=True, help_text=_("N° de chèque, de virement…")
    )
    payer = models.CharField(_("payeur"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("enregistré par"),
    )
    recorded_at = models.DateTimeField(_("enregistré le"), default=timezone.now)
    history = HistoricalRecords()

    objects = PaymentQuerySet.as_manager()

    class Meta:
        verbose_name = _("paiement")
        verbose_name_plural = _("paiements")
        ordering = ["-received_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="payment_amount_positive",
                violation_error_message=_("Le montant du paiement doit être positif."),
            ),
            models.CheckConstraint(
                condition=Q(received_on__gte=datetime.date(FIRST_POSSIBLE_YEAR, 1, 1)),
                name="payment_received_from_2000",
                violation_error_message=_("La date de réception est trop ancienne."),
            ),
        ]

    def __str__(self):
        return (
            f"{self.get_method_display()} {amount_text(self.amount)} € — "
            f"{date_text(self.received_on)}"
        )

    @property
    def is_cancelled(self):
        return hasattr(self, "cancellation")


class PaymentCancellation(models.Model):
    """The entry that cancels a mistaken payment: the payment itself is kept as is."""

    payment = models.OneToOneField(
        Payment,
        on_delete=models.PROTECT,
        related_name="cancellation",
        verbose_name=_("paiement"),
    )
    reason = models.CharField(_("motif"), max_length=255)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("annulé par"),
    )
    cancelled_at = models.DateTimeField(_("annulé le"), default=timezone.now)

    class Meta:
        verbose_name = _("annulation de paiement")
        verbose_name_plural = _("annulations de paiement")
        ordering = ["-cancelled_at", "pk"]

    def __str__(self):
        return f"{self.payment} — {self.reason}"


class Allocation(models.Model):
    """The part of a payment that settles one dues line.

    Never over-allocated: the services lock the lines (select_for_update), check
    that a payment's allocations equal its amount, and add each allocation to its
    line's stored `paid_amount`, which a constraint keeps within the amount due.
    """

    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, related_name="allocations", verbose_name=_("paiement")
    )
    line = models.ForeignKey(
        DuesLine,
        on_delete=models.PROTECT,
        related_name="allocations",
        verbose_name=_("ligne de cotisation"),
    )
    amount = money_field(_("montant affecté"))

    class Meta:
        verbose_name = _("affectation")
        verbose_name_plural = _("affectations")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="allocation_amount_positive",
                violation_error_message=_("Le montant affecté doit être positif."),
            ),
            models.UniqueConstraint(
                fields=["payment", "line"],
                name="allocation_one_per_payment_line",
                violation_error_message=_("Ce paiement est déjà affecté à cette ligne."),
            ),
        ]

    def __str__(self):
        return f"{amount_text(self.amount)} € → {self.line}"


class DuesReminderStep(models.Model):
    """A step of the reminder schedule: so many days after the due date."""

    days_after_due = models.PositiveSmallIntegerField(_("jours après l'échéance"), unique=True)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("étape de relance")
        verbose_name_plural = _("étapes de relance")
        ordering = ["days_after_due", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(days_after_due__gt=0),
                name="duesreminderstep_days_positive",
                violation_error_message=_("Une relance suit l'échéance d'au moins un jour."),
            ),
        ]

    def __str__(self):
        return _("J+%(days)s") % {"days": self.days_after_due}
