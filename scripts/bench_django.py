"""The in-process half of `scripts/bench.py`: run with the database of one size in
DATABASE_URL, prints one JSON object on its last line.

    python scripts/bench_django.py prepare       # the bench's superuser; URLs; row counts
    python scripts/bench_django.py queries       # queries per page per role (test client)
    python scripts/bench_django.py ping          # a worker answers (Celery, REDIS_URL)
    python scripts/bench_django.py invitations N # N survey invitations through the worker
    python scripts/bench_django.py dues          # the year's dues reminders through the worker

Nothing here is imported by the portal; `scripts/bench.py` runs it in a subprocess.
"""

import datetime
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "innovalo.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Q  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

ADMIN_EMAIL = "banc-admin@innovalo.demo"
USERS = {
    "anonymous": None,
    "director": "directeur@innovalo.demo",
    "bureau": "bureau@innovalo.demo",
    "ministry": "ministere@innovalo.demo",
    "admin": ADMIN_EMAIL,
}
DEMO_PLATFORM = "innovaltech"


def _out(data):
    print(json.dumps(data, default=str))


# The bench's pages ------------------------------------------------------------------------


def _admin():
    from innovalo.enums import Role
    from innovalo.models import User

    user, _created = User.objects.get_or_create(
        email=ADMIN_EMAIL,
        defaults={"first_name": "Banc", "last_name": "Admin", "role": Role.BUREAU},
    )
    user.is_staff = user.is_superuser = user.is_active = True
    user.role = Role.BUREAU
    user.set_password(settings.DEMO_PASSWORD)
    user.save()
    return user


def pages() -> dict:
    """Concrete URLs from the demo data (the same rows at both sizes: the federation
    database is the national one plus seed_federation)."""
    from meetings.enums import MinutesStatus
    from meetings.models import Meeting
    from members.enums import DuesDocumentKind
    from members.models import DuesDocument, DuesLine, Platform
    from projects.models import Call, Theme
    from surveys.enums import CampaignKind, CampaignStatus
    from surveys.models import Campaign

    platform = Platform.objects.select_related("department__region").get(slug=DEMO_PLATFORM)
    domain = platform.domains.order_by("pk").first()
    line = DuesLine.objects.filter(platform=platform).order_by("-year").first()
    notice = (
        DuesDocument.objects.filter(kind=DuesDocumentKind.NOTICE, line__platform=platform)
        .order_by("-year", "-pk")
        .first()
    )
    meeting = (
        Meeting.objects.filter(minutes_versions__status=MinutesStatus.PUBLISHED)
        .order_by("pk")
        .first()
    )
    campaign = (
        Campaign.objects.filter(kind=CampaignKind.PLATFORM_SURVEY, status=CampaignStatus.PUBLISHED)
        .order_by("-year", "pk")
        .first()
    )
    theme = Theme.objects.order_by("pk").first()
    kind = Call.objects.order_by("pk").values_list("kind", flat=True).first()
    region = platform.department.region.slug
    slug = platform.slug
    directory_filtered = f"/plateformes/?region={region}" + (
        f"&domain={domain.slug}" if domain else ""
    )
    main = {
        "home": "/",
        "directory": "/plateformes/",
        "directory (filters)": directory_filtered,
        "platform profile": f"/plateformes/{slug}/",
        "platform edit": f"/plateformes/{slug}/modifier/",
        "dues board": "/cotisations/",
        "dues line": f"/cotisations/ligne/{line.pk}/",
        "platform's dues": f"/plateformes/{slug}/cotisations/",
        "meetings": "/reunions/",
        "meeting": f"/reunions/{meeting.pk}/",
        "survey results": f"/enquetes/{campaign.pk}/resultats/",
        "survey tracking": f"/enquetes/{campaign.pk}/suivi/",
        "calls (filters)": f"/appels/?kind={kind}&theme={theme.slug}",
        "projects": "/projets/",
        "dashboard": "/tableau-de-bord/",
    }
    pdfs = {
        "dues notice": f"/cotisations/documents/{notice.pk}/{notice.number}.pdf"
        if notice
        else f"/cotisations/ligne/{line.pk}/avis.pdf",
        "meeting minutes": f"/reunions/{meeting.pk}/compte-rendu.pdf",
        "survey national report": f"/enquetes/{campaign.pk}/rapport.pdf",
        "dashboard annual report": "/tableau-de-bord/rapport.pdf",
    }
    return {
        "main": main,
        "admin": {"admin dues changelist": "/admin/members/duesline/"},
        "pdfs": pdfs,
    }


