"""The actions table's rows written in Python (issue 15): a meeting's page prints its own
actions and up to twenty carried over, each row a dozen facts and up to three buttons,
and their template was a third of the page's time at federation scale. Rows come
prepared by ``meetings.selectors.with_action_perms`` (labels, links, permissions)."""

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from innovalo.rows import escape

register = template.Library()


def _button(action, status, label, hidden) -> str:
    return (
        f'\n          <form method="post" action="{escape(action.status_url)}">{hidden["csrf"]}\n'
        f'            <input type="hidden" name="status" value="{status}">{hidden["next"]}\n'
        f'            <button class="link-button">{label}<span class="visually-hidden"> : '
        f"{escape(action.title)}</span></button>\n"
        "          </form>\n        "
    )


def _row(action, show_meeting, labels, hidden) -> str:
    title = escape(action.title)
    if action.agenda_item_id and action.agenda_item:
        title += f'<div class="muted">{escape(action.agenda_item.title)}</div>'
    due = ""
    if action.due_date:
        due = escape(action.due_text)
        if action.overdue:
            due += f' <span class="badge badge-late">{labels["late"]}</span>'
    meeting = (
        f'<td><a href="{escape(action.meeting_url)}">{escape(action.meeting.title)}</a></td>'
        if show_meeting
        else ""
    )
    buttons = ""
    if action.can_mark_done:
        buttons = _button(action, "done", labels["done"], hidden)
    elif action.can_reopen:
        buttons = _button(action, "open", labels["reopen"], hidden)
    edit = (
        f'<a href="{escape(action.edit_url)}">{labels["edit"]}'
        f'<span class="visually-hidden"> : {escape(action.title)}</span></a>'
        if action.can_edit
        else ""
    )
    return (
        "\n    <tr>\n"
        f"      <td>{title}</td>\n"
        f"      <td>{escape(action.owners_text)}</td>\n"
        f"      <td>{due}</td>\n"
        f'      <td><span class="badge badge-{escape(action.status)}">'
        f"{escape(action.status_label)}</span></td>\n"
        f"      {meeting}\n"
        f'      <td class="actions">{buttons}{edit}</td>\n'
        "    </tr>"
    )


@register.simple_tag(takes_context=True)
def action_rows(context, actions, show_meeting=False, next_name=""):
    """The <tr> of each action, as ``meetings/includes/actions_table.html`` wrote them."""
    labels = {
        "late": escape(gettext("en retard")),
        "done": escape(gettext("Marquer faite")),
        "reopen": escape(gettext("Rouvrir")),
        "edit": escape(gettext("Modifier")),
    }
    token = context.get("csrf_token")
    hidden = {
        "csrf": (
            f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(token)}">'
            if token and token != "NOTPROVIDED"
            else ""
        ),
        "next": (
            f'<input type="hidden" name="next" value="{escape(next_name)}">' if next_name else ""
        ),
    }
    return mark_safe("".join(_row(action, show_meeting, labels, hidden) for action in actions))
