"""Meetings: agenda, invitations and attendance, minutes, actions, documents, general assembly."""

import datetime
import os
import secrets
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, F, OuterRef, Prefetch, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .enums import (
    ActionStatus,
    AgendaItemKind,
    AttachmentKind,
    Attendance,
    MeetingKind,
    MeetingStatus,
    MinutesStatus,
    ProposalStatus,
    RsvpStatus,
)


class MeetingQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The meetings `user` may see; the same rule as perms.can_see_meeting."""
        if not (user.is_authenticated and user.is_active):
            return self.none()
        if user.is_bureau:
            return self.all()
        visible = self.exclude(kind=MeetingKind.BUREAU).exclude(status=MeetingStatus.DRAFT)
        if user.is_ministry:
            # A subquery, not a join: the list's invitation counts must not be restricted.
            invited = MeetingInvitation.objects.filter(user=user).values("meeting_id")
            return visible.filter(pk__in=invited)
        if user.is_director:
            return visible
        return self.none()

    def upcoming(self):
        return self.filter(end__gte=timezone.now())

    def past(self):
        return self.filter(end__lt=timezone.now())

    def for_list(self, user=None):
        qs = (
            self.select_related("organiser")
            .annotate(
                invited_count=Count("invitations", distinct=True),
                registered_count=Count(
                    "invitations", filter=Q(invitations__rsvp=RsvpStatus.YES), distinct=True
                ),
            )
            .order_by("-start", "pk")
        )
        if user is not None and user.is_authenticated:
            qs = qs.annotate(
                my_rsvp=Subquery(
                    MeetingInvitation.objects.filter(meeting=OuterRef("pk"), user=user).values(
                        "rsvp"
                    )[:1]
                )
            )
        return qs

    def for_detail(self):
        return self.select_related("organiser").prefetch_related(
            Prefetch(
                "agenda_items",
                queryset=AgendaItem.objects.prefetch_related("attachments"),
            ),
            Prefetch(
                "invitations",
                queryset=MeetingInvitation.objects.select_related("user", "platform").order_by(
                    "user__last_name", "guest_name", "pk"
                ),
            ),
            Prefetch(
                "proposals",
                queryset=AgendaProposal.objects.select_related("proposed_by", "agenda_item"),
            ),
            Prefetch(
                "minutes_versions",
                queryset=Minutes.objects.select_related("published_by").prefetch_related(
                    Prefetch(
                        "items",
                        queryset=MinutesItem.objects.select_related("agenda_item"),
                    ),
                    Prefetch(
                        "approvals",
                        queryset=MinutesApproval.objects.select_related("approved_at"),
                    ),
                ),
            ),
            Prefetch(
                "actions",
                queryset=ActionItem.objects.select_related("agenda_item").prefetch_related(
                    "owners"
                ),
            ),
            Prefetch(
                "attachments",
                queryset=Attachment.objects.filter(agenda_item__isnull=True),
                to_attr="meeting_attachments",
            ),
            "resolutions",
            "officers",
            Prefetch(
                "approvals_recorded",
                queryset=MinutesApproval.objects.select_related("minutes__meeting"),
            ),
        )


class Meeting(models.Model):
    kind = models.CharField(_("type"), max_length=30, choices=MeetingKind.choices)
    title = models.CharField(_("titre"), max_length=200)
    description = models.TextField(_("présentation"), blank=True)
    start = models.DateTimeField(_("début"))
    end = models.DateTimeField(_("fin"))
    place = models.CharField(_("lieu"), max_length=200, blank=True)
    address = models.CharField(_("adresse"), max_length=255, blank=True)
    video_url = models.URLField(_("lien de visioconférence"), blank=True)
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="organised_meetings",
        verbose_name=_("organisateur·rice"),
    )
    status = models.CharField(
        _("état"), max_length=30, choices=MeetingStatus.choices, default=MeetingStatus.DRAFT
    )
    proposals_open = models.BooleanField(
        _("propositions ouvertes"),
        default=True,
        help_text=_("Les membres peuvent proposer des points à l'ordre du jour."),
    )
    has_dinner = models.BooleanField(_("dîner proposé"), default=False)
    has_visit = models.BooleanField(_("visite proposée"), default=False)
    convened_at = models.DateTimeField(_("convoquée le"), null=True, blank=True)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("réunion")
        verbose_name_plural = _("réunions")
        ordering = ["-start", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gte=F("start")),
                name="meeting_end_after_start",
                violation_error_message=_("La fin doit suivre le début."),
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("meeting_detail", args=[self.pk])

    def clean(self):
        super().clean()
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": _("La fin doit suivre le début.")})

    @property
    def days(self) -> list[datetime.date]:
        first = timezone.localtime(self.start).date()
        last = timezone.localtime(self.end).date()
        return [first + datetime.timedelta(days=n) for n in range((last - first).days + 1)]

    @property
    def is_multi_day(self) -> bool:
        return len(self.days) > 1

    @property
    def is_past(self) -> bool:
        return self.end < timezone.now()

    @property
    def is_general_assembly(self) -> bool:
        return self.kind == MeetingKind.GENERAL_ASSEMBLY


class AgendaItem(models.Model):
    """An item of the agenda (*ordre du jour*). Items at the same time are parallel groups."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="agenda_items", verbose_name=_("réunion")
    )
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)
    day = models.DateField(_("jour"))
    start_time = models.TimeField(_("heure de début"), null=True, blank=True)
    end_time = models.TimeField(_("heure de fin"), null=True, blank=True)
    title = models.CharField(_("titre"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    presenters = models.CharField(_("intervenant·es"), max_length=255, blank=True)
    kind = models.CharField(
        _("type"), max_length=20, choices=AgendaItemKind.choices, default=AgendaItemKind.TALK
    )
    room = models.CharField(
        _("salle"), max_length=100, blank=True, help_text=_("Pour les ateliers en parallèle.")
    )

    class Meta:
        verbose_name = _("point de l'ordre du jour")
        verbose_name_plural = _("points de l'ordre du jour")
        ordering = ["day", F("start_time").asc(nulls_last=True), "order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__isnull=True)
                | Q(start_time__isnull=True)
                | Q(end_time__gte=F("start_time")),
                name="agendaitem_end_after_start",
                violation_error_message=_("L'heure de fin doit suivre l'heure de début."),
            ),
            models.CheckConstraint(
                condition=Q(end_time__isnull=True) | Q(start_time__isnull=False),
                name="agendaitem_end_needs_start",
                violation_error_message=_("Une heure de fin demande une heure de début."),
            ),
        ]

    def __str__(self):
        return self.title


class AgendaProposal(models.Model):
    """A member proposes an agenda item; the bureau accepts or declines it with a reason."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="proposals", verbose_name=_("réunion")
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="agenda_proposals",
        verbose_name=_("proposé par"),
    )
    title = models.CharField(_("titre"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("état"), max_length=20, choices=ProposalStatus.choices, default=ProposalStatus.PENDING
    )
    decline_reason = models.TextField(_("motif du refus"), blank=True)
    agenda_item = models.OneToOneField(
        AgendaItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposal",
        verbose_name=_("point de l'ordre du jour"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("décidé par"),
    )
    decided_at = models.DateTimeField(_("décidé le"), null=True, blank=True)
    created_at = models.DateTimeField(_("proposé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("proposition de point")
        verbose_name_plural = _("propositions de points")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=ProposalStatus.DECLINED) | ~Q(decline_reason=""),
                name="agendaproposal_decline_has_reason",
                violation_error_message=_("Un refus doit être motivé."),
            )
        ]

    def __str__(self):
        return self.title


class MeetingInvitation(models.Model):
    """An invitee: a member (a user, representing a platform) or an external guest."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("réunion")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meeting_invitations",
        verbose_name=_("membre"),
    )
    platform = models.ForeignKey(
        "members.Platform",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="meeting_invitations",
        verbose_name=_("plateforme représentée"),
    )
    guest_name = models.CharField(_("nom de l'invité·e"), max_length=200, blank=True)
    guest_organisation = models.CharField(_("organisme"), max_length=200, blank=True)
    guest_email = models.EmailField(_("e-mail de l'invité·e"), blank=True)
    rsvp = models.CharField(
        _("réponse"), max_length=10, choices=RsvpStatus.choices, default=RsvpStatus.PENDING
    )
    dinner = models.BooleanField(_("dîner"), default=False)
    visit = models.BooleanField(_("visite"), default=False)
    rsvp_at = models.DateTimeField(_("répondu le"), null=True, blank=True)
    attendance = models.CharField(
        _("présence"), max_length=20, choices=Attendance.choices, default="", blank=True
    )
    represented_by = models.CharField(_("représenté·e par"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("invité·e le"), auto_now_add=True)

    class Meta:
        verbose_name = _("invitation à une réunion")
        verbose_name_plural = _("invitations à une réunion")
        ordering = ["meeting", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "user"],
                condition=Q(user__isnull=False),
                name="meetinginvitation_unique_user",
                violation_error_message=_("Cette personne est déjà invitée."),
            ),
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(guest_name=""),
                name="meetinginvitation_user_or_guest",
                violation_error_message=_("Un·e invité·e extérieur·e doit avoir un nom."),
            ),
        ]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.user_id:
            return str(self.user)
        return self.guest_name

    @property
    def organisation(self) -> str:
        if self.platform_id:
            return str(self.platform)
        return self.guest_organisation

    @property
    def email(self) -> str:
        if self.user_id:
            return self.user.email if self.user.is_active else ""
        return self.guest_email


