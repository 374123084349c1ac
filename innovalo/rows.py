"""What the lists' rows written in Python share (calls, meetings, actions, cards...)."""

import html

from django.urls import reverse


def escape(value) -> str:
    """What ``django.utils.html.escape`` writes, without its lazy-string wrapper and
    its SafeString: a full page of rows calls it a few hundred times."""
    return html.escape(str(value))


# Any id of at most 18 digits (what the `<id:...>` converter accepts): reversed once.
_MARKER = 987654321987654321


def url_maker(name, *args):
    """``pk -> URL`` of the URL ``name`` whose last argument is a row's id (``args``
    before it): the pattern reversed once for a page, not once per row."""
    head, tail = reverse(name, args=[*args, _MARKER]).rsplit(str(_MARKER), 1)
    return lambda pk: f"{head}{pk}{tail}"
