"""Demo meetings from the association's documents, called by `manage.py seed_demo`.

Idempotent: each meeting is found by its title and start; its agenda, invitations, minutes and
actions are only built when the meeting is created.
"""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from innovalo.enums import Role
from innovalo.models import User

from . import services
from .enums import (
    ActionStatus,
    AgendaItemKind,
    AttachmentKind,
    Attendance,
    MeetingKind,
    MeetingStatus,
    ProposalStatus,
    RsvpStatus,
)
from .models import ActionItem, AgendaItem, AgendaProposal, Meeting, MeetingInvitation

# A one-page PDF, so that the demo's "presentations" open in a viewer.
TINY_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)

# The sixteen participants of 21 January 2016 (the last one was excused).
PARTICIPANTS_2016 = [
    ("philippe.planard", "Philippe", "Planard", "le-creusot"),
    ("jerome.menage", "Jérôme", "Ménagé", "innovaltech"),
    ("dominique.lefaivre", "Dominique", "Lefaivre", "plasti-vendee"),
    ("sophie.arnaud", "Sophie", "Arnaud", "amiens-numerique"),
    ("marc.benoit", "Marc", "Benoît", "valenciennes-ferroviaire"),
    ("claire.dumas", "Claire", "Dumas", "compiegne-agro"),
    ("laurent.fabre", "Laurent", "Fabre", None),
    ("nadia.guerin", "Nadia", "Guérin", None),
    ("olivier.henry", "Olivier", "Henry", None),
    ("isabelle.jacob", "Isabelle", "Jacob", None),
    ("thierry.klein", "Thierry", "Klein", None),
    ("anne.leroy", "Anne", "Leroy", None),
    ("patrick.masson", "Patrick", "Masson", None),
    ("helene.noel", "Hélène", "Noël", None),
    ("francois.perrin", "François", "Perrin", None),
    ("valerie.roux", "Valérie", "Roux", None),
]


def _at(year, month, day, hour=0, minute=0):
    return timezone.make_aware(datetime.datetime(year, month, day, hour, minute))


def _item(meeting, day, start, end, title, kind=AgendaItemKind.TALK, order=0, **extra):
    return AgendaItem.objects.create(
        meeting=meeting,
        day=day,
        start_time=start,
        end_time=end,
        title=title,
        kind=kind,
        order=order,
        **extra,
    )


def _meeting(title, start, end, **fields):
    """(meeting, created): found by title and start, so that a second seed adds nothing."""
    return Meeting.objects.get_or_create(title=title, start=start, defaults={"end": end, **fields})


def _platform(slug):
    from members.models import Platform

    return Platform.objects.filter(slug=slug).first() if slug else None


def _people():
    from innovalo.management.commands.seed_demo import demo_user

    people = []
    for login, first, last, slug in PARTICIPANTS_2016:
        user = demo_user(f"{login}@innovalo.demo", first, last, Role.DIRECTOR)
        people.append((user, _platform(slug)))
    return people


def _publish_minutes(meeting, bureau, sections, summary=""):
    minutes = services.minutes_draft(meeting=meeting, actor=bureau)
    items = list(minutes.items.all())
    services.minutes_update(
        minutes=minutes,
        actor=bureau,
        summary=summary,
        items=[
            (item, text, decisions)
            for item, (text, decisions) in zip(items, sections, strict=False)
        ],
    )
    return services.minutes_publish(minutes=minutes, actor=bureau)


def _action(meeting, title, due, *, owners=(), names="", item=None, status=ActionStatus.OPEN):
    action = ActionItem.objects.create(
        meeting=meeting,
        agenda_item=item,
        title=title,
        owner_names=names,
        due_date=due,
        status=status,
        done_at=timezone.now() if status == ActionStatus.DONE else None,
    )
    action.owners.set(owners)
    return action


def _attach(meeting, title, filename, bureau, kind=AttachmentKind.PRESENTATION, item=None):
    services.attachment_add(
        meeting=meeting,
        uploaded=SimpleUploadedFile(filename, TINY_PDF, content_type="application/pdf"),
        title=title,
        kind=kind,
        agenda_item=item,
        actor=bureau,
    )


