"""The directory table's rows written in Python (issue 15): a page of twenty rows was
about two hundred template nodes, most of the directory's rendering time."""

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

register = template.Library()


def _row(row) -> str:
    acronym = f' <span class="muted">({escape(row["acronym"])})</span>' if row["acronym"] else ""
    carrying = "<br>".join(escape(name) for name in row["carrying"])
    domains = (
        "".join(f'<span class="tag">{escape(name)}</span> ' for name in row["domains"])
        or '<span class="muted">—</span>'
    )
    return (
        "\n    <tr>\n"
        f'      <td><a href="{escape(row["url"])}">{escape(row["name"])}</a>{acronym}</td>\n'
        f'      <td>{escape(row["city"])} <span class="muted">'
        f"({escape(row['department_code'])})</span></td>\n"
        f'      <td><a href="{escape(row["region_url"])}">{escape(row["region_name"])}</a></td>\n'
        f"      <td>{carrying}</td>\n"
        f"      <td>{domains}</td>\n"
        f'      <td><span class="badge badge-{escape(row["label_status"])}">'
        f"{escape(row['label'])}</span></td>\n"
        "    </tr>"
    )


@register.simple_tag
def directory_rows(rows):
    """The <tr> of each row of ``members.selectors.platforms.directory_rows``, or one
    row saying that nothing matches."""
    if not rows:
        nothing = escape(gettext("Aucune plateforme ne correspond à ces critères."))
        return mark_safe(f'\n    <tr><td colspan="6">{nothing}</td></tr>')
    return mark_safe("".join(_row(row) for row in rows))
