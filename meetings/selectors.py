"""Reads of the meetings app that are more than one queryset method."""

import datetime
import functools

from django.contrib.auth import get_user_model
from django.core.paginator import Page, Paginator
from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    Value,
    Window,
    prefetch_related_objects,
)
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language

from innovalo.audit import entries_for
from innovalo.rows import url_maker

from . import perms
from .enums import (
    ActionStatus,
    AgendaItemKind,
    Attendance,
    MeetingKind,
    MinutesStatus,
    ProposalStatus,
    RsvpStatus,
)
from .models import ActionItem, Attachment, Meeting, Minutes, MinutesApproval, MinutesItem
from .models.meetings import user_name_fields

User = get_user_model()

HISTORY_ON_PAGE = 10

# What a row of ``actions_table.html`` and the action perms read.
ACTION_ROW_FIELDS = (
    "meeting",
    "agenda_item",
    "title",
    "owner_names",
    "due_date",
    "status",
    "meeting__title",
    "meeting__kind",  # the perms: a steering committee's actions are its platform's
    "meeting__platform",
    "agenda_item__title",
)

# What the page prints of minutes (and perms.can_see_minutes reads of their meeting).
MINUTES_PAGE_FIELDS = (
    "meeting",
    "version",
    "status",
    "summary",
    "correction_note",
    "published_at",
    "meeting__title",
    "meeting__kind",
    "meeting__status",
    "meeting__platform",
)


def participants_by_attendance(meeting) -> dict:
    groups = {"present": [], "excused": [], "absent": [], "represented": []}
    for invitation in meeting.invitations.all():
        if invitation.attendance == Attendance.PRESENT:
            groups["present"].append(invitation)
        elif invitation.attendance == Attendance.EXCUSED:
            groups["excused"].append(invitation)
        elif invitation.attendance == Attendance.REPRESENTED:
            groups["represented"].append(invitation)
        elif invitation.attendance == Attendance.ABSENT:
            groups["absent"].append(invitation)
    return groups


def participants_snapshot(meeting) -> dict:
    """The participant lists as plain data, frozen into minutes when they are published."""
    return {
        group: [
            {
                "display_name": invitation.display_name,
                "organisation": invitation.organisation,
                "represented_by": invitation.represented_by,
                # Lets anonymisation find a person's name in frozen lists.
                "user_id": invitation.user_id,
            }
            for invitation in invitations
        ]
        for group, invitations in participants_by_attendance(meeting).items()
    }


def minutes_record_snapshot(meeting) -> dict:
    """The actions, resolutions and officers as plain data, frozen into minutes when they are
    published; `meeting` comes from ``Meeting.objects.for_minutes()``."""
    return {
        "actions": [
            {
                "title": action.title,
                "owners": [{"name": str(user), "user_id": user.pk} for user in action.owners.all()]
                + [
                    {"name": name.strip(), "user_id": None}
                    for name in action.owner_names.split(",")
                    if name.strip()
                ],
                "due_date": action.due_date.isoformat() if action.due_date else None,
                "status": action.status,
            }
            for action in meeting.actions.all()
        ],
        "resolutions": [
            {
                "order": r.order,
                "text": r.text,
                "adopted": r.adopted,
                "votes_for": r.votes_for,
                "votes_against": r.votes_against,
                "abstentions": r.abstentions,
            }
            for r in meeting.resolutions.all()
        ],
        "officers": [
            {"position": o.position, "name": o.name, "user_id": o.user_id}
            for o in meeting.officers.all()
        ],
    }


def minutes_record(minutes) -> dict:
    """What the minutes print of actions, resolutions and officers: frozen at publication for
    published minutes (an action added or closed later does not rewrite them), today's for a
    draft. Each action: title, owners_text, due_date (a date), status_label."""
    frozen = minutes.record
    if frozen is None:
        meeting = minutes.meeting
        frozen = minutes_record_snapshot(meeting)
    labels = choice_labels(ActionStatus)
    actions = [
        {
            "title": action["title"],
            "owners_text": ", ".join(owner["name"] for owner in action["owners"]),
            "due_date": datetime.date.fromisoformat(action["due_date"])
            if action["due_date"]
            else None,
            "status_label": labels.get(action["status"], action["status"]),
        }
        for action in frozen.get("actions", [])
    ]
    return {
        "actions": actions,
        "resolutions": frozen.get("resolutions", []),
        "officers": frozen.get("officers", []),
    }


def minutes_participants(minutes) -> dict:
    """Published minutes keep the lists of their publication; a draft shows today's."""
    if minutes.participants is not None:
        return minutes.participants
    return participants_by_attendance(minutes.meeting)


