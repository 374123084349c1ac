"""The tracking list's rows written in Python (issue 15): a page holds fifty platforms
or respondents at federation scale, and their template loop was most of its rendering."""

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import localize
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from innovalo.templatetags.french import date as french_date

register = template.Library()


def _when(value, format_string) -> str:
    """``{{ value|date:format_string|default:"—" }}``."""
    if value is None:
        return "—"
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return escape(french_date(value, format_string)) or "—"


def _row(row, campaign, can_remind, words) -> str:
    pk = str(row["pk"])
    tick = ""
    if can_remind and not row["reminder_block"]:
        label = words["remind"] % {"name": escape(row["label"])}
        tick = (
            f'<input type="checkbox" name="targets" value="{pk}" id="target-{pk}">'
            f'<label for="target-{pk}" class="visually-hidden">{label}</label>'
        )
    status = (
        f'<span class="badge badge-{escape(row["response_status"])}">'
        f"{escape(row['response_status_label'])}</span>"
    )
    if campaign.is_external:
        language = ' <span class="badge">EN</span>' if row["language"] == "en" else ""
        if row["status"] in ("opted_out", "bounced"):
            status += f' <span class="badge badge-expired">{escape(row["status_label"])}</span>'
        who = (
            f"<td>{escape(row['organisation'] or '—')}<br>"
            f'<span class="muted">{escape(row["email"])}</span>{language}</td>\n'
            f"      <td>{escape(row['region_name'] or '—')}</td>\n"
        )
    else:
        url = reverse("survey_response", args=[campaign.pk, row["slug"]])
        who = (
            f'<td><a href="{escape(url)}">{escape(row["name"])}</a></td>\n'
            f"      <td>{escape(row['region_name'])}</td>\n"
        )
    if row["reminder_block"]:
        remind = f'<span class="muted">{escape(row["block_label"])}</span>'
    else:
        remind = escape(words["yes"]) if can_remind else "—"
    return (
        "\n    <tr>\n"
        f"      <td>{tick}</td>\n"
        f"      {who}"
        f"      <td>{status}</td>\n"
        f"      <td>{_when(row['last_activity'], 'j F Y H:i')}</td>\n"
        f'      <td class="num">{escape(localize(row["reminder_count"]))}</td>\n'
        f"      <td>{_when(row['last_reminder_at'], 'j F Y')}</td>\n"
        f"      <td>{remind}</td>\n"
        "    </tr>"
    )


@register.simple_tag
def tracking_rows(rows, campaign, can_remind):
    """Each row of ``surveys.selectors.tracking.tracking_page`` as the list's <tr>, or
    one saying that nothing matches."""
    if not rows:
        nothing = escape(gettext("Aucune ligne ne correspond."))
        return mark_safe(f'\n    <tr><td colspan="8">{nothing}</td></tr>')
    words = {"remind": gettext("Relancer %(name)s"), "yes": gettext("oui")}
    return mark_safe("".join(_row(row, campaign, can_remind, words) for row in rows))
