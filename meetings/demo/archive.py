"""The meetings of the association's documents: January 2016, January 2018, Le Creusot."""

import datetime

from django.utils import timezone

from .. import services
from ..enums import (
    ActionStatus,
    AgendaItemKind,
    AttachmentKind,
    Attendance,
    MeetingKind,
    MeetingStatus,
    ProposalStatus,
    RsvpStatus,
)
from ..models import AgendaItem, AgendaProposal, MeetingInvitation
from .common import (
    demo_action,
    demo_at,
    demo_attach,
    demo_item,
    demo_meeting,
    demo_publish_minutes,
)


def seed_january_2016(bureau, people):
    meeting, created = demo_meeting(
        "Réunion au ministère (MESR)",
        demo_at(2016, 1, 21, 13, 15),
        demo_at(2016, 1, 21, 16, 30),
        kind=MeetingKind.NATIONAL,
        place="Ministère de l'Enseignement supérieur et de la Recherche (MESR)",
        address="1 rue Descartes, 75005 Paris",
        organiser=bureau,
        status=MeetingStatus.HELD,
        proposals_open=False,
    )
    if not created:
        return meeting
    day = datetime.date(2016, 1, 21)
    situation = demo_item(
        meeting,
        day,
        datetime.time(13, 15),
        datetime.time(14, 15),
        "Situation de l'association : adhérents, gestion, organisation",
        order=1,
        presenters="Ph. Planard",
    )
    report = demo_item(
        meeting,
        day,
        datetime.time(14, 15),
        datetime.time(15, 15),
        "Compte rendu des rencontres avec les plateformes et les régions (septembre à décembre)",
        order=2,
        presenters="J. Ménagé, D. Lefaivre",
    )
    actions_item = demo_item(
        meeting,
        day,
        datetime.time(15, 15),
        datetime.time(16, 30),
        "Actions à entreprendre : décideurs, rencontre nationale",
        order=3,
    )
    for n, (user, platform) in enumerate(people):
        MeetingInvitation.objects.create(
            meeting=meeting,
            user=user,
            platform=platform,
            rsvp=RsvpStatus.YES if n < 15 else RsvpStatus.NO,
            attendance=Attendance.PRESENT if n < 15 else Attendance.EXCUSED,
        )
    demo_publish_minutes(
        meeting,
        bureau,
        [
            (
                "Onze plateformes ont payé leur cotisation, soit un quart des plateformes "
                "labellisées. La gestion de l'association repose sur le bureau.",
                "Relancer les plateformes qui n'ont pas cotisé",
            ),
            (
                "Les rencontres de septembre à décembre montrent l'attente d'un réseau national "
                "et d'une reconnaissance par les régions.",
                "Un correspondant thématique et un correspondant régional par sujet",
            ),
            (
                "Rencontrer les décideurs et préparer une rencontre nationale des plateformes.",
                "Organiser une rencontre nationale\nLancer une enquête auprès des plateformes",
            ),
        ],
        summary="Seize participants, une personne excusée.",
    )
    planard, menage, lefaivre = people[0][0], people[1][0], people[2][0]
    mid_april = datetime.date(2016, 4, 15)
    demo_action(
        meeting,
        "Rencontrer les décideurs (ministère, régions)",
        mid_april,
        owners=[planard],
        item=actions_item,
        status=ActionStatus.DONE,
    )
    demo_action(
        meeting,
        "Désigner les correspondants thématiques et régionaux",
        mid_april,
        owners=[menage, lefaivre],
        item=report,
        status=ActionStatus.DONE,
    )
    demo_action(
        meeting,
        "Préparer l'enquête auprès des plateformes",
        datetime.date(2016, 2, 15),
        owners=[bureau],
        item=situation,
        status=ActionStatus.DONE,
    )
    demo_action(
        meeting,
        "Recueillir les réponses à l'enquête",
        mid_april,
        owners=[bureau],
        names="Plateformes adhérentes",
        item=situation,
        status=ActionStatus.DONE,
    )
    return meeting


