"""The calls list's filters (django-filter, all in the query string).

``CallFilter`` reads a query string only: the list page passes ``request.GET``, a saved
search passes ``QueryDict(saved.query)``; the same string gives the same calls.
"""

import datetime

import django_filters
from django import forms
from django.db.models import CharField, Exists, F, OuterRef, Q, Value
from django.db.models.functions import Cast
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from innovalo.french import French, search_words
from innovalo.perms import is_bureau
from members.models import Region

from .enums import PRIVATE_STATUSES, CallKind, CallScope, CallState, CallStatus
from .models import Call, Funder, Theme

ALL_STATES = "all"
STATE_CHOICES = [
    (CallState.OPEN, _("Ouverts")),
    (CallState.CLOSING_SOON, _("Clôture sous 30 jours")),
    (CallState.UPCOMING, _("À venir")),
    (CallState.CLOSED, _("Clos")),
    (ALL_STATES, _("Tous")),
]
SORT_DEADLINE = "deadline"
SORT_PUBLISHED = "published"
SORT_CHOICES = [
    (SORT_DEADLINE, _("Prochaine date limite")),
    (SORT_PUBLISHED, _("Les plus récents")),
]
MEMBER_STATUSES = [CallStatus.PUBLISHED, CallStatus.ARCHIVED]
# What an empty (or invalid) field means.
DEFAULTS = {
    "status": CallStatus.PUBLISHED,
    "state": CallState.OPEN,
    "sort": SORT_DEADLINE,
}
MAX_WORDS = 10


def load_choices():
    """The themes, funders and regions offered by the form, in one query (UNION ALL),
    each list by name the French way, then by pk. Read them once and pass them as
    ``choices=`` to filter many saved searches in a row."""
    columns = ("list", "key", "name", "sort", "pk")
    lists = [
        Theme.objects.annotate(key=F("slug")),
        Funder.objects.annotate(key=Cast("pk", output_field=CharField())),
        Region.objects.current().annotate(key=F("code")),
    ]
    first, *others = [
        queryset.annotate(list=Value(rank), sort=French("name")).values_list(*columns).order_by()
        for rank, queryset in enumerate(lists)
    ]
    choices = {"theme": [], "funder": [], "region": []}
    names = list(choices)
    rows = first.union(*others, all=True).order_by("list", "sort", "pk")
    for rank, key, name, _sort, _pk in rows:
        choices[names[rank]].append((key, name))
    return choices


