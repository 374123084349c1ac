"""Imports of calls, and the review of the changes they set aside.

``calls_import(source=..., table=..., actor=...)`` writes the rows that
``projects.importers.read_calls`` read, all or nothing, keyed by (source, external id):

- an unknown external id: a call is created, published at once;
- a known one whose every field the file gives is the same: unchanged;
- its dates (opening, open all year, deadlines) changed: applied at once, and
  ``dates_changed_at`` set so that saved searches tell their subscribers;
- any other change to a published call (and every change to an archived one) is set
  aside as a ``PendingCallChange`` ({field: [old, new]}, plain JSON) for the bureau to
  accept or refuse; a proposal, not yet published, takes every change.

A second import of the same file writes nothing: a change already waiting, or refused by
the bureau with the same values, is not set aside again.
"""

import datetime
import logging
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from innovalo.audit import log_action
from innovalo.exceptions import ServiceError
from members.models import Region

from ..enums import CallStatus, ChangeStatus
from ..importers import (
    DATE_FIELDS,
    PARIS,
    RELATED_FIELDS,
    SCALAR_FIELDS,
    CallTable,
    References,
    parse_iso,
    resolve_references,
)
from ..models import Call, CallDeadline, Funder, PendingCallChange, Theme

logger = logging.getLogger(__name__)

SOURCE_MAX = 60
DECIMAL_FIELDS = ("amount_min", "amount_max", "rate_min", "rate_max")
CREATED_DEFAULTS = {
    "description": "",
    "eligibility": "",
    "applicants": [],
    "url": "",
    "application_url": "",
    "contact": "",
    "opens_on": None,
    "open_all_year": False,
}


# The report -------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What the import did with one row."""

    line: int
    external_id: str
    title: str
    call: Call | None = None
    changes: dict = field(default_factory=dict)  # {field: [old, new]} (plain JSON)
    note: str = ""
    errors: list = field(default_factory=list)  # [(column, [messages])]


@dataclass
class ImportReport:
    source: str
    kind: str  # csv, xlsx, json
    dry_run: bool = False
    ignored_columns: list = field(default_factory=list)
    created: list = field(default_factory=list)
    updated: list = field(default_factory=list)  # dates applied (or a proposal's fields)
    set_aside: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)
    refused: list = field(default_factory=list)
    total: int = 0

    SECTIONS = ("created", "updated", "set_aside", "unchanged", "refused")

    def counts(self) -> dict:
        return {name: len(getattr(self, name)) for name in self.SECTIONS}

    def summary(self) -> str:
        return (
            _(
                "%(created)s créé(s), %(updated)s mis à jour (dates), %(set_aside)s mis de côté, "
                "%(unchanged)s inchangé(s), %(refused)s refusé(s)"
            )
            % self.counts()
        )


class ImportRefused(ServiceError):
    """Rows were refused: nothing was written; ``report.refused`` says which and why."""

    def __init__(self, message, report):
        super().__init__(message, field="file")
        self.report = report


# Values as plain JSON and back ------------------------------------------------------------


def plain(column, value):
    """A field's value as JSON keeps it (decimals as text, dates in ISO, deadlines as
    [label, ISO date and time in Paris])."""
    if value is None:
        return None
    if column == "deadlines":
        return [[label, due_at.astimezone(PARIS).isoformat()] for label, due_at in value]
    if isinstance(value, Decimal):
        return str(value.quantize(Decimal("0.01")))
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return list(value)
    return value


def from_plain(column, value):
    if value is None:
        return None
    if column == "deadlines":
        return [(label, parse_iso(due_at)) for label, due_at in value]
    if column in DECIMAL_FIELDS:
        return Decimal(value)
    if column == "opens_on":
        return datetime.date.fromisoformat(value)
    return value


def current_values(call) -> dict:
    """The call's values of every imported field (its relations prefetched)."""
    from ..enums import Applicant

    order = {value: index for index, value in enumerate(Applicant.values)}
    values = {name: getattr(call, name) for name in SCALAR_FIELDS}
    values["applicants"] = sorted(call.applicants or [], key=lambda a: order.get(a, 99))
    for name in DECIMAL_FIELDS:
        if values[name] is not None:
            values[name] = Decimal(values[name]).quantize(Decimal("0.01"))
    values["funders"] = sorted(funder.name for funder in call.funders.all())
    values["themes"] = sorted(theme.name for theme in call.themes.all())
    values["regions"] = sorted({region.name for region in call.regions.all()})
    values["opens_on"] = call.opens_on
    values["open_all_year"] = call.open_all_year
    values["deadlines"] = sorted(
        ((d.label, d.due_at) for d in call.deadlines.all()), key=lambda pair: (pair[1], pair[0])
    )
    return values


