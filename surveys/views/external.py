"""The token link: an external respondent answers without an account, or opts out."""

from django.http import Http404


def questionnaire(request, *args, **kwargs):  # placeholder until built
    raise Http404


def opt_out(request, *args, **kwargs):  # placeholder until built
    raise Http404