class CallFilter(django_filters.FilterSet):
    """The calls list: ``CallFilter(data, queryset=Call.objects.for_list(now), ...)``,
    or ``projects.selectors.calls.list_queryset(now)`` (the list page's: the same calls
    in the same order, its ``next_deadline`` an aggregate, so that the filters on it are
    a ``HAVING``).

    - ``data``: a query string as a ``QueryDict`` (``request.GET``, a saved search's).
    - ``request`` or ``user=``: who reads, only for the status visibility: the bureau may
      choose proposed, published or archived calls; everyone else published or archived,
      and never sees a proposal whatever the query string says. Without either, the
      reader is a member.
    - ``now=``: the instant the states are computed at; pass the one given to
      ``for_list(now)`` (default: now).
    - ``choices=``: the result of ``load_choices()``, to skip its three queries.

    Empty fields mean: published calls (``status``), open ones, closing soon included
    (``state``), nearest next deadline first (``sort``). A value that does not parse is
    an error of its field (``filter.errors``) and that field is ignored; the others
    still filter. Whatever the filters, the calls are read with the same number of
    queries: themes, funders and regions are matched with ``EXISTS`` subqueries.
    """

    q = django_filters.CharFilter(label=_("Mots"), method="filter_words", max_length=200)
    theme = django_filters.MultipleChoiceFilter(label=_("Thèmes"), method="filter_themes")
    funder = django_filters.MultipleChoiceFilter(label=_("Financeurs"), method="filter_funders")
    kind = django_filters.ChoiceFilter(
        label=_("Nature"), choices=CallKind.choices, empty_label=_("Toutes")
    )
    region = django_filters.ChoiceFilter(
        label=_("Région"), method="filter_region", empty_label=_("Toutes")
    )
    status = django_filters.ChoiceFilter(
        label=_("Statut"), method="filter_status", empty_label=None
    )
    state = django_filters.ChoiceFilter(
        label=_("État"), choices=STATE_CHOICES, method="filter_state", empty_label=None
    )
    deadline_before = django_filters.DateFilter(
        label=_("Date limite avant le"),
        method="filter_deadline_before",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    sort = django_filters.ChoiceFilter(
        label=_("Trier par"), choices=SORT_CHOICES, method="filter_sort", empty_label=None
    )

    class Meta:
        model = Call
        fields = []

    def __init__(
        self,
        data=None,
        queryset=None,
        *,
        request=None,
        user=None,
        now=None,
        choices=None,
        prefix=None,
    ):
        # The defaults written into the data, so that the form shows them chosen.
        data = data.copy() if data is not None else QueryDict(mutable=True)
        for name, default in DEFAULTS.items():
            if not data.get(name):
                data[name] = default
        super().__init__(data, queryset, request=request, prefix=prefix)
        if user is None and request is not None:
            user = getattr(request, "user", None)
        self.user = user
        self.now = now or timezone.now()
        self.is_bureau = user is not None and is_bureau(user)
        statuses = (
            [*MEMBER_STATUSES, CallStatus.PROPOSED, CallStatus.REFUSED]
            if self.is_bureau
            else MEMBER_STATUSES
        )
        self.filters["status"].extra["choices"] = [(s.value, s.label) for s in statuses]
        choices = choices if choices is not None else load_choices()
        for name in ("theme", "funder", "region"):
            self.filters[name].extra["choices"] = choices[name]

    # The choices keep their defaults when the field is empty or does not parse.
    def filter_queryset(self, queryset):
        if not self.is_bureau:
            queryset = queryset.exclude(status__in=PRIVATE_STATUSES)
        cleaned = self.form.cleaned_data
        for name, filter_ in self.filters.items():
            value = cleaned.get(name)
            if value in (None, "", [], ()):
                value = DEFAULTS.get(name)
                if value is None:
                    continue
            queryset = filter_.filter(queryset, value)
        return queryset

    def filter_words(self, queryset, name, value):
        """Every word in the title or the description, accents and case aside."""
        return search_words(queryset, value, ("title", "description"), max_words=MAX_WORDS)

    def filter_themes(self, queryset, name, value):
        through = Call.themes.through.objects.filter(call_id=OuterRef("pk"), theme__slug__in=value)
        return queryset.filter(Exists(through))

    def filter_funders(self, queryset, name, value):
        through = Call.funders.through.objects.filter(
            call_id=OuterRef("pk"), funder_id__in=[int(pk) for pk in value]
        )
        return queryset.filter(Exists(through))

    def filter_region(self, queryset, name, value):
        """A national or European call is open to every region; a regional call to its
        regions only."""
        through = Call.regions.through.objects.filter(call_id=OuterRef("pk"), region__code=value)
        return queryset.filter(
            Q(scope__in=[CallScope.NATIONAL, CallScope.EUROPEAN])
            | (Q(scope=CallScope.REGIONAL) & Exists(through))
        )

    def filter_status(self, queryset, name, value):
        return queryset.filter(status=value)

    def filter_state(self, queryset, name, value):
        if value == ALL_STATES:
            return queryset
        return queryset.in_state(value, self.now)

    def filter_deadline_before(self, queryset, name, value):
        """The next deadline still ahead falls on that day or before (French time)."""
        day_after = datetime.datetime.combine(value + datetime.timedelta(days=1), datetime.time.min)
        return queryset.filter(
            next_deadline__lt=timezone.make_aware(day_after, timezone.get_current_timezone())
        )

    def filter_sort(self, queryset, name, value):
        if value == SORT_PUBLISHED:
            return queryset.order_by(F("published_at").desc(nulls_last=True), "-pk")
        return queryset.order_by(F("next_deadline").asc(nulls_last=True), "-published_at", "pk")