def _changes(old: dict, new: dict, fields) -> dict:
    return {
        name: [plain(name, old[name]), plain(name, new[name])]
        for name in fields
        if name in new and old[name] != new[name]
    }


# Writing a call's fields ------------------------------------------------------------------


class _Lookup:
    """Funders, themes and regions by the names the import and the changes use."""

    def __init__(self):
        self._funders = self._themes = self._regions = None

    def funders(self, names):
        if self._funders is None:
            self._funders = {funder.name.lower(): funder for funder in Funder.objects.all()}
        found = []
        for name in names:
            funder = self._funders.get(name.lower())
            if funder is None:
                funder, _created = Funder.objects.get_or_create(
                    name=name, defaults={"kind": "state"}
                )
                self._funders[name.lower()] = funder
            found.append(funder)
        return found

    def themes(self, names):
        if self._themes is None:
            self._themes = {}
            for theme in Theme.objects.all():
                self._themes[theme.name.lower()] = theme
                self._themes[theme.slug] = theme
        found = []
        for name in names:
            theme = self._themes.get(name.lower()) or self._themes.get(slugify(name))
            if theme is None:
                theme, _created = Theme.objects.get_or_create(
                    slug=slugify(name)[:120], defaults={"name": name}
                )
                self._themes[name.lower()] = theme
            found.append(theme)
        return found

    def regions(self, names):
        if self._regions is None:
            self._regions = {}
            for region in Region.objects.order_by("-is_current", "pk"):
                self._regions.setdefault(region.name, region)
        missing = [name for name in names if name not in self._regions]
        if missing:
            raise ServiceError(_("Région inconnue : %s.") % ", ".join(missing))
        return [self._regions[name] for name in names]


def set_deadlines(call, new, existing) -> None:
    """Make the call's deadlines ``new`` [(label, due at)], keeping the rows that stay
    (same label and date) and moving a stage whose date changed (same label): a
    deadline keeps its id, so its calendar event keeps its UID."""
    remaining = list(existing)
    unmatched = []
    for label, due_at in new:
        same = next((d for d in remaining if d.label == label and d.due_at == due_at), None)
        if same is not None:
            remaining.remove(same)
        else:
            unmatched.append((label, due_at))
    moved, created = [], []
    for label, due_at in unmatched:
        same_label = next((d for d in remaining if d.label == label), None)
        if same_label is not None:
            remaining.remove(same_label)
            same_label.due_at = due_at
            moved.append(same_label)
        else:
            created.append(CallDeadline(call=call, label=label, due_at=due_at))
    if remaining:
        CallDeadline.objects.filter(pk__in=[d.pk for d in remaining]).delete()
    if moved:
        CallDeadline.objects.bulk_update(moved, ["due_at"])
    if created:
        CallDeadline.objects.bulk_create(created)


def _apply(call, values: dict, lookup: _Lookup, *, deadlines=None) -> None:
    """Set ``values`` (model values) on the call and save it; relations and deadlines
    too. ``deadlines``: the call's current deadline rows, when they change."""
    now = timezone.now()
    scalar = [name for name in (*SCALAR_FIELDS, "opens_on", "open_all_year") if name in values]
    for name in scalar:
        setattr(call, name, values[name])
    if any(name in values for name in DATE_FIELDS):
        call.dates_changed_at = now
        scalar.append("dates_changed_at")
    _check_ranges(call)
    call.updated_at = now
    call.save(update_fields=[*scalar, "updated_at"])
    if "funders" in values:
        call.funders.set(lookup.funders(values["funders"]))
    if "themes" in values:
        call.themes.set(lookup.themes(values["themes"]))
    if "regions" in values:
        call.regions.set(lookup.regions(values["regions"]))
    if "deadlines" in values:
        if deadlines is None:
            deadlines = list(call.deadlines.all())
        set_deadlines(call, values["deadlines"], deadlines)


def _check_ranges(call) -> None:
    for low, high, message in (
        ("amount_min", "amount_max", _("Le montant minimum dépasse le maximum.")),
        ("rate_min", "rate_max", _("Le taux minimum dépasse le maximum.")),
    ):
        low_value, high_value = getattr(call, low), getattr(call, high)
        if low_value is not None and high_value is not None and low_value > high_value:
            raise ServiceError(message)


# The import -------------------------------------------------------------------------------


def clean_source(source) -> str:
    source = " ".join(str(source or "").split())
    if not source:
        raise ServiceError(_("Indiquez la source (par exemple « aides-territoires »)."), "source")
    if len(source) > SOURCE_MAX:
        raise ServiceError(_("La source a au plus %s caractères.") % SOURCE_MAX, "source")
    return source


