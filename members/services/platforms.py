"""Every write about platforms: the profile with its equipment and hosts, invitations,
the import; and the yearly review reminder.

The service contract (``innovalo.exceptions``): keyword arguments with plain data,
an actor, one transaction with the platform row locked, ``ServiceError`` on refusal,
one history entry (``innovalo.audit``) per change, with what changed.

The history of a platform is the audit log. django-simple-history still holds the
versions written before it (shown under it on the history page), and the saves here
skip it (``skip_history_when_saving``) so that nothing is recorded twice.
"""

import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from innovalo.audit import diff, log_action, snapshot
from innovalo.emails import send_templated_email
from innovalo.enums import Role
from innovalo.exceptions import ServiceError
from innovalo.reminders import SkipEmail, email_rule, send_once
from innovalo.services import invitation_create

from ..enums import PlatformRole
from ..models import Equipment, Establishment, Platform, PlatformHost, PlatformMembership
from ..models.platforms import BUREAU_FIELDS, PROFILE_FIELDS

logger = logging.getLogger(__name__)

M2M_FIELDS = ("domains", "services", "campuses")
DUPLICATE_HOST = gettext_lazy("Un même établissement ne peut être lié qu'une fois à la plateforme.")


def _checked(instance, fields):
    """Run the model's field rules (lengths, choices, validators) on `fields`; foreign
    keys are left to the database's constraints (a query each otherwise)."""
    exclude = [f.name for f in instance._meta.fields if f.name not in fields or f.is_relation]
    try:
        instance.clean_fields(exclude=exclude)
    except ValidationError as error:
        name, messages = next(iter(error.message_dict.items()))
        raise ServiceError(messages[0], field=name) from None


def _unrecorded(instance):
    """Saved by a service: its history is the audit entry, not a simple-history version."""
    instance.skip_history_when_saving = True
    return instance


# Profile -------------------------------------------------------------------------


@transaction.atomic
def platform_update(*, platform, fields: dict, equipment=(), hosts=(), actor) -> Platform:
    """Save a platform's profile, equipment and hosts; mark it reviewed now.

    - ``fields``: {name: value} among PROFILE_FIELDS and BUREAU_FIELDS (m2m values
      are iterables of instances); the perms decide which the view passes.
    - ``equipment``: rows {"id": pk or None, "name", "description", "delete": bool}.
    - ``hosts``: rows {"id": pk or None, "establishment": pk, "role", "delete": bool}.

    Rows not given stay as they are. One history entry lists what changed (none
    changed: the profile was reviewed).
    """
    unknown = set(fields) - set(PROFILE_FIELDS) - set(BUREAU_FIELDS)
    if unknown:
        raise ServiceError(_("Champs inconnus : %s.") % ", ".join(sorted(unknown)))
    platform = _unrecorded(
        Platform.objects.select_related("department")
        .select_for_update(of=("self",))
        .get(pk=platform.pk)
    )
    changes = _update_profile(platform, fields)
    changes |= _update_equipment(platform, equipment)
    changes |= _update_hosts(platform, hosts)
    log_action(
        platform,
        "platform.updated" if changes else "platform.reviewed",
        actor=actor,
        message=_("Fiche modifiée") if changes else _("Fiche revue, sans changement"),
        changes=changes,
    )
    logger.info("platform %s updated by %s", platform.pk, getattr(actor, "pk", None))
    return platform


def _update_profile(platform, fields) -> dict:
    plain = {name: value for name, value in fields.items() if name not in M2M_FIELDS}
    before = snapshot(platform, plain)
    for name, value in plain.items():
        setattr(platform, name, value)
    _checked(platform, plain)
    platform.reviewed_at = timezone.now()
    platform.save()
    changes = diff(before, plain)
    for name in M2M_FIELDS:
        if name not in fields:
            continue
        manager = getattr(platform, name)
        old = {obj.pk: obj for obj in manager.all()}
        new = {obj.pk: obj for obj in fields[name]}
        if old.keys() == new.keys():
            continue
        manager.remove(*[obj for pk, obj in old.items() if pk not in new])
        manager.add(*[obj for pk, obj in new.items() if pk not in old])
        changes[name] = [sorted(map(str, old.values())), sorted(map(str, new.values()))]
    return changes


def _row_of(existing: dict, row: dict, refusal: str):
    """The saved row a posted row changes (None for a new one)."""
    pk = row.get("id")
    if not pk:
        return None
    if pk not in existing:
        raise ServiceError(refusal)
    return existing.pop(pk)


def _equipment_text(item) -> str:
    return f"{item.name} — {item.description}" if item.description else item.name


def _update_equipment(platform, rows) -> dict:
    existing = {item.pk: item for item in platform.equipment.all()}
    refusal = _("Cet équipement n'est pas celui de la plateforme : rechargez la page.")
    changes = {}
    for row in rows:
        item = _row_of(existing, row, refusal)
        if row.get("delete"):
            if item is not None:
                changes[f"equipment:{item.pk}"] = [_equipment_text(item), None]
                item.delete()
            continue
        old = _equipment_text(item) if item is not None else None
        item = _unrecorded(item or Equipment(platform=platform))
        item.name = (row.get("name") or "").strip()
        item.description = row.get("description") or ""
        if not item.name:
            raise ServiceError(_("Chaque équipement a un nom."))
        if _equipment_text(item) == old:
            continue
        _checked(item, ["name", "description"])
        item.save()
        changes[f"equipment:{item.pk}"] = [old, _equipment_text(item)]
    return changes


