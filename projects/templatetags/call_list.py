"""The calls list's rows written in Python (issue 15): twenty rows of a dozen facts each
were most of the list's rendering time, and the federation's pages are always full."""

from django import template
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from innovalo.french import long_date
from innovalo.rows import escape, url_maker

from ..enums import CallKind, CallStatus

register = template.Library()


def _local(value):
    """What a template gives a filter that ``expects_localtime``."""
    return timezone.localtime(value) if timezone.is_aware(value) else value


def _fact(label, value_html) -> str:
    return f"<div><dt>{escape(label)}</dt><dd>{value_html}</dd></div>"


def _row(call, labels) -> str:
    status = ""
    if call.status != "published":
        status = (
            f' <span class="badge badge-{escape(call.status)}">'
            f"{escape(labels['statuses'].get(call.status, call.status))}</span>"
        )
    if call.next_deadline:
        when = _local(call.next_deadline)
        deadline = (
            f"<strong>{escape(long_date(when))}</strong> "
            f"{when.hour:02d}:{when.minute:02d}"
            f'<span class="call-next-label">{escape(call.next_deadline_label or "")}</span>'
        )
    elif call.open_all_year:
        deadline = escape(labels["all_year"])
    else:
        deadline = f'<span class="muted">{escape(labels["none"])}</span>'
    amount = _fact(labels["amount"], escape(call.amount_text)) if call.amount_text else ""
    themes = (
        '<p class="call-themes">'
        + "".join(f'<span class="tag">{escape(name)}</span>' for name in call.theme_names)
        + "</p>"
        if call.theme_names
        else ""
    )
    url = labels["url"](call.pk)
    return (
        '\n  <li class="call-row">\n'
        '    <div class="call-row-head">\n'
        f'      <h2><a href="{escape(url)}">{escape(call.title)}</a></h2>\n'
        f'      <span class="badge badge-state-{escape(call.current_state)}">'
        f"{escape(call.state_label)}</span>\n"
        f"      {status}\n"
        "    </div>\n"
        '    <dl class="call-facts">\n'
        f"      {_fact(labels['next'], deadline)}\n"
        f"      {_fact(labels['funders'], escape(call.funders_text))}\n"
        f"      {_fact(labels['kind'], escape(labels['kinds'].get(call.kind, call.kind)))}\n"
        f"      {_fact(labels['scope'], escape(call.scope_text))}\n"
        f"      {amount}\n"
        "    </dl>\n"
        f"    {themes}\n"
        "  </li>\n"
    )


@register.simple_tag
def call_rows(calls):
    """Each call of ``projects.selectors.calls.list_rows`` as the list's <li>, or one
    saying that nothing matches."""
    if not calls:
        nothing = escape(gettext("Aucun appel ne correspond à ces filtres."))
        return mark_safe(f'\n  <li class="call-row">{nothing}</li>\n')
    labels = {
        "next": gettext("Prochaine date limite"),
        "funders": gettext("Financeurs"),
        "kind": gettext("Nature"),
        "scope": gettext("Portée"),
        "amount": gettext("Montant"),
        "all_year": gettext("Ouvert toute l'année"),
        "none": gettext("Aucune à venir"),
        # Built once per page rather than per row (get_*_display builds the choices'
        # dict each time, reverse() resolves the pattern each time).
        "kinds": {kind.value: str(kind.label) for kind in CallKind},
        "statuses": {status.value: str(status.label) for status in CallStatus},
        "url": url_maker("call_detail"),
    }
    return mark_safe("".join(_row(call, labels) for call in calls))
