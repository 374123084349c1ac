"""Dues (*cotisations*): rates, dues lines, payments and their allocation, documents.

Money is `Decimal` (DecimalField 10,2) everywhere. Nothing about money is deleted
or rewritten: a mistaken payment gets a `PaymentCancellation` entry, a dues line
is cancelled (status + who/when/why), and services write a `DuesEvent` log line
for every change. Writes live in `members/services/dues.py`.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Case, DecimalField, Exists, F, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..enums import DuesDocumentKind, DuesEventKind, DuesStatus, PaymentMethod
from .platforms import Platform

ZERO = Decimal("0.00")
MONEY = {"max_digits": 10, "decimal_places": 2}


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
        return f"{self.year} — {self.amount} €"


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


def valid_allocations_sum(line_ref="pk"):
    """SQL: the sum of the non-cancelled allocations of the dues line `line_ref`."""
    return Coalesce(
        Subquery(
            Allocation.objects.filter(line=OuterRef(line_ref), payment__cancellation__isnull=True)
            .order_by()
            .values("line")
            .annotate(total=Sum("amount"))
            .values("total")[:1],
            output_field=DecimalField(**MONEY),
        ),
        Value(ZERO),
        output_field=DecimalField(**MONEY),
    )


class DuesLineQuerySet(models.QuerySet):
    def with_amounts(self):
        """Annotate `paid_amount` (valid allocations, in SQL), `balance` and `state`.

        `state` is derived in SQL from the amounts; services keep the stored
        `status` equal to it (see `dues_refresh_status`).
        """
        return self.annotate(paid_amount=valid_allocations_sum()).annotate(
            balance=Case(
                When(status__in=[DuesStatus.EXEMPT, DuesStatus.CANCELLED], then=Value(ZERO)),
                default=F("amount_due") - F("paid_amount"),
                output_field=DecimalField(**MONEY),
            ),
            state=Case(
                When(status__in=[DuesStatus.EXEMPT, DuesStatus.CANCELLED], then=F("status")),
                When(paid_amount__gte=F("amount_due"), then=Value(DuesStatus.PAID)),
                When(paid_amount__gt=0, then=Value(DuesStatus.PARTLY_PAID)),
                When(status=DuesStatus.TO_CALL, then=Value(DuesStatus.TO_CALL)),
                default=Value(DuesStatus.CALLED),
                output_field=models.CharField(),
            ),
        )

    def expected(self):
        """Lines the association expects money from (not exempt, not cancelled)."""
        return self.exclude(status__in=[DuesStatus.EXEMPT, DuesStatus.CANCELLED])

    def open(self):
        """Lines that may still receive money."""
        return self.filter(
            status__in=[DuesStatus.TO_CALL, DuesStatus.CALLED, DuesStatus.PARTLY_PAID]
        )

    def late(self, today=None):
        today = today or timezone.localdate()
        return self.filter(
            status__in=[DuesStatus.CALLED, DuesStatus.PARTLY_PAID], due_date__lt=today
        )

    def for_board(self):
        return (
            self.select_related("platform__department__region")
            .with_amounts()
            .order_by("platform__name", "pk")
        )

    def for_detail(self):
        return self.select_related("platform__department__region", "exemption").with_amounts()


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
        ]

    def __str__(self):
        return f"{self.platform} — {self.year}"

    def get_absolute_url(self):
        return reverse("dues_line_detail", args=[self.pk])

    @property
    def current_state(self):
        """The state derived in SQL by `with_amounts()`, else the stored status."""
        return getattr(self, "state", self.status)

    @property
    def state_label(self):
        return DuesStatus(self.current_state).label

    @property
    def is_open(self):
        return self.status in (DuesStatus.TO_CALL, DuesStatus.CALLED, DuesStatus.PARTLY_PAID)

    def is_late(self, today=None):
        today = today or timezone.localdate()
        return self.status in (DuesStatus.CALLED, DuesStatus.PARTLY_PAID) and (
            self.due_date < today
        )


class PaymentQuerySet(models.QuerySet):
    def valid(self):
        return self.filter(cancellation__isnull=True)

    def with_allocated(self):
        return self.annotate(
            allocated=Coalesce(
                Sum("allocations__amount"), Value(ZERO), output_field=DecimalField(**MONEY)
            )
        )


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
        ]

    def __str__(self):
        return f"{self.get_method_display()} {self.amount} € — {self.received_on}"

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

    Never over-allocated: the services lock the payment and the lines
    (select_for_update) and check, in SQL, that a payment's allocations do not
    exceed its amount and a line's valid allocations do not exceed its amount due.
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
        return f"{self.amount} € → {self.line}"


class DocumentCounter(models.Model):
    """The last number issued for a (kind, year). Locked with select_for_update
    while a document is issued, so that numbers have no gaps and no duplicates,
    even when two treasurers issue documents at the same moment."""

    kind = models.CharField(_("type"), max_length=20, choices=DuesDocumentKind.choices)
    year = models.PositiveSmallIntegerField(_("année"))
    last_number = models.PositiveIntegerField(_("dernier numéro"), default=0)

    class Meta:
        verbose_name = _("compteur de documents")
        verbose_name_plural = _("compteurs de documents")
        ordering = ["kind", "year", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "year"],
                name="documentcounter_one_per_kind_year",
                violation_error_message=_("Un compteur existe déjà pour ce type et cette année."),
            ),
        ]

    def __str__(self):
        return f"{self.kind} {self.year}: {self.last_number}"


DOCUMENT_PREFIXES = {
    DuesDocumentKind.NOTICE: "AC",
    DuesDocumentKind.RECEIPT: "RE",
    DuesDocumentKind.CERTIFICATE: "AT",
}


class DuesDocumentQuerySet(models.QuerySet):
    def without_content(self):
        return self.defer("content")

    def with_payment_cancelled(self):
        """Annotate `payment_cancelled`: a receipt whose payment was cancelled since.
        The receipt itself stays as issued (never rewritten); pages mark it."""
        return self.annotate(
            payment_cancelled=Exists(
                PaymentCancellation.objects.filter(payment_id=OuterRef("payment_id"))
            )
        )

    def visible_to_platform(self, platform):
        """Documents of a platform: its notices and certificates, and receipts of
        payments allocated to one of its lines."""
        return self.filter(
            Q(line__platform=platform)
            | Exists(
                Allocation.objects.filter(payment=OuterRef("payment"), line__platform=platform)
            )
        )


class DuesDocument(models.Model):
    """A numbered PDF (notice, receipt, certificate), issued once.

    The PDF bytes are stored in the database at issue time (BinaryField) rather
    than re-rendered: a document a treasurer has filed must stay identical when
    downloaded again, even after a template, the association's address or the
    platform's billing identity changes. The bytes are written in the same
    transaction as the number, so a number never exists without its document
    (no orphan or missing file on the media storage); documents are small (tens
    of kB) and few (about a hundred a year).
    """

    kind = models.CharField(_("type"), max_length=20, choices=DuesDocumentKind.choices)
    year = models.PositiveSmallIntegerField(_("année"))
    sequence = models.PositiveIntegerField(_("rang"))
    number = models.CharField(_("numéro"), max_length=20, unique=True)
    line = models.ForeignKey(
        DuesLine,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("ligne de cotisation"),
    )
    payment = models.ForeignKey(
        Payment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("paiement"),
    )
    amount = money_field(_("montant"))
    filename = models.CharField(_("nom du fichier"), max_length=120)
    content = models.BinaryField(_("PDF"), editable=False)
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64, editable=False)
    issued_at = models.DateTimeField(_("émis le"), default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("émis par"),
    )

    objects = DuesDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("document de cotisation")
        verbose_name_plural = _("documents de cotisation")
        ordering = ["-issued_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "year", "sequence"],
                name="duesdocument_one_number_per_kind_year",
                violation_error_message=_("Ce numéro de document existe déjà."),
            ),
            models.UniqueConstraint(
                fields=["line"],
                condition=Q(kind=DuesDocumentKind.NOTICE),
                name="duesdocument_one_notice_per_line",
                violation_error_message=_("Cette ligne a déjà un appel de cotisation."),
            ),
            models.UniqueConstraint(
                fields=["line"],
                condition=Q(kind=DuesDocumentKind.CERTIFICATE),
                name="duesdocument_one_certificate_per_line",
                violation_error_message=_("Cette ligne a déjà une attestation."),
            ),
            models.UniqueConstraint(
                fields=["payment"],
                condition=Q(kind=DuesDocumentKind.RECEIPT),
                name="duesdocument_one_receipt_per_payment",
                violation_error_message=_("Ce paiement a déjà un reçu."),
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind=DuesDocumentKind.RECEIPT, payment__isnull=False)
                    | (~Q(kind=DuesDocumentKind.RECEIPT) & Q(line__isnull=False))
                ),
                name="duesdocument_target_matches_kind",
                violation_error_message=_(
                    "Un reçu concerne un paiement ; un appel ou une attestation, une ligne."
                ),
            ),
        ]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("dues_document", args=[self.pk, self.number])

    @staticmethod
    def format_number(kind, year, sequence):
        return f"{DOCUMENT_PREFIXES[kind]}-{year}-{sequence:04d}"


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


class DuesEvent(models.Model):
    """The history of a dues line, written by the services: who did what, when."""

    line = models.ForeignKey(
        DuesLine, on_delete=models.PROTECT, related_name="events", verbose_name=_("ligne")
    )
    kind = models.CharField(_("type"), max_length=30, choices=DuesEventKind.choices)
    message = models.CharField(_("détail"), max_length=255, blank=True)
    amount = money_field(_("montant"), null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("par"),
    )
    created_at = models.DateTimeField(_("le"), default=timezone.now)

    class Meta:
        verbose_name = _("événement de cotisation")
        verbose_name_plural = _("événements de cotisation")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.line} — {self.get_kind_display()}"