def choice_labels(choices) -> dict:
    """Value -> translated label of a TextChoices, translated once for a whole table
    (``get_FOO_display`` rebuilds the choices and translates on every row)."""
    return _choice_labels(choices, get_language())


@functools.cache
def _choice_labels(choices, language) -> dict:
    return {value: str(label) for value, label in choices.choices}


def with_action_perms(actions, user) -> list[ActionItem]:
    """The actions (owners prefetched), each told what `user` may do with it, with the
    labels and links of its row in ``actions_table.html``."""
    actions = list(actions)
    if not actions:
        return actions
    status_labels = choice_labels(ActionStatus)
    today = timezone.localdate()
    status_url, edit_url = url_maker("action_status"), url_maker("action_edit")
    meeting_url = url_maker("meeting_detail")
    for action in actions:
        action.can_mark_done = perms.can_mark_action_done(user, action)
        action.can_reopen = perms.can_reopen_action(user, action)
        action.can_edit = perms.can_edit_action(user, action)
        action.status_label = status_labels.get(action.status, action.status)
        action.owners_text = ", ".join(action.owner_labels())
        action.due_text = date_format(action.due_date, "j F Y") if action.due_date else ""
        action.overdue = bool(
            action.status == ActionStatus.OPEN and action.due_date and action.due_date < today
        )
        action.status_url = status_url(action.pk)
        action.edit_url = edit_url(action.pk)
        action.meeting_url = meeting_url(action.meeting_id)
    return actions


def same_series(meeting: Meeting, prefix: str = "meeting__") -> Q:
    """The meetings of `meeting`'s series, as a filter on the relation `prefix`: its
    platform's steering committee meetings for a steering committee, the association's
    own meetings otherwise (a committee's minutes and actions stay with its platform)."""
    if perms.is_steering(meeting):
        return Q(
            **{f"{prefix}kind": MeetingKind.STEERING_COMMITTEE},
            **{f"{prefix}platform": meeting.platform_id},
        )
    return ~Q(**{f"{prefix}kind": MeetingKind.STEERING_COMMITTEE})


def _carried_over(user, meeting: Meeting) -> Q:
    """Open actions of earlier meetings of the same kind (a steering committee's: of its
    platform), from meetings `user` may see."""
    earlier = {"kind": meeting.kind, "start__lt": meeting.start}
    if perms.is_steering(meeting):
        earlier["platform"] = meeting.platform_id
    rule = Meeting.objects.kind_rule(user, meeting.kind, prefix="meeting__")
    if rule is not None:  # the bureau, a director: the action's own meeting, joined
        held = {f"meeting__{key}": value for key, value in earlier.items()}
        return Q(status=ActionStatus.OPEN, **held) & rule
    # Others: one subquery over the meetings (their kind and start, then who may see them),
    # not a join plus a second pass over every meeting the user may see.
    visible = Meeting.objects.visible_to(user).filter(**earlier).order_by().values("pk")
    return Q(status=ActionStatus.OPEN, meeting__in=visible)


# Ten: a meeting looks at the next steps it inherits; more made the page slower (each row
# with its owners, permissions and buttons) for a list the meeting's own pages hold anyway.
CARRIED_OVER_ON_PAGE = 10


def meeting_and_carried_over_actions(user, meeting: Meeting, limit: int) -> tuple[list, list, int]:
    """The meeting's actions, the `limit` most urgent carried-over ones (due first, none
    last: the page's order) and how many are carried over in all, in one query (owners in a
    second): a late meeting of a federation carried hundreds over, every one printed.

    A UNION ALL of the meeting's actions (by its index) and the first carried-over ones,
    counted by a window over them all before the LIMIT, rather than an OR over every open
    action; each part joins its meeting and agenda item (``select_related`` before the
    union: the rows come with them)."""
    rows = ActionItem.objects.select_related("meeting", "agenda_item").only(*ACTION_ROW_FIELDS)
    own = rows.filter(meeting=meeting).annotate(carried_over_total=Value(0)).order_by()
    carried = (
        rows.filter(_carried_over(user, meeting))
        .annotate(carried_over_total=Window(Count("pk")))
        .order_by(F("due_date").asc(nulls_last=True), "pk")[:limit]
    )
    actions = list(own.union(carried, all=True))
    prefetch_related_objects(
        actions, Prefetch("owners", queryset=User.objects.only(*user_name_fields("")))
    )
    actions.sort(key=lambda a: (a.due_date is None, a.due_date or datetime.date.min, a.pk))
    actions = with_action_perms(actions, user)
    carried_over = [a for a in actions if a.meeting_id != meeting.pk]
    return (
        [a for a in actions if a.meeting_id == meeting.pk],
        carried_over,
        carried_over[0].carried_over_total if carried_over else 0,
    )


