"""The profile history of a platform: the audit log (innovalo.audit) in readable
labels, then the versions simple-history kept before it, read-only."""

import datetime
import functools
import os
from collections import defaultdict

from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Paginator
from django.db.models import (
    CharField,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from innovalo.audit import key_of
from innovalo.models import AuditEntry, Invitation

from ..models import (
    Department,
    Equipment,
    Platform,
    PlatformHost,
    PlatformMembership,
)
from ..models.platforms import BUREAU_FIELDS, PROFILE_FIELDS

HISTORY_PAGE_SIZE = 20
ARCHIVE_PAGE_SIZE = 20
ARCHIVE_RELATED_SIZE = 30
VALUE_LENGTH = 120


# History: the audit log, then the versions kept before it ---------------------------------


# Entries of a platform's history that only the bureau sees (dues: an exemption's reason).
PRIVATE_ACTIONS = ("dues.",)


def _history_query(platform, private=True):
    """The platform's entries, and those of the invitations made for it (without the
    bureau's own entries unless `private`)."""
    invitations = (
        Invitation.objects.filter(platform=platform)
        .annotate(key=Concat(Value("innovalo.invitation:"), Cast("pk", CharField())))
        .values("key")
    )
    entries = AuditEntry.objects.filter(
        Q(scope=key_of(platform)) | Q(scope__in=invitations)
    ).select_related("actor")
    if not private:
        for prefix in PRIVATE_ACTIONS:
            entries = entries.exclude(action__startswith=prefix)
    return entries


def _row_label(key: str, old, new) -> str:
    kind, _sep, _pk = key.partition(":")
    name = str(new or old or "").split(" — ")[0]
    if kind == "equipment":
        return _("Équipement « %s »") % name
    return _("Établissement d'accueil « %s »") % name


_FIELD_ORDER = {name: rank for rank, name in enumerate(PROFILE_FIELDS + BUREAU_FIELDS)}


def _change_order(item):
    """Fields in the order of the edit page, then its hosts, then its equipment."""
    key = item[0]
    rank = _FIELD_ORDER.get(key, 100 if key.startswith("hosts:") else 101)
    return rank, key


def _field(name: str):
    try:
        return Platform._meta.get_field(name)
    except FieldDoesNotExist:  # a key written by another kind of entry
        return None


def _readable_value(field, value):
    if value in (None, "", []):
        return ""
    if isinstance(value, list):
        return ", ".join(map(str, value))
    if isinstance(value, bool):
        return _("oui") if value else _("non")
    if field is not None and field.get_internal_type() == "DateField":
        try:
            return date_format(datetime.date.fromisoformat(value), "j F Y")
        except (TypeError, ValueError):
            pass
    if field is not None and field.choices:
        value = dict(field.flatchoices).get(value, value)
    return str(value)


def _shortened(old: str, new: str) -> list[str]:
    """Two long texts from where they start to differ (a few words before), then cut."""
    if max(len(old), len(new)) > VALUE_LENGTH:
        common = len(os.path.commonprefix([old, new]))
        start = old.rfind(" ", 0, max(common - 30, 0)) + 1
        if start:
            old, new = f"…{old[start:]}" if old else old, f"…{new[start:]}" if new else new
    return [Truncator(old).chars(VALUE_LENGTH), Truncator(new).chars(VALUE_LENGTH)]


def _readable(entry, scope: str) -> None:
    """Labels and values for people, in place (the entry is shown, never saved)."""
    readable = {}
    for key, (old, new) in sorted((entry.changes or {}).items(), key=_change_order):
        if key.startswith(("equipment:", "hosts:")):
            label, field = _row_label(key, old, new), None
        else:
            field = _field(key)
            label = capfirst(field.verbose_name) if field is not None else key
        unique, number = label, 1
        while unique in readable:  # two rows of the same name
            number += 1
            unique = f"{label} ({number})"
        readable[unique] = _shortened(_readable_value(field, old), _readable_value(field, new))
    entry.changes = readable
    if entry.scope != scope and entry.object_repr:  # an invitation's: "email (role)"
        entry.message = f"{entry.message} — {entry.object_repr.rsplit(' (', 1)[0]}"


def platform_history(platform, page_number=None, archive_page_number=None, *, private=True) -> dict:
    """A page of the platform's history (audit log, newest first), and a page of the
    simple-history versions older than its first entry (kept, read-only). Without
    `private`, the bureau's own entries are left out (its people's view)."""
    entries = _history_query(platform, private)
    page = Paginator(entries, HISTORY_PAGE_SIZE).get_page(page_number)
    for entry in page.object_list:
        _readable(entry, key_of(platform))
    first = (
        AuditEntry.objects.filter(scope=key_of(platform))
        .order_by("created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    archive, versions, related = _archive(platform, first, archive_page_number)
    return {
        "page_obj": page,
        "entries": page.object_list,
        "archive_page": archive,
        "versions": versions,
        "related": related,
    }


HISTORY_M2M = ("domains", "services", "campuses")
HISTORY_TYPES = {
    "+": gettext_lazy("Création"),
    "~": gettext_lazy("Modification"),
    "-": gettext_lazy("Suppression"),
}


def _display(field, value, departments):
    if value in (None, ""):
        return "—"
    if field.name == "department":
        return departments().get(value, value)
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    if isinstance(value, bool):
        return _("oui") if value else _("non")
    if isinstance(value, datetime.datetime):
        return date_format(timezone.localtime(value), "j F Y H:i")
    if isinstance(value, datetime.date):
        return date_format(value, "j F Y")
    return value


def _archive(platform, before, page_number):
    """The simple-history versions written before `before` (all when None), each with
    what changed since the one before; a fixed number of queries whatever the page."""
    history_model = Platform.history.model
    dated = Q(history_date__lt=before) if before else Q()
    versions = (
        history_model.objects.filter(dated, id=platform.pk)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")
    )
    page = Paginator(versions, ARCHIVE_PAGE_SIZE).get_page(page_number)
    if not page.object_list:
        return page, [], _archive_related(platform, dated)
    start = max(page.start_index() - 1, 0)
    records = list(versions[start : page.end_index() + 1])  # + the version before the last
    ids = [record.history_id for record in records]
    m2m_values = {}
    for name in HISTORY_M2M:
        target = Platform._meta.get_field(name).related_model
        column = f"{target._meta.model_name}_id"
        label = Subquery(target.objects.filter(pk=OuterRef(column)).values("name")[:1])
        through = getattr(history_model, name).model
        rows = through.objects.filter(history_id__in=ids).annotate(label=label)
        values = defaultdict(set)
        for history_id, target_id, label in rows.values_list("history_id", column, "label"):
            values[history_id].add(label or str(target_id))  # the id of a deleted one
        m2m_values[name] = values
    departments = functools.cache(lambda: dict(Department.objects.values_list("pk", "name")))
    entries = []
    for index, record in enumerate(records[: len(page.object_list)]):
        previous = records[index + 1] if index + 1 < len(records) else None
        changes = []
        if previous is not None:
            delta = record.diff_against(previous, excluded_fields=HISTORY_M2M)
            for change in delta.changes:
                field = Platform._meta.get_field(change.field)
                changes.append(
                    (
                        field.verbose_name,
                        _display(field, change.old, departments),
                        _display(field, change.new, departments),
                    )
                )
            for name in HISTORY_M2M:
                old = m2m_values[name][previous.history_id]
                new = m2m_values[name][record.history_id]
                if old != new:
                    changes.append(
                        (
                            Platform._meta.get_field(name).verbose_name,
                            ", ".join(sorted(old)) or "—",
                            ", ".join(sorted(new)) or "—",
                        )
                    )
        entries.append(
            {
                "record": record,
                "kind": HISTORY_TYPES.get(record.history_type, record.history_type),
                "changes": changes,
            }
        )
    return page, entries, _archive_related(platform, dated)


def _archive_related(platform, dated) -> list[dict]:
    related = []
    for model, describe, extra in [
        (Equipment, lambda r: r.name, ()),
        (PlatformHost, lambda r: f"{r.establishment} ({r.get_role_display()})", ("establishment",)),
        (PlatformMembership, lambda r: f"{r.user} ({r.get_role_display()})", ("user",)),
    ]:
        rows = (
            model.history.filter(dated, platform_id=platform.pk)
            .select_related("history_user", *extra)
            .order_by("-history_date", "-history_id")[:ARCHIVE_RELATED_SIZE]
        )
        for row in rows:
            related.append(
                {
                    "date": row.history_date,
                    "user": row.history_user,
                    "kind": HISTORY_TYPES.get(row.history_type, row.history_type),
                    "model": model._meta.verbose_name,
                    "what": describe(row),
                }
            )
    related.sort(key=lambda item: item["date"], reverse=True)
    return related[:ARCHIVE_RELATED_SIZE]
