"""A platform's people answer: the campaigns they are concerned by, their response."""

from django.http import Http404


def campaign_list(request, *args, **kwargs):  # placeholder until built
    raise Http404


def response_edit(request, *args, **kwargs):  # placeholder until built
    raise Http404


def response_submit(request, *args, **kwargs):  # placeholder until built
    raise Http404


def response_done(request, *args, **kwargs):  # placeholder until built
    raise Http404


def response_pdf(request, *args, **kwargs):  # placeholder until built
    raise Http404


def response_take_over(request, *args, **kwargs):  # placeholder until built
    raise Http404


def response_reopen(request, *args, **kwargs):  # placeholder until built
    raise Http404


def response_history(request, *args, **kwargs):  # placeholder until built
    raise Http404
