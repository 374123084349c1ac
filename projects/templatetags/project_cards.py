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


def stage_badge(project) -> str:
    badge = STAGE_BADGES.get(project.stage, "")
    label = conditional_escape(project.get_stage_display())
    return f'<span class="badge {badge}">{label}</span>'


@register.simple_tag
def project_card(project, show_stage=False):
    """What ``projects/projects/card.html`` wrote, for one project."""
    e = conditional_escape
    url = reverse("project_detail", args=[project.pk])
    name = f"{e(project.acronym)} — {e(project.title)}" if project.acronym else e(project.title)
    parts = [f'<article class="project-card">\n  <h3><a href="{url}">{name}</a></h3>\n']
    if project.stage in CLOSED or show_stage:
        parts.append(f"  <p>{stage_badge(project)}</p>\n")
    if project.call_id:
        call = f"{e(gettext('Appel :'))} {e(project.call.title)}"
    else:
        call = e(gettext("Hors appel"))
    parts.append(f'  <p class="muted">{call}</p>\n')
    people = f"{e(gettext('Porteuse :'))} {e(project.lead_platform)}"
    partners = list(project.partners.all())
    if len(partners) > 1:
        others = [e(p) for p in partners if p.platform_id != project.lead_platform_id]
        people += f"<br>{e(gettext('Partenaires :'))} {', '.join(others)}"
    parts.append(f"  <p>{people}</p>\n")
    if project.deadline and project.stage not in CLOSED:
        day = e(date_text(timezone.localtime(project.deadline)))
        parts.append(f'  <p class="muted">{e(gettext("Date limite :"))} {day}</p>\n')
    parts.append("</article>")
    return mark_safe("".join(parts))
