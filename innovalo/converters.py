"""Path converters: ``<id:pk>`` is a database id, at most 18 digits.

Django's ``<int:...>`` accepts any length, and a 30-digit id overflows PostgreSQL's
bigint (a 500). An id too long to exist is simply not found (404).
"""

from django.urls import register_converter


class IdConverter:
    regex = "[0-9]{1,18}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(int(value))


register_converter(IdConverter, "id")