def agenda_rows(items, attachments) -> list:
    """The agenda items, each with its documents (`attachment_list`) and its kind's label."""
    by_item = {}
    for attachment in attachments:
        by_item.setdefault(attachment.agenda_item_id, []).append(attachment)
    kind_labels = choice_labels(AgendaItemKind)
    items = list(items)
    for item in items:
        item.attachment_list = by_item.get(item.pk, [])
        item.kind_label = kind_labels.get(item.kind, item.kind)
    return items


def agenda_items(meeting: Meeting) -> list:
    """The agenda with each item's documents (two queries)."""
    items = list(meeting.agenda_items.all())
    attachments = Attachment.objects.filter(agenda_item__in=[item.pk for item in items])
    return agenda_rows(items, attachments if items else [])


def _with_labels(rows, **fields) -> list:
    """Each row gets `<field>_label`, the label of its value among fields[field]'s choices."""
    labels = {field: choice_labels(choices) for field, choices in fields.items()}
    for row in rows:
        for field, field_labels in labels.items():
            value = getattr(row, field)
            setattr(row, f"{field}_label", field_labels.get(value, value))
    return rows


# Minutes are approved at the next meeting or two: the form offers the latest ten awaiting
# (an older one can still be posted).
APPROVAL_CHOICES = 10


def meeting_minutes(user, meeting: Meeting, *, awaiting: bool) -> dict:
    """The meeting's minutes `user` may read (newest version first, each with the titles of
    the meetings that approved it), the minutes approved at this meeting (in the order they
    were) and, when `awaiting`, the published minutes of earlier meetings still awaiting
    approval (the latest `APPROVAL_CHOICES`, newest first: the approval form's choices). One
    query for the three, and one for the items of the minutes the page prints.

    The minutes are read by id from a UNION of indexed lookups (by meeting, by approving
    meeting, the latest awaiting ones down the meetings' start index) rather than an OR
    over every minutes joined to its approval, which read them all at federation scale."""
    ids = [
        Minutes.objects.filter(meeting=meeting).order_by().values("pk"),
        MinutesApproval.objects.filter(approved_at=meeting).order_by().values("minutes"),
    ]
    if awaiting:
        # The latest few only: every unapproved minutes of twenty years of meetings made
        # a choice list of hundreds (the form still accepts an older one posted). NOT
        # EXISTS, not a LEFT JOIN ... IS NULL: an anti-join the planner estimates well.
        ids.append(
            Minutes.objects.filter(
                same_series(meeting),
                ~Exists(MinutesApproval.objects.filter(minutes=OuterRef("pk"))),
                status=MinutesStatus.PUBLISHED,
                meeting__start__lt=meeting.start,
            )
            .order_by("-meeting__start", "-version", "pk")
            .values("pk")[:APPROVAL_CHOICES]
        )
    found = (
        Minutes.objects.filter(pk__in=ids[0].union(*ids[1:], all=True))
        .select_related("meeting")
        .only(*MINUTES_PAGE_FIELDS)
        .annotate(
            approved_at_id=F("approvals__approved_at"),
            approved_at_title=F("approvals__approved_at__title"),
            approval_order=F("approvals__created_at"),
            approval_pk=F("approvals__pk"),
        )
        .order_by("-meeting__start", "-version", "pk")
    )
    own, approvals, approved, waiting = {}, {}, [], []
    for minutes in found:  # one row per approval
        if minutes.meeting_id == meeting.pk:
            own.setdefault(minutes.pk, minutes)
            if minutes.approved_at_id is not None:
                approvals.setdefault(minutes.pk, []).append(
                    (minutes.approval_order, minutes.approval_pk, minutes.approved_at_title)
                )
        elif minutes.approved_at_id == meeting.pk:
            approved.append(minutes)
        elif minutes.approved_at_id is None:
            waiting.append(minutes)
    versions = [v for v in own.values() if perms.can_see_minutes(user, v)]
    for version in versions:
        version.approved_at_titles = [t for *_, t in sorted(approvals.get(version.pk, []))]
    published = [v for v in versions if v.status == MinutesStatus.PUBLISHED]
    if published:
        prefetch_related_objects(
            published[:1], Prefetch("items", queryset=MinutesItem.objects.order_by("order", "pk"))
        )
    return {
        "current_minutes": published[0] if published else None,
        "earlier_minutes": published[1:],
        "draft_minutes": next((v for v in versions if v.status == MinutesStatus.DRAFT), None),
        "approved_minutes": sorted(approved, key=lambda m: (m.approval_order, m.approval_pk)),
        "awaiting_approval": waiting if awaiting else None,
    }