def seed_january_2016(bureau, people):
    meeting, created = _meeting(
        "Réunion au ministère (MESR)",
        _at(2016, 1, 21, 13, 15),
        _at(2016, 1, 21, 16, 30),
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
    situation = _item(
        meeting,
        day,
        datetime.time(13, 15),
        datetime.time(14, 15),
        "Situation de l'association : adhérents, gestion, organisation",
        order=1,
        presenters="Ph. Planard",
    )
    report = _item(
        meeting,
        day,
        datetime.time(14, 15),
        datetime.time(15, 15),
        "Compte rendu des rencontres avec les plateformes et les régions (septembre à décembre)",
        order=2,
        presenters="J. Ménagé, D. Lefaivre",
    )
    actions_item = _item(
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
    _publish_minutes(
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
    _action(
        meeting,
        "Rencontrer les décideurs (ministère, régions)",
        mid_april,
        owners=[planard],
        item=actions_item,
        status=ActionStatus.DONE,
    )
    _action(
        meeting,
        "Désigner les correspondants thématiques et régionaux",
        mid_april,
        owners=[menage, lefaivre],
        item=report,
        status=ActionStatus.DONE,
    )
    _action(
        meeting,
        "Préparer l'enquête auprès des plateformes",
        datetime.date(2016, 2, 15),
        owners=[bureau],
        item=situation,
        status=ActionStatus.DONE,
    )
    _action(
        meeting,
        "Recueillir les réponses à l'enquête",
        mid_april,
        owners=[bureau],
        names="Plateformes adhérentes",
        item=situation,
        status=ActionStatus.DONE,
    )
    return meeting


def seed_january_2018(bureau, people, earlier):
    meeting, created = _meeting(
        "Réunion nationale des plateformes technologiques",
        _at(2018, 1, 25, 9, 30),
        _at(2018, 1, 25, 13, 0),
        kind=MeetingKind.NATIONAL,
        place="Paris",
        address="1 rue Descartes, 75005 Paris",
        organiser=bureau,
        status=MeetingStatus.HELD,
        proposals_open=False,
    )
    if created:
        day = datetime.date(2018, 1, 25)
        talks = [
            ("Impact des plateformes sur la formation des jeunes", "S. Arnaud"),
            ("Les plateformes au service des PME : résultats de l'enquête", "M. Benoît"),
            ("Plateformes et territoires : l'exemple de la Bourgogne-Franche-Comté", "Ph. Planard"),
        ]
        for n, (title, presenter) in enumerate(talks):
            item = _item(
                meeting,
                day,
                datetime.time(9 + n, 30),
                datetime.time(10 + n, 30),
                title,
                order=n + 1,
                presenters=presenter,
            )
            _attach(
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
        _publish_minutes(
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
        _action(
            meeting,
            "Relancer les plateformes qui n'ont pas répondu à l'enquête",
            datetime.date(2018, 4, 15),
            owners=[bureau],
            status=ActionStatus.DONE,
        )

    ga, created = _meeting(
        "Assemblée générale 2018",
        _at(2018, 1, 25, 14, 0),
        _at(2018, 1, 25, 16, 0),
        kind=MeetingKind.GENERAL_ASSEMBLY,
        place="Paris",
        organiser=bureau,
        status=MeetingStatus.HELD,
        proposals_open=False,
    )
    if created:
        day = datetime.date(2018, 1, 25)
        financial = _item(
            ga,
            day,
            datetime.time(14),
            datetime.time(14, 30),
            "Rapport financier",
            order=1,
            presenters="Trésorier",
        )
        activity = _item(
            ga,
            day,
            datetime.time(14, 30),
            datetime.time(15, 15),
            "Rapport d'activité",
            order=2,
            presenters="Ph. Planard",
        )
        _item(ga, day, datetime.time(15, 15), datetime.time(16), "Élection du bureau", order=3)
        _attach(
            ga,
            "Rapport financier 2017",
            "rapport-financier-2017.pdf",
            bureau,
            AttachmentKind.FINANCIAL_REPORT,
            financial,
        )
        _attach(
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
        _publish_minutes(
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
    meeting, created = _meeting(
        "Rencontre nationale au Creusot",
        _at(2018, 5, 17, 14, 0),
        _at(2018, 5, 18, 14, 0),
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
    _item(meeting, thu, t(14), None, "Accueil", order=1)
    groups = [
        ("Coût des prestations des plateformes", "Salle A", None),
        ("Reconnaissance du rôle de directeur de PFT", "Salle B", None),
        ("Relations avec les campus des métiers", "Salle C", people[3][0]),
        ("Plateformes et formation continue", "Salle D", people[4][0]),
    ]
    for n, (title, room, proposer) in enumerate(groups):
        item = _item(
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
    _item(
        meeting,
        thu,
        t(17),
        t(19),
        "Rencontre avec les entreprises de la région et ses 11 plateformes",
        order=6,
    )
    _item(meeting, thu, t(20), None, "Dîner", AgendaItemKind.MEAL, order=7)
    _item(meeting, fri, t(8, 30), t(11), "Visite d'entreprise", AgendaItemKind.VISIT, order=8)
    _item(meeting, fri, t(11), t(13), "Synthèse des ateliers et plan d'action", order=9)
    _item(meeting, fri, t(13), t(14), "Buffet déjeunatoire", AgendaItemKind.MEAL, order=10)
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


def seed_recent_and_upcoming(bureau, director, ministry, people):
    today = timezone.localdate()
    # A national meeting a few weeks ago, whose actions are still open.
    past_day = today - datetime.timedelta(days=45)
    autumn, created = _meeting(
        "Réunion nationale d'automne",
        _at(past_day.year, past_day.month, past_day.day, 10),
        _at(past_day.year, past_day.month, past_day.day, 16),
        kind=MeetingKind.NATIONAL,
        place="Visioconférence",
        video_url="https://visio.innovalo.fr/automne",
        organiser=bureau,
        status=MeetingStatus.HELD,
        proposals_open=False,
    )
    if created:
        _item(
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
        _publish_minutes(autumn, bureau, [("La campagne d'enquête est lancée.", "")])
        _action(
            autumn,
            "Compléter la fiche de la plateforme",
            today + datetime.timedelta(days=5),
            owners=[director],
        )
        _action(
            autumn,
            "Envoyer les chiffres d'impact 2025",
            today - datetime.timedelta(days=10),
            owners=[director],
            names="J. Ménagé",
        )
        _action(
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
    upcoming, created = _meeting(
        "Réunion nationale de décembre",
        _at(day.year, day.month, day.day, 10),
        _at(day.year, day.month, day.day, 17),
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
        _item(
            upcoming,
            day,
            datetime.time(10),
            datetime.time(11),
            "Accueil et actualités",
            order=1,
            presenters="Bureau",
        )
        _item(
            upcoming,
            day,
            datetime.time(11),
            datetime.time(12, 30),
            "Résultats de l'enquête d'impact",
            order=2,
        )
        _item(
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
            meeting=upcoming, user=director, platform=_platform("innovaltech")
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
    bureau_meeting, created = _meeting(
        "Réunion de bureau",
        _at(bureau_day.year, bureau_day.month, bureau_day.day, 18),
        _at(bureau_day.year, bureau_day.month, bureau_day.day, 19, 30),
        kind=MeetingKind.BUREAU,
        video_url="https://visio.innovalo.fr/bureau",
        organiser=bureau,
        status=MeetingStatus.HELD,
        proposals_open=False,
    )
    if created:
        _item(
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
        _action(
            bureau_meeting,
            "Réserver la salle du ministère",
            today + datetime.timedelta(days=3),
            owners=[bureau],
        )


def seed(stdout):
    bureau = User.objects.get(email="bureau@innovalo.demo")
    director = User.objects.get(email="directeur@innovalo.demo")
    ministry = User.objects.get(email="ministere@innovalo.demo")
    with transaction.atomic():
        people = _people()
        first = seed_january_2016(bureau, people)
        seed_january_2018(bureau, people, first)
        seed_le_creusot_2018(bureau, people)
        seed_recent_and_upcoming(bureau, director, ministry, people)
    stdout.write(f"meetings: {Meeting.objects.count()} meetings ready")