def _update_hosts(platform, rows) -> dict:
    kept = {host.pk: host for host in platform.hosts.select_related("establishment")}
    refusal = _("Cet établissement d'accueil n'est pas celui de la plateforme : rechargez la page.")
    wanted = []  # (saved host or None, row)
    for row in rows:
        host = _row_of(kept, row, refusal)
        wanted.append((host, row))
    live = [row for _host, row in wanted if not row.get("delete")]
    known = {host.establishment_id: host.establishment for host, _row in wanted if host}
    wanted_ids = {row.get("establishment") for row in live} - set(known)
    establishments = known | (Establishment.objects.in_bulk(wanted_ids) if wanted_ids else {})
    final = [host.establishment_id for host in kept.values()]  # rows not posted stay
    final += [row.get("establishment") for row in live]
    if len(final) != len(set(final)):
        raise ServiceError(DUPLICATE_HOST)
    changes = {}
    try:
        for host, row in wanted:
            if row.get("delete"):
                if host is not None:
                    changes[f"hosts:{host.pk}"] = [str(host), None]
                    host.delete()
                continue
            establishment = establishments.get(row.get("establishment"))
            if establishment is None:
                raise ServiceError(_("Cet établissement n'existe pas (ou plus)."))
            old = str(host) if host is not None else None
            host = _unrecorded(host or PlatformHost(platform=platform))
            host.establishment, host.role = establishment, row.get("role")
            if str(host) == old:
                continue
            _checked(host, ["role"])
            host.save()
            changes[f"hosts:{host.pk}"] = [old, str(host)]
    except IntegrityError:
        # Two rows swap their establishments: the constraint sees the first write.
        raise ServiceError(
            _("Deux lignes échangent leurs établissements : enregistrez un changement à la fois.")
        ) from None
    return changes


# The platform's people ---------------------------------------------------------------


def grant_invited_platform(invitation, user):
    """An invitation for a platform links the new account to it (hook of invitation_accept,
    whose history entry tells it)."""
    if invitation.platform_id:
        PlatformMembership.objects.get_or_create(
            platform_id=invitation.platform_id,
            user=user,
            defaults={"role": invitation.platform_role or PlatformRole.DIRECTOR},
        )


def platform_invite(*, platform, actor, email, first_name="", last_name="", platform_role=""):
    """Invite a person for a platform: accepting the invitation links them to it.

    ``invitation_create`` writes the history entry (shown on the platform's history)
    and raises ServiceError (e.g. an account already exists).
    """
    return invitation_create(
        email=email,
        role=Role.DIRECTOR,
        invited_by=actor,
        first_name=first_name,
        last_name=last_name,
        platform=platform,
        platform_role=platform_role or PlatformRole.DIRECTOR,
    )


# Import ----------------------------------------------------------------------------


def _import_refused(rows) -> ServiceError:
    """The refusal of a whole import; ``rows`` (each with its errors) is the report."""
    error = ServiceError(_("Import refusé : aucune plateforme n'a été enregistrée."))
    error.rows = rows
    return error


@transaction.atomic
def platform_import(*, raw_rows: list[dict], actor) -> list[Platform]:
    """Create every platform of an import, or none.

    ``raw_rows`` are the cells of the file by column (``importers.parse_upload``).
    They are validated again here (the database may have changed since the preview);
    any error refuses the whole import: the ServiceError carries the rows as ``rows``.
    """
    from ..importers import validate_rows

    rows = validate_rows(raw_rows)
    if not rows or any(row.errors for row in rows):
        raise _import_refused(rows)
    created = []
    for row in rows:
        platform = _unrecorded(Platform(**row.fields))
        try:
            # A concurrent import may have taken the slug since the validation.
            with transaction.atomic():
                platform.save()
        except IntegrityError:
            row.errors.append(_("Le slug « %s » est déjà pris par une plateforme.") % platform.slug)
            raise _import_refused(rows) from None
        platform.domains.set(row.domains)
        platform.services.set(row.services)
        values = {name: value for name, value in row.fields.items() if value not in ("", None)}
        for name, objects in [("domains", row.domains), ("services", row.services)]:
            if objects:
                values[name] = sorted(map(str, objects))
        log_action(
            platform,
            "platform.imported",
            actor=actor,
            message=_("Fiche créée par import (ligne %s)") % row.line,
            changes=diff({}, values),
        )
        created.append(platform)
    logger.info("%s platforms imported by %s", len(created), getattr(actor, "pk", None))
    return created


# Yearly review reminder ----------------------------------------------------------------


@email_rule("platform_review")
def send_review_request(record) -> list[str]:
    """Ask a platform's directors to review its profile (target: the platform).

    Nothing is sent when the platform is gone, was reviewed meanwhile, or has no
    active director any more.
    """
    platform = record.target_object
    if platform is None or not platform.review_is_due():
        raise SkipEmail
    recipients = sorted(platform.people_emails(PlatformRole.DIRECTOR))
    if not recipients:
        raise SkipEmail
    edit_url = settings.SITE_URL + reverse("platform_edit", args=[platform.slug])
    send_templated_email(
        "platform_review", recipients, {"platform": platform, "edit_url": edit_url}
    )
    return recipients


def platform_review_reminders() -> int:
    """Yearly job: ask the directors of platforms due for review to review them.

    One email per platform and calendar year (the outbox's rule, target and period):
    running it twice, or on two workers at once, sends nothing twice; a failed send
    is tried again by the next run. Returns how many emails were sent.
    """
    from ..selectors.platforms import platforms_to_remind

    now = timezone.now()
    period = str(timezone.localdate(now).year)
    pks = platforms_to_remind(now)
    return sum(send_once("platform_review", f"members.platform:{pk}", period) for pk in pks)
