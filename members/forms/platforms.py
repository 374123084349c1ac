"""Forms of the platform pages: they parse and show errors; services write.

The edit page renders about sixty fields and three hundred options: the portal's form
renderer (``innovalo.renderers``) builds the standard widgets in Python.
"""

import html
import re

from django import forms
from django.forms.models import ModelChoiceIterator
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from innovalo.forms import PortalModelForm
from innovalo.identifiers import SiretField
from innovalo.renderers import html_attrs, raw_value, text_value

from ..enums import HostRole, PlatformRole
from ..models import Department, Platform
from ..models.platforms import BUREAU_FIELDS, PROFILE_FIELDS
from .pickers import establishment_field

# Invisible control characters (pasted from other software) that spreadsheets refuse:
# the directory export would fail on them. Tabs and line breaks stay allowed.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Rows a page may hold, with the blank ones added there (htmx) before saving.
MAX_ROWS = 200


class ListedChoiceIterator(ModelChoiceIterator):
    """The choices of a model field read with one plain query, kept in the queryset's
    cache: Django's iterator reads them with a server-side cursor on PostgreSQL
    (DECLARE, FETCH, CLOSE: three round trips), and counts them with another query.
    A field with a ``listed`` list of (value, label, values) read beforehand uses it
    instead, without an instance per choice."""

    def _listed(self):
        return getattr(self.field, "listed", None)

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        listed = self._listed()
        if listed is not None:
            for value, label, _values in listed:
                yield (value, label)
            return
        for obj in self.queryset:
            yield self.choice(obj)

    def __len__(self):
        listed = self._listed()
        rows = self.queryset if listed is None else listed
        return len(rows) + (1 if self.field.empty_label is not None else 0)

    def __bool__(self):
        return self.field.empty_label is not None or len(self) > 0


def _option_text(value) -> str:
    """What the renderer prints for an option's value or label: ``html.escape`` for the
    usual str and int (what Django's escape does, without its lazy-string wrapper)."""
    kind = type(value)
    if kind is str:
        return html.escape(value)
    if kind is int:
        return str(value)
    return text_value(value)


class ListedSelect(forms.Select):
    """A select of a flat list written in one pass: the markup of Django's select.html
    (and of the portal's renderer), without an option dict per choice. The edit page has
    four hundred options (each host row lists every establishment); a list with groups
    is left to Django."""

    def render(self, name, value, attrs=None, renderer=None):
        if self.allow_multiple_selected:
            return super().render(name, value, attrs, renderer)
        values = self.format_value(value)
        options = []
        selected = False
        for option_value, label in self.choices:
            if isinstance(label, (list, tuple)):
                return super().render(name, value, attrs, renderer)
            if option_value is None:
                option_value = ""
            is_selected = not selected and str(option_value) in values
            selected |= is_selected
            option = _option_text(option_value) if type(option_value) in (str, int) else None
            options.append(
                f'\n  <option value="{option if option is not None else raw_value(option_value)}"'
                f"{' selected' if is_selected else ''}>{_option_text(label)}</option>\n"
            )
        final_attrs = html_attrs(self.build_attrs(self.attrs, attrs))
        html_ = f'<select name="{text_value(name)}"{final_attrs}>{"".join(options)}\n</select>'
        return mark_safe(html_)


# Platform profile ----------------------------------------------------------------


LIST_WIDGETS = {
    "domains": forms.CheckboxSelectMultiple,
    "services": forms.CheckboxSelectMultiple,
    "campuses": forms.SelectMultiple(attrs={"size": 6}),
}


class NoControlCharactersMixin:
    """Refuse control characters in every text field, with a message next to the field."""

    def clean(self):
        cleaned_data = super().clean()
        for name, value in list(cleaned_data.items()):
            if isinstance(value, str) and CONTROL_CHARACTERS.search(value):
                self.add_error(
                    name,
                    _("Ce texte contient un caractère invisible non autorisé : retirez-le."),
                )
        return cleaned_data


