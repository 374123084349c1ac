"""Data to measure the surveys pages with many responses (issue 9, "Performance").

    manage.py seed_survey_bench --responses 100000 [--respondents 10000] [--platforms 0]
                                [--seed 1] [--status published]

A platform survey has one response per platform, so 100,000 responses in one campaign
need an external questionnaire. The command creates two campaigns of the current
year, with the same questionnaire (the impact survey and the InnovENT-E questions:
every question type, conditions, ministry indicators, 29 questions):

- an **external questionnaire** with ``--responses`` respondents who answered
  (92 % submitted, 8 % drafts), plus ``--respondents`` respondents who did not
  (invited and reminded 0 to 3 times, not yet invited, opted out, bounced), each with
  the salt and hash of a token link (the tokens are never printed): the results,
  export and tracking pages, the respondents list and the invitations;
- a **platform survey** answered by the platforms expected to answer (85 % submitted,
  5 % drafts), after ``--platforms`` labelled platforms are added in bulk (0: the
  platforms already there; the national report is measured with about 50): the
  results by region, the national report and the platforms' tracking.

Questionnaires are built through the services. Respondents and responses are written
with ``bulk_create`` in batches of 2,000, one transaction per 2,000 respondents, in
constant memory; the answers (some 29 per response, three million for 100,000
responses) go through PostgreSQL's COPY (``surveys.demo.common.copy_answers``), with
``bulk_create`` on other databases: bulk_create's Python alone took over four minutes
for them. Deterministic for a given ``--seed``. Refused unless ``ALLOW_DEMO_DATA``.
Each run adds two campaigns; nothing is deleted.
"""

import datetime
import itertools
import random
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from innovalo.enums import Role
from innovalo.models import User
from members.enums import LabelStatus
from members.models import Department, Platform
from surveys import services
from surveys.demo.common import BATCH, Row, write_responses
from surveys.demo.questions import IMPACT_SECTIONS, INNOVENTE_SECTIONS, NEW_IN_2017, build
from surveys.demo.values import platform_answers, platform_profile, sme_answers
from surveys.enums import (
    CampaignKind,
    CampaignStatus,
    InvitationState,
    RespondentStatus,
    ResponseStatus,
)
from surveys.models import Answer, Respondent, Response
from surveys.models.responses import hash_token
from surveys.selectors.expected import expected_platforms
from surveys.services.respondents import derive_token, new_salt

# Respondents written (with their responses and answers) per transaction.
CHUNK = 2000
SECTIONS = [
    *IMPACT_SECTIONS[:1],
    (IMPACT_SECTIONS[1][0], IMPACT_SECTIONS[1][1], [*IMPACT_SECTIONS[1][2], NEW_IN_2017[1]]),
    *IMPACT_SECTIONS[2:],
    *INNOVENTE_SECTIONS,
]
# The respondents who did not answer: (status, invited, share).
SILENT = [
    (RespondentStatus.INVITED, True, 0.70),
    (RespondentStatus.INVITED, False, 0.20),
    (RespondentStatus.OPTED_OUT, True, 0.06),
    (RespondentStatus.BOUNCED, True, 0.04),
]
DRAFTS = 0.08  # of the external responses
PLATFORMS_SUBMITTED, PLATFORMS_DRAFTS = 0.85, 0.05


def _shares(total, shares) -> list[int]:
    """``total`` split by ``shares`` (the last takes the remainder)."""
    counts = [round(total * share) for share in shares[:-1]]
    return [*counts, total - sum(counts)]


def _link_hash(respondent) -> str:
    return hash_token(derive_token(respondent.pk, respondent.token_salt))


def _reserve_ids(model, count) -> list | None:
    """``count`` ids drawn from the table's sequence (PostgreSQL), or None elsewhere."""
    if connection.vendor != "postgresql" or not count:
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, model._meta.pk.column, count],
        )
        return [row[0] for row in cursor.fetchall()]


