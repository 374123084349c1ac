"""What the demo meetings share: people, dates, minutes, actions and documents."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from innovalo.enums import Role

from .. import services
from ..enums import (
    ActionStatus,
    AgendaItemKind,
    AttachmentKind,
)
from ..models import ActionItem, AgendaItem, Meeting

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


def demo_at(year, month, day, hour=0, minute=0):
    return timezone.make_aware(datetime.datetime(year, month, day, hour, minute))


def demo_item(meeting, day, start, end, title, kind=AgendaItemKind.TALK, order=0, **extra):
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


def demo_meeting(title, start, end, **fields):
    """(meeting, created): found by title and start, so that a second seed adds nothing."""
    return Meeting.objects.get_or_create(title=title, start=start, defaults={"end": end, **fields})


def demo_platform(slug):
    from members.models import Platform

    return Platform.objects.filter(slug=slug).first() if slug else None


def demo_people():
    from innovalo.management.commands.seed_demo import demo_user

    people = []
    for login, first, last, slug in PARTICIPANTS_2016:
        user = demo_user(f"{login}@innovalo.demo", first, last, Role.DIRECTOR)
        people.append((user, demo_platform(slug)))
    return people


def demo_publish_minutes(meeting, bureau, sections, summary=""):
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


def demo_action(meeting, title, due, *, owners=(), names="", item=None, status=ActionStatus.OPEN):
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


def demo_attach(meeting, title, filename, bureau, kind=AttachmentKind.PRESENTATION, item=None):
    services.attachment_add(
        meeting=meeting,
        uploaded=SimpleUploadedFile(filename, TINY_PDF, content_type="application/pdf"),
        title=title,
        kind=kind,
        agenda_item=item,
        actor=bureau,
    )
