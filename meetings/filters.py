import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .enums import MeetingKind
from .models import Meeting


def _years():
    this_year = timezone.localdate().year
    return [(year, str(year)) for year in range(this_year + 1, 2014, -1)]


class MeetingFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(
        label=_("Type"), choices=MeetingKind.choices, empty_label=_("Tous")
    )
    year = django_filters.ChoiceFilter(
        label=_("Année"), choices=_years, method="filter_year", empty_label=_("Toutes")
    )
    when = django_filters.ChoiceFilter(
        label=_("Période"),
        choices=[("upcoming", _("À venir")), ("past", _("Passées"))],
        method="filter_when",
        empty_label=_("Toutes"),
    )

    class Meta:
        model = Meeting
        fields = ["kind", "year", "when"]

    def filter_year(self, queryset, name, value):
        return queryset.filter(start__year=int(value))

    def filter_when(self, queryset, name, value):
        if value == "upcoming":
            return queryset.upcoming().order_by("start", "pk")
        if value == "past":
            return queryset.past()
        return queryset