class Minutes(models.Model):
    """One version of a meeting's minutes. Published versions are never rewritten."""

    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.PROTECT,
        related_name="minutes_versions",
        verbose_name=_("réunion"),
    )
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    status = models.CharField(
        _("état"), max_length=20, choices=MinutesStatus.choices, default=MinutesStatus.DRAFT
    )
    summary = models.TextField(_("introduction"), blank=True)
    correction_note = models.TextField(
        _("nature de la correction"), blank=True, help_text=_("Pour une nouvelle version.")
    )
    participants = models.JSONField(
        _("participant·es à la publication"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Présent·es, excusé·es, absent·es et représenté·es, figés à la publication."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("rédigé par"),
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    published_at = models.DateTimeField(_("publié le"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("publié par"),
    )

    class Meta:
        verbose_name = _("compte rendu")
        verbose_name_plural = _("comptes rendus")
        ordering = ["meeting", "-version", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "version"],
                name="minutes_unique_version",
                violation_error_message=_("Cette version du compte rendu existe déjà."),
            ),
            models.UniqueConstraint(
                fields=["meeting"],
                condition=Q(status=MinutesStatus.DRAFT),
                name="minutes_one_draft_per_meeting",
                violation_error_message=_("Un brouillon de compte rendu existe déjà."),
            ),
            models.CheckConstraint(
                condition=Q(status=MinutesStatus.DRAFT) | Q(published_at__isnull=False),
                name="minutes_published_has_date",
                violation_error_message=_("Un compte rendu publié a une date de publication."),
            ),
        ]

    def __str__(self):
        return f"{self.meeting} — v{self.version}"

    def save(self, *args, **kwargs):
        if self._stored_is_published():
            raise ValidationError(
                _("Un compte rendu publié ne se modifie pas : créez une version.")
            )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._stored_is_published():
            raise ValidationError(_("Un compte rendu publié ne se supprime pas."))
        return super().delete(*args, **kwargs)

    @property
    def is_published(self) -> bool:
        return self.status == MinutesStatus.PUBLISHED

    def _stored_is_published(self) -> bool:
        return bool(
            self.pk and Minutes.objects.filter(pk=self.pk, status=MinutesStatus.PUBLISHED).exists()
        )


class MinutesItem(models.Model):
    """Text and decisions of the minutes for one agenda item (or a free section)."""

    minutes = models.ForeignKey(
        Minutes, on_delete=models.PROTECT, related_name="items", verbose_name=_("compte rendu")
    )
    agenda_item = models.ForeignKey(
        AgendaItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="minutes_items",
        verbose_name=_("point de l'ordre du jour"),
    )
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)
    title = models.CharField(_("titre"), max_length=255)
    text = models.TextField(_("compte rendu"), blank=True)
    decisions = models.TextField(_("décisions"), blank=True, help_text=_("Une décision par ligne."))

    class Meta:
        verbose_name = _("point du compte rendu")
        verbose_name_plural = _("points du compte rendu")
        ordering = ["minutes", "order", "pk"]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if self._minutes_published():
            raise ValidationError(
                _("Un compte rendu publié ne se modifie pas : créez une version.")
            )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._minutes_published():
            raise ValidationError(_("Un compte rendu publié ne se supprime pas."))
        return super().delete(*args, **kwargs)

    @property
    def decision_list(self) -> list[str]:
        return [line.strip() for line in self.decisions.splitlines() if line.strip()]

    def _minutes_published(self) -> bool:
        return Minutes.objects.filter(pk=self.minutes_id, status=MinutesStatus.PUBLISHED).exists()


