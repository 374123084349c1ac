"""A searchable picker of people: checkboxes labelled "Name — Platform (email)", so that two
people of the same name can be told apart, with a filter box above them.

Plain HTML first: without JavaScript it is a list of checkboxes (keyboard usable, each with
its label; the browser's find-in-page works on it). With htmx, typing in the filter box asks
the server for the matching people (``data-hx-get`` to the page's search endpoint), keeping
those already ticked. One widget for every "choose people" field (meeting invitees, action
owners): ``PersonMultipleChoiceField(queryset=..., search_url=...)``.
"""

import json
import re

from django import forms
from django.db import models
from django.db.models import Prefetch
from django.utils.html import format_html, format_html_join
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


# One row among thousands: a text box with a few matches -----------------------------------

PICKER_MATCHES = 12
MAX_PICKER_TEXT = 300
_LIST_ID = re.compile(r"^[A-Za-z][\w-]{0,150}$")
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")


def _is_id(value) -> bool:
    text = str(value)
    return isinstance(value, (int, str)) and text.isascii() and text.isdigit() and len(text) <= 18


def _normal(text) -> str:
    from .french import unaccent

    return " ".join(unaccent(str(text)).casefold().split())


class SearchPickerInput(forms.TextInput):
    """A text box tied to its own ``<datalist>``: the browser offers the options that
    match what is typed (a native combobox: keyboard and screen readers included). The
    list holds the chosen row only; with htmx, typing asks ``search_url`` for a few
    matching rows (``data-hx-get``), which replace it. Without JavaScript it is a text
    box that the field reads on the server (a name, a part of it, or an id)."""

    def __init__(self, attrs=None, *, search_url=""):
        super().__init__({"autocomplete": "off", "spellcheck": "false", **(attrs or {})})
        self.search_url = search_url
        self.labels = ()  # the chosen row's label, set by the field

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        id_ = attrs.get("id") or f"id_{name}"
        list_id = f"{id_}_list"
        attrs["list"] = list_id
        attrs["maxlength"] = str(MAX_PICKER_TEXT)
        if self.search_url:
            attrs.update(
                {
                    "data-hx-get": str(self.search_url),
                    "data-hx-trigger": "input changed delay:250ms",
                    "data-hx-target": f"#{list_id}",
                    "data-hx-swap": "outerHTML",
                    "data-hx-sync": "this:replace",
                    "data-hx-vals": json.dumps({"field": name, "list": list_id}),
                }
            )
        text_input = super().render(name, value, attrs, renderer)
        return format_html("{}{}", text_input, datalist(list_id, self.labels))


def datalist(list_id, labels):
    return format_html(
        '<datalist id="{}">{}</datalist>',
        list_id,
        format_html_join("", '<option value="{}"></option>', ((label,) for label in labels)),
    )


class SearchChoiceField(forms.Field):
    """One row of a long list (platforms, establishments, calls) chosen in a
    ``SearchPickerInput``: never the whole list on the page.

    The text is read as: an id (links such as ``?platform=12``); a row's label
    exactly (what the list offers; `exact` turns the text into a filter on plain
    columns that finds it without scanning every row); else the words typed, when
    they fit one row only (``search_words`` over `search_fields`, accents and case
    aside). Several rows is an
    error that names a few of them; none is an error too. The field cleans to the
    model instance and shows the chosen row by its label.
    """

    widget = SearchPickerInput
    default_error_messages = {
        "invalid_choice": _("Aucun élément ne correspond : tapez quelques lettres du nom."),
        "ambiguous": _("Plusieurs éléments correspondent (%(names)s…) : précisez."),
    }

    def __init__(
        self,
        queryset,
        *,
        search_fields,
        label_from_instance=str,
        exact=None,
        order_by=None,
        search_url="",
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.queryset = queryset
        self.search_fields = tuple(search_fields)
        self.label_from_instance = label_from_instance
        self.exact = exact
        self.order_by = tuple(order_by or ("pk",))
        self.widget.search_url = search_url
        self.chosen = None
        self.known = {}

    def set_known(self, rows):
        """Rows the page already shows (a form's saved rows): read back by their id or
        label without a query."""
        self.known = {}
        for row in rows:
            self.known[str(row.pk)] = row
            self.known[str(self.label_from_instance(row))] = row

    def rows(self):
        queryset = self.queryset() if callable(self.queryset) else self.queryset
        return queryset.all()

    def matches(self, text, limit=PICKER_MATCHES) -> list:
        """The first `limit` rows whose search fields hold every word of `text`."""
        from .french import search_words

        words = _WORD.findall(str(text or "")[:MAX_PICKER_TEXT])
        if not words:
            return []
        found = search_words(self.rows(), " ".join(words), self.search_fields)
        return list(found.order_by(*self.order_by)[:limit])

    def to_python(self, value):
        self.chosen = None
        if value in self.empty_values:
            return None
        text = str(value).strip()
        if not text:
            return None
        if text in self.known:
            self.chosen = self.known[text]
            return self.chosen
        if text.isascii() and text.isdigit():
            row = None
            if len(text) <= 18:
                row = self.rows().filter(pk=int(text)).first()
            if row is None:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice"
                )
            self.chosen = row
            return row
        if self.exact is not None:
            # A label as the list offers it, found without an accent-blind scan.
            rows = [
                row
                for row in self.rows().filter(self.exact(text))[:PICKER_MATCHES]
                if str(self.label_from_instance(row)) == text
            ]
            if len(rows) == 1:
                self.chosen = rows[0]
                return self.chosen
        rows = self.matches(text, limit=PICKER_MATCHES + 1)
        exact = [row for row in rows if _normal(self.label_from_instance(row)) == _normal(text)]
        if len(exact) == 1 or len(rows) == 1:
            self.chosen = (exact or rows)[0]
            return self.chosen
        if rows:
            names = ", ".join(str(self.label_from_instance(row)) for row in rows[:3])
            raise forms.ValidationError(
                self.error_messages["ambiguous"], code="ambiguous", params={"names": names}
            )
        raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")

    def prepare_value(self, value):
        """The chosen row by its label: an instance (initial data), an id, or the text
        that chose it once cleaned; other text stays as typed."""
        row = None
        if isinstance(value, models.Model):
            row = value
        elif self.chosen is not None and value is not None:
            row = self.chosen
        elif _is_id(value):
            row = self.rows().filter(pk=int(value)).first()
        if row is None:
            self.widget.labels = ()
            return value
        label = str(self.label_from_instance(row))
        self.widget.labels = (label,)
        return label

    def has_changed(self, initial, data):
        initial_pk = getattr(initial, "pk", initial)
        text = "" if data is None else str(data).strip()
        if initial in self.empty_values:
            return bool(text)
        if isinstance(initial, models.Model) and text == str(self.label_from_instance(initial)):
            return False
        if text == str(initial_pk):
            return False
        try:
            data_row = self.to_python(data)
        except forms.ValidationError:
            return True
        return str(getattr(data_row, "pk", "") or "") != str(initial_pk or "")

    def options_response(self, request):
        """What the search endpoint answers (htmx): the ``<datalist>`` named by ``list``
        with the rows matching the text of ``<field>``."""
        from django.http import HttpResponse, HttpResponseBadRequest

        name, list_id = request.GET.get("field", ""), request.GET.get("list", "")
        if not _LIST_ID.match(list_id) or not name:
            return HttpResponseBadRequest("list")
        rows = self.matches(request.GET.get(name, ""))
        return HttpResponse(datalist(list_id, [str(self.label_from_instance(row)) for row in rows]))
