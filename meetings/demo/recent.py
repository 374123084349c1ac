"""Recent and upcoming meetings: proposals and answers open, actions due."""

import datetime

from django.utils import timezone

from ..enums import (
    AgendaItemKind,
    Attendance,
    MeetingKind,
    MeetingStatus,
    RsvpStatus,
)
from ..models import AgendaProposal, MeetingInvitation
from .common import (
    demo_action,
    demo_at,
    demo_item,
    demo_meeting,
    demo_platform,
    demo_publish_minutes,
)


def seed_recent_and_upcoming(bureau, director, ministry, people):
    today = timezone.localdate()
    # A national meeting a few weeks ago, whose actions are still open.
    past_day = today - datetime.timedelta(days=45)
    autumn, created = demo_meeting(
        "Réunion nationale d'automne",
        demo_at(past_day.year, past_day.month, past_day.day, 10),
        demo_at(past_day.year, past_day.month, past_day.day, 16),
        kind=MeetingKind.NATIONAL,
        place="Visioconférence",
        video_url="https://visio.innovalo.fr/automne",
        organiser=bureau,
        status=MeetingStatus.HELD,
        proposals_open=False,
    )
    if created:
        demo_item(
            autumn,
            past_day,
            datetime.time(10),
            datetime.time(12),
            "Enquête d'impact annuelle",
            order=1,
        )
        for user in (bureau, director, ministry):
            MeetingInvitation.objects.create(
                meeting=autumn, user=user, rsvp=RsvpStatus.YES, attendance=Attendance.PRESENT
            )
        demo_publish_minutes(autumn, bureau, [("La campagne d'enquête est lancée.", "")])
        demo_action(
            autumn,
            "Compléter la fiche de la plateforme",
            today + datetime.timedelta(days=5),
            owners=[director],
        )
        demo_action(
            autumn,
            "Envoyer les chiffres d'impact 2025",
            today - datetime.timedelta(days=10),
            owners=[director],
            names="J. Ménagé",
        )
        demo_action(
            autumn,
            "Préparer le budget prévisionnel",
            today + datetime.timedelta(days=30),
            owners=[bureau],
        )

    # The next national meeting: proposals and RSVPs open.
    target = datetime.date(today.year, 12, 10)
    day = (
        target
        if target > today + datetime.timedelta(days=2)
        else today + datetime.timedelta(days=21)
    )
    upcoming, created = demo_meeting(
        "Réunion nationale de décembre",
        demo_at(day.year, day.month, day.day, 10),
        demo_at(day.year, day.month, day.day, 17),
        kind=MeetingKind.NATIONAL,
        place="Ministère (MESR)",
        address="1 rue Descartes, 75005 Paris",
        video_url="https://visio.innovalo.fr/decembre",
        organiser=bureau,
        status=MeetingStatus.CONVENED,
        convened_at=timezone.now(),
        proposals_open=True,
        has_dinner=True,
    )
    if created:
        demo_item(
            upcoming,
            day,
            datetime.time(10),
            datetime.time(11),
            "Accueil et actualités",
            order=1,
            presenters="Bureau",
        )
        demo_item(
            upcoming,
            day,
            datetime.time(11),
            datetime.time(12, 30),
            "Résultats de l'enquête d'impact",
            order=2,
        )
        demo_item(
            upcoming,
            day,
            datetime.time(12, 30),
            datetime.time(14),
            "Déjeuner",
            AgendaItemKind.MEAL,
            order=3,
        )
        MeetingInvitation.objects.create(
            meeting=upcoming,
            user=bureau,
            rsvp=RsvpStatus.YES,
            dinner=True,
            rsvp_at=timezone.now(),
        )
        MeetingInvitation.objects.create(
            meeting=upcoming, user=director, platform=demo_platform("innovaltech")
        )
        MeetingInvitation.objects.create(meeting=upcoming, user=ministry)
        for user, platform in people[:4]:
            MeetingInvitation.objects.create(meeting=upcoming, user=user, platform=platform)
        MeetingInvitation.objects.create(
            meeting=upcoming,
            guest_name="Conseil régional de Bourgogne-Franche-Comté",
            guest_organisation="Région",
            guest_email="invite@region.innovalo.demo",
        )
        AgendaProposal.objects.create(
            meeting=upcoming,
            proposed_by=director,
            title="Mutualiser les équipements entre plateformes voisines",
            description="Un inventaire partagé éviterait des achats en double.",
        )
        AgendaProposal.objects.create(
            meeting=upcoming,
            proposed_by=people[1][0],
            title="Appels à projets FEDER 2027",
        )

    # A bureau-only meeting, hidden from members and the ministry.
    bureau_day = today - datetime.timedelta(days=14)
    bureau_meeting, created = demo_meeting(
        "Réunion de bureau",
        demo_at(bureau_day.year, bureau_day.month, bureau_day.day, 18),
        demo_at(bureau_day.year, bureau_day.month, bureau_day.day, 19, 30),
        kind=MeetingKind.BUREAU,
        video_url="https://visio.innovalo.fr/bureau",
        organiser=bureau,
        status=MeetingStatus.HELD,
        proposals_open=False,
    )
    if created:
        demo_item(
            bureau_meeting,
            bureau_day,
            datetime.time(18),
            datetime.time(19, 30),
            "Préparation de la réunion de décembre",
            order=1,
        )
        MeetingInvitation.objects.create(
            meeting=bureau_meeting, user=bureau, attendance=Attendance.PRESENT
        )
        demo_action(
            bureau_meeting,
            "Réserver la salle du ministère",
            today + datetime.timedelta(days=3),
            owners=[bureau],
        )