class MinutesApproval(models.Model):
    """Minutes approved at a later meeting, which records it."""

    minutes = models.ForeignKey(
        Minutes, on_delete=models.PROTECT, related_name="approvals", verbose_name=_("compte rendu")
    )
    approved_at = models.ForeignKey(
        Meeting,
        on_delete=models.PROTECT,
        related_name="approvals_recorded",
        verbose_name=_("approuvé lors de"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("enregistré par"),
    )
    created_at = models.DateTimeField(_("enregistré le"), auto_now_add=True)

    class Meta:
        verbose_name = _("approbation de compte rendu")
        verbose_name_plural = _("approbations de comptes rendus")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["minutes"],
                name="minutesapproval_once",
                violation_error_message=_("Ce compte rendu est déjà approuvé."),
            )
        ]

    def __str__(self):
        return f"{self.minutes} — {self.approved_at}"


class ActionItemQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=ActionStatus.OPEN)

    def owned_by(self, user):
        return self.filter(owners=user)

    def for_list(self):
        return self.select_related("meeting", "agenda_item").prefetch_related("owners")


class ActionItem(models.Model):
    """ "⇒ Ph. Planard, by mid-April": what, who, by when, from which meeting."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, related_name="actions", verbose_name=_("réunion")
    )
    agenda_item = models.ForeignKey(
        AgendaItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="actions",
        verbose_name=_("point de l'ordre du jour"),
    )
    title = models.CharField(_("action"), max_length=255)
    description = models.TextField(_("précisions"), blank=True)
    owners = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="meeting_actions",
        verbose_name=_("responsables (membres)"),
    )
    owner_names = models.CharField(
        _("autres responsables"),
        max_length=255,
        blank=True,
        help_text=_("Personnes sans compte, séparées par des virgules."),
    )
    due_date = models.DateField(_("échéance"), null=True, blank=True)
    status = models.CharField(
        _("état"), max_length=20, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    done_at = models.DateTimeField(_("terminée le"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("créée par"),
    )
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)

    objects = ActionItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = [F("due_date").asc(nulls_last=True), "pk"]

    def __str__(self):
        return self.title

    def owner_labels(self) -> list[str]:
        """Every owner, members first (uses the prefetched owners)."""
        labels = [str(user) for user in self.owners.all()]
        labels += [name.strip() for name in self.owner_names.split(",") if name.strip()]
        return labels

    @property
    def is_overdue(self) -> bool:
        return bool(
            self.status == ActionStatus.OPEN
            and self.due_date
            and self.due_date < timezone.localdate()
        )


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
        Meeting, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("réunion")
    )
    agenda_item = models.ForeignKey(
        AgendaItem,
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


class Resolution(models.Model):
    """A general-assembly resolution and its vote."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, related_name="resolutions", verbose_name=_("réunion")
    )
    order = models.PositiveSmallIntegerField(_("numéro"), default=1)
    text = models.TextField(_("résolution"))
    votes_for = models.PositiveIntegerField(_("pour"), default=0)
    votes_against = models.PositiveIntegerField(_("contre"), default=0)
    abstentions = models.PositiveIntegerField(_("abstentions"), default=0)

    class Meta:
        verbose_name = _("résolution")
        verbose_name_plural = _("résolutions")
        ordering = ["meeting", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "order"],
                name="resolution_unique_number",
                violation_error_message=_("Ce numéro de résolution existe déjà."),
            )
        ]

    def __str__(self):
        return f"{self.order}. {self.text[:60]}"

    @property
    def adopted(self) -> bool:
        return self.votes_for > self.votes_against


class ElectedOfficer(models.Model):
    """A member of the bureau elected by a general assembly."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, related_name="officers", verbose_name=_("réunion")
    )
    position = models.CharField(_("fonction"), max_length=100)
    name = models.CharField(_("nom"), max_length=200)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("compte"),
    )
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("membre élu du bureau")
        verbose_name_plural = _("membres élus du bureau")
        ordering = ["meeting", "order", "pk"]

    def __str__(self):
        return f"{self.position} : {self.name}"


class CalendarFeed(models.Model):
    """A personal calendar feed by secret link; revocable and regenerable."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="meeting_calendar_feed",
        verbose_name=_("personne"),
    )
    token = models.CharField(_("jeton"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("créé le"), auto_now=True)

    class Meta:
        verbose_name = _("agenda personnel")
        verbose_name_plural = _("agendas personnels")
        ordering = ["user", "pk"]

    def __str__(self):
        return str(self.user)

    def get_absolute_url(self):
        return reverse("meeting_feed", args=[self.token])

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(32)
