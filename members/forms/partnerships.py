"""Forms of a platform's transfer offer and agreements, and the filters of the bureau's
agreements page. They parse and show errors; ``members/services/partnerships.py`` writes
and keeps the rules (an end after the start, the signed document's type and size)."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from innovalo.french import French

from ..enums import AgreementKind, TransferLevel
from ..models import Agreement, Region, TransferOffer
from ..services.partnerships import AGREEMENT_DOCUMENT_TYPES, MAX_AGREEMENT_DOCUMENT_SIZE
from .dues import DateInput
from .platforms import ListedChoiceIterator, ListedSelect, NoControlCharactersMixin

# Transfer offer (on the platform's edit page) ------------------------------------------


class TransferLevelForm(NoControlCharactersMixin, forms.Form):
    """One level: offered or not, and how. ``shown`` tells the level was on the page (a
    post without it leaves the level as it is)."""

    shown = forms.BooleanField(required=False, initial=True, widget=forms.HiddenInput)
    offered = forms.BooleanField(label=_("La plateforme propose ce niveau"), required=False)
    description = forms.CharField(
        label=_("Comment la plateforme le propose"),
        required=False,
        max_length=TransferOffer._meta.get_field("description").max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Quelques lignes lues par les entreprises (500 caractères au plus)."),
    )

    def __init__(self, *args, level, **kwargs):
        self.level = TransferLevel(level)
        super().__init__(*args, prefix=f"transfer-{self.level.value}", **kwargs)

    @property
    def legend(self):
        return self.level.label

    def clean(self):
        cleaned_data = super().clean()
        if cleaned_data.get("description", "").strip() and not cleaned_data.get("offered"):
            self.add_error(
                "offered",
                _("Cochez ce niveau pour publier son texte, ou effacez le texte."),
            )
        return cleaned_data


class TransferOfferForms:
    """The four levels' forms of the edit page, read and checked together."""

    def __init__(self, data=None, *, offers=()):
        chosen = {offer.level: offer.description for offer in offers}
        self.current = chosen
        self.forms = [
            TransferLevelForm(
                data,
                level=level,
                initial={
                    "shown": True,
                    "offered": level in chosen,
                    "description": chosen.get(level, ""),
                },
            )
            for level in TransferLevel.values
        ]

    def __iter__(self):
        return iter(self.forms)

    def is_valid(self) -> bool:
        valid = [form.is_valid() for form in self.forms]  # each, for its errors
        return all(valid)

    @property
    def total_error_count(self) -> int:
        return sum(len(form.errors) for form in self.forms)

    def offers(self) -> dict:
        """{level: description, or None when not offered}, for the levels on the page."""
        return {
            form.level.value: (
                form.cleaned_data["description"].strip() if form.cleaned_data["offered"] else None
            )
            for form in self.forms
            if form.cleaned_data.get("shown")
        }

    def changed_offers(self) -> dict:
        """``offers()`` of the levels whose offer changed (nothing to save: empty)."""
        return {
            level: description
            for level, description in self.offers().items()
            if self.current.get(level) != description
        }


# Agreements ----------------------------------------------------------------------------


def document_help() -> str:
    return _("PDF, ODT, DOCX, PNG ou JPG ; %(size)d Mo au plus.") % {
        "size": MAX_AGREEMENT_DOCUMENT_SIZE // (1024 * 1024)
    }


class AgreementForm(NoControlCharactersMixin, forms.Form):
    partner = forms.CharField(
        label=_("Partenaire"), max_length=Agreement._meta.get_field("partner").max_length
    )
    kind = forms.ChoiceField(
        label=_("Nature du partenaire"), choices=[("", "---------"), *AgreementKind.choices]
    )
    subject = forms.CharField(
        label=_("Objet"),
        max_length=Agreement._meta.get_field("subject").max_length,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    starts_on = forms.DateField(label=_("Début"), widget=DateInput())
    ends_on = forms.DateField(
        label=_("Fin"),
        required=False,
        widget=DateInput(),
        help_text=_("Vide : sans date de fin. Un rappel part 90 et 30 jours avant la fin."),
    )
    document = forms.FileField(
        label=_("Convention signée"),
        required=False,
        widget=forms.FileInput(attrs={"accept": ",".join(AGREEMENT_DOCUMENT_TYPES)}),
    )
    remove_document = forms.BooleanField(label=_("Retirer le document enregistré"), required=False)

    def __init__(self, *args, agreement=None, **kwargs):
        if agreement is not None:
            kwargs.setdefault(
                "initial",
                {
                    "partner": agreement.partner,
                    "kind": agreement.kind,
                    "subject": agreement.subject,
                    "starts_on": agreement.starts_on,
                    "ends_on": agreement.ends_on,
                },
            )
        super().__init__(*args, **kwargs)
        self.fields["document"].help_text = document_help()
        if agreement is None or not agreement.document_name:
            del self.fields["remove_document"]
        else:
            self.fields["document"].label = _("Remplacer la convention signée")
            self.fields["document"].help_text = _("Enregistrée : %(name)s. %(help)s") % {
                "name": agreement.document_name,
                "help": document_help(),
            }

    def values(self) -> dict:
        """What the service receives."""
        data = dict(self.cleaned_data)
        data["document"] = data.get("document") or None
        if "remove_document" not in self.fields:
            data.pop("remove_document", None)
        return data


# The bureau's page: the agreements that end across the network -----------------------


class ListedRegionField(django_filters.fields.ModelChoiceField):
    """The regions read once (one plain query) to check the value and draw the options."""

    iterator = ListedChoiceIterator
    widget = ListedSelect

    def to_python(self, value):
        if value in self.empty_values:
            return None
        self.validate_no_null_characters(value)
        found = next((region for region in self.queryset if region.slug == str(value)), None)
        if found is None:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return found


class RegionFilter(django_filters.ModelChoiceFilter):
    field_class = ListedRegionField


PERIODS = [
    ("ending", _("d'ici 12 mois")),
    ("ended", _("il y a moins de 3 mois")),
]


class NetworkAgreementFilter(django_filters.FilterSet):
    period = django_filters.ChoiceFilter(
        label=_("Fin de la convention"),
        choices=PERIODS,
        empty_label=None,
        method="filter_period",
        widget=ListedSelect,
    )
    region = RegionFilter(
        label=_("Région"),
        field_name="platform__department__region",
        to_field_name="slug",
        queryset=Region.objects.current().only("pk", "name", "slug").order_by(French("name"), "pk"),
        empty_label=_("Toutes"),
    )
    kind = django_filters.ChoiceFilter(
        label=_("Nature du partenaire"),
        choices=AgreementKind.choices,
        empty_label=_("Toutes"),
        widget=ListedSelect,
    )

    class Meta:
        model = Agreement
        fields = []

    def filter_period(self, queryset, name, value):
        return queryset  # the view chose the queryset of the period (``period_of``)


def period_of(data) -> str:
    """The period a query string asks for (``ending`` unless it says ``ended``)."""
    value = data.get("period", "")
    return value if value in dict(PERIODS) else "ending"
