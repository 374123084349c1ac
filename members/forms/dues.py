"""Forms of the dues pages. They parse and check input; services do the writes
and re-check under locks (a refused write comes back as a field error)."""

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.forms import formset_factory, modelformset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from innovalo.templatetags.innovalo import euros

from ..enums import PaymentMethod
from ..models import DuesLine, DuesReminderStep, Platform

MONEY_KWARGS = {
    "max_digits": 10,
    "decimal_places": 2,
    "min_value": Decimal("0.01"),
    "error_messages": {
        "invalid": _("Saisissez un montant, par exemple 150 ou 150,50."),
        "ambiguous": _(
            "Montant ambigu : au plus deux décimales, après une virgule (150,50), "
            "et ni point ni virgule entre les milliers (1 000 ou 1000)."
        ),
        "min_value": _("Le montant doit être positif."),
        "max_digits": _("Montant trop élevé."),
        "max_whole_digits": _("Montant trop élevé."),
        "max_decimal_places": _("Au plus deux décimales (les centimes)."),
    },
}

_SPACES = re.compile(r"[\s\u00a0\u202f']")
_AMOUNT = re.compile(r"^[+-]?\d[\d.,]*$")


class MoneyField(forms.DecimalField):
    """An amount in euros, read the same way whatever the interface language.

    Django's localized DecimalField drops the language's thousands separator
    before parsing: in English "12,50" became 1250. Here a single comma or dot
    followed by one or two digits is always the decimal mark; spaces and
    thousands groups (1 000, 1.000,50, 1,000.50) are accepted; a lone separator
    followed by three digits ("1,000", "12.505") is ambiguous and refused with a
    clear message rather than guessed; exponents, NaN and Infinity are refused.
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("localize", True)
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("inputmode", "decimal")

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, Decimal):
            return value
        text = _SPACES.sub("", str(value)).removesuffix("€").removeprefix("€")
        if not text:
            return None
        if not _AMOUNT.match(text):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        try:
            return Decimal(self._normalize(text))
        except InvalidOperation:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None

    def _normalize(self, text):
        """A plain decimal string ("1000.50") from what the person typed."""
        sign, text = ("-", text[1:]) if text[0] == "-" else ("", text.lstrip("+"))
        last = max(text.rfind("."), text.rfind(","))
        if last < 0:
            return sign + text
        mark, whole, fraction = text[last], text[:last], text[last + 1 :]
        if mark in whole:
            # The same mark twice can only group thousands: "1,000,000".
            return sign + self._thousands(text.split(mark))
        other = "," if mark == "." else "."
        if len(fraction) == 3 and other not in whole:
            # "1,000" or "12.505": a thousands group or three decimals? Not guessed.
            raise forms.ValidationError(self.error_messages["ambiguous"], code="ambiguous")
        return f"{sign}{self._thousands(whole.split(other))}.{fraction}"

    def _thousands(self, groups):
        if len(groups) > 1 and (
            not 1 <= len(groups[0]) <= 3 or any(len(group) != 3 for group in groups[1:])
        ):
            raise forms.ValidationError(self.error_messages["ambiguous"], code="ambiguous")
        return "".join(groups)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class PaymentForm(forms.Form):
    received_on = forms.DateField(label=_("Reçu le"), widget=DateInput())
    amount = MoneyField(label=_("Montant (€)"), **MONEY_KWARGS)
    method = forms.ChoiceField(label=_("Moyen de paiement"), choices=PaymentMethod.choices)
    reference = forms.CharField(
        label=_("Référence"),
        max_length=100,
        required=False,
        help_text=_("N° de chèque, de virement ou de mandat."),
    )
    payer = forms.CharField(
        label=_("Payeur"),
        max_length=200,
        required=False,
        help_text=_("Par exemple l'établissement qui paie pour deux plateformes."),
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea({"rows": 2}))

    def clean_received_on(self):
        value = self.cleaned_data["received_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("La date de réception est dans le futur."))
        return value


class LineChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, line):
        balance = getattr(line, "balance", None)
        return _("%(platform)s — %(year)s (reste %(balance)s)") % {
            "platform": line.platform.name,
            "year": line.year,
            "balance": euros(balance if balance is not None else line.amount_due),
        }


def open_lines():
    return (
        DuesLine.objects.open()
        .select_related("platform")
        .with_amounts()
        .order_by("-year", "platform__name", "pk")
    )


class AllocationForm(forms.Form):
    line = LineChoiceField(
        label=_("Ligne de cotisation"),
        queryset=DuesLine.objects.none(),
        required=False,
        error_messages={"invalid_choice": _("Cette ligne ne peut pas recevoir de paiement.")},
    )
    amount = MoneyField(label=_("Montant affecté (€)"), required=False, **MONEY_KWARGS)

    def __init__(self, *args, lines=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["line"].queryset = lines if lines is not None else open_lines()

    def clean(self):
        cleaned = super().clean()
        line, amount = cleaned.get("line"), cleaned.get("amount")
        if line and amount is None and not self.has_error("amount"):
            self.add_error("amount", _("Indiquez le montant affecté à cette ligne."))
        if amount is not None and not line and not self.has_error("line"):
            self.add_error("line", _("Choisissez la ligne de cotisation."))
        if line and amount is not None and amount > line.balance:
            self.add_error(
                "amount",
                _("Dépasse le reste dû (%(balance)s).") % {"balance": euros(line.balance)},
            )
        return cleaned


class BaseAllocationFormSet(forms.BaseFormSet):
    def __init__(self, *args, **kwargs):
        # One queryset for every row: the choices are read once per row render.
        self.lines = open_lines()
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "lines": self.lines}

    def clean(self):
        if any(self.errors):
            return
        seen = set()
        rows = 0
        for form in self.forms:
            line = form.cleaned_data.get("line")
            if not line:
                continue
            rows += 1
            if line.pk in seen:
                form.add_error("line", _("Cette ligne apparaît deux fois."))
            seen.add(line.pk)
        if not rows:
            raise forms.ValidationError(_("Affectez le paiement à au moins une ligne."))

    def allocations(self):
        return [
            (form.cleaned_data["line"], form.cleaned_data["amount"])
            for form in self.forms
            if form.cleaned_data.get("line")
        ]

    def total(self):
        return sum((amount for _, amount in self.allocations()), Decimal("0.00"))


AllocationFormSet = formset_factory(
    AllocationForm, formset=BaseAllocationFormSet, extra=3, max_num=20, absolute_max=20
)


class CallYearForm(forms.Form):
    year = forms.IntegerField(
        label=_("Année"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    amount = MoneyField(label=_("Montant de la cotisation (€)"), **MONEY_KWARGS)
    due_date = forms.DateField(label=_("Échéance"), widget=DateInput())

    def clean(self):
        cleaned = super().clean()
        year, due_date = cleaned.get("year"), cleaned.get("due_date")
        if year and due_date and abs(due_date.year - year) > 1:
            self.add_error("due_date", _("L'échéance doit tomber autour de l'année appelée."))
        return cleaned


class ExemptionForm(forms.Form):
    platform = forms.ModelChoiceField(
        label=_("Plateforme"), queryset=Platform.objects.members().order_by("name", "pk")
    )
    year = forms.IntegerField(
        label=_("Année"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    reason = forms.CharField(label=_("Motif"), max_length=255)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Motif"), max_length=255)


class PurchaseOrderForm(forms.Form):
    purchase_order = forms.CharField(
        label=_("Numéro de bon de commande"), max_length=100, required=False
    )


ReminderStepFormSet = modelformset_factory(
    DuesReminderStep,
    fields=["days_after_due", "is_active"],
    extra=1,
    can_delete=False,
    labels={"days_after_due": _("Jours après l'échéance"), "is_active": _("Active")},
)
