"""A project's card on the board, written in Python: the board shows up to sixty cards
(twelve per stage) and their template spent most of the page's time (issue 15: the
board at federation scale was 22 times the one-query page)."""

from django import template
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from innovalo.french import date_text
from innovalo.rows import url_maker

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


def _labels() -> dict:
    """What every card says, translated once per page."""
    e = conditional_escape
    return {
        "call": e(gettext("Appel :")),
        "no_call": e(gettext("Hors appel")),
        "lead": e(gettext("Porteuse :")),
        "partners": e(gettext("Partenaires :")),
        "deadline": e(gettext("Date limite :")),
        "url": url_maker("project_detail"),
    }


def _card(card, show_stage, labels) -> str:
    e = conditional_escape
    url = labels["url"](card.pk)
    name = f"{e(card.acronym)} — {e(card.title)}" if card.acronym else e(card.title)
    parts = [f'<article class="project-card">\n  <h3><a href="{url}">{name}</a></h3>\n']
    if card.stage in CLOSED or show_stage:
        parts.append(f"  <p>{stage_badge(card)}</p>\n")
    if card.call_title is not None:
        call = f"{labels['call']} {e(card.call_title)}"
    else:
        call = labels["no_call"]
    parts.append(f'  <p class="muted">{call}</p>\n')
    people = f"{labels['lead']} {e(card.lead)}"
    if card.partners:
        others = ", ".join(e(name) for name in card.partners)
        people += f"<br>{labels['partners']} {others}"
    parts.append(f"  <p>{people}</p>\n")
    if card.deadline and card.stage not in CLOSED:
        day = e(date_text(timezone.localtime(card.deadline)))
        parts.append(f'  <p class="muted">{labels["deadline"]} {day}</p>\n')
    parts.append("</article>")
    return "".join(parts)


@register.simple_tag
def project_card(card, show_stage=False):
    """What ``projects/projects/card.html`` wrote, for one card
    (``projects.selectors.projects.Card``)."""
    return mark_safe(_card(card, show_stage, _labels()))


@register.simple_tag
def project_card_items(cards, show_stage=False, item_class=""):
    """Each card as a list item (``<li class="…">``; in a board's column, a rule between
    two), with the labels and the URL pattern prepared once for the page."""
    labels = _labels()
    opening = f'<li class="{item_class}">' if item_class else "<li>"
    separator = "" if item_class else "<hr>"
    return mark_safe(
        "".join(
            f"{opening}{separator if index else ''}{_card(card, show_stage, labels)}</li>"
            for index, card in enumerate(cards)
        )
    )
