"""Forms of the dues pages. They only parse; services check the rules (allocations
equal the payment, dates, balances) under locks, and a refusal comes back next to
its field through `innovalo.forms.add_service_error`.

They render with the portal's form renderer (the standard widgets built in Python, the
same HTML): the payment form's rows pick a dues line in one <datalist>, shared by
every row, of a few open lines matching what is typed (htmx), never all of them.
"""

import json
import re
from decimal import Decimal

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.forms import formset_factory
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from innovalo.exceptions import ServiceError
from innovalo.forms import IdModelChoiceField
from innovalo.french import French, unaccent
from innovalo.money import parse_amount
from innovalo.templatetags.innovalo import euros

from ..enums import PaymentMethod
from ..models import Platform
from ..selectors.dues import open_lines

MAX_ID_DIGITS = 18
MAX_TEXT = 300


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


LINE_LIST_ID = "open-dues-lines"
NOTICE_NUMBER = re.compile(r"\b[A-Z]{2}-\d{4}-\d{3,}\b", re.IGNORECASE)
YEAR = re.compile(r"\b(20\d\d|2100)\b")
SEPARATOR = " · "


def line_label(line) -> str:
    """What the picker shows and what it puts in the field: the platform, the year, the
    notice's number and the balance ("Céramique Limoges · 2026 · AC-2026-0012 · reste
    300,00 €"); `OpenLineField` reads it back (or a part of it typed by hand)."""
    parts = [line.platform, str(line.year)]
    if line.notice:
        parts.append(line.notice)
    parts.append(str(_("reste %(balance)s")) % {"balance": euros(line.balance)})
    return SEPARATOR.join(parts)


def _words(text) -> list[str]:
    return unaccent(text).casefold().replace("-", " ").split()


LINE_MATCHES = 12


def find_open_lines(text, limit=LINE_MATCHES) -> list:
    """The open lines that `text` names: a notice's number, a label ("platform · year ·
    ..."), or words of a platform's name and a year; the first `limit` (one query)."""
    text = str(text or "")[:MAX_TEXT]
    notice = NOTICE_NUMBER.search(text)
    if notice:
        return open_lines(notice=notice.group(0).upper(), limit=limit)
    if SEPARATOR.strip() in text:  # a label: "platform · year · ..."
        name, _sep, rest = text.partition(SEPARATOR.strip())
        year = YEAR.search(rest)
        return open_lines(
            platform_name=name.strip(),
            year=int(year.group(0)) if year else None,
            limit=limit,
        )
    year = YEAR.search(text)
    words = _words(YEAR.sub(" ", text))
    if not words and year is None:
        return []
    return open_lines(words=words, year=int(year.group(0)) if year else None, limit=limit)


class LinePickerInput(forms.TextInput):
    """A text input tied to the page's one <datalist>: the browser offers the lines
    matching what is typed (keyboard and screen readers included). The list holds the
    lines already chosen; with htmx, typing asks the server for a few matching lines
    (``data-hx-get``), which replace it. Without a datalist it is a plain text field
    read on the server."""

    def __init__(self, lines=None, attrs=None):
        super().__init__({"list": LINE_LIST_ID, "autocomplete": "off", **(attrs or {})})
        self.lines = lines or {}

    def format_value(self, value):
        """An id (the form prefilled from ?line=) shows as its label; text stays as typed."""
        if isinstance(value, int) and value in self.lines:
            return line_label(self.lines[value])
        return super().format_value(value)

    def render(self, name, value, attrs=None, renderer=None):
        attrs = {
            **(attrs or {}),
            "maxlength": str(MAX_TEXT),
            "data-hx-get": reverse("dues_line_picker"),
            "data-hx-trigger": "input changed delay:250ms",
            "data-hx-target": f"#{LINE_LIST_ID}",
            "data-hx-swap": "outerHTML",
            "data-hx-sync": "this:replace",
            "data-hx-vals": json.dumps({"field": name}),
        }
        return super().render(name, value, attrs, renderer)


class OpenLineField(forms.Field):
    """An open line picked by its label, its notice's number, its platform's name (and
    year), or its id, read in the database (a federation has 20,000 open lines: the
    page never holds them all); `lines`, those the page shows, are read back without a
    query. Anything else, or text that fits several lines, is an error next to the
    field."""

    default_error_messages = {
        "invalid_choice": _(
            "Aucune ligne ouverte ne correspond : indiquez le n° d'appel, ou la plateforme "
            "et l'année."
        ),
        "ambiguous": _(
            "Plusieurs lignes ouvertes correspondent (%(names)s) : précisez l'année ou le n° "
            "d'appel."
        ),
    }

    def __init__(self, *, lines=None, **kwargs):
        lines = lines or {}
        kwargs.setdefault("widget", LinePickerInput(lines))
        super().__init__(**kwargs)
        self.lines = lines

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = str(value).strip()
        if not text:
            return None
        is_id = text.isascii() and text.isdigit() and len(text) <= MAX_ID_DIGITS
        if is_id:
            if int(text) in self.lines or open_lines(ids=[int(text)]):
                return int(text)
        else:
            known = [line for line in self.lines.values() if line_label(line) == text]
            if len(known) == 1:
                return known[0].pk
        matches = find_open_lines(text, limit=4)
        if len(matches) == 1:
            return matches[0].pk
        if len(matches) > 1:
            names = ", ".join(line_label(line) for line in matches[:3])
            raise forms.ValidationError(
                self.error_messages["ambiguous"], code="ambiguous", params={"names": names}
            )
        raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")


class AllocationForm(forms.Form):
    amount = MoneyField(label=_("Montant affecté (€)"), required=False)

    def __init__(self, *args, lines=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {
            "line": OpenLineField(
                label=_("Ligne de cotisation"),
                help_text=_(
                    "N° d'appel, ou nom de la plateforme et année : choisissez dans la liste."
                ),
                required=False,
                lines=lines or {},
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
    def __init__(self, *args, lines=(), **kwargs):
        # One <datalist> for every row: the lines given (those prefilled), then what
        # the search endpoint finds as one types.
        self.lines = {line.pk: line for line in lines}
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "lines": self.lines}

    @property
    def line_list_id(self) -> str:
        return LINE_LIST_ID

    def line_labels(self) -> list[str]:
        """The datalist's options, once per page: the lines given."""
        return [line_label(line) for line in self.lines.values()]

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
