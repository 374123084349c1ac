"""Results, exports and the national report."""

from django.http import Http404


def results(request, *args, **kwargs):  # placeholder until built
    raise Http404


def export(request, *args, **kwargs):  # placeholder until built
    raise Http404


def report_pdf(request, *args, **kwargs):  # placeholder until built
    raise Http404