def calls_import(*, source, table: CallTable, actor, dry_run=False) -> ImportReport:
    """Write the calls of ``table``, all or nothing (see the module). Refused rows raise
    ``ImportRefused`` with the report; ``dry_run`` computes the same report and writes
    nothing."""
    source = clean_source(source)
    report = ImportReport(source=source, kind=table.kind, dry_run=dry_run)
    report.ignored_columns = table.ignored_columns
    report.total = len(table.rows)
    try:
        with transaction.atomic():
            _import(source, table.rows, report, actor)
            if dry_run:
                transaction.set_rollback(True)
    except IntegrityError as error:
        logger.warning("Import of calls from %s collided: %s", source, error)
        raise ServiceError(
            _(
                "Un autre import de cette source a écrit les mêmes appels au même moment : "
                "rien n'a été importé, relancez l'import."
            ),
            "file",
        ) from error
    logger.info(
        "Calls import from %s by %s: %s", source, getattr(actor, "pk", None), report.counts()
    )
    return report


def _refuse(report, rows):
    report.refused = [
        Outcome(
            line=row.line,
            external_id=row.external_id,
            title=row.title,
            errors=row.error_list,
        )
        for row in rows
        if row.errors
    ]
    count = len(report.refused)
    raise ImportRefused(
        _(
            "%(count)s appel(s) refusé(s) sur %(total)s : rien n'a été importé. Corrigez le "
            "fichier et envoyez-le à nouveau."
        )
        % {"count": count, "total": report.total},
        report,
    )


def _import(source, rows, report, actor) -> None:  # noqa: C901 - the import's one pass
    references = References.load()
    resolve_references(rows, references)
    if any(row.errors for row in rows):
        _refuse(report, rows)
    now = timezone.now()
    ids = [row.external_id for row in rows]
    existing = {
        call.external_id: call
        for call in Call.objects.select_for_update(of=("self",))
        .filter(source=source, external_id__in=ids)
        .prefetch_related("funders", "themes", "regions", "deadlines")
        .order_by("pk")
    }
    pending = {
        change.call_id: change
        for change in PendingCallChange.objects.select_for_update().filter(
            call__in=list(existing.values()), status=ChangeStatus.PENDING
        )
    }
    refused = {}
    for change in PendingCallChange.objects.filter(
        call__in=list(existing.values()), status=ChangeStatus.REFUSED
    ).order_by("call_id", "-decided_at", "-pk"):
        refused.setdefault(change.call_id, change)

    Funder.objects.bulk_create(
        [Funder(name=name, kind=kind) for name, kind in references.new_funders.values()]
    )
    Theme.objects.bulk_create(
        [Theme(name=name, slug=slug) for slug, name in references.new_themes.items()]
    )
    lookup = _Lookup()
    to_create = []
    for row in rows:
        call = existing.get(row.external_id)
        outcome = Outcome(line=row.line, external_id=row.external_id, title=row.title, call=call)
        values = row.values
        if call is None:
            to_create.append((row, outcome))
            report.created.append(outcome)
            continue
        old = current_values(call)
        date_changes = _changes(old, values, DATE_FIELDS)
        other_changes = _changes(old, values, (*SCALAR_FIELDS, *RELATED_FIELDS))
        if call.status == CallStatus.PROPOSED:
            applied, aside = {**other_changes, **date_changes}, {}
        elif call.status == CallStatus.ARCHIVED:
            applied, aside = {}, {**other_changes, **date_changes}
        else:
            applied, aside = date_changes, other_changes
        if applied:
            _apply(
                call,
                {name: values[name] for name in applied},
                lookup,
                deadlines=list(call.deadlines.all()),
            )
            log_action(
                call,
                "projects.call_import_updated",
                actor=actor,
                message=_("Dates mises à jour par l'import « %s »") % source
                if call.status != CallStatus.PROPOSED
                else _("Mis à jour par l'import « %s »") % source,
                changes=applied,
            )
            outcome.changes = applied
            report.updated.append(outcome)
        waiting = pending.get(call.pk)
        if aside:
            aside_outcome = Outcome(
                line=row.line,
                external_id=row.external_id,
                title=row.title,
                call=call,
                changes=aside,
            )
            last_refused = refused.get(call.pk)
            if waiting is not None and waiting.changes == aside:
                aside_outcome.note = _("Une modification identique attend déjà votre décision.")
                if not applied:
                    report.unchanged.append(aside_outcome)
                continue
            if waiting is None and last_refused is not None and last_refused.changes == aside:
                aside_outcome.note = _("Modification identique déjà refusée : ignorée.")
                if not applied:
                    report.unchanged.append(aside_outcome)
                continue
            if waiting is not None:
                waiting.changes, waiting.source, waiting.created_at = aside, source, now
                waiting.save(update_fields=["changes", "source", "created_at"])
                aside_outcome.note = _("Remplace la modification qui attendait.")
            else:
                PendingCallChange.objects.create(call=call, source=source, changes=aside)
            log_action(
                call,
                "projects.call_change_set_aside",
                actor=actor,
                message=_("Modification importée de « %s » mise de côté") % source,
                changes=aside,
            )
            report.set_aside.append(aside_outcome)
            continue
        if waiting is not None:
            waiting.delete()
            outcome.note = _(
                "La modification qui attendait a été retirée : l'appel correspond à la source."
            )
            log_action(
                call,
                "projects.call_change_withdrawn",
                actor=actor,
                message=_("Modification importée retirée : l'appel correspond à « %s »") % source,
            )
        if not applied:
            report.unchanged.append(outcome)
    _create(source, to_create, lookup, actor, now)
    log_action(
        f"projects.import:{source}"[:120],
        "projects.calls_imported",
        actor=actor,
        message=_("Import d'appels « %(source)s » : %(summary)s")
        % {"source": source, "summary": report.summary()},
        changes={**report.counts(), "kind": report.kind, "rows": report.total},
    )


