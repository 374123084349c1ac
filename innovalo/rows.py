"""What the lists' rows written in Python share (calls, meetings, actions)."""

import html


def escape(value) -> str:
    """What ``django.utils.html.escape`` writes, without its lazy-string wrapper and
    its SafeString: a full page of rows calls it a few hundred times."""
    return html.escape(str(value))
