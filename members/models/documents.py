"""Dues documents: notices (*appels de cotisation*), receipts (*reçus*) and certificates
(*attestations*), numbered without gaps per kind and year by a counter row taken under a
lock, stored with their PDF and its hash, never rewritten (a cancelled payment's receipt
is marked void and gets a stamped copy)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..enums import DuesDocumentKind
from .dues import FIRST_POSSIBLE_YEAR, Allocation, DuesLine, Payment, money_field


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
            models.CheckConstraint(
                condition=Q(year__gte=FIRST_POSSIBLE_YEAR),
                name="documentcounter_year_from_2000",
                violation_error_message=_("Année de document invalide."),
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
        return self.defer("content", "void_content")

    def valid(self):
        return self.filter(voided_at__isnull=True)

    def visible_to_platform(self, platform):
        """Documents of a platform: its notices and certificates, and receipts of
        payments allocated to one of its lines.

        A UNION of two indexed lookups (documents by the platform's lines, documents by
        the payments allocated to them) rather than an OR: with an OR, PostgreSQL reads
        every document of the network to test each one."""
        documents = self.model.objects.order_by()
        own = documents.filter(line__platform=platform).values("pk")
        paid = documents.filter(
            payment__in=Allocation.objects.filter(line__platform=platform).values("payment")
        ).values("pk")
        return self.filter(pk__in=own.union(paid))


class DuesDocument(models.Model):
    """A numbered PDF (notice, receipt, certificate), issued once.

    The PDF bytes are stored in the database at issue time (BinaryField) rather
    than re-rendered: a document a treasurer has filed must stay identical when
    downloaded again, even after a template, the association's address or the
    platform's billing identity changes. The bytes are written in the same
    transaction as the number, so a number never exists without its document
    (no orphan or missing file on the media storage); documents are small (tens
    of kB) and few (about a hundred a year).

    A receipt whose payment is cancelled, and the certificate of a line that is no
    longer paid, are *voided*: `content` and its hash stay as issued (the history),
    and `void_content` holds a copy stamped "ANNULÉ", rendered once from the same
    data and served from then on, so that nobody downloads it as valid again.
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
    voided_at = models.DateTimeField(_("annulé le"), null=True, blank=True)
    void_reason = models.CharField(_("motif d'annulation"), max_length=255, blank=True)
    void_content = models.BinaryField(_("PDF annulé"), null=True, editable=False)

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
                condition=Q(kind=DuesDocumentKind.CERTIFICATE, voided_at__isnull=True),
                name="duesdocument_one_valid_certificate_per_line",
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
            models.CheckConstraint(
                condition=Q(year__gte=FIRST_POSSIBLE_YEAR),
                name="duesdocument_year_from_2000",
                violation_error_message=_("Année de document invalide."),
            ),
            models.CheckConstraint(
                condition=Q(voided_at__isnull=True, void_content__isnull=True)
                | Q(voided_at__isnull=False, void_content__isnull=False),
                name="duesdocument_void_copy_when_voided",
                violation_error_message=_("Un document annulé a sa copie marquée « annulé »."),
            ),
        ]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("dues_document", args=[self.pk, self.number])

    @property
    def is_void(self):
        return self.voided_at is not None

    def served_content(self) -> bytes:
        """What a download gives: the stamped copy once voided, else the original."""
        return bytes(self.void_content if self.is_void else self.content)

    @staticmethod
    def format_number(kind, year, sequence):
        return f"{DOCUMENT_PREFIXES[kind]}-{year}-{sequence:04d}"
