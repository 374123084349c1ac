"""The filters of the projects board (``/projets/``).

- call: the calls that some project answers;
- platform: projects the platform leads or is a partner of;
- region: the region of the lead platform;
- year: the year the project was **created** (every project has one, a project at the
  idea stage included; the year of submission would hide the projects not submitted);
- stage: one column of the board, or the decided and closed ones, as a paginated list;
- mine: the projects of my platforms (members with a platform).

No filter joins the partners' lines into the query (a subquery of ids instead), so
the sums of the figures are never counted twice.
"""

import django_filters
from django import forms
from django.db.models import Q
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from innovalo.forms import IdModelChoiceField
from innovalo.french import French
from innovalo.widgets import SearchChoiceField
from members.forms.pickers import platform_field
from members.models import Region

from .enums import OPEN_STAGES, ProjectStage
from .models import Call, Project, ProjectPartner
from .selectors.projects import CLOSED

FIRST_YEAR = 2015


def _years():
    this_year = timezone.localdate().year
    return [(year, str(year)) for year in range(this_year, FIRST_YEAR - 1, -1)]


def stage_choices():
    return [
        *[(stage, ProjectStage(stage).label) for stage in OPEN_STAGES],
        (CLOSED, _("Décidés et clos")),
        (ProjectStage.WON, ProjectStage.WON.label),
        (ProjectStage.NOT_RETAINED, ProjectStage.NOT_RETAINED.label),
        (ProjectStage.WITHDRAWN, ProjectStage.WITHDRAWN.label),
    ]


def _calls():
    return Call.objects.filter(
        pk__in=Project.objects.filter(call__isnull=False).values("call_id")
    ).only("pk", "title")


def call_field(**kwargs) -> SearchChoiceField:
    """A call that some project answers, typed and picked among a few matches (a
    federation watches 10,000 calls: the board never lists them all)."""
    kwargs.setdefault("help_text", _("Tapez quelques mots du titre, puis choisissez."))
    return SearchChoiceField(
        _calls,
        search_fields=("title",),
        label_from_instance=lambda call: call.title,
        exact=lambda text: Q(title=text),
        order_by=(French("title"), "pk"),
        search_url=reverse_lazy("project_call_picker"),
        **kwargs,
    )


class PickerFilter(django_filters.Filter):
    """A filter on one row chosen in a searchable picker (`field_factory`)."""

    def __init__(self, *args, field_factory, **kwargs):
        self.field_factory = field_factory
        super().__init__(*args, **kwargs)

    @property
    def field(self):
        if not hasattr(self, "_field"):
            self._field = self.field_factory(label=self.label, required=False)
        return self._field


def _regions(request):
    return Region.objects.current().order_by(French("name"), "pk")


class IdChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = IdModelChoiceField


class ProjectBoardFilter(django_filters.FilterSet):
    mine = django_filters.BooleanFilter(
        label=_("Mes projets"),
        method="filter_mine",
        widget=forms.CheckboxInput,
    )
    call = PickerFilter(label=pgettext_lazy("call for projects", "Appel"), field_factory=call_field)
    platform = PickerFilter(
        label=_("Plateforme (porteuse ou partenaire)"),
        field_factory=platform_field,
        method="filter_platform",
    )
    region = IdChoiceFilter(
        label=_("Région de la porteuse"),
        queryset=_regions,
        field_name="lead_platform__department__region",
        empty_label=_("Toutes"),
    )
    year = django_filters.ChoiceFilter(
        label=_("Année de création"),
        choices=_years,
        method="filter_year",
        empty_label=_("Toutes"),
    )
    stage = django_filters.ChoiceFilter(
        label=_("Étape"), choices=stage_choices, method="filter_stage", empty_label=_("Toutes")
    )

    class Meta:
        model = Project
        fields = ["mine", "call", "platform", "region", "year", "stage"]

    def __init__(self, *args, show_mine=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not show_mine:
            del self.filters["mine"]

    def filter_mine(self, queryset, name, value):
        if not value:
            return queryset
        platform_ids = self.request.user.platform_memberships.values("platform_id")
        return queryset.filter(
            Q(lead_platform_id__in=platform_ids)
            | Q(
                pk__in=ProjectPartner.objects.filter(platform_id__in=platform_ids).values(
                    "project_id"
                )
            )
        )

    def filter_platform(self, queryset, name, value):
        return queryset.filter(
            Q(lead_platform=value)
            | Q(pk__in=ProjectPartner.objects.filter(platform=value).values("project_id"))
        )

    def filter_year(self, queryset, name, value):
        return queryset.filter(created_at__year=int(value))

    def filter_stage(self, queryset, name, value):
        if value == CLOSED:
            return queryset.exclude(stage__in=OPEN_STAGES)
        return queryset.filter(stage=value)