NATIONAL_2018 = "Réunion nationale des plateformes technologiques"
SURVEY_RESULTS_TALK = "Les plateformes au service des PME : résultats de l'enquête"
TALKS_2018 = [
    ("Impact des plateformes sur la formation des jeunes", "S. Arnaud"),
    (SURVEY_RESULTS_TALK, "M. Benoît"),
    ("Plateformes et territoires : l'exemple de la Bourgogne-Franche-Comté", "Ph. Planard"),
]


def link_survey_results_2018(campaign):
    """The talk of 25 January 2018 on the survey's results links to them. The surveys
    demo, seeded after the meetings, calls this once the campaign exists (idempotent)."""
    item = AgendaItem.objects.filter(
        meeting__title=NATIONAL_2018,
        meeting__start=demo_at(2018, 1, 25, 9, 30),
        title=SURVEY_RESULTS_TALK,
    ).first()
    if item is None or item.survey_campaign_id == campaign.pk:
        return item
    item.survey_campaign = campaign
    item.save(update_fields=["survey_campaign"])
    return item


def seed_january_2018(bureau, people, earlier):
    meeting, created = demo_meeting(
        NATIONAL_2018,
        demo_at(2018, 1, 25, 9, 30),
        demo_at(2018, 1, 25, 13, 0),
        kind=MeetingKind.NATIONAL,
        place="Paris",
        address="1 rue Descartes, 75005 Paris",
        organiser=bureau,
        status=MeetingStatus.HELD,
        proposals_open=False,
    )
    if created:
        day = datetime.date(2018, 1, 25)
        for n, (title, presenter) in enumerate(TALKS_2018):
            item = demo_item(
                meeting,
                day,
                datetime.time(9 + n, 30),
                datetime.time(10 + n, 30),
                title,
                order=n + 1,
                presenters=presenter,
            )
            demo_attach(
                meeting, f"Présentation : {title}", f"presentation-{n + 1}.pdf", bureau, item=item
            )
        for user, platform in people[:10]:
            MeetingInvitation.objects.create(
                meeting=meeting,
                user=user,
                platform=platform,
                rsvp=RsvpStatus.YES,
                attendance=Attendance.PRESENT,
            )
        demo_publish_minutes(
            meeting,
            bureau,
            [
                ("L'enquête mesure l'impact sur la formation des jeunes.", ""),
                (
                    "Impact sur les PME et sur le territoire.",
                    "Relancer en avril les plateformes qui n'ont pas répondu",
                ),
                ("", ""),
            ],
        )
        first_minutes = earlier.minutes_versions.filter(status="published").first()
        if first_minutes and not first_minutes.approvals.exists():
            services.minutes_approve(minutes=first_minutes, at_meeting=meeting, actor=bureau)
        demo_action(
            meeting,
            "Relancer les plateformes qui n'ont pas répondu à l'enquête",
            datetime.date(2018, 4, 15),
            owners=[bureau],
            status=ActionStatus.DONE,
        )

    ga, created = demo_meeting(
        "Assemblée générale 2018",
        demo_at(2018, 1, 25, 14, 0),
        demo_at(2018, 1, 25, 16, 0),
        kind=MeetingKind.GENERAL_ASSEMBLY,
        place="Paris",
        organiser=bureau,
        status=MeetingStatus.HELD,
        proposals_open=False,
    )
    if created:
        day = datetime.date(2018, 1, 25)
        financial = demo_item(
            ga,
            day,
            datetime.time(14),
            datetime.time(14, 30),
            "Rapport financier",
            order=1,
            presenters="Trésorier",
        )
        activity = demo_item(
            ga,
            day,
            datetime.time(14, 30),
            datetime.time(15, 15),
            "Rapport d'activité",
            order=2,
            presenters="Ph. Planard",
        )
        demo_item(ga, day, datetime.time(15, 15), datetime.time(16), "Élection du bureau", order=3)
        demo_attach(
            ga,
            "Rapport financier 2017",
            "rapport-financier-2017.pdf",
            bureau,
            AttachmentKind.FINANCIAL_REPORT,
            financial,
        )
        demo_attach(
            ga,
            "Rapport d'activité 2017",
            "rapport-activite-2017.pdf",
            bureau,
            AttachmentKind.ACTIVITY_REPORT,
            activity,
        )
        for user, platform in people[:12]:
            MeetingInvitation.objects.create(
                meeting=ga,
                user=user,
                platform=platform,
                rsvp=RsvpStatus.YES,
                attendance=Attendance.PRESENT,
            )
        for text, votes in [
            ("Approbation du rapport financier 2017", (22, 0, 1)),
            ("Approbation du rapport d'activité 2017", (23, 0, 0)),
            ("Réélection du bureau sortant", (21, 0, 2)),
        ]:
            services.resolution_add(
                meeting=ga,
                text=text,
                votes_for=votes[0],
                votes_against=votes[1],
                abstentions=votes[2],
                actor=bureau,
            )
        for position, name in [
            ("Président", "Philippe Planard"),
            ("Trésorier", "Jérôme Ménagé"),
            ("Secrétaire", "Dominique Lefaivre"),
        ]:
            services.officer_add(meeting=ga, position=position, name=name, actor=bureau)
        demo_publish_minutes(
            ga,
            bureau,
            [
                ("Le rapport financier est approuvé.", ""),
                ("Le rapport d'activité est approuvé.", ""),
                ("Le bureau sortant est réélu.", "Bureau réélu pour deux ans"),
            ],
        )
    return meeting


