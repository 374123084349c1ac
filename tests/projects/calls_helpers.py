"""What the calls pages' tests share: a call with its deadlines, funders, themes and
regions, the form's POST data, and a count of the rows a page could write."""

import datetime

from django.utils import timezone

from innovalo.models import AuditEntry, SentReminder
from members.models import Region
from projects.enums import CallScope, CallStatus
from projects.models import Call, CallDeadline, CallFollow, CallInterest, Funder, Theme
from tests.projects.factories import (
    CallFactory,
    DeadlineFactory,
    FunderFactory,
    ThemeFactory,
)


def full_call(n=0, *, days=45, **kwargs):
    """A published regional call with two funders, two themes, two regions and two
    deadlines (one passed, one ``days`` ahead)."""
    kwargs.setdefault("scope", CallScope.REGIONAL)
    call = CallFactory(
        title=kwargs.pop("title", f"FEDER innovation {n}"),
        amount_min=50000,
        amount_max=300000,
        rate_min=30,
        rate_max=50,
        url="https://www.europe-en-france.gouv.fr/",
        contact="feder@region.fr",
        **kwargs,
    )
    call.funders.set(
        [
            FunderFactory(name="Région Bretagne", website="https://www.bretagne.bzh/"),
            FunderFactory(name="Union européenne"),
        ]
    )
    call.themes.set(
        [
            ThemeFactory(name="Numérique", slug="numerique"),
            ThemeFactory(name="Énergie", slug="energie"),
        ]
    )
    call.regions.set(Region.objects.filter(code__in=["53", "52"]))
    now = timezone.now()
    DeadlineFactory(call=call, label="Pré-proposition", due_at=now - datetime.timedelta(days=5))
    DeadlineFactory(call=call, label="Dossier complet", due_at=now + datetime.timedelta(days=days))
    return call


def proposed_call(proposer, **kwargs):
    return CallFactory(
        status=CallStatus.PROPOSED, proposed_by=proposer, published_at=None, **kwargs
    )


def form_data(**overrides):
    """A valid POST of the call form with one deadline row (and one blank row)."""
    day = timezone.localdate() + datetime.timedelta(days=60)
    data = {
        "title": "France 2030 — numérique",
        "kind": "call",
        "scope": "national",
        "description": "Accompagner la transition numérique.",
        "eligibility": "",
        "amount_min": "100000",
        "amount_max": "500000",
        "rate_min": "",
        "rate_max": "",
        "url": "",
        "application_url": "",
        "contact": "",
        "opens_on": "",
        "deadlines-TOTAL_FORMS": "2",
        "deadlines-INITIAL_FORMS": "0",
        "deadlines-MIN_NUM_FORMS": "0",
        "deadlines-MAX_NUM_FORMS": "1000",
        "deadlines-0-id": "",
        "deadlines-0-label": "Dossier complet",
        "deadlines-0-day": day.isoformat(),
        "deadlines-0-time": "12:00",
        "deadlines-1-id": "",
        "deadlines-1-label": "",
        "deadlines-1-day": "",
        "deadlines-1-time": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def written_rows() -> tuple:
    """What a GET must never change."""
    return (
        Call.objects.count(),
        CallDeadline.objects.count(),
        CallFollow.objects.count(),
        CallInterest.objects.count(),
        Funder.objects.count(),
        Theme.objects.count(),
        AuditEntry.objects.count(),
        SentReminder.objects.count(),
    )
