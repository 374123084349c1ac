"""Forms of the bank statements pages (issue 12)."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from ..bank.matching import notice_numbers
from ..enums import DuesDocumentKind
from ..models import BankCsvMapping, DuesDocument, DuesLine

MAX_UPLOAD = 20 * 1024 * 1024


class StatementImportForm(forms.Form):
    file = forms.FileField(
        label=_("Relevé"),
        help_text=_("CAMT.053 (XML ISO 20022) ou CSV de la banque, 20 Mo au plus."),
    )
    bank = forms.ModelChoiceField(
        label=_("Banque (pour un CSV)"),
        queryset=BankCsvMapping.objects.order_by("bank"),
        required=False,
        help_text=_("Les colonnes enregistrées pour cette banque lisent le CSV."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError(_("Le fichier dépasse 20 Mo."))
        return upload


class CsvMappingForm(forms.ModelForm):
    class Meta:
        model = BankCsvMapping
        fields = [
            "bank",
            "date_column",
            "amount_column",
            "label_column",
            "payer_column",
            "reference_column",
        ]


def _line_for(value: str):
    """The dues line a notice number (AC-2026-0042, even typed loosely) or a line id names."""
    numbers = notice_numbers(value)
    if numbers:
        return (
            DuesDocument.objects.filter(kind=DuesDocumentKind.NOTICE, number=numbers[0])
            .values_list("line_id", flat=True)
            .first()
        )
    if value.isascii() and value.isdigit() and len(value) <= 18:
        return DuesLine.objects.filter(pk=int(value)).values_list("pk", flat=True).first()
    return None


class ChangeMatchForm(forms.Form):
    """The treasurer's own allocation of one credit: up to ROWS dues lines (a host paying
    for several platforms), each with its amount. The first row is required; the first
    row's fields keep the plain names ``target`` and ``amount``."""

    ROWS = 3

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for index in range(1, self.ROWS + 1):
            first = index == 1
            suffix = "" if first else f"_{index}"
            self.fields[f"target{suffix}"] = forms.CharField(
                label=_("Appel de cotisation ou ligne") if first else _("Autre appel ou ligne"),
                max_length=40,
                required=first,
                help_text=_("Numéro d'appel (AC-2026-0042) ou numéro de ligne de cotisation.")
                if first
                else "",
            )
            self.fields[f"amount{suffix}"] = forms.DecimalField(
                label=_("Montant"),
                max_digits=10,
                decimal_places=2,
                min_value=Decimal("0.01"),
                required=first,
            )

    def rows(self):
        for index in range(1, self.ROWS + 1):
            suffix = "" if index == 1 else f"_{index}"
            yield f"target{suffix}", f"amount{suffix}"

    def clean(self):
        cleaned = super().clean()
        seen = {}
        for target_name, amount_name in self.rows():
            value = (cleaned.get(target_name) or "").strip()
            amount = cleaned.get(amount_name)
            if not value:
                if amount is not None and target_name != "target":
                    self.add_error(target_name, _("Indiquez l'appel ou la ligne de ce montant."))
                continue
            line_id = _line_for(value)
            if line_id is None:
                self.add_error(target_name, _("Aucune ligne de cotisation ne correspond."))
                continue
            if line_id in seen:
                self.add_error(target_name, _("Cette ligne est déjà choisie plus haut."))
                continue
            if amount is None and amount_name not in self.errors:
                self.add_error(amount_name, _("Indiquez le montant pour cette ligne."))
                continue
            seen[line_id] = amount
        cleaned["allocations"] = list(seen.items())
        return cleaned
