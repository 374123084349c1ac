"""Filters of the platform directory (django-filter), all in the query string."""

import django_filters
from django.utils.translation import gettext_lazy as _

from ..enums import LabelStatus
from ..models import Department, Domain, Platform, Region, Service


class PlatformFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Recherche"), method="filter_text")
    region = django_filters.ModelChoiceFilter(
        label=_("Région"),
        field_name="department__region",
        to_field_name="slug",
        queryset=Region.objects.current(),
        empty_label=_("Toutes"),
    )
    department = django_filters.ModelChoiceFilter(
        label=_("Département"),
        field_name="department",
        to_field_name="code",
        queryset=Department.objects.all(),
        empty_label=_("Tous"),
    )
    domain = django_filters.ModelChoiceFilter(
        label=_("Domaine"),
        field_name="domains",
        to_field_name="slug",
        queryset=Domain.objects.all(),
        empty_label=_("Tous"),
        distinct=True,
    )
    label = django_filters.ChoiceFilter(
        label=_("Label"),
        field_name="label_status",
        choices=LabelStatus.choices,
        empty_label=_("Tous"),
    )
    service = django_filters.ModelChoiceFilter(
        label=_("Service"),
        field_name="services",
        to_field_name="slug",
        queryset=Service.objects.all(),
        empty_label=_("Tous"),
        distinct=True,
    )
    sort = django_filters.OrderingFilter(
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

    def filter_text(self, queryset, name, value):
        return queryset.search(value) if value.strip() else queryset

    @property
    def qs(self):
        queryset = super().qs
        # A stable order whatever the sort chosen.
        if not self.form.cleaned_data.get("sort"):
            return queryset.order_by("name", "pk")
        return queryset.order_by(*queryset.query.order_by, "pk")
