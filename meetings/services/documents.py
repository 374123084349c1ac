"""Documents of a meeting, and the personal calendar feed."""

import os

from django.db import transaction
from django.utils.translation import gettext as _

from ..models import ALLOWED_EXTENSIONS, MAX_ATTACHMENT_SIZE, Attachment, CalendarFeed, Meeting
from .common import ServiceError, log_meeting, same_meeting

SIGNATURES = {
    ".pdf": (b"%PDF",),
    ".png": (b"\x89PNG",),
    ".jpg": (b"\xff\xd8",),
    ".jpeg": (b"\xff\xd8",),
    **dict.fromkeys((".pptx", ".docx", ".xlsx", ".odp", ".odt", ".ods"), (b"PK\x03\x04",)),
}
GENERIC_TYPES = {"", "application/octet-stream", "application/zip"}


def attachment_check(uploaded) -> str:
    """Refuse too large or unexpected files; returns the content type to store."""
    if uploaded.size > MAX_ATTACHMENT_SIZE:
        raise ServiceError(_("Le fichier dépasse 10 Mo."), field="file")
    ext = os.path.splitext(uploaded.name)[1].lower()
    if ext not in ALLOWED_EXTENSIONS:
        raise ServiceError(
            _("Type de fichier refusé : PDF, PPTX, DOCX, XLSX, ODP, ODT, ODS, PNG ou JPG."),
            field="file",
        )
    declared = (getattr(uploaded, "content_type", "") or "").split(";")[0].strip()
    expected = ALLOWED_EXTENSIONS[ext]
    if declared not in GENERIC_TYPES and declared != expected:
        raise ServiceError(_("Le type du fichier ne correspond pas à son extension."), field="file")
    head = uploaded.read(8)
    uploaded.seek(0)
    if not head.startswith(SIGNATURES[ext]):
        raise ServiceError(
            _("Le contenu du fichier ne correspond pas à son extension."), field="file"
        )
    return expected


def shorten_name(name: str, max_length: int) -> str:
    """A file name cut to `max_length` characters, keeping its extension."""
    name = os.path.basename(name)
    if len(name) <= max_length:
        return name
    stem, ext = os.path.splitext(name)
    if len(ext) >= max_length:
        return name[:max_length]
    return stem[: max_length - len(ext) - 1] + "…" + ext


@transaction.atomic
def attachment_add(
    *, meeting: Meeting, uploaded, title: str, actor, kind="document", agenda_item=None
) -> Attachment:
    content_type = attachment_check(uploaded)
    same_meeting(agenda_item, meeting)
    title_field = Attachment._meta.get_field("title")
    name_field = Attachment._meta.get_field("original_name")
    attachment = Attachment(
        meeting=meeting,
        agenda_item=agenda_item,
        kind=kind,
        title=title or shorten_name(uploaded.name, title_field.max_length),
        original_name=shorten_name(uploaded.name, name_field.max_length),
        content_type=content_type,
        size=uploaded.size,
        uploaded_by=actor,
    )
    attachment.file.save(uploaded.name, uploaded, save=False)
    attachment.save()
    log_meeting(
        attachment,
        "attachment_added",
        meeting=meeting,
        actor=actor,
        message=_("Document ajouté : %s") % attachment.title,
    )
    return attachment


@transaction.atomic
def calendar_feed_regenerate(*, user) -> CalendarFeed:
    feed, _created = CalendarFeed.objects.update_or_create(
        user=user, defaults={"token": CalendarFeed.new_token()}
    )
    return feed


@transaction.atomic
def calendar_feed_revoke(*, user) -> None:
    CalendarFeed.objects.filter(user=user).delete()
