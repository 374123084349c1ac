"""External respondents (bureau): import, list, invitations."""

from django.http import Http404


def respondent_list(request, *args, **kwargs):  # placeholder until built
    raise Http404


def respondent_import(request, *args, **kwargs):  # placeholder until built
    raise Http404


def invitation_control(request, *args, **kwargs):  # placeholder until built
    raise Http404
