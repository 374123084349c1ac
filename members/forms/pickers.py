"""Pickers of one platform or one establishment among thousands (a federation holds
5,000 of each): a text box with a few matches served by ``members.views.pickers``,
never the whole list on the page (``innovalo.widgets.SearchChoiceField``)."""

import re

from django.db.models import Q
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from innovalo.french import French
from innovalo.widgets import SearchChoiceField

from ..models import Establishment, Platform


def platform_label(platform) -> str:
    """ "InnovalTech (IVT)": the name and, when it says something more, the acronym."""
    acronym = platform.acronym
    if acronym and acronym.casefold() != platform.name.casefold():
        return f"{platform.name} ({acronym})"
    return platform.name


LABEL_WITH_PARENTHESES = re.compile(r"^(?P<name>.+) \((?P<more>[^()]+)\)$")


def _name_and_more(text, more_field) -> Q:
    """What a label "Name (more)" may be: a name with parentheses, or a name and its
    `more_field`."""
    match = Q(name=text)
    parts = LABEL_WITH_PARENTHESES.match(text)
    if parts:
        match |= Q(name=parts["name"], **{more_field: parts["more"]})
    return match


def _platforms():
    return Platform.objects.only("pk", "name", "acronym")


def platform_field(**kwargs) -> SearchChoiceField:
    kwargs.setdefault("help_text", _("Tapez quelques lettres du nom ou du sigle, puis choisissez."))
    return SearchChoiceField(
        _platforms,
        search_fields=("name", "acronym"),
        label_from_instance=platform_label,
        exact=lambda text: _name_and_more(text, "acronym"),
        order_by=(French("name"), "pk"),
        search_url=reverse_lazy("platform_picker"),
        **kwargs,
    )


def _establishments():
    return Establishment.objects.only("pk", "name", "city")


def establishment_field(**kwargs) -> SearchChoiceField:
    kwargs.setdefault(
        "help_text", _("Tapez quelques lettres du nom ou de la ville, puis choisissez.")
    )
    return SearchChoiceField(
        _establishments,
        search_fields=("name", "city", "uai"),
        label_from_instance=str,  # "Lycée Niépce (Chalon-sur-Saône)"
        exact=lambda text: _name_and_more(text, "city"),
        order_by=(French("name"), "pk"),
        search_url=reverse_lazy("establishment_picker"),
        **kwargs,
    )
