"""Filters of the platform directory (django-filter), all in the query string."""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, F, OuterRef
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django_filters.fields import ModelChoiceField

from innovalo.french import French, search_words
from innovalo.lookups import AmongIds

from ..enums import LabelStatus, TransferLevel
from ..forms.platforms import ListedChoiceIterator, ListedSelect
from ..models import Department, Domain, Platform, Region, Service, TransferOffer


class ListedChoiceField(ModelChoiceField):
    """A list read once that both checks the value chosen and draws the options
    (Django checks with one query and draws with a server-side cursor): ``listed``
    (value, label, values) rows read beforehand, or the queryset with one plain query.
    The value chosen becomes an instance holding those values."""

    iterator = ListedChoiceIterator
    widget = ListedSelect

    def __init__(self, *args, listed=None, **kwargs):
        self.listed = listed
        super().__init__(*args, **kwargs)

    def _find(self, value: str):
        if self.listed is None:
            key = self.to_field_name or "pk"
            return next((obj for obj in self.queryset if str(getattr(obj, key)) == value), None)
        for key_value, _label, values in self.listed:
            if str(key_value) == value:
                model = self.queryset.model
                fields = [f.attname for f in model._meta.concrete_fields if f.attname in values]
                return model.from_db("default", fields, [values[name] for name in fields])
        return None

    def to_python(self, value):
        if value in self.empty_values:
            return None
        self.validate_no_null_characters(value)
        found = self._find(str(value))
        if found is None:
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return found


class ListedChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = ListedChoiceField


# The transfer levels in a few words: four boxes on one or two lines of the filter bar
# (the profile and the edit page say them in full).
TRANSFER_LEVELS_SHORT = [
    (TransferLevel.PRACTICES.value, _("1 · Pratiques")),
    (TransferLevel.WORK_STUDY.value, _("2 · Alternance")),
    (TransferLevel.EXPERTISE.value, _("3 · Expertise")),
    (TransferLevel.RESEARCH.value, _("4 · Recherche")),
]


class InlineCheckboxes(forms.CheckboxSelectMultiple):
    """Checkboxes side by side, each with its label after it (not inside it, so that the
    filter bar's rules make it inline and plain), in a group named for screen readers."""

    def __init__(self, *args, group_label="", **kwargs):
        self.group_label = group_label
        super().__init__(*args, **kwargs)

    def render(self, name, value, attrs=None, renderer=None):
        chosen = {str(item) for item in self.format_value(value)}
        attrs = self.build_attrs(self.attrs, attrs)
        id_ = attrs.get("id") or f"id_{name}"
        boxes = []
        for index, (option_value, label) in enumerate(self.choices):
            box_id = f"{id_}_{index}"
            checked = " checked" if str(option_value) in chosen else ""
            boxes.append(
                f'<span class="choice"><input type="checkbox" name="{escape(name)}" '
                f'value="{escape(option_value)}" id="{escape(box_id)}"{checked}>'
                f'<label for="{escape(box_id)}">{escape(label)}</label></span>'
            )
        return mark_safe(
            f'<div class="choices choices-inline" id="{escape(id_)}" role="group" '
            f'aria-label="{escape(self.group_label)}">{"".join(boxes)}</div>'
        )


# What the directory's search reads (Platform.objects.search's fields).
SEARCH_FIELDS = (
    "name",
    "acronym",
    "city",
    "description",
    "services_description",
    "department__name",
)
# The sorts on text, in French collation ("Éco-Bâti" among the E's).
FRENCH_SORTS = {"name", "city"}


class FrenchOrderingFilter(django_filters.OrderingFilter):
    """django-filter's ordering, with names and cities in French collation."""

    def get_ordering_value(self, param):
        value = super().get_ordering_value(param)
        descending = value.startswith("-")
        field = value.removeprefix("-")
        if field not in FRENCH_SORTS:
            return value
        return French(field).desc() if descending else French(field).asc()


class PlatformFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Recherche"), method="filter_text")
    region = ListedChoiceFilter(
        label=_("Région"),
        field_name="department__region",
        to_field_name="slug",
        queryset=Region.objects.current(),
        empty_label=_("Toutes"),
        method="filter_region",
    )
    department = ListedChoiceFilter(
        label=_("Département"),
        field_name="department",
        to_field_name="code",
        queryset=Department.objects.all(),
        empty_label=_("Tous"),
    )
    domain = ListedChoiceFilter(
        label=_("Domaine"),
        field_name="domains",
        to_field_name="slug",
        queryset=Domain.objects.all(),
        empty_label=_("Tous"),
        method="filter_linked",
    )
    label = django_filters.ChoiceFilter(
        label=_("Label"),
        field_name="label_status",
        choices=LabelStatus.choices,
        empty_label=_("Tous"),
        widget=ListedSelect,
    )
    service = ListedChoiceFilter(
        label=_("Service"),
        field_name="services",
        to_field_name="slug",
        queryset=Service.objects.all(),
        empty_label=_("Tous"),
        method="filter_linked",
    )
    level = django_filters.MultipleChoiceFilter(
        label=_("Niveau de transfert"),
        choices=TRANSFER_LEVELS_SHORT,
        widget=InlineCheckboxes(group_label=_("Niveau de transfert")),
        method="filter_level",
    )
    sort = FrenchOrderingFilter(
        label=_("Trier par"),
        fields=(
            ("name", "name"),
            ("city", "city"),
            ("department__code", "department"),
            ("reviewed_at", "reviewed"),
        ),
        field_labels={
            "name": _("Nom"),
            "city": _("Ville"),
            "department__code": _("Département"),
            "reviewed_at": _("Date de revue"),
        },
        empty_label=None,
    )

    class Meta:
        model = Platform
        fields = []

    def __init__(self, *args, **kwargs):
        from ..selectors.platforms import directory_filter_lists

        super().__init__(*args, **kwargs)
        # The four lists in one query, rather than one each.
        for name, objects in directory_filter_lists().items():
            self.filters[name].extra["listed"] = objects

    def chosen_region(self):
        """The region chosen, or else that of the department chosen (None without
        either), read from the filters' lists: no query."""
        chosen = self.form.cleaned_data if self.is_bound else {}
        if chosen.get("region") is not None:
            return chosen["region"]
        department = chosen.get("department")
        if department is None:
            return None
        field = self.form.fields["region"]
        key = next(
            (
                key
                for key, _label, values in field.listed or ()
                if values["id"] == department.region_id
            ),
            None,
        )
        # A department of a former region (not in the list): read it.
        return field._find(str(key)) if key is not None else department.region

    def filter_text(self, queryset, name, value):
        """Every word in the name, acronym, city, presentation, services or department,
        accents and case aside ("ceramique" finds "Céramique")."""
        return search_words(queryset, value, SEARCH_FIELDS) if value.strip() else queryset

    def filter_region(self, queryset, name, value):
        """Platforms of the region's departments, found through their department's index."""
        departments = Department.objects.filter(region=value).order_by().values("pk")
        return queryset.filter(AmongIds(F("department"), departments))

    def filter_linked(self, queryset, name, value):
        """Platforms linked to the domain or service chosen by the many-to-many `name`,
        through an EXISTS subquery on its table: each platform once, with no DISTINCT
        over the rows' columns (nor a count of a DISTINCT subquery)."""
        field = Platform._meta.get_field(name)
        links = field.remote_field.through.objects.filter(
            **{field.m2m_field_name(): OuterRef("pk"), field.m2m_reverse_field_name(): value}
        )
        return queryset.filter(Exists(links))

    def filter_level(self, queryset, name, value):
        """Platforms offering one of the levels chosen (a subquery: no duplicate rows)."""
        if not value:
            return queryset
        offers = TransferOffer.objects.filter(platform=OuterRef("pk"), level__in=value)
        return queryset.filter(Exists(offers))

    @property
    def qs(self):
        queryset = super().qs
        # A stable order whatever the sort chosen.
        if not self.form.cleaned_data.get("sort"):
            return queryset.order_by(French("name").asc(), "pk")
        return queryset.order_by(*queryset.query.order_by, "pk")
