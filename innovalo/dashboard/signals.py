"""The cached dashboard goes stale when what its figures are read from changes.

Each model the selectors read bumps the generation on save and delete (and a platform's
domains when they change): platforms, regions and departments, domains; dues lines,
payments, their allocations and cancellations, exemptions; calls and their deadlines,
projects and their partners; meetings, invitations and actions. Survey figures follow the
survey results' own generation (part of the key). A service that writes in bulk
(``bulk_create``, ``update``) writes one audit entry, which bumps it too.

The generation is incremented at once; a write inside a transaction also opens the
cache's writing window, so that a board computed before the commit is not stored
(``cache``)."""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from . import cache as dashboard_cache


def _stale(sender, raw=False, **kwargs):
    if raw:  # loaddata
        return
    dashboard_cache.invalidate(writing=transaction.get_connection().in_atomic_block)


def sources() -> list:
    from innovalo.models import AuditEntry
    from meetings.models import ActionItem, Meeting, MeetingInvitation
    from members.models import Department, Domain, DuesLine, Platform, Region
    from members.models.dues import Allocation, DuesExemption, Payment, PaymentCancellation
    from projects.models import Call, CallDeadline, Project, ProjectPartner

    return [
        Platform,
        Region,
        Department,
        Domain,
        DuesLine,
        Payment,
        Allocation,
        PaymentCancellation,
        DuesExemption,
        Call,
        CallDeadline,
        Project,
        ProjectPartner,
        Meeting,
        MeetingInvitation,
        ActionItem,
        AuditEntry,
    ]


def connect():
    from members.models import Platform

    for model in sources():
        uid = f"dashboard-stale-{model._meta.label}"
        post_save.connect(_stale, sender=model, dispatch_uid=uid)
        post_delete.connect(_stale, sender=model, dispatch_uid=f"{uid}-d")
    m2m_changed.connect(
        _stale, sender=Platform.domains.through, dispatch_uid="dashboard-stale-domains"
    )
