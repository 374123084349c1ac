"""Tracking (bureau): response rate, non-respondents, reminders by hand."""

from django.http import Http404


def tracking(request, *args, **kwargs):  # placeholder until built
    raise Http404


def remind_by_hand(request, *args, **kwargs):  # placeholder until built
    raise Http404
