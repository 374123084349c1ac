"""The bureau's editor: campaigns, sections, questions, preview."""

from django.http import Http404


def campaign_create(request, *args, **kwargs):  # placeholder until built
    raise Http404


def campaign_detail(request, *args, **kwargs):  # placeholder until built
    raise Http404


def campaign_edit(request, *args, **kwargs):  # placeholder until built
    raise Http404


def campaign_copy(request, *args, **kwargs):  # placeholder until built
    raise Http404


def campaign_transition(request, *args, **kwargs):  # placeholder until built
    raise Http404


def campaign_preview(request, *args, **kwargs):  # placeholder until built
    raise Http404


def section_create(request, *args, **kwargs):  # placeholder until built
    raise Http404


def section_edit(request, *args, **kwargs):  # placeholder until built
    raise Http404


def section_move(request, *args, **kwargs):  # placeholder until built
    raise Http404


def question_create(request, *args, **kwargs):  # placeholder until built
    raise Http404


def question_edit(request, *args, **kwargs):  # placeholder until built
    raise Http404


def question_move(request, *args, **kwargs):  # placeholder until built
    raise Http404


def question_delete(request, *args, **kwargs):  # placeholder until built
    raise Http404
