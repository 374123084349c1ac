"""Every URL name is given once: two patterns under one name make ``{% url %}`` pick one
of them by its arguments alone (a request's key and a firm's token are both digits)."""

from collections import Counter

from django.urls import URLPattern, URLResolver, get_resolver

OURS = {"innovalo", "members", "meetings", "surveys", "projects"}


def _names(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            namespace = f"{pattern.namespace}:" if pattern.namespace else prefix
            yield from _names(pattern.url_patterns, namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            module = getattr(pattern.callback, "__module__", "")
            if module.split(".")[0] in OURS:  # allauth names account_email twice itself
                yield prefix + pattern.name


def test_url_names_are_unique():
    counts = Counter(_names(get_resolver().url_patterns))
    assert [name for name, n in counts.items() if n > 1] == []
