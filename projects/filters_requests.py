"""The filters of the requests board (``/demandes/``) and of the figures
(``/demandes/chiffres/``).

- state: one state, or the open or closed ones;
- region, domain: the request's;
- platform: requests transmitted to the platform (or taken by it);
- year: the year the request was deposited;
- todo ("à traiter"): what waits for my answer (``selectors.requests.waiting_for``).

Filters on routings and domains are subqueries of ids: no join, no duplicate rows.
"""

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from innovalo.forms import IdModelChoiceField
from innovalo.french import French
from members.models import Domain, Platform, Region

from .enums import CLOSED_REQUEST_STATUSES, OPEN_REQUEST_STATUSES, RequestStatus
from .models import FirmRequest
from .models.requests import VISIBLE_ROUTINGS, RequestRouting
from .selectors import requests as selectors

FIRST_YEAR = 2020
OPEN, CLOSED = "open", "closed"


def _years():
    this_year = timezone.localdate().year
    return [(year, str(year)) for year in range(this_year, FIRST_YEAR - 1, -1)]


def state_choices():
    return [
        (OPEN, _("En cours de traitement (toutes)")),
        (CLOSED, _("Closes (toutes)")),
        *RequestStatus.choices,
    ]


def _regions(request):
    return Region.objects.current().order_by(French("name"), "pk")


def _domains(request):
    return Domain.objects.only("pk", "name").order_by(French("name"), "pk")


def _platforms(request):
    return Platform.objects.only("pk", "name", "acronym").order_by(French("name"), "pk")


class IdChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = IdModelChoiceField


class RequestBoardFilter(django_filters.FilterSet):
    todo = django_filters.BooleanFilter(
        label=_("À traiter"), method="filter_todo", widget=forms.CheckboxInput
    )
    state = django_filters.ChoiceFilter(
        label=_("État"), choices=state_choices, method="filter_state", empty_label=_("Tous")
    )
    region = IdChoiceFilter(label=_("Région"), queryset=_regions, empty_label=_("Toutes"))
    domain = IdChoiceFilter(
        label=_("Domaine"), queryset=_domains, method="filter_domain", empty_label=_("Tous")
    )
    platform = IdChoiceFilter(
        label=_("Plateforme"),
        queryset=_platforms,
        method="filter_platform",
        empty_label=_("Toutes"),
    )
    year = django_filters.ChoiceFilter(
        label=_("Année de dépôt"), choices=_years, method="filter_year", empty_label=_("Toutes")
    )

    class Meta:
        model = FirmRequest
        fields = ["todo", "state", "region", "domain", "platform", "year"]

    def filter_todo(self, queryset, name, value):
        if not value:
            return queryset
        return selectors.waiting_for(self.request.user, queryset)

    def filter_state(self, queryset, name, value):
        if value == OPEN:
            return queryset.filter(status__in=OPEN_REQUEST_STATUSES)
        if value == CLOSED:
            return queryset.filter(status__in=CLOSED_REQUEST_STATUSES)
        return queryset.filter(status=value)

    def filter_domain(self, queryset, name, value):
        through = FirmRequest.domains.through
        return queryset.filter(pk__in=through.objects.filter(domain=value).values("firmrequest_id"))

    def filter_platform(self, queryset, name, value):
        routed = RequestRouting.objects.filter(platform=value, status__in=VISIBLE_ROUTINGS)
        return queryset.filter(Q(taken_by=value) | Q(pk__in=routed.values("request_id")))

    def filter_year(self, queryset, name, value):
        return queryset.filter(created_at__year=int(value))


class RequestFiguresFilter(django_filters.FilterSet):
    """Only validates the year and the region; the counts are ``request_figures``'s."""

    year = django_filters.ChoiceFilter(
        label=_("Année de dépôt"), choices=_years, method="keep", empty_label=_("Toutes")
    )
    region = IdChoiceFilter(
        label=_("Région"), queryset=_regions, method="keep", empty_label=_("Toutes")
    )

    class Meta:
        model = FirmRequest
        fields = ["year", "region"]

    def keep(self, queryset, name, value):
        return queryset

    def values(self) -> dict:
        """{"year": int | None, "region": Region | None} (nothing when invalid)."""
        if not self.is_bound or not self.form.is_valid():
            return {"year": None, "region": None}
        year = self.form.cleaned_data.get("year")
        return {
            "year": int(year) if year else None,
            "region": self.form.cleaned_data.get("region"),
        }
