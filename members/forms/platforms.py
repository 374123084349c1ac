"""Forms of the members app: platform profile, its equipment and hosts, invitations, import."""

import re

from django import forms
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from ..enums import PlatformRole
from ..models import (
    Campus,
    Department,
    Domain,
    Equipment,
    Establishment,
    Platform,
    PlatformHost,
    Service,
)

# Invisible control characters (pasted from other software) that spreadsheets refuse:
# the directory export would fail on them. Tabs and line breaks stay allowed.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


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
    """The profile a platform's people keep current."""

    website = forms.URLField(
        label=_("Site web"), required=False, max_length=200, assume_scheme="https"
    )

    class Meta:
        model = Platform
        fields = [
            "name",
            "acronym",
            "description",
            "address",
            "postal_code",
            "city",
            "department",
            "website",
            "email",
            "phone",
            "domains",
            "services",
            "services_description",
            "campuses",
            "billing_name",
            "billing_address",
            "siret",
            "chorus_service_code",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "services_description": forms.Textarea(attrs={"rows": 3}),
            "billing_address": forms.Textarea(attrs={"rows": 3}),
            "domains": forms.CheckboxSelectMultiple,
            "services": forms.CheckboxSelectMultiple,
            "campuses": forms.SelectMultiple(attrs={"size": 6}),
        }

    # Fields only the bureau changes (the label is granted by the association).
    BUREAU_FIELDS = ["label_status", "label_granted_on", "label_expires_on", "is_member"]

    def __init__(self, *args, bureau=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.select_related("region")
        self.fields["domains"].queryset = Domain.objects.all()
        self.fields["services"].queryset = Service.objects.all()
        self.fields["campuses"].queryset = Campus.objects.all()
        if bureau:
            for name in self.BUREAU_FIELDS:
                field = Platform._meta.get_field(name).formfield()
                if isinstance(field, forms.DateField):
                    field.widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
                self.fields[name] = field
                self.initial.setdefault(name, getattr(self.instance, name))

    def save(self, commit=True):
        for name in self.BUREAU_FIELDS:
            if name in self.cleaned_data:
                setattr(self.instance, name, self.cleaned_data[name])
        return super().save(commit=commit)


class EquipmentForm(NoControlCharactersMixin, forms.ModelForm):
    class Meta:
        model = Equipment
        fields = ["name", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


class HostForm(forms.ModelForm):
    class Meta:
        model = PlatformHost
        fields = ["establishment", "role"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["establishment"].queryset = Establishment.objects.all()


EquipmentFormSet = inlineformset_factory(
    Platform, Equipment, form=EquipmentForm, extra=2, can_delete=True
)


class BaseHostFormSet(forms.BaseInlineFormSet):
    def get_unique_error_message(self, unique_check):
        return _("Un même établissement ne peut être lié qu'une fois à la plateforme.")


HostFormSet = inlineformset_factory(
    Platform, PlatformHost, form=HostForm, formset=BaseHostFormSet, extra=1, can_delete=True
)


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
