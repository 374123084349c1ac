"""French times for agendas: 13h15 (and 14h rather than 14h00 is avoided for tables)."""

import datetime

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def hm(value):
    """A time or datetime as "13h15"; empty for None."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{value.hour}h{value.minute:02d}"


@register.filter
def localday(value):
    """The local date of an aware datetime."""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.localtime(value).date()
    return value
