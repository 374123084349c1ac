"""Every write about a platform's transfer offer and its partnership agreements
(*conventions*). The steering committee's writes live in ``members/services/steering.py``.

The service contract (``innovalo.exceptions``): keyword arguments with plain data, an
actor, one transaction with the rows locked, ``ServiceError`` on refusal, one history
entry (``innovalo.audit``) per change, with what changed.

- The transfer offer's changes are entries of the platform's history (the edit page
  saves them with the profile), one key per level changed.
- An agreement's changes are entries of the platform's agreements page (the scope
  ``agreements_scope(platform)``), kept after the agreement is deleted.
"""

import hashlib
import logging
import os

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from innovalo.audit import diff, key_of, labelled, log_action, snapshot
from innovalo.exceptions import ServiceError

from ..enums import AgreementKind, TransferLevel
from ..models import Agreement, Platform, TransferOffer

logger = logging.getLogger(__name__)

# The signed document: the types a signed agreement comes in, and their first bytes.
AGREEMENT_DOCUMENT_TYPES = {
    ".pdf": "application/pdf",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
}
AGREEMENT_DOCUMENT_SIGNATURES = {
    ".pdf": b"%PDF-",
    ".odt": b"PK\x03\x04",
    ".docx": b"PK\x03\x04",
    ".png": b"\x89PNG\r\n\x1a\n",
    ".jpg": b"\xff\xd8\xff",
    ".jpeg": b"\xff\xd8\xff",
}
MAX_AGREEMENT_DOCUMENT_SIZE = 10 * 1024 * 1024
AGREEMENT_FIELDS = ("partner", "kind", "subject", "starts_on", "ends_on")


def agreements_scope(platform) -> str:
    """The history key of a platform's agreements page (entries outlive the agreements);
    `platform` is a platform or its id."""
    pk = platform if isinstance(platform, int) else platform.pk
    return f"{key_of(Platform(pk=pk))}/conventions"


def _locked_platform(platform) -> Platform:
    return Platform.objects.select_for_update(of=("self",)).get(pk=platform.pk)


# Transfer offer ------------------------------------------------------------------------


def _offer_text(description):
    """What the history shows for a level: nothing when not offered."""
    if description is None:
        return None
    return description or _("proposé, sans texte")


@transaction.atomic
def transfer_offer_update(*, platform, offers: dict, actor) -> dict:
    """Set the transfer levels a platform offers.

    ``offers``: {level: description} for the levels offered, {level: None} for those no
    longer offered; levels not given stay as they are. One entry in the platform's
    history lists the levels changed (none changed: nothing is written). Returns the
    changes.
    """
    unknown = set(offers) - set(TransferLevel.values)
    if unknown:
        raise ServiceError(_("Niveau de transfert inconnu : %s.") % ", ".join(map(str, unknown)))
    platform = _locked_platform(platform)
    max_length = TransferOffer._meta.get_field("description").max_length
    existing = {offer.level: offer for offer in platform.transfer_offers.all()}
    changes = {}
    for level in sorted(offers):
        description = offers[level]
        offer = existing.get(level)
        if description is not None:
            description = description.strip()
            if len(description) > max_length:
                raise ServiceError(
                    _("Le texte d'un niveau compte %d caractères au plus.") % max_length,
                    field=f"level_{level}",
                )
        old = offer.description if offer is not None else None
        if old == description:
            continue
        if description is None:
            offer.delete()
        elif offer is None:
            TransferOffer.objects.create(platform=platform, level=level, description=description)
        else:
            offer.description = description
            offer.save(update_fields=["description"])
        label = _("Niveau de transfert %s") % TransferLevel(level).label
        changes[label] = [_offer_text(old), _offer_text(description)]
    if changes:
        log_action(
            platform,
            "platform.transfer_offer_updated",
            actor=actor,
            message=_("Niveaux de transfert modifiés"),
            changes=changes,
        )
        logger.info("platform %s transfer offer updated", platform.pk)
    return changes