def meeting_history(meeting: Meeting, limit=None):
    return entries_for(meeting, limit)


def assembly_survey_results(user, meeting: Meeting) -> list:
    """The survey campaigns whose results a general assembly's activity report presents:
    those of the year before the assembly, closed or published, that ``user`` may see
    the results of (one query)."""
    from surveys.enums import CampaignStatus
    from surveys.models import Campaign
    from surveys.perms import can_see_results

    if not meeting.is_general_assembly:
        return []
    campaigns = Campaign.objects.filter(
        year=timezone.localtime(meeting.start).year - 1,
        status__in=[CampaignStatus.CLOSED, CampaignStatus.PUBLISHED],
    ).order_by("title", "pk")
    return [campaign for campaign in campaigns if can_see_results(user, campaign)]


MEETINGS_PER_PAGE = 20


def meeting_list_page(user, rows, number, per_page=MEETINGS_PER_PAGE) -> Page:
    """A page of the meetings list: `rows` (the visible, filtered meetings, in their
    order) counted and sliced plain, then only the page's meetings read with their
    counts (``Meeting.for_list``), in one query: counting invitations over every
    meeting before paginating cost more than the page as the meetings grew."""
    page = Paginator(rows, per_page).get_page(number)
    page.object_list = (
        Meeting.objects.for_list(user)
        .filter(pk__in=page.object_list.values("pk"))
        .order_by(*rows.query.order_by)
    )
    return page


def meeting_page(user, meeting: Meeting) -> dict:
    """What the meeting page shows `user`; `meeting` comes from ``Meeting.objects.for_detail()``."""
    can_manage = perms.can_manage_meeting(user, meeting)
    invitations = list(meeting.invitations.all())
    proposals = list(meeting.proposals.all())
    if not can_manage:
        proposals = [
            p
            for p in proposals
            if p.proposed_by_id == user.pk or p.status != ProposalStatus.PENDING
        ]
    history = None
    if perms.can_see_meeting_history(user, meeting):
        history = list(meeting_history(meeting, HISTORY_ON_PAGE + 1))
    my_invitation = next((i for i in invitations if i.user_id == user.pk), None)
    actions, carried_over, carried_over_total = meeting_and_carried_over_actions(
        user, meeting, CARRIED_OVER_ON_PAGE
    )
    general_assembly = meeting.is_general_assembly
    return {
        "can_manage": can_manage,
        "can_propose": perms.can_propose_item(user, meeting, invited=my_invitation is not None),
        "invitations": _with_labels(invitations, rsvp=RsvpStatus, attendance=Attendance),
        "my_invitation": my_invitation,
        "agenda_items": agenda_rows(meeting.agenda_items.all(), meeting.all_attachments),
        "proposals": _with_labels(proposals, status=ProposalStatus),
        **meeting_minutes(user, meeting, awaiting=can_manage),
        "actions": actions,
        "carried_over": carried_over,
        "carried_over_total": carried_over_total,
        "resolutions": list(meeting.resolutions.order_by("order", "pk"))
        if general_assembly
        else None,
        "officers": list(meeting.officers.order_by("order", "pk")) if general_assembly else None,
        "survey_results": assembly_survey_results(user, meeting),
        "attachments": [a for a in meeting.all_attachments if a.agenda_item_id is None],
        "history": history[:HISTORY_ON_PAGE] if history is not None else None,
        "history_more": history is not None and len(history) > HISTORY_ON_PAGE,
    }


def minutes_version(user, meeting: Meeting, version=None):
    """The minutes `user` may read: the asked version, else the latest published (else the
    draft, for the bureau); None if there is none."""
    versions = [v for v in meeting.minutes_versions.all() if perms.can_see_minutes(user, v)]
    if version:
        versions = [v for v in versions if str(v.version) == version]
    else:
        versions = [v for v in versions if v.status == MinutesStatus.PUBLISHED] or versions
    return versions[0] if versions else None


def my_actions(user):
    """The actions `user` owns, open first then by due date: a queryset to paginate
    (``with_action_perms`` then prepares the page's rows only: a bureau member of a
    federation owns a thousand)."""
    return ActionItem.objects.owned_by(user).for_list().order_by("status", "due_date", "pk")


def home_actions(user, limit=10) -> list[ActionItem]:
    """The user's open actions for the home page (nothing for visitors)."""
    if not user.is_authenticated:
        return []
    return list(ActionItem.objects.open().owned_by(user).for_list()[:limit])
