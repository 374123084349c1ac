"""Times for agendas: 13h15 in French (14h00 rather than 14h, for tables), 13:15 in
English."""

import datetime

from django import template
from django.utils import timezone
from django.utils.translation import get_language

register = template.Library()


@register.filter
def hm(value):
    """A time or datetime as "13h15" in French, "13:15" in English; empty for None."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    separator = "h" if (get_language() or "fr").startswith("fr") else ":"
    return f"{value.hour}{separator}{value.minute:02d}"


@register.filter
def localday(value):
    """The local date of an aware datetime."""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.localtime(value).date()
    return value