# Agreements: the signed document -------------------------------------------------------


def _short_name(name: str, max_length: int) -> str:
    """A file name without its folders, cut to `max_length` keeping its extension."""
    name = os.path.basename((name or "").replace("\\", "/")).strip() or "convention"
    if len(name) <= max_length:
        return name
    stem, ext = os.path.splitext(name)
    return stem[: max(1, max_length - len(ext) - 1)] + "…" + ext[: max_length - 2]


def agreement_document_check(uploaded) -> str:
    """Refuse a signed document of another type, too large, empty, or whose first bytes
    do not match its extension; returns its SHA-256 (read in chunks)."""
    ext = os.path.splitext(uploaded.name or "")[1].lower()
    if ext not in AGREEMENT_DOCUMENT_TYPES:
        raise ServiceError(
            _("Type de fichier refusé : PDF, ODT, DOCX, PNG ou JPG."), field="document"
        )
    if uploaded.size > MAX_AGREEMENT_DOCUMENT_SIZE:
        raise ServiceError(
            _("Le fichier dépasse %d Mo.") % (MAX_AGREEMENT_DOCUMENT_SIZE // (1024 * 1024)),
            field="document",
        )
    if not uploaded.size:
        raise ServiceError(_("Le fichier est vide."), field="document")
    uploaded.seek(0)
    head = uploaded.read(len(AGREEMENT_DOCUMENT_SIGNATURES[ext]))
    if head != AGREEMENT_DOCUMENT_SIGNATURES[ext]:
        raise ServiceError(
            _("Le contenu du fichier ne correspond pas à son extension."), field="document"
        )
    uploaded.seek(0)
    digest = hashlib.sha256()
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    return digest.hexdigest()


def agreement_content_type(agreement) -> str:
    ext = os.path.splitext(agreement.document.name or "")[1].lower()
    return AGREEMENT_DOCUMENT_TYPES.get(ext, "application/octet-stream")


def _attach(agreement, uploaded, sha256) -> None:
    """Store the file under a random name (``agreement_path``), keep its name and hash."""
    agreement.document_name = _short_name(
        uploaded.name, Agreement._meta.get_field("document_name").max_length
    )
    agreement.document_sha256 = sha256
    agreement.document.save(uploaded.name, uploaded, save=False)


def _delete_file_on_commit(name: str) -> None:
    if name:
        storage = Agreement._meta.get_field("document").storage
        transaction.on_commit(lambda: storage.delete(name))


# Agreements ------------------------------------------------------------------------------


def _set_fields(agreement, values: dict) -> None:
    """Set and check the agreement's fields (lengths, choices); its rule (an end after
    its start) is the database's constraint, checked here first."""
    values = dict(values)
    for name in ("partner", "subject"):
        values[name] = (values.get(name) or "").strip()
    if values.get("kind") not in AgreementKind.values:
        raise ServiceError(_("Choisissez la nature du partenaire."), field="kind")
    if values.get("starts_on") is None:
        raise ServiceError(_("Indiquez la date de début."), field="starts_on")
    ends_on = values.get("ends_on")
    if ends_on is not None and ends_on < values["starts_on"]:
        raise ServiceError(_("La fin d'une convention suit son début."), field="ends_on")
    for name, value in values.items():
        setattr(agreement, name, value)
    try:
        agreement.clean_fields(exclude=["platform", "created_by", "document"])
    except ValidationError as error:
        name, messages = next(iter(error.message_dict.items()))
        raise ServiceError(messages[0], field=name) from None


def _labelled(changes: dict) -> dict:
    """{field: [old, new]} as people read them (``innovalo.audit.labelled``), an empty
    text kept as no value."""
    return {
        name: [None if value in (None, "") else value for value in pair]
        for name, pair in labelled(Agreement, changes).items()
    }


def _document_change(old_name, old_sha, agreement) -> dict:
    if old_sha == agreement.document_sha256:
        return {}
    label = str(Agreement._meta.get_field("document").verbose_name)
    return {label: [old_name or None, agreement.document_name or None]}


@transaction.atomic
def agreement_create(
    *, platform, partner, kind, subject, starts_on, ends_on=None, document=None, actor
) -> Agreement:
    """A new agreement of `platform`, with its signed document when given."""
    platform = _locked_platform(platform)
    sha256 = agreement_document_check(document) if document else ""
    author = actor if getattr(actor, "is_authenticated", False) else None
    agreement = Agreement(platform=platform, created_by=author)
    _set_fields(
        agreement,
        {
            "partner": partner,
            "kind": kind,
            "subject": subject,
            "starts_on": starts_on,
            "ends_on": ends_on,
        },
    )
    if document:
        _attach(agreement, document, sha256)
    try:
        agreement.save()
    except Exception:
        if agreement.document.name:
            agreement.document.delete(save=False)
        raise
    changes = _labelled(diff({}, snapshot(agreement, AGREEMENT_FIELDS)))
    changes |= _document_change("", "", agreement)
    log_action(
        agreement,
        "agreement.created",
        actor=actor,
        scope=agreements_scope(platform),
        message=_("Convention ajoutée : %s") % agreement.partner,
        changes=changes,
    )
    logger.info("agreement %s created for platform %s", agreement.pk, platform.pk)
    return agreement


@transaction.atomic
def agreement_update(
    *,
    agreement,
    partner,
    kind,
    subject,
    starts_on,
    ends_on=None,
    document=None,
    remove_document=False,
    actor,
) -> Agreement:
    """Change an agreement; a new document replaces the old one, ``remove_document``
    takes it off (the file is deleted once the change is committed)."""
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    sha256 = agreement_document_check(document) if document else ""
    if sha256 and sha256 == agreement.document_sha256:
        document = None  # the same file again: kept as it is
    before = snapshot(agreement, AGREEMENT_FIELDS)
    old_name, old_sha, old_file = (
        agreement.document_name,
        agreement.document_sha256,
        agreement.document.name,
    )
    _set_fields(
        agreement,
        {
            "partner": partner,
            "kind": kind,
            "subject": subject,
            "starts_on": starts_on,
            "ends_on": ends_on,
        },
    )
    if document:
        _attach(agreement, document, sha256)
    elif remove_document and old_file:
        agreement.document = ""
        agreement.document_name = ""
        agreement.document_sha256 = ""
    changes = _labelled(diff(before, snapshot(agreement, AGREEMENT_FIELDS)))
    changes |= _document_change(old_name, old_sha, agreement)
    if not changes and not document:
        return agreement
    try:
        agreement.save()
    except Exception:
        if document and agreement.document.name:
            agreement.document.delete(save=False)
        raise
    if old_file and old_file != agreement.document.name:
        _delete_file_on_commit(old_file)
    log_action(
        agreement,
        "agreement.updated",
        actor=actor,
        scope=agreements_scope(agreement.platform_id),
        message=_("Convention modifiée : %s") % agreement.partner,
        changes=changes,
    )
    return agreement


@transaction.atomic
def agreement_delete(*, agreement, actor) -> None:
    """Delete an agreement and its signed document; its history stays on the page."""
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    values = snapshot(agreement, AGREEMENT_FIELDS)
    gone = {name: [value, None] for name, value in values.items() if value not in ("", None)}
    changes = _labelled(gone)
    if agreement.document_sha256:
        label = str(Agreement._meta.get_field("document").verbose_name)
        changes[label] = [agreement.document_name, None]
    log_action(
        agreement,
        "agreement.deleted",
        actor=actor,
        scope=agreements_scope(agreement.platform_id),
        message=_("Convention supprimée : %s") % agreement.partner,
        changes=changes,
    )
    name, pk = agreement.document.name, agreement.pk
    agreement.delete()
    _delete_file_on_commit(name)
    logger.info("agreement %s deleted", pk)
