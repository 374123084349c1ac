"""Filters of the bureau's dues board (django-filter, in the query string)."""

import django_filters
from django.db.models import Q
from django.forms import ModelChoiceField
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from innovalo.french import by_name, search_words

from ..enums import DuesStatus
from ..models import DuesLine, Region
from ..models.dues import UNPAID


class YesNoAllWidget(django_filters.widgets.BooleanWidget):
    """Yes / no / all, instead of django-filter's "Unknown" for the empty choice."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("", _("Toutes")), ("true", _("Oui")), ("false", _("Non"))]


class DuesLineFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Recherche"), method="filter_q")
    state = django_filters.ChoiceFilter(
        label=_("État"), choices=DuesStatus.choices, field_name="status", empty_label=_("Tous")
    )
    # Plain choices read once (one query): a ModelChoiceFilter reads its regions through
    # a server-side cursor on PostgreSQL (three round trips) on every board.
    region = django_filters.ChoiceFilter(
        label=_("Région"),
        field_name="platform__department__region",
        empty_label=_("Toutes"),
        error_messages={
            "invalid_choice": ModelChoiceField.default_error_messages["invalid_choice"]
        },
    )
    late = django_filters.BooleanFilter(
        label=_("En retard"),
        method="filter_late",
        widget=YesNoAllWidget(),
    )

    class Meta:
        model = DuesLine
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["region"].extra["choices"] = list(
            by_name(Region.objects.current()).values_list("pk", "name")
        )

    def filter_q(self, queryset, name, value):
        """Every word in the platform's name, acronym or city, accents and case aside."""
        return search_words(
            queryset, value, ("platform__name", "platform__acronym", "platform__city")
        )

    def filter_late(self, queryset, name, value):
        if value is None:
            return queryset
        late = Q(status__in=UNPAID, due_date__lt=timezone.localdate())
        return queryset.filter(late) if value else queryset.exclude(late)
