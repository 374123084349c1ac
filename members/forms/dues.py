"""Forms of the dues pages. They only parse; services check the rules (allocations
equal the payment, dates, balances) under locks, and a refusal comes back next to
its field through `innovalo.forms.add_service_error`.

They render with the portal's form renderer (the standard widgets built in Python, the
same HTML): the payment form shows four rows of a few hundred options.
"""

from decimal import Decimal

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.forms import formset_factory
from django.forms.utils import flatatt
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from innovalo.exceptions import ServiceError
from innovalo.forms import IdModelChoiceField
from innovalo.french import French
from innovalo.money import parse_amount
from innovalo.templatetags.innovalo import euros

from ..enums import PaymentMethod
from ..models import Platform
from ..selectors.dues import open_lines

MAX_ID_DIGITS = 18


class MoneyField(forms.CharField):
    """An amount in euros, read by `innovalo.money.parse_amount` (the one parser), the
    same whatever the interface language; what was typed is kept on an error."""

    max_chars = 30

    def __init__(self, *, allow_zero=False, **kwargs):
        super().__init__(**kwargs)
        self.allow_zero = allow_zero
        self.widget.attrs.setdefault("inputmode", "decimal")
        self.widget.attrs.setdefault("maxlength", str(self.max_chars))

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            return f"{value:.2f}".replace(".", ",")
        return value

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        if len(value) > self.max_chars:
            raise forms.ValidationError(_("Montant invalide."), code="invalid")
        try:
            return parse_amount(value, allow_zero=self.allow_zero)
        except ServiceError as error:
            raise forms.ValidationError(str(error), code="invalid") from None


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class PaymentForm(forms.Form):
    received_on = forms.DateField(label=_("Reçu le"), widget=DateInput())
    amount = MoneyField(label=_("Montant (€)"))
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


class SharedOptionsSelect(forms.Widget):
    """A <select> whose options are escaped once per formset and shared by its rows.

    A few hundred open lines rendered through Django's one-template-per-option
    select, in every row, took half a second; here a row is one string join.
    """

    def __init__(self, options=(), attrs=None):
        super().__init__(attrs)
        self.options = list(options)

    def render(self, name, value, attrs=None, renderer=None):
        final_attrs = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        value = "" if value is None else str(value)
        parts = [format_html("<select{}>", flatatt(final_attrs))]
        parts.append('<option value="">---------</option>')
        for option_value, label in self.options:
            selected = " selected" if option_value == value else ""
            parts.append(f'<option value="{option_value}"{selected}>{label}</option>')
        parts.append("</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every label is escaped above

    def value_from_datadict(self, data, files, name):
        return data.get(name)


def line_options(lines) -> list[tuple[str, str]]:
    """(value, escaped label) of each open line, computed once per formset."""
    label = str(_("%(platform)s — %(year)s (reste %(balance)s)"))
    return [
        (
            str(line.pk),
            conditional_escape(
                label
                % {"platform": line.platform, "year": line.year, "balance": euros(line.balance)}
            ),
        )
        for line in lines
    ]


class OpenLineField(forms.Field):
    """The id of one of the open lines given (read once per formset); any other
    value, a non-number or an id too large for the database, is an "invalid choice"."""

    default_error_messages = {
        "invalid_choice": _("Cette ligne ne peut pas recevoir de paiement."),
    }

    def __init__(self, *, lines=(), options=(), **kwargs):
        kwargs.setdefault("widget", SharedOptionsSelect(options))
        super().__init__(**kwargs)
        self.lines = lines

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = str(value).strip()
        is_id = text.isascii() and text.isdigit() and len(text) <= MAX_ID_DIGITS
        if is_id and int(text) in self.lines:
            return int(text)
        raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")


class AllocationForm(forms.Form):
    amount = MoneyField(label=_("Montant affecté (€)"), required=False)

    def __init__(self, *args, lines=None, options=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {
            "line": OpenLineField(
                label=_("Ligne de cotisation"),
                required=False,
                lines=lines or {},
                options=options,
            ),
            "amount": self.fields["amount"],
        }

    def clean(self):
        cleaned = super().clean()
        line, amount = cleaned.get("line"), cleaned.get("amount")
        if line and amount is None and not self.has_error("amount"):
            self.add_error("amount", _("Indiquez le montant affecté à cette ligne."))
        if amount is not None and not line and not self.has_error("line"):
            self.add_error("line", _("Choisissez la ligne de cotisation."))
        return cleaned


class BaseAllocationFormSet(forms.BaseFormSet):
    def __init__(self, *args, lines=None, **kwargs):
        # One query and one list of escaped options for every row.
        lines = open_lines() if lines is None else lines
        self.lines = {line.pk: line for line in lines}
        self.options = line_options(lines)
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "lines": self.lines, "options": self.options}

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
            if line in seen:
                form.add_error("line", _("Cette ligne apparaît deux fois."))
            seen.add(line)
        if not rows:
            raise forms.ValidationError(_("Affectez le paiement à au moins une ligne."))

    def allocations(self) -> list[tuple[int, object]]:
        """(line id, amount) of each filled row."""
        return [
            (form.cleaned_data["line"], form.cleaned_data["amount"])
            for form in self.forms
            if form.cleaned_data.get("line")
        ]


AllocationFormSet = formset_factory(
    AllocationForm,
    formset=BaseAllocationFormSet,
    extra=3,
    max_num=20,
    absolute_max=20,
)


class CallYearForm(forms.Form):
    year = forms.IntegerField(
        label=_("Année"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    amount = MoneyField(label=_("Montant de la cotisation (€)"))
    due_date = forms.DateField(label=_("Échéance"), widget=DateInput())

    def clean(self):
        cleaned = super().clean()
        year, due_date = cleaned.get("year"), cleaned.get("due_date")
        if year and due_date and abs(due_date.year - year) > 1:
            self.add_error("due_date", _("L'échéance doit tomber autour de l'année appelée."))
        return cleaned


class ExemptionForm(forms.Form):
    platform = IdModelChoiceField(
        label=_("Plateforme"), queryset=Platform.objects.members().order_by(French("name"), "pk")
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


class ReminderStepForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    days_after_due = forms.IntegerField(
        label=_("Jours après l'échéance"), required=False, min_value=1, max_value=730
    )
    is_active = forms.BooleanField(label=_("Active"), required=False)


ReminderStepFormSet = formset_factory(ReminderStepForm, extra=1, max_num=20, absolute_max=20)


def reminder_step_rows(formset) -> list[dict]:
    """The formset's rows as plain data for `dues_save_reminder_steps`."""
    return [form.cleaned_data for form in formset.forms if form.cleaned_data]
