"""French copy in every template (a builtin library, see settings.TEMPLATES):

- ``{{ value|date:"j F Y" }}``: Django's ``date`` filter, with "1er" for the first of
  the month in French long dates ("1er février 2016"), which Django's French formats do
  not write. Short formats ("d/m/Y") and other languages are unchanged.
- ``{{ name|de }}``: "de X", or "d'X" before a vowel or a mute h ("la fiche
  d'InnovalTech", "le bureau d'INNOVALO"); "of X" in English.
"""

from django import template
from django.template.defaultfilters import date as django_date
from django.utils.formats import get_format

from innovalo.french import first_of_month_format, of

register = template.Library()


@register.filter(expects_localtime=True, is_safe=False)
def date(value, arg=None):
    if value in (None, ""):
        return ""
    format_string = arg or get_format("DATE_FORMAT")
    return django_date(value, first_of_month_format(format_string, value))


@register.filter
def de(value):
    return of(value) if value not in (None, "") else ""
