"""Forms of the bank statements pages (issue 12)."""

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


class ChangeMatchForm(forms.Form):
    target = forms.CharField(
        label=_("Appel de cotisation ou ligne"),
        max_length=40,
        help_text=_("Numéro d'appel (AC-2026-0042) ou numéro de ligne de cotisation."),
    )
    amount = forms.DecimalField(label=_("Montant"), max_digits=10, decimal_places=2, min_value=0.01)

    def clean_target(self):
        value = self.cleaned_data["target"].strip()
        numbers = notice_numbers(value)
        if numbers:
            line_id = (
                DuesDocument.objects.filter(kind=DuesDocumentKind.NOTICE, number=numbers[0])
                .values_list("line_id", flat=True)
                .first()
            )
        elif value.isascii() and value.isdigit() and len(value) <= 18:
            line_id = DuesLine.objects.filter(pk=int(value)).values_list("pk", flat=True).first()
        else:
            line_id = None
        if line_id is None:
            raise forms.ValidationError(_("Aucune ligne de cotisation ne correspond."))
        return line_id
