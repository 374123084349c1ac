"""A project's card on the board, written in Python: the board shows up to sixty cards
(twelve per stage) and their template spent most of the page's time (issue 15: the
board at federation scale was 22 times the one-query page)."""

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from innovalo.french import date_text

register = template.Library()

STAGE_BADGES = {
    "won": "badge-accepted",
    "not_retained": "badge-declined",
    "submitted": "badge-convened",
    "writing": "badge-pending",
    "consortium": "badge-pending",
}
CLOSED = ("won", "not_retained", "withdrawn")


def stage_badge(card) -> str:
    badge = STAGE_BADGES.get(card.stage, "")
    return f'<span class="badge {badge}">{conditional_escape(card.stage_label)}</span>'


@register.simple_tag
def project_card(card, show_stage=False):
    """What ``projects/projects/card.html`` wrote, for one card
    (``projects.selectors.projects.Card``)."""
    e = conditional_escape
    url = reverse("project_detail", args=[card.pk])
    name = f"{e(card.acronym)} — {e(card.title)}" if card.acronym else e(card.title)
    parts = [f'<article class="project-card">\n  <h3><a href="{url}">{name}</a></h3>\n']
    if card.stage in CLOSED or show_stage:
        parts.append(f"  <p>{stage_badge(card)}</p>\n")
    if card.call_title is not None:
        call = f"{e(gettext('Appel :'))} {e(card.call_title)}"
    else:
        call = e(gettext("Hors appel"))
    parts.append(f'  <p class="muted">{call}</p>\n')
    people = f"{e(gettext('Porteuse :'))} {e(card.lead)}"
    if card.partners:
        others = ", ".join(e(name) for name in card.partners)
        people += f"<br>{e(gettext('Partenaires :'))} {others}"
    parts.append(f"  <p>{people}</p>\n")
    if card.deadline and card.stage not in CLOSED:
        day = e(date_text(timezone.localtime(card.deadline)))
        parts.append(f'  <p class="muted">{e(gettext("Date limite :"))} {day}</p>\n')
    parts.append("</article>")
    return mark_safe("".join(parts))