def counts() -> dict:
    from innovalo.models import User
    from meetings.models import Meeting
    from members.models import DuesDocument, DuesLine, Payment, Platform
    from projects.models import Call, Project, SavedSearch
    from surveys.models import Answer, Response

    models = {
        "platforms": Platform,
        "users": User,
        "dues lines": DuesLine,
        "payments": Payment,
        "dues documents": DuesDocument,
        "meetings": Meeting,
        "survey responses": Response,
        "survey answers": Answer,
        "calls": Call,
        "projects": Project,
        "saved searches": SavedSearch,
    }
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        size = cursor.fetchone()[0]
    return {
        **{label: model.objects.count() for label, model in models.items()},
        "database MB": round(size / 1e6),
    }


def prepare():
    _admin()
    _out({"pages": pages(), "counts": counts()})


def queries():
    """Queries and status per page per role: the test client in this process, each
    page twice (the second is the steady state that the server serves)."""
    from innovalo.models import User

    # The national database's URLs (an argument), so that both sizes count the same pages.
    urls = json.loads(sys.argv[2]) if len(sys.argv) > 2 else pages()
    floor = _count(Client(), "/sante/")
    result = {"floor": {"/sante/": {"status": floor[0], "queries": floor[1], "sql": floor[2]}}}
    for role, email in USERS.items():
        client = Client()
        if email:
            client.force_login(User.objects.get(email=email))
        wanted = {**urls["main"], **urls["admin"]} if role == "admin" else dict(urls["main"])
        if role == "admin":
            wanted = {"dues board": urls["main"]["dues board"], **urls["admin"]}
        result[role] = {}
        for name, url in wanted.items():
            first = _count(client, url)
            second = _count(client, url)
            result[role][name] = {
                "status": second[0],
                "cold": first[1],
                "queries": second[1],
                "sql": second[2],
            }
    _out(result)