def seed_le_creusot_2018(bureau, people):
    meeting, created = demo_meeting(
        "Rencontre nationale au Creusot",
        demo_at(2018, 5, 17, 14, 0),
        demo_at(2018, 5, 18, 14, 0),
        kind=MeetingKind.NATIONAL,
        place="Le Creusot",
        address="Plateforme Mécatronique du Creusot, 71200 Le Creusot",
        organiser=bureau,
        status=MeetingStatus.HELD,
        proposals_open=False,
        has_dinner=True,
        has_visit=True,
    )
    if not created:
        return meeting
    thu, fri = datetime.date(2018, 5, 17), datetime.date(2018, 5, 18)
    t = datetime.time
    demo_item(meeting, thu, t(14), None, "Accueil", order=1)
    groups = [
        ("Coût des prestations des plateformes", "Salle A", None),
        ("Reconnaissance du rôle de directeur de PFT", "Salle B", None),
        ("Relations avec les campus des métiers", "Salle C", people[3][0]),
        ("Plateformes et formation continue", "Salle D", people[4][0]),
    ]
    for n, (title, room, proposer) in enumerate(groups):
        item = demo_item(
            meeting, thu, t(14), t(17), title, AgendaItemKind.WORKING_GROUP, order=2 + n, room=room
        )
        if proposer:
            AgendaProposal.objects.create(
                meeting=meeting,
                proposed_by=proposer,
                title=title,
                status=ProposalStatus.ACCEPTED,
                agenda_item=item,
                decided_by=bureau,
                decided_at=timezone.now(),
            )
    demo_item(
        meeting,
        thu,
        t(17),
        t(19),
        "Rencontre avec les entreprises de la région et ses 11 plateformes",
        order=6,
    )
    demo_item(meeting, thu, t(20), None, "Dîner", AgendaItemKind.MEAL, order=7)
    demo_item(meeting, fri, t(8, 30), t(11), "Visite d'entreprise", AgendaItemKind.VISIT, order=8)
    demo_item(meeting, fri, t(11), t(13), "Synthèse des ateliers et plan d'action", order=9)
    demo_item(meeting, fri, t(13), t(14), "Buffet déjeunatoire", AgendaItemKind.MEAL, order=10)
    for n, (user, platform) in enumerate(people[:12]):
        MeetingInvitation.objects.create(
            meeting=meeting,
            user=user,
            platform=platform,
            rsvp=RsvpStatus.YES,
            dinner=n % 3 != 0,
            visit=n % 2 == 0,
            attendance=Attendance.PRESENT if n < 11 else Attendance.ABSENT,
        )
    return meeting
