"""Forms of the public side of firms' requests: the request form (``RequestForm``) and,
on the firm's private page, its message and its request for deletion. They parse; the
service checks again. The anti-abuse fields (honeypot, signed timestamp) are read by
``projects/antispam.py``."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from innovalo.forms import IdModelMultipleChoiceField
from innovalo.french import French
from innovalo.identifiers import SiretField
from members.forms.platforms import (
    ListedChoiceIterator,
    ListedSelect,
    NoControlCharactersMixin,
)
from members.models import Department, Domain

from .. import antispam
from ..enums import RequestSource, RequestTiming
from ..services.requests import MESSAGE_MAX_LENGTH, REQUEST_RETENTION_DAYS

NEED_MIN_LENGTH = 20
NEED_MAX_LENGTH = 5000
PHONE = re.compile(r"^\+?[0-9 .()\-]{6,25}$")
SLUG = re.compile(r"^[-a-zA-Z0-9_]{1,200}\Z")
REGION_CODE = re.compile(r"^[0-9]{2}\Z")


class ChoiceList:
    """Checkboxes or radios as the portal's ``.choices`` list (one ``.choice`` per
    option, its label next to it), written in one pass in Python; a group labelled by
    the field's label (``aria-label``)."""

    inline = False

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        base_id = attrs.get("id") or f"id_{name}"
        values = {str(v) for v in self.format_value(value)}
        kind = "checkbox" if self.allow_multiple_selected else "radio"
        classes = "choices choices-inline" if self.inline else "choices"
        label = attrs.get("aria-label")
        parts = [
            f'<div class="{classes}" id="{escape(base_id)}" role="'
            f'{"group" if kind == "checkbox" else "radiogroup"}"'
            + (f' aria-label="{escape(label)}"' if label else "")
            + ">"
        ]
        required = " required" if kind == "radio" and self.is_required else ""
        for index, (option_value, option_label) in enumerate(self.choices):
            if option_value in (None, ""):
                continue
            option_id = f"{base_id}_{index}"
            checked = " checked" if str(option_value) in values else ""
            parts.append(
                f'<div class="choice"><input type="{kind}" name="{escape(name)}" '
                f'value="{escape(option_value)}" id="{escape(option_id)}"{checked}{required}>'
                f'<label for="{escape(option_id)}">{escape(option_label)}</label></div>'
            )
        parts.append("</div>")
        return mark_safe("".join(parts))

    def id_for_label(self, id_, index=None):
        return ""


class CheckboxList(ChoiceList, forms.CheckboxSelectMultiple):
    inline = True


class RadioList(ChoiceList, forms.RadioSelect):
    inline = True


class DepartmentChoiceField(forms.ModelChoiceField):
    """The department by its INSEE code ("02"), shown as "02 — Aisne" (the list read with
    one plain query)."""

    iterator = ListedChoiceIterator

    def label_from_instance(self, obj):
        return f"{obj.code} — {obj.name}"


class DomainsField(IdModelMultipleChoiceField):
    iterator = ListedChoiceIterator


class HiddenValueField(forms.Field):
    """A hidden value the form carries: a string, never an error (see the clean_ methods)."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value):
        return value.strip() if isinstance(value, str) else ""


def consent_label():
    years = REQUEST_RETENTION_DAYS // 365
    return _(
        "J'accepte que ces informations soient transmises aux plateformes technologiques du "
        "réseau pour orienter ma demande et la suivre. Elles sont conservées %(years)s ans "
        "après la clôture de la demande, puis effacées ; je peux demander leur effacement à "
        "tout moment depuis le lien de suivi."
    ) % {"years": years}


class RequestForm(NoControlCharactersMixin, forms.Form):
    company_name = forms.CharField(
        label=_("Entreprise"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    siret = SiretField(
        label=_("SIRET"),
        required=False,
        help_text=_("14 chiffres, espaces acceptés (facultatif)."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    contact_name = forms.CharField(
        label=_("Votre nom"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Adresse e-mail"),
        max_length=254,
        help_text=_("Nous y envoyons l'accusé de réception et votre lien de suivi."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=_("Téléphone"),
        max_length=30,
        required=False,
        help_text=_("Facultatif : la plateforme peut vous rappeler."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    department = DepartmentChoiceField(
        label=_("Département de l'entreprise"),
        queryset=Department.objects.order_by("code"),
        to_field_name="code",
        empty_label=_("— Choisissez —"),
        widget=ListedSelect,
    )
    need = forms.CharField(
        label=_("Votre besoin"),
        min_length=NEED_MIN_LENGTH,
        max_length=NEED_MAX_LENGTH,
        help_text=_(
            "En quelques phrases : votre produit ou procédé, ce que vous cherchez à "
            "améliorer, ce que vous attendez d'une plateforme."
        ),
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "min_length": _(
                "Décrivez votre besoin en quelques phrases (%(limit_value)d "
                "caractères au moins, %(show_value)d saisis)."
            )
        },
    )
    domains = DomainsField(
        label=_("Domaines concernés"),
        queryset=Domain.objects.order_by(French("name"), "pk"),
        required=False,
        help_text=_("Cochez-en un ou plusieurs si vous le savez ; sinon, le réseau choisira."),
        widget=CheckboxList,
    )
    timing = forms.ChoiceField(
        label=_("Échéance souhaitée"),
        choices=RequestTiming.choices,
        widget=RadioList,
    )
    consent = forms.BooleanField(
        label=consent_label,
        error_messages={
            "required": _(
                "Votre accord est nécessaire pour transmettre la demande aux plateformes."
            )
        },
    )
    # Where the form was opened, kept through the page's round trips. Hidden: a value
    # that makes no sense is dropped, never an error nobody would see.
    platform = HiddenValueField()
    source = HiddenValueField()
    region = HiddenValueField()
    stamp = HiddenValueField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consent"].label = consent_label()
        for name in ("domains", "timing"):
            self.fields[name].widget.attrs["aria-label"] = str(self.fields[name].label)
        if not self.is_bound:
            self.initial.setdefault(antispam.STAMP_FIELD, antispam.issue_stamp())

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        if phone and (not PHONE.match(phone) or sum(c.isdigit() for c in phone) < 6):
            raise ValidationError(
                _(
                    "Un numéro de téléphone : des chiffres, espaces, points ou tirets, « + » "
                    "devant pour l'international."
                )
            )
        return phone

    def clean_platform(self):
        value = self.cleaned_data["platform"]
        return value if SLUG.match(value) else ""

    def clean_source(self):
        value = self.cleaned_data["source"]
        return value if value in RequestSource.values else RequestSource.DIRECTORY

    def clean_region(self):
        value = self.cleaned_data["region"]
        return value if REGION_CODE.match(value) else ""

    def clean_stamp(self):
        return ""  # read by projects/antispam.py from the data sent


class MessageForm(NoControlCharactersMixin, forms.Form):
    text = forms.CharField(
        label=_("Votre message"),
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class DeletionForm(forms.Form):
    confirm = forms.BooleanField(
        label=_(
            "Je confirme : effacez les coordonnées de mon entreprise et de son contact. "
            "Les plateformes ne pourront plus me répondre."
        ),
        error_messages={"required": _("Cochez la case pour confirmer la demande d'effacement.")},
    )
