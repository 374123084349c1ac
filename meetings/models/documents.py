"""Documents attached to a meeting or an agenda item."""

import os
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ..enums import AttachmentKind

ALLOWED_EXTENSIONS = {
    ".pdf": "application/pdf",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".odp": "application/vnd.oasis.opendocument.presentation",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
}
MAX_ATTACHMENT_SIZE = 10 * 1024 * 1024


def attachment_path(instance, filename):
    """MEDIA_ROOT/meetings/<meeting id>/<random><ext>: never the uploaded name."""
    ext = os.path.splitext(filename)[1].lower()
    return f"meetings/{instance.meeting_id}/{uuid.uuid4().hex}{ext}"


class Attachment(models.Model):
    meeting = models.ForeignKey(
        "meetings.Meeting",
        on_delete=models.CASCADE,
        related_name="attachments",
        verbose_name=_("réunion"),
    )
    agenda_item = models.ForeignKey(
        "meetings.AgendaItem",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="attachments",
        verbose_name=_("point de l'ordre du jour"),
    )
    kind = models.CharField(
        _("nature"), max_length=30, choices=AttachmentKind.choices, default=AttachmentKind.DOCUMENT
    )
    title = models.CharField(_("titre"), max_length=200)
    file = models.FileField(_("fichier"), upload_to=attachment_path, max_length=255)
    original_name = models.CharField(_("nom d'origine"), max_length=255)
    content_type = models.CharField(_("type"), max_length=120)
    size = models.PositiveIntegerField(_("taille (octets)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("déposé par"),
    )
    uploaded_at = models.DateTimeField(_("déposé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["uploaded_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(size__lte=MAX_ATTACHMENT_SIZE),
                name="attachment_max_size",
                violation_error_message=_("Un document ne dépasse pas 10 Mo."),
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("attachment_download", args=[self.pk])
