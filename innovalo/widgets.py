"""A searchable picker of people: checkboxes labelled "Name — Platform (email)", so that two
people of the same name can be told apart, with a filter box above them.

Plain HTML first: without JavaScript it is a list of checkboxes (keyboard usable, each with
its label; the browser's find-in-page works on it). With htmx, typing in the filter box asks
the server for the matching people (``data-hx-get`` to the page's search endpoint), keeping
those already ticked. One widget for every "choose people" field (meeting invitees, action
owners): ``PersonMultipleChoiceField(queryset=..., search_url=...)``.
"""

from django import forms
from django.db.models import Prefetch
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from .forms import IdModelMultipleChoiceField


def person_label(user) -> str:
    """ "Claude Simon — InnovalTech (claude.simon@exemple.fr)": the platforms (prefetched in
    ``picker_platforms``) or the role (bureau, ministry), and the email."""
    platforms = getattr(user, "picker_platforms", None)
    if platforms is None:
        platforms = [m.platform for m in user.platform_memberships.select_related("platform")]
    where = ", ".join(p.acronym or p.name for p in platforms)
    if not where and user.role != "director":
        where = str(user.get_role_display())
    name = user.get_full_name() or user.email
    label = f"{name} — {where}" if where else name
    return f"{label} ({user.email})" if name != user.email else label


def with_picker_data(queryset):
    """People with what their label reads (their platforms), in one more query."""
    from members.models import PlatformMembership

    if any(
        getattr(lookup, "to_attr", None) == "picker_memberships"
        for lookup in queryset._prefetch_related_lookups
    ):
        return queryset
    return queryset.prefetch_related(
        Prefetch(
            "platform_memberships",
            queryset=PlatformMembership.objects.select_related("platform")
            .only("user", "platform__name", "platform__acronym")
            .order_by("pk"),
            to_attr="picker_memberships",
        )
    )


class PersonPicker(forms.CheckboxSelectMultiple):
    """Checkboxes in a scrolling box under a filter box (see the module)."""

    def __init__(self, attrs=None, *, search_url="", group_label=""):
        super().__init__(attrs)
        self.search_url = search_url
        self.group_label = group_label

    def id_for_label(self, id_, index=None):
        # The field's label names the filter box; the options are a labelled group.
        return f"{id_}_q" if id_ and index is None else super().id_for_label(id_, index)

    def render_options(self, name, value, attrs, *, query=None):
        """The group of checkboxes (what the search endpoint returns, to replace it):
        the ticked ones always, and the others when they match `query` (None: all)."""
        id_ = attrs.get("id") or f"id_{name}"
        ticked = {str(v) for v in (value or [])}
        rows = []
        for option_value, option_label in self.choices:
            key = str(getattr(option_value, "value", option_value))
            if key == "":
                continue
            checked = key in ticked
            if not checked and query and not _matches(option_label, query):
                continue
            option_id = f"{id_}_{key}"
            rows.append(
                format_html(
                    '<div class="choice"><input type="checkbox" name="{}" value="{}" id="{}"{}>'
                    '<label for="{}">{}</label></div>',
                    name,
                    key,
                    option_id,
                    mark_safe(" checked") if checked else "",
                    option_id,
                    option_label,
                )
            )
        if not rows:
            rows.append(format_html('<p class="muted">{}</p>', _("Personne ne correspond.")))
        return format_html(
            '<div id="{}" class="picker-options" role="group" aria-label="{}">{}</div>',
            id_,
            self.group_label,
            mark_safe("".join(rows)),
        )

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        id_ = attrs.get("id") or f"id_{name}"
        value = self.format_value(value)
        search = ""
        if self.search_url:
            search = format_html(
                ' data-hx-get="{}" data-hx-trigger="input changed delay:300ms, search"'
                ' data-hx-target="#{}" data-hx-swap="outerHTML" data-hx-include="#{}"'
                ' data-hx-vals=\'{{"field": "{}"}}\'',
                self.search_url,
                id_,
                id_,
                name,
            )
        described_by = attrs.get("aria-describedby", "")
        hint_id = f"{id_}_hint"
        return format_html(
            '<div class="picker">'
            '<input type="search" id="{}_q" name="{}_q" autocomplete="off" class="picker-filter"'
            ' aria-describedby="{}" aria-controls="{}"{}>'
            '<small class="help" id="{}">{}</small>'
            "{}</div>",
            id_,
            name,
            f"{hint_id} {described_by}".strip(),
            id_,
            search,
            hint_id,
            _("Tapez un nom, une plateforme ou une adresse pour filtrer la liste, puis cochez."),
            self.render_options(name, value, attrs),
        )


def _matches(label, query) -> bool:
    from .french import unaccent

    haystack = unaccent(str(label)).casefold()
    return all(unaccent(word).casefold() in haystack for word in query.split())


class PersonMultipleChoiceField(IdModelMultipleChoiceField):
    """People to choose, each labelled "Name — Platform (email)", in a ``PersonPicker``."""

    widget = PersonPicker

    def __init__(self, queryset, *, search_url="", **kwargs):
        super().__init__(queryset, **kwargs)  # the queryset setter adds the labels' data
        self.widget.search_url = search_url
        self.widget.group_label = str(self.label or "")

    def _set_queryset(self, queryset):
        super()._set_queryset(with_picker_data(queryset) if queryset is not None else queryset)

    queryset = property(forms.ModelMultipleChoiceField._get_queryset, _set_queryset)

    def label_from_instance(self, obj):
        if hasattr(obj, "picker_memberships"):
            obj.picker_platforms = [m.platform for m in obj.picker_memberships]
        return person_label(obj)
