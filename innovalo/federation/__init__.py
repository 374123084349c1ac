"""A generated federation a hundred times the network (issue 15), for the benchmarks:
``manage.py seed_federation [--seed 1] [--scale 1.0]``.

At scale 1.0 it adds 5,000 platforms over every region with their people,
establishments and equipment; twenty years of dues with payments and numbered
documents; 2,000 meetings with agendas, invitations, minutes and actions; 100,000
survey responses (the platforms' yearly survey and one external questionnaire);
10,000 calls, 2,000 projects and 5,000 saved searches. ``--scale`` multiplies every
count (0.01 for the tests). It goes on top of ``seed_demo`` (the demo accounts still
log in; the demo's campaigns and document counters are reused and moved on), is
deterministic for a given seed and day, and written in bulk (``bulk_create`` in
batches, COPY for the survey answers). Bulk rows have no history entries.

One module per part; each draws from its own generator (``common.rng_for``).
"""

import time

from django.db import transaction

from members.models import Platform

from . import dues, meetings, platforms, projects, surveys
from .common import SLUG_PREFIX, Report, analyze, rng_for, sized


def already_seeded() -> bool:
    return Platform.objects.filter(slug__startswith=SLUG_PREFIX).exists()


def seed_federation(*, seed: int = 1, scale: float = 1.0, stdout=None) -> Report:
    """Generate the federation; returns what was created (counts and seconds per part)."""
    report = Report()

    def step(name, function, *args):
        started = time.perf_counter()
        result = function(*args)
        report.timings[name] = time.perf_counter() - started
        if stdout is not None:
            stdout.write(f"  {name}: {report.timings[name]:.1f} s")
        return result

    with transaction.atomic():
        fed = step(
            "platforms and people",
            platforms.generate,
            rng_for(seed, "platforms"),
            sized("platforms", scale),
            report,
        )
        step("dues", dues.generate, rng_for(seed, "dues"), fed, report)
        step(
            "meetings",
            meetings.generate,
            rng_for(seed, "meetings"),
            fed,
            sized("meetings", scale),
            report,
        )
        step("calls", projects.calls, seed, sized("calls", scale), report, stdout)
        step(
            "projects",
            projects.projects,
            rng_for(seed, "projects"),
            fed,
            sized("projects", scale),
            report,
        )
        step(
            "saved searches",
            projects.saved_searches,
            rng_for(seed, "searches"),
            fed,
            sized("saved_searches", scale),
            report,
        )
    step(
        "surveys",
        surveys.generate,
        rng_for(seed, "surveys"),
        seed,
        fed,
        sized("survey_responses", scale),
        report,
    )
    step("statistics", _analyze)
    return report


def _analyze():
    from django.apps import apps

    analyze(*[model for model in apps.get_models() if model._meta.app_label in ANALYZED])


ANALYZED = {"innovalo", "members", "meetings", "surveys", "projects", "account"}