def _analyze(*models):
    """Fresh planner statistics after a bulk load (PostgreSQL), so that the pages are
    measured as they will run, not with the statistics of empty tables."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def _chunks(iterable, size):
    iterator = iter(iterable)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


class Command(BaseCommand):
    help = "Create survey data for the benchmarks (many responses). Refused in production."

    def add_arguments(self, parser):
        parser.add_argument("--responses", type=int, default=100_000)
        parser.add_argument("--respondents", type=int, default=10_000)
        parser.add_argument("--platforms", type=int, default=0)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--status",
            choices=[CampaignStatus.OPEN, CampaignStatus.CLOSED, CampaignStatus.PUBLISHED],
            default=CampaignStatus.PUBLISHED,
        )

    def handle(self, *args, responses, respondents, platforms, seed, status, **options):
        if not settings.ALLOW_DEMO_DATA:
            raise CommandError("Benchmark data is only for development (ALLOW_DEMO_DATA).")
        if min(responses, respondents, platforms) < 0:
            raise CommandError("Counts cannot be negative.")
        self.rng, self.seed, self.year = random.Random(seed), seed, timezone.localdate().year
        self.departments = list(Department.objects.order_by("code").values_list("pk", flat=True))
        if not self.departments:
            raise CommandError("No departments: run the migrations first.")
        actor = User.objects.filter(role=Role.BUREAU).order_by("pk").first()
        started = time.perf_counter()

        external, questions = self._campaign(CampaignKind.EXTERNAL, status, actor)
        answered = self._external_responses(external, questions, responses)
        silent = self._silent_respondents(external, respondents)
        self._finish(external, status, actor)
        self.stdout.write(
            f"external questionnaire {external.pk}: {answered} responses, "
            f"{answered + silent} respondents ({time.perf_counter() - started:.1f} s)"
        )

        lap = time.perf_counter()
        added = self._platforms(platforms)
        survey, questions = self._campaign(CampaignKind.PLATFORM_SURVEY, status, actor)
        answered = self._platform_responses(survey, questions)
        self._finish(survey, status, actor)
        self.stdout.write(
            f"platform survey {survey.pk}: {answered} responses, {added} platforms added "
            f"({time.perf_counter() - lap:.1f} s)"
        )
        _analyze(Respondent, Response, Answer)
        self.stdout.write(
            self.style.SUCCESS(
                f"survey benchmark data ready in {time.perf_counter() - started:.1f} s"
            )
        )

    # Campaigns ---------------------------------------------------------------------------

    def _campaign(self, kind, status, actor):
        """A new campaign with the benchmark's questionnaire, open (to take responses)."""
        today = timezone.localdate()
        day = datetime.timedelta(days=1)
        opens_on, closes_on = (
            (today - 30 * day, today + 30 * day)
            if status == CampaignStatus.OPEN
            else (today - 60 * day, today - day)
        )
        what = (
            "questionnaire externe" if kind == CampaignKind.EXTERNAL else "enquête des plateformes"
        )
        with transaction.atomic():
            campaign = services.campaign_create(
                title=f"Banc d'essai : {what} (graine {self.seed})",
                year=self.year,
                kind=kind,
                opens_on=opens_on,
                closes_on=closes_on,
                actor=actor,
            )
            questions = build(campaign, SECTIONS, actor)
            return services.campaign_open(campaign=campaign, actor=actor), questions

    def _finish(self, campaign, status, actor):
        if status != CampaignStatus.OPEN:
            campaign = services.campaign_close(campaign=campaign, actor=actor)
        if status == CampaignStatus.PUBLISHED:
            campaign = services.campaign_publish(campaign=campaign, actor=actor)
        return campaign

    def _values(self, key) -> dict:
        """The answers to the whole questionnaire: a platform's numbers and an SME's
        choices (one in twenty exports when it does not innovate, one in two when it does)."""
        rng = self.rng
        values = platform_answers(key, self.year, platform_profile(key), contact="Direction")
        innovates = rng.random() < 0.55
        exports = rng.random() < (0.5 if innovates else 0.05)
        values.update(sme_answers(rng, innovates=innovates, exports=exports))
        return values

    def _row(self, values, draft, **owner) -> Row:
        if draft:  # left half-way: the first questions only
            values = dict(itertools.islice(values.items(), 6))
        return Row(
            values,
            status=ResponseStatus.DRAFT if draft else ResponseStatus.SUBMITTED,
            saved_at=self.now,
            **owner,
        )

    # The external questionnaire ----------------------------------------------------------

    def _respondents(self, campaign, numbers, *, status, invited) -> list:
        """Respondents with the salt of their link and the hash of its token, as an
        import stores them. The token derives from the id: on PostgreSQL the ids are
        drawn from the table's sequence first (one query), elsewhere the hashes are
        written after the insert (``bulk_update``, slow with many rows)."""
        rng, now = self.rng, timezone.now()
        ids = _reserve_ids(Respondent, len(numbers))
        people = []
        for index, number in enumerate(numbers):
            person = Respondent(
                pk=ids[index] if ids else None,
                campaign_id=campaign.pk,
                email=f"pme{number:07d}@banc-{self.seed}.example",
                organisation=f"PME d'essai {number}",
                siret=str(rng.randint(10**13, 10**14 - 1)),
                department_id=rng.choice(self.departments),
                token_salt=new_salt(),
                status=status,
                invitation=InvitationState.SENT if invited else InvitationState.NONE,
                invited_at=now if invited else None,
                reminders_sent=rng.randint(0, 3) if invited else 0,
                opted_out_at=now if status == RespondentStatus.OPTED_OUT else None,
            )
            if ids:
                person.token_hash = _link_hash(person)
            people.append(person)
        people = Respondent.objects.bulk_create(people, batch_size=BATCH)
        if not ids:
            for person in people:
                person.token_hash = _link_hash(person)
            Respondent.objects.bulk_update(people, ["token_hash"], batch_size=BATCH)
        return people

    def _external_responses(self, campaign, questions, total) -> int:
        """``total`` respondents who answered, with their responses, CHUNK at a time."""
        self.now = timezone.now()
        written = 0
        for numbers in _chunks(range(total), CHUNK):
            drafts = {number for number in numbers if self.rng.random() < DRAFTS}
            with transaction.atomic():
                people = self._respondents(
                    campaign, numbers, status=RespondentStatus.COMPLETED, invited=True
                )
                rows = [
                    self._row(
                        self._values(f"banc-{self.seed}-{number}"),
                        number in drafts,
                        respondent_id=person.pk,
                    )
                    for number, person in zip(numbers, people, strict=True)
                ]
                write_responses(campaign, rows, questions, dated=False, copy=True)
                started = [row.respondent_id for row in rows if row.status == ResponseStatus.DRAFT]
                Respondent.objects.filter(pk__in=started).update(status=RespondentStatus.STARTED)
            written += len(rows)
            if written % (CHUNK * 10) == 0:
                self.stdout.write(f"  {written} / {total} responses")
        return written

    def _silent_respondents(self, campaign, total) -> int:
        """``total`` respondents who did not answer (invited or not, opted out, bounced)."""
        first = next_number = campaign.respondents.count()
        counts = _shares(total, [share for _status, _invited, share in SILENT])
        for (status, invited, _share), count in zip(SILENT, counts, strict=True):
            for numbers in _chunks(range(next_number, next_number + count), CHUNK):
                with transaction.atomic():
                    self._respondents(campaign, numbers, status=status, invited=invited)
            next_number += count
        return next_number - first

    # The platform survey -----------------------------------------------------------------

    def _platforms(self, count) -> int:
        """``count`` labelled platforms added in bulk (bench data: no history rows)."""
        first = Platform.objects.filter(slug__startswith=f"banc-{self.seed}-").count()
        for numbers in _chunks(range(first, first + count), BATCH):
            Platform.objects.bulk_create(
                Platform(
                    name=f"Plateforme d'essai {self.seed}-{number}",
                    slug=f"banc-{self.seed}-{number}",
                    city="Ville d'essai",
                    department_id=self.rng.choice(self.departments),
                    label_status=LabelStatus.LABELLED,
                    is_member=True,
                )
                for number in numbers
            )
        return count

    def _platform_responses(self, campaign, questions) -> int:
        """One response per platform expected to answer, but those not started."""
        self.now = timezone.now()
        written = 0
        platforms = expected_platforms().order_by("pk").values_list("pk", "slug")
        for chunk in _chunks(platforms.iterator(chunk_size=CHUNK), CHUNK):
            rows = []
            for pk, slug in chunk:
                draw = self.rng.random()
                if draw < PLATFORMS_SUBMITTED + PLATFORMS_DRAFTS:
                    draft = draw >= PLATFORMS_SUBMITTED
                    rows.append(self._row(self._values(slug), draft, platform_id=pk))
            with transaction.atomic():
                write_responses(campaign, rows, questions, dated=False, copy=True)
            written += len(rows)
        return written
