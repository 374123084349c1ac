"""Meetings of the federation over twenty years: bureau meetings, national meetings,
general assemblies, working groups and the platforms' steering committees, each with
its agenda, its invitations (RSVP and attendance), and, once held, its minutes (mostly
published, with the participants frozen as the services freeze them) and its actions;
a few meetings ahead, convened or in preparation.
"""

import datetime

from django.utils import timezone

from innovalo.enums import Role
from innovalo.models import User
from meetings.enums import (
    ActionStatus,
    AgendaItemKind,
    Attendance,
    MeetingKind,
    MeetingStatus,
    MinutesStatus,
    RsvpStatus,
)
from meetings.models import ActionItem, AgendaItem, Meeting, MeetingInvitation, Minutes, MinutesItem

from .common import BATCH, aware, chunks, years

KINDS = [  # (kind, weight, title, invited)
    (MeetingKind.BUREAU, 30, "Réunion de bureau", (6, 10)),
    (MeetingKind.WORKING_GROUP, 30, "Groupe de travail", (8, 20)),
    (MeetingKind.STEERING_COMMITTEE, 25, "Comité de pilotage", (5, 9)),
    (MeetingKind.NATIONAL, 8, "Réunion nationale", (30, 60)),
    (MeetingKind.GENERAL_ASSEMBLY, 7, "Assemblée générale", (30, 60)),
]
TOPICS = [
    "Coût des prestations", "Reconnaissance du rôle de directeur de PFT", "Label et renouvellement",
    "Enquête d'impact", "Veille des appels à projets", "Relations avec les régions",
    "Formation des jeunes", "Transfert de technologie", "Communication du réseau",
    "Cotisations", "Partenariats avec les campus des métiers", "Accueil des PME",
]  # fmt: skip
AGENDA = [  # (title, kind, minutes)
    ("Accueil et tour de table", AgendaItemKind.TALK, 30),
    ("Situation de l'association", AgendaItemKind.TALK, 45),
    ("Point sur les cotisations", AgendaItemKind.TALK, 30),
    ("Résultats de l'enquête", AgendaItemKind.TALK, 45),
    ("Ateliers", AgendaItemKind.WORKING_GROUP, 90),
    ("Pause", AgendaItemKind.BREAK, 15),
    ("Actions à entreprendre", AgendaItemKind.TALK, 45),
    ("Questions diverses", AgendaItemKind.TALK, 20),
]
HELD_STATES = [
    MeetingStatus.MINUTES_PUBLISHED,
    MeetingStatus.MINUTES_DRAFTED,
    MeetingStatus.HELD,
]
ATTENDANCE = [Attendance.PRESENT] * 7 + [Attendance.EXCUSED] * 2 + [Attendance.ABSENT]


def _invitees(rng, kind, platforms, bureau_ids, size):
    """[(user id, platform id or None)] for a meeting of ``kind``."""
    if kind == MeetingKind.BUREAU:
        chosen = rng.sample(bureau_ids, min(len(bureau_ids), size)) if bureau_ids else []
        return [(pk, None) for pk in chosen]
    picked = rng.sample(platforms, min(len(platforms), size))
    return [(platform.director_id, platform.pk) for platform in picked]