def _create(source, pairs, lookup, actor, now) -> None:
    """Create the new calls, their relations and deadlines in a few statements."""
    if not pairs:
        return
    calls = []
    for row, _outcome in pairs:
        values = row.values
        fields = {name: values[name] for name in SCALAR_FIELDS if name in values}
        for name, default in CREATED_DEFAULTS.items():
            fields.setdefault(name, values.get(name, default))
        calls.append(
            Call(
                **fields,
                source=source,
                external_id=row.external_id,
                status=CallStatus.PUBLISHED,
                created_at=now,
                updated_at=now,
                published_at=now,
            )
        )
    Call.objects.bulk_create(calls, batch_size=500)
    links = {"funders": [], "themes": [], "regions": []}
    deadlines = []
    for (row, outcome), call in zip(pairs, calls, strict=True):
        outcome.call = call
        values = row.values
        for name, finder in (
            ("funders", lookup.funders),
            ("themes", lookup.themes),
            ("regions", lookup.regions),
        ):
            through = getattr(Call, name).through
            column = {"funders": "funder", "themes": "theme", "regions": "region"}[name]
            for target in finder(values.get(name, [])):
                links[name].append(through(call=call, **{column: target}))
        for label, due_at in values.get("deadlines", []):
            deadlines.append(CallDeadline(call=call, label=label, due_at=due_at))
    for name, objects in links.items():
        getattr(Call, name).through.objects.bulk_create(objects, batch_size=1000)
    CallDeadline.objects.bulk_create(deadlines, batch_size=1000)
    for (row, _outcome), call in zip(pairs, calls, strict=True):
        log_action(
            call,
            "projects.call_imported",
            actor=actor,
            message=_("Créé et publié par l'import « %(source)s » (%(id)s)")
            % {"source": source, "id": row.external_id},
        )


# The review of the changes set aside --------------------------------------------------------


def _decide(change, actor, status):
    """Lock the call, then the change (the import's order), and check it still waits."""
    call = Call.objects.select_for_update().filter(pk=change.call_id).first()
    locked = PendingCallChange.objects.select_for_update().filter(pk=change.pk).first()
    if call is None or locked is None or locked.status != ChangeStatus.PENDING:
        raise ServiceError(_("Cette modification a déjà été traitée."))
    locked.status, locked.decided_by, locked.decided_at = status, actor, timezone.now()
    locked.save(update_fields=["status", "decided_by", "decided_at"])
    return call, locked


@transaction.atomic
def call_change_accept(*, change, actor) -> Call:
    """Apply a change set aside by an import: each field takes the source's value."""
    call, change = _decide(change, actor, ChangeStatus.ACCEPTED)
    values = {name: from_plain(name, new) for name, (_old, new) in change.changes.items()}
    values = {name: value for name, value in values.items() if name in _KNOWN}
    for name in ("description", "eligibility", "url", "application_url", "contact"):
        if name in values and values[name] is None:
            values[name] = ""
    for name in ("applicants", "funders", "themes", "regions", "deadlines"):
        if name in values and values[name] is None:
            values[name] = []
    _apply(call, values, _Lookup())
    log_action(
        call,
        "projects.call_change_accepted",
        actor=actor,
        message=_("Modification importée de « %s » acceptée") % change.source,
        changes=change.changes,
    )
    return call


@transaction.atomic
def call_change_refuse(*, change, actor) -> Call:
    """Keep the call as it is; the same change will not be set aside again."""
    call, change = _decide(change, actor, ChangeStatus.REFUSED)
    log_action(
        call,
        "projects.call_change_refused",
        actor=actor,
        message=_("Modification importée de « %s » refusée") % change.source,
        changes=change.changes,
    )
    return call


_KNOWN = {*SCALAR_FIELDS, *RELATED_FIELDS, *DATE_FIELDS}