class PlatformForm(NoControlCharactersMixin, PortalModelForm):
    """The profile a platform's people keep current (the bureau also sees the label).

    Its lists (domains, services, campuses) are read with the platform's choices in
    one query (``selectors.platforms.profile_lists``).
    """

    field_order = PROFILE_FIELDS

    website = forms.URLField(
        label=_("Site web"), required=False, max_length=200, assume_scheme="https"
    )
    siret = SiretField(
        label=_("SIRET"),
        required=False,
        help_text=_("Celui de l'entité qui paie la cotisation : 14 chiffres, espaces acceptés."),
    )

    class Meta:
        model = Platform
        fields = [name for name in PROFILE_FIELDS if name not in LIST_WIDGETS]
        widgets = {
            "department": ListedSelect,
            "description": forms.Textarea(attrs={"rows": 5}),
            "services_description": forms.Textarea(attrs={"rows": 3}),
            "billing_address": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, bureau=False, departments=None, **kwargs):
        """`departments`: (pk, label, values) rows read beforehand
        (``selectors.platforms.edit_lists``), else the form reads them."""
        from ..selectors.platforms import profile_lists

        super().__init__(*args, **kwargs)
        department = self.fields["department"]
        department.iterator = ListedChoiceIterator  # before the queryset: the widget's choices
        department.listed = departments
        department.queryset = Department.objects.all()
        for name, (choices, chosen) in profile_lists(self.instance).items():
            field = Platform._meta.get_field(name).formfield(widget=LIST_WIDGETS[name])
            field.choices = choices
            self.fields[name] = field
            self.initial.setdefault(name, chosen)
        self.order_fields(self.field_order)
        if bureau:
            for name in BUREAU_FIELDS:
                field = Platform._meta.get_field(name).formfield()
                if isinstance(field, forms.DateField):
                    field.widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
                self.fields[name] = field
                self.initial.setdefault(name, getattr(self.instance, name))

    def profile(self) -> dict:
        """What the service receives: every field of this form, parsed."""
        return {name: self.cleaned_data[name] for name in self.fields}


# Equipment and hosts: one row per item, plain data for the service ------------------


class RowForm(NoControlCharactersMixin, forms.Form):
    """A row of the edit page. ``id`` is that of a saved row (empty for a new one)."""

    id = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    @property
    def legend(self):
        return self.initial.get("legend", "")

    def row(self) -> dict:
        data = dict(self.cleaned_data)
        data["delete"] = bool(data.pop("DELETE", False))
        return data


class EquipmentForm(RowForm):
    name = forms.CharField(label=_("Équipement"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class HostForm(RowForm):
    """A host row: the establishment is typed and picked among a few matches (a
    federation lists 5,000 establishments: never all of them on the page); `known`, the
    page's saved hosts' establishments, are read back without a query."""

    establishment = establishment_field(label=_("Établissement"))
    role = forms.ChoiceField(
        label=_("Rôle"), choices=HostRole.choices, initial=HostRole.CARRYING, widget=ListedSelect
    )

    def __init__(self, *args, known=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["establishment"].set_known(known)

    def clean_establishment(self):
        establishment = self.cleaned_data["establishment"]
        return establishment.pk if establishment is not None else None


class RowFormSet(forms.BaseFormSet):
    """Rows of one kind; ``rows()`` gives the service the filled ones as dicts."""

    def rows(self) -> list[dict]:
        return [
            form.row()
            for form in self.forms
            if form.has_changed() or (form.cleaned_data or {}).get("id")
        ]


EquipmentFormSet = forms.formset_factory(
    EquipmentForm, formset=RowFormSet, extra=2, can_delete=True
)
HostFormSet = forms.formset_factory(HostForm, formset=RowFormSet, extra=1, can_delete=True)
ROW_FORMSETS = {"equipment": EquipmentFormSet, "hosts": HostFormSet}


# Invitations and import ------------------------------------------------------------


class PlatformInviteForm(forms.Form):
    email = forms.EmailField(label=_("Adresse e-mail"))
    first_name = forms.CharField(label=_("Prénom"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Nom"), max_length=150, required=False)
    platform_role = forms.ChoiceField(
        label=_("Rôle dans la plateforme"),
        choices=PlatformRole.choices,
        initial=PlatformRole.DIRECTOR,
    )


class PlatformImportForm(forms.Form):
    file = forms.FileField(
        label=_("Fichier CSV ou XLSX"),
        help_text=_(
            "Une ligne par plateforme. Colonnes obligatoires : nom, slug, ville, departement. "
            "CSV en UTF-8, séparé par des points-virgules ou des virgules."
        ),
    )