def generate(rng, platforms, count: int, report):
    now = timezone.now()
    today = timezone.localdate()
    all_years = years(today)
    bureau_ids = list(
        User.objects.filter(role=Role.BUREAU, is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    organiser = bureau_ids[0] if bureau_ids else None
    first_day = datetime.date(all_years[0], 1, 10)
    last_day = today + datetime.timedelta(days=120)
    span = (last_day - first_day).days

    meetings, plans = [], []
    for number in range(count):
        kind, _weight, title, invited = rng.choices(KINDS, weights=[k[1] for k in KINDS])[0]
        day = first_day + datetime.timedelta(days=round(span * (number + rng.random()) / count))
        days = 2 if kind == MeetingKind.NATIONAL else 1
        start = aware(day, 9, 30)
        end = aware(day + datetime.timedelta(days=days - 1), 17, 0)
        platform = rng.choice(platforms) if kind == MeetingKind.STEERING_COMMITTEE else None
        topic = rng.choice(TOPICS)
        if start < now:
            status = rng.choices(
                [
                    MeetingStatus.MINUTES_PUBLISHED,
                    MeetingStatus.MINUTES_DRAFTED,
                    MeetingStatus.HELD,
                ],
                weights=[85, 5, 10],
            )[0]
        else:
            status = MeetingStatus.CONVENED if rng.random() < 0.6 else MeetingStatus.DRAFT
        meetings.append(
            Meeting(
                kind=kind,
                title=f"{title} — {platform.name}" if platform else f"{title} : {topic}",
                description=f"{title} du réseau ({topic.lower()}).",
                start=start,
                end=end,
                place=f"Salle {rng.randint(1, 40)}",
                address=f"{rng.randint(1, 99)} avenue de la République",
                organiser_id=organiser,
                platform_id=platform.pk if platform else None,
                status=status,
                proposals_open=start > now,
                has_dinner=kind == MeetingKind.NATIONAL,
                convened_at=start - datetime.timedelta(days=21)
                if status != MeetingStatus.DRAFT
                else None,
            )
        )
        plans.append((invited, day, days))
    meetings = _bulk(Meeting, meetings)
    report.add("meetings", len(meetings))

    items, invitations = [], []
    for meeting, (invited, day, _days) in zip(meetings, plans, strict=True):
        clock = datetime.datetime.combine(day, datetime.time(9, 30))
        for order, (title, kind, minutes) in enumerate(
            sorted(rng.sample(AGENDA, rng.randint(3, 6)), key=AGENDA.index), start=1
        ):
            end = clock + datetime.timedelta(minutes=minutes)
            items.append(
                AgendaItem(
                    meeting=meeting,
                    order=order,
                    day=day,
                    start_time=clock.time(),
                    end_time=end.time() if end.date() == clock.date() else None,
                    title=title,
                    kind=kind,
                    presenters="Le bureau" if kind == AgendaItemKind.TALK else "",
                )
            )
            clock = end
        held = meeting.start < now
        for user_id, platform_id in _invitees(
            rng, meeting.kind, platforms, bureau_ids, rng.randint(*invited)
        ):
            rsvp = rng.choices([RsvpStatus.YES, RsvpStatus.NO, RsvpStatus.PENDING], [7, 2, 1])[0]
            invitations.append(
                MeetingInvitation(
                    meeting=meeting,
                    user_id=user_id,
                    platform_id=platform_id,
                    rsvp=rsvp,
                    rsvp_at=None
                    if rsvp == RsvpStatus.PENDING
                    else meeting.start - datetime.timedelta(days=rng.randint(2, 15)),
                    attendance=rng.choice(ATTENDANCE) if held else Attendance.UNKNOWN,
                )
            )
    items = _bulk(AgendaItem, items)
    invitations = _bulk(MeetingInvitation, invitations)
    report.add("agenda items", len(items))
    report.add("meeting invitations", len(invitations))
    _minutes_and_actions(rng, platforms, meetings, items, invitations, organiser, report)


def _minutes_and_actions(rng, platforms, meetings, items, invitations, organiser, report):
    names = {
        pk: f"{first} {last}".strip()
        for pk, first, last in User.objects.filter(
            pk__in={i.user_id for i in invitations}
        ).values_list("pk", "first_name", "last_name")
    }
    platform_names = {platform.pk: platform.name for platform in platforms}
    by_meeting_items, by_meeting_people = {}, {}
    for item in items:
        by_meeting_items.setdefault(item.meeting_id, []).append(item)
    for invitation in invitations:
        by_meeting_people.setdefault(invitation.meeting_id, []).append(invitation)

    minutes = []
    for meeting in meetings:
        if meeting.status not in (MeetingStatus.MINUTES_PUBLISHED, MeetingStatus.MINUTES_DRAFTED):
            continue
        published = meeting.status == MeetingStatus.MINUTES_PUBLISHED
        groups = {"present": [], "excused": [], "absent": [], "represented": []}
        for invitation in by_meeting_people.get(meeting.pk, []):
            if invitation.attendance in groups:
                groups[invitation.attendance].append(
                    {
                        "display_name": names.get(invitation.user_id, ""),
                        "organisation": platform_names.get(invitation.platform_id, ""),
                        "represented_by": "",
                        "user_id": invitation.user_id,
                    }
                )
        minutes.append(
            Minutes(
                meeting=meeting,
                version=1,
                status=MinutesStatus.PUBLISHED if published else MinutesStatus.DRAFT,
                summary=f"Compte rendu : {meeting.title}.",
                participants=groups if published else None,
                created_by_id=organiser,
                published_at=meeting.end + datetime.timedelta(days=10) if published else None,
                published_by_id=organiser if published else None,
            )
        )
    minutes = _bulk(Minutes, minutes)
    report.add("minutes", len(minutes))

    minutes_items, actions, owners = [], [], []
    for record in minutes:
        meeting_items = by_meeting_items.get(record.meeting_id, [])
        for item in meeting_items:
            if item.kind == AgendaItemKind.BREAK:
                continue
            minutes_items.append(
                MinutesItem(
                    minutes=record,
                    agenda_item=item,
                    order=item.order,
                    title=item.title,
                    text=f"Échanges sur « {item.title.lower()} ».",
                    decisions="Le bureau prépare une proposition." if rng.random() < 0.3 else "",
                )
            )
        people = by_meeting_people.get(record.meeting_id, [])
        for _index in range(rng.randint(1, 3)):
            item = rng.choice(meeting_items) if meeting_items else None
            due = (record.meeting.start + datetime.timedelta(days=rng.randint(20, 90))).date()
            status = rng.choices(
                [ActionStatus.DONE, ActionStatus.OPEN, ActionStatus.CANCELLED], [7, 2, 1]
            )[0]
            actions.append(
                ActionItem(
                    meeting_id=record.meeting_id,
                    agenda_item=item,
                    title=f"Préparer la suite : {item.title.lower() if item else 'réunion'}",
                    due_date=due,
                    status=status,
                    done_at=aware(due) if status == ActionStatus.DONE else None,
                    created_by_id=organiser,
                )
            )
            owners.append(rng.choice(people).user_id if people else None)
    _bulk(MinutesItem, minutes_items)
    actions = _bulk(ActionItem, actions)
    ActionItem.owners.through.objects.bulk_create(
        [
            ActionItem.owners.through(actionitem_id=action.pk, user_id=owner)
            for action, owner in zip(actions, owners, strict=True)
            if owner
        ],
        batch_size=BATCH,
    )
    report.add("minutes items", len(minutes_items))
    report.add("actions", len(actions))


def _bulk(model, rows):
    made = []
    for chunk in chunks(rows, BATCH):
        made += model.objects.bulk_create(chunk, batch_size=BATCH)
    return made
