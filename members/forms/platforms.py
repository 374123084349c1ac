"""Forms of the platform pages: they parse and show errors; services write.

The edit page renders about sixty fields and three hundred options. Django's widget
templates cost a template render per option and per attribute list (80 ms for that
page), so these forms use ``QuickFormRenderer``: the same HTML, byte for byte, built
in Python for the standard widgets (tests compare it with the templates).
"""

import re

from django import forms
from django.forms.renderers import DjangoTemplates
from django.template.base import render_value_in_context
from django.template.context import Context
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from ..enums import HostRole, PlatformRole
from ..models import Department, Platform
from ..models.platforms import BUREAU_FIELDS, PROFILE_FIELDS

# Invisible control characters (pasted from other software) that spreadsheets refuse:
# the directory export would fail on them. Tabs and line breaks stay allowed.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Rows a page may hold, with the blank ones added there (htmx) before saving.
MAX_ROWS = 200


# The standard widget templates of django/forms/templates, in Python -----------------

_CONTEXT = Context(autoescape=True)


def _text(value) -> str:
    """What ``{{ value }}`` prints (localized, escaped)."""
    if type(value) is str:  # the common case, without localization (not a SafeString)
        return escape(value)
    return render_value_in_context(value, _CONTEXT)


def _raw(value) -> str:
    """What ``{{ value|stringformat:'s' }}`` prints."""
    return conditional_escape(value if isinstance(value, str) else str(value))


def _attrs(attrs) -> str:
    return "".join(
        f" {_text(name)}" if value is True else f' {_text(name)}="{_raw(value)}"'
        for name, value in (attrs or {}).items()
        if value is not False
    )


def _input(widget) -> str:
    value = "" if widget["value"] is None else f' value="{_raw(widget["value"])}"'
    kind, name, attrs = _text(widget["type"]), _text(widget["name"]), _attrs(widget["attrs"])
    return f'<input type="{kind}" name="{name}"{value}{attrs}>'


def _textarea(widget) -> str:
    value = _text(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>'


def _select(widget) -> str:
    parts = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in options:
            parts.append(
                f'\n  <option value="{_raw(option["value"])}"{_attrs(option["attrs"])}>'
                f"{_text(option['label'])}</option>\n"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def _choice_inputs(widget) -> str:
    """checkbox_select.html and radio.html (multiple_input.html)."""
    attrs = widget["attrs"]
    parts = ["<div"]
    if attrs.get("id"):
        parts.append(f' id="{_text(attrs["id"])}"')
    if attrs.get("class"):
        parts.append(f' class="{_text(attrs["class"])}"')
    parts.append(">")
    for group, options, _index in widget["optgroups"]:
        if group:
            parts.append(f"\n  <div><label>{_text(group)}</label>")
        for option in options:
            element = _input(option) + "\n"
            if option["wrap_label"]:
                for_id = option["attrs"].get("id")
                label_for = f' for="{_text(for_id)}"' if for_id else ""
                element = f"<label{label_for}>{element} {_text(option['label'])}</label>"
            parts.append(f"<div>\n    {element}\n\n</div>")
        if group:
            parts.append("\n  </div>")
    parts.append("\n</div>")
    return "".join(parts)


def _label(context) -> str:
    if not context["use_tag"]:
        return _text(context["label"])
    tag = context["tag"]
    return f"<{tag}{_attrs(context['attrs'])}>{_text(context['label'])}</{tag}>"


_INPUTS = ("text", "email", "url", "number", "password", "hidden", "date", "checkbox", "tel")
_QUICK = {f"django/forms/widgets/{name}.html": _input for name in _INPUTS} | {
    "django/forms/widgets/textarea.html": _textarea,
    "django/forms/widgets/select.html": _select,
    "django/forms/widgets/checkbox_select.html": _choice_inputs,
    "django/forms/widgets/radio.html": _choice_inputs,
}


class QuickFormRenderer(DjangoTemplates):
    """Django's form renderer, with the standard widgets and labels built in Python."""

    def render(self, template_name, context, request=None):
        if template_name == "django/forms/label.html":
            return mark_safe(_label(context).strip())
        quick = _QUICK.get(template_name)
        if quick is None:
            return super().render(template_name, context, request)
        return mark_safe(quick(context["widget"]).strip())


QUICK_RENDERER = QuickFormRenderer()


class QuickForm(forms.Form):
    default_renderer = QUICK_RENDERER


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


class PlatformForm(NoControlCharactersMixin, forms.ModelForm):
    """The profile a platform's people keep current (the bureau also sees the label).

    Its lists (domains, services, campuses) are read with the platform's choices in
    one query each (``selectors.platforms.profile_lists``), not two.
    """

    default_renderer = QUICK_RENDERER
    field_order = PROFILE_FIELDS

    website = forms.URLField(
        label=_("Site web"), required=False, max_length=200, assume_scheme="https"
    )

    class Meta:
        model = Platform
        fields = [name for name in PROFILE_FIELDS if name not in LIST_WIDGETS]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "services_description": forms.Textarea(attrs={"rows": 3}),
            "billing_address": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, bureau=False, **kwargs):
        from ..selectors.platforms import profile_lists

        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.all()
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


class RowForm(NoControlCharactersMixin, QuickForm):
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
    establishment = forms.TypedChoiceField(label=_("Établissement"), coerce=int)
    role = forms.ChoiceField(label=_("Rôle"), choices=HostRole.choices, initial=HostRole.CARRYING)

    def __init__(self, *args, establishments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["establishment"].choices = [("", "---------"), *establishments]


class RowFormSet(forms.BaseFormSet):
    """Rows of one kind; ``rows()`` gives the service the filled ones as dicts."""

    def rows(self) -> list[dict]:
        return [
            form.row()
            for form in self.forms
            if form.has_changed() or (form.cleaned_data or {}).get("id")
        ]


EquipmentFormSet = forms.formset_factory(
    EquipmentForm, formset=RowFormSet, extra=2, can_delete=True, renderer=QUICK_RENDERER
)
HostFormSet = forms.formset_factory(
    HostForm, formset=RowFormSet, extra=1, can_delete=True, renderer=QUICK_RENDERER
)
ROW_FORMSETS = {"equipment": EquipmentFormSet, "hosts": HostFormSet}


# Invitations and import ------------------------------------------------------------


class PlatformInviteForm(QuickForm):
    email = forms.EmailField(label=_("Adresse e-mail"))
    first_name = forms.CharField(label=_("Prénom"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Nom"), max_length=150, required=False)
    platform_role = forms.ChoiceField(
        label=_("Rôle dans la plateforme"),
        choices=PlatformRole.choices,
        initial=PlatformRole.DIRECTOR,
    )


class PlatformImportForm(QuickForm):
    file = forms.FileField(
        label=_("Fichier CSV ou XLSX"),
        help_text=_(
            "Une ligne par plateforme. Colonnes obligatoires : nom, slug, ville, departement. "
            "CSV en UTF-8, séparé par des points-virgules ou des virgules."
        ),
    )