def _count(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    # The three slowest statements, to name a likely cause when a page is slow.
    slowest = sorted(context.captured_queries, key=lambda q: -float(q["time"]))[:3]
    return (
        response.status_code,
        len(context.captured_queries),
        [(float(q["time"]), q["sql"][:300]) for q in slowest],
    )


# Background work ---------------------------------------------------------------------------


def ping():
    from innovalo.tasks import ping as task

    _out({"pong": task.apply_async().get(timeout=120)})


def invitations(total: int):
    """An open external questionnaire with ``total`` respondents (imported as a CSV),
    then its invitations requested: the task leaves on commit for the worker; wait until
    every invitation is sent."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from innovalo.enums import Role
    from innovalo.models import User
    from surveys import services
    from surveys.demo.questions import IMPACT_SECTIONS, build
    from surveys.enums import CampaignKind, InvitationState
    from surveys.importers import read_respondents
    from surveys.models import Respondent
    from surveys.services.invitations import invitations_start
    from surveys.services.respondents import respondents_import

    actor = User.objects.filter(role=Role.BUREAU).order_by("pk").first()
    today = timezone.localdate()
    tag = int(time.time())
    with transaction.atomic():
        campaign = services.campaign_create(
            title=f"Banc d'essai : invitations ({tag})",
            year=today.year,
            kind=CampaignKind.EXTERNAL,
            opens_on=today - datetime.timedelta(days=1),
            closes_on=today + datetime.timedelta(days=30),
            actor=actor,
        )
        build(campaign, IMPACT_SECTIONS[:1], actor)
        campaign = services.campaign_open(campaign=campaign, actor=actor)
    text = "email;organisation;department;language\n" + "".join(
        f"pme{n}-{tag}@invitation.example;PME {n};02;{'en' if n % 10 == 0 else 'fr'}\n"
        for n in range(total)
    )
    upload = SimpleUploadedFile("banc.csv", text.encode(), content_type="text/csv")
    started = time.perf_counter()
    respondents_import(campaign=campaign, rows=read_respondents(upload), actor=actor)
    imported = time.perf_counter() - started
    with transaction.atomic():
        invitations_start(campaign=campaign, actor=actor)
    started = time.perf_counter()
    people = Respondent.objects.filter(campaign=campaign)
    busy = Q(invitation__in=[InvitationState.PENDING, InvitationState.SENDING])
    deadline = time.monotonic() + 900
    while people.filter(busy).exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    elapsed = time.perf_counter() - started
    sent = people.filter(invitation=InvitationState.SENT).count()
    _out({"imported_s": imported, "elapsed": elapsed, "sent": sent, "suffix": f"-{tag}@"})


def digests(total: int):
    """``total`` new people with a daily saved search each, every search with something
    new (built as ``manage.py bench_call_digests`` builds them, its own methods), then
    the digest job through the worker; the people are deleted afterwards."""
    import random

    from innovalo.tasks import send_due_reminders
    from projects.management.commands.bench_call_digests import Command

    command = Command()
    rng, now = random.Random(1), timezone.now()
    recent = command._recent_calls(10, now)
    watermark = min(call.published_at for call in recent) - datetime.timedelta(microseconds=1)
    strings = command._queries(rng, recent, 40, now)
    tag = f"1-{int(time.time())}"
    created = command._create(rng, tag, total, strings, watermark)
    started = time.perf_counter()
    result = send_due_reminders.apply_async(kwargs={"only": ["call_digests"]}).get(timeout=900)
    elapsed = time.perf_counter() - started
    command._delete(created)
    _out(
        {
            "sent": result.get("call_digests", 0),
            "elapsed": elapsed,
            "prefix": f"veille-{tag}-",
            "queries": len(strings),
        }
    )


def dues():
    """The year's dues reminders: every late line of the current year is moved so that
    its last active reminder step falls today (the federation's due date is 31 March:
    its steps' catch-up window is long gone), then the job runs through the worker;
    run twice, the second run must send nothing."""
    from innovalo.tasks import send_due_reminders
    from members.models import DuesLine, DuesReminderStep

    today = timezone.localdate()
    last = (
        DuesReminderStep.objects.filter(is_active=True)
        .order_by("-days_after_due")
        .values_list("days_after_due", flat=True)
        .first()
    )
    if last is None:
        _out({"error": "no active reminder step"})
        return
    due = today - datetime.timedelta(days=last)
    # A bench database reused (--reuse): the reminders of a previous run are forgotten.
    from innovalo.models import SentReminder

    SentReminder.objects.filter(
        rule="dues_reminder",
        target__startswith="members.duesline:",
        created_at__date__gte=today - datetime.timedelta(days=1),
    ).delete()
    moved = DuesLine.objects.late(today).filter(year=today.year).update(due_date=due)
    started = time.perf_counter()
    first = send_due_reminders.apply_async(kwargs={"only": ["dues_reminders"]}).get(timeout=900)
    elapsed = time.perf_counter() - started
    again = send_due_reminders.apply_async(kwargs={"only": ["dues_reminders"]}).get(timeout=900)
    _out(
        {
            "lines": moved,
            "sent": first.get("dues_reminders", 0),
            "elapsed": elapsed,
            "rerun_sent": again.get("dues_reminders", 0),
        }
    )


if __name__ == "__main__":
    command, *rest = sys.argv[1:] or ["prepare"]
    {
        "prepare": prepare,
        "queries": queries,
        "ping": ping,
        "invitations": lambda: invitations(int(rest[0]) if rest else 10_000),
        "digests": lambda: digests(int(rest[0]) if rest else 5_000),
        "dues": dues,
    }[command]()
