"""The meeting itself, and which meetings a person may see."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Func, OuterRef, Prefetch, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..enums import MeetingKind, MeetingStatus, RsvpStatus

# What the meeting page and the minutes' participant lists read of an invitation and its
# member and platform (a member's row has a dozen columns the page never shows).
INVITATION_PAGE_FIELDS = (
    "meeting",
    "user",
    "platform",
    "guest_name",
    "guest_organisation",
    "guest_email",
    "rsvp",
    "dinner",
    "visit",
    "rsvp_at",
    "attendance",
    "represented_by",
    "user__first_name",
    "user__last_name",
    "user__email",
    "user__is_active",
    "platform__name",
    "platform__acronym",
)


def user_name_fields(path: str) -> tuple[str, ...]:
    """What ``str(user)`` reads, under the relation `path` ("" for users) (for ``.only()``)."""
    prefix = f"{path}__" if path else ""
    return (f"{prefix}first_name", f"{prefix}last_name", f"{prefix}email")


class MeetingQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The meetings `user` may see; the same rule as perms.can_see_meeting."""
        if not (user.is_authenticated and user.is_active):
            return self.none()
        if user.is_bureau:
            return self.all()
        from members.models import PlatformMembership, SteeringMember

        from .invitations import MeetingInvitation

        # Subqueries, not joins: the list's invitation counts must not be restricted.
        invited = MeetingInvitation.objects.filter(user=user).order_by().values("meeting_id")
        seats = SteeringMember.objects.filter(user=user).order_by().values("platform_id")
        steering = Q(kind=MeetingKind.STEERING_COMMITTEE) & (
            ~Q(status=MeetingStatus.DRAFT) & (Q(platform__in=seats) | Q(pk__in=invited))
        )
        if not user.is_ministry:  # the platform's people run its committee (drafts too)
            mine = PlatformMembership.objects.filter(user=user).order_by().values("platform_id")
            steering |= Q(kind=MeetingKind.STEERING_COMMITTEE, platform__in=mine)
        # The association's meetings a member sees: not the bureau's, not drafts.
        others = [MeetingKind.BUREAU, MeetingKind.STEERING_COMMITTEE]
        association = ~Q(kind__in=others) & ~Q(status=MeetingStatus.DRAFT)
        if user.is_ministry:
            return self.filter((association & Q(pk__in=invited)) | steering)
        if user.is_director:
            return self.filter(association | steering)
        return self.filter(steering)

    def kind_rule(self, user, kind, prefix=""):
        """`visible_to(user)` among the meetings of `kind` as a filter on a meeting's own
        columns (under `prefix`), when the kind settles it, so that a query can join the
        meeting rather than build and compile `visible_to`'s subqueries: every meeting for
        the bureau; every one but the drafts for a director, of the association's meetings
        of one kind (neither the bureau's nor a committee's). None otherwise."""
        if not (user.is_authenticated and user.is_active):
            return None
        if user.is_bureau:
            return Q()
        association = kind not in (MeetingKind.BUREAU, MeetingKind.STEERING_COMMITTEE)
        if association and user.is_director and not user.is_ministry:
            return ~Q(**{f"{prefix}status": MeetingStatus.DRAFT})
        return None

    def upcoming(self):
        return self.filter(end__gte=timezone.now())

    def past(self):
        return self.filter(end__lt=timezone.now())

    def for_list(self, user=None):
        """The list's rows: organiser, invited and registered counts, `user`'s answer.

        The counts are correlated subqueries rather than a join grouped by meeting, so
        that they are computed for the rows read only (a page, see
        ``selectors.meeting_list_page``) and a count of the rows leaves them out."""
        from .invitations import MeetingInvitation

        def invitations(**filters):
            rows = MeetingInvitation.objects.filter(meeting=OuterRef("pk"), **filters)
            return Subquery(
                rows.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n"),
                output_field=models.IntegerField(),
            )

        qs = (
            self.select_related("organiser")
            .annotate(
                invited_count=invitations(),
                registered_count=invitations(rsvp=RsvpStatus.YES),
            )
            .order_by("-start", "pk")
        )
        if user is not None and user.is_authenticated:
            qs = qs.annotate(
                my_rsvp=Subquery(
                    MeetingInvitation.objects.filter(meeting=OuterRef("pk"), user=user)
                    .order_by()
                    .values("rsvp")[:1]
                )
            )
        return qs

    def for_detail(self):
        """What the meeting page reads, in one query per relation. Its actions (with the
        carried-over ones), its minutes (with those approved at it and those awaiting
        approval), resolutions and officers are the selector's; see also `for_minutes`."""
        from .agenda import AgendaItem, AgendaProposal
        from .documents import Attachment
        from .invitations import MeetingInvitation

        # Each prefetch is ordered within its meeting only: the models' default orderings
        # start with the meeting (a join to it, and its own ordering, compiled every time).
        return self.select_related("organiser").prefetch_related(
            Prefetch("agenda_items", queryset=AgendaItem.objects.select_related("survey_campaign")),
            # The agenda items' documents and the meeting's own, split by the selector.
            Prefetch("attachments", queryset=Attachment.objects.all(), to_attr="all_attachments"),
            Prefetch(
                "invitations",
                queryset=MeetingInvitation.objects.select_related("user", "platform")
                .only(*INVITATION_PAGE_FIELDS)
                .order_by("user__last_name", "guest_name", "pk"),
            ),
            Prefetch(
                "proposals",
                queryset=AgendaProposal.objects.select_related("proposed_by").only(
                    "meeting",
                    "proposed_by",
                    "title",
                    "description",
                    "status",
                    "decline_reason",
                    *user_name_fields("proposed_by"),
                ),
            ),
        )

    def for_minutes(self):
        """`for_detail` and what the minutes print: actions, resolutions and officers."""
        from .actions import ActionItem
        from .assembly import ElectedOfficer, Resolution
        from .minutes import Minutes, MinutesApproval, MinutesItem

        return self.for_detail().prefetch_related(
            Prefetch(
                "minutes_versions",
                queryset=Minutes.objects.order_by("-version", "pk").prefetch_related(
                    Prefetch("items", queryset=MinutesItem.objects.order_by("order", "pk")),
                    Prefetch(
                        "approvals",
                        queryset=MinutesApproval.objects.select_related("approved_at").only(
                            "minutes", "approved_at", "approved_at__title", "approved_at__start"
                        ),
                    ),
                ),
            ),
            Prefetch(
                "actions",
                queryset=ActionItem.objects.select_related("agenda_item").prefetch_related(
                    "owners"
                ),
            ),
            Prefetch("resolutions", queryset=Resolution.objects.order_by("order", "pk")),
            Prefetch("officers", queryset=ElectedOfficer.objects.order_by("order", "pk")),
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
    platform = models.ForeignKey(
        "members.Platform",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="steering_meetings",
        verbose_name=_("plateforme"),
        help_text=_("Pour un comité de pilotage : la plateforme qui le tient."),
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
        indexes = [
            # The meeting page's minutes awaiting approval: the latest earlier meetings of
            # the association's series, read down the start (and the lists' -start order).
            models.Index(fields=["start"], name="meeting_start_idx"),
            # Its carried-over actions: the earlier meetings of one kind.
            models.Index(fields=["kind", "start"], name="meeting_kind_start_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gte=F("start")),
                name="meeting_end_after_start",
                violation_error_message=_("La fin doit suivre le début."),
            ),
            models.CheckConstraint(
                condition=(Q(kind=MeetingKind.STEERING_COMMITTEE) & Q(platform__isnull=False))
                | (~Q(kind=MeetingKind.STEERING_COMMITTEE) & Q(platform__isnull=True)),
                name="meeting_platform_iff_steering_committee",
                violation_error_message=_(
                    "Un comité de pilotage est tenu par une plateforme, et lui seul."
                ),
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("meeting_detail", args=[self.pk])

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
    def is_future(self) -> bool:
        """Not begun yet: no attendance, no published minutes, not held."""
        return self.start > timezone.now()

    @property
    def is_cancelled(self) -> bool:
        return self.status == MeetingStatus.CANCELLED

    @property
    def is_general_assembly(self) -> bool:
        return self.kind == MeetingKind.GENERAL_ASSEMBLY
