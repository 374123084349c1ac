"""Cached results go stale when what they are computed from changes: a response (every
save of answers bumps its version, so goes through ``Response.save``), a campaign, a
section, a question, a choice, a respondent, or a platform (its region, domains and
label filter the results). Bulk writes call ``results_cache.invalidate`` themselves.
The generation is incremented at once and again after the commit, so a page computed
meanwhile from the rows before the commit is never served after it."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from members.models import Platform

from .models import Campaign, Choice, Question, Respondent, Response, Section
from .selectors.results import cache as results_cache


def _stale(sender, **kwargs):
    # Now, so that this transaction's own next read misses; and after the commit, so that
    # a page computed by another request from the rows before the commit is dropped too.
    results_cache.invalidate()
    transaction.on_commit(results_cache.invalidate)


def connect():
    for model in (Campaign, Choice, Platform, Question, Respondent, Response, Section):
        post_save.connect(_stale, sender=model, dispatch_uid=f"results-stale-{model.__name__}")
        post_delete.connect(_stale, sender=model, dispatch_uid=f"results-stale-{model.__name__}-d")
