"""Survey responses of the federation: the platforms' yearly impact survey over twenty
years (the demo's campaigns of a year are reused, the other years copied from one of
them through the services, so that the codes compare) and one external questionnaire
to firms (the survey benchmark's, ``seed_survey_bench``, with its token links).

Answers go through PostgreSQL's COPY (``surveys.demo.common.write_responses``).
"""

import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from innovalo.enums import Role
from innovalo.models import User
from members.enums import LabelStatus
from members.models import Department
from surveys import services
from surveys.demo.common import Row, write_responses
from surveys.demo.impact import FIRST_SECTION
from surveys.demo.questions import IMPACT_SECTIONS, build
from surveys.demo.values import platform_answers, platform_profile
from surveys.enums import CampaignKind, CampaignStatus, ResponseStatus
from surveys.models import Campaign, Response

from .common import PLATFORM_RESPONSE_SHARE, aware, chunks, day_in, years

TITLE = "Enquête d'impact {year}"
EXTERNAL_TITLE = "Questionnaire PME de la fédération {year}"


def _actor():
    return User.objects.filter(role=Role.BUREAU).order_by("pk").first()


def _campaigns(all_years, actor) -> dict:
    """{year: campaign} of the platform survey, one per year: the existing first one,
    else a copy of the nearest (or the demo questionnaire built anew), opened."""
    existing = {}
    for campaign in Campaign.objects.filter(
        kind=CampaignKind.PLATFORM_SURVEY, year__in=all_years
    ).order_by("pk"):
        existing.setdefault(campaign.year, campaign)
    source = max(existing.values(), key=lambda c: (c.year, c.pk), default=None)
    today = timezone.localdate()
    for year in all_years:
        if year in existing:
            continue
        if source is None:
            source = services.campaign_create(
                title=TITLE.format(year=year),
                year=year,
                opens_on=datetime.date(year, 2, 15),
                closes_on=datetime.date(year, 4, 15),
                actor=actor,
            )
            build(source, IMPACT_SECTIONS, actor)
            campaign = source
        else:
            campaign = services.campaign_copy(campaign=source, year=year, actor=actor)
        if year == today.year:
            campaign = services.campaign_update(
                campaign=campaign,
                actor=actor,
                opens_on=today - datetime.timedelta(days=30),
                closes_on=today + datetime.timedelta(days=30),
            )
        existing[year] = services.campaign_open(campaign=campaign, actor=actor)
    return existing


def _finish(campaign, actor):
    """A past year's campaign ends published (the demo's stay as they are)."""
    if campaign.year >= timezone.localdate().year:
        return
    if campaign.status == CampaignStatus.OPEN:
        campaign = services.campaign_close(campaign=campaign, actor=actor)
    if campaign.status == CampaignStatus.CLOSED:
        services.campaign_publish(campaign=campaign, actor=actor)


def generate(rng, seed, platforms, total: int, report):
    actor = _actor()
    all_years = years()
    current = all_years[-1]
    wanted = round(total * PLATFORM_RESPONSE_SHARE)
    pairs = [
        (year, platform)
        for platform in platforms
        if platform.label_status != LabelStatus.NOT_LABELLED
        for year in range(platform.joined, current + 1)
    ]
    chosen = sorted(rng.sample(range(len(pairs)), min(wanted, len(pairs))))
    by_year = {}
    for index in chosen:
        year, platform = pairs[index]
        by_year.setdefault(year, []).append(platform)

    with transaction.atomic():
        campaigns = _campaigns(all_years, actor)
    written = 0
    for year in all_years:
        campaign = campaigns[year]
        questions = {question.code: question for question in campaign.questions.all()}
        asked = set(questions)
        draft_codes = FIRST_SECTION & asked
        drafts = 0.1 if year == current else 0.06
        last = min(datetime.date(year, 12, 31), timezone.localdate())
        for chunk in chunks(by_year.get(year, []), 2000):
            rows = []
            for platform in chunk:
                draft = rng.random() < drafts
                values = platform_answers(
                    platform.slug,
                    year,
                    platform_profile(platform.slug),
                    contact="Direction",
                    codes=draft_codes if draft else asked,
                )
                rows.append(
                    Row(
                        values,
                        platform_id=platform.pk,
                        status=ResponseStatus.DRAFT if draft else ResponseStatus.SUBMITTED,
                        saved_at=aware(day_in(rng, datetime.date(year, 2, 20), last), 11),
                        submitted_by_id=None if draft else platform.director_id,
                        version=1 if draft else rng.randint(2, 5),
                    )
                )
            with transaction.atomic():
                write_responses(campaign, rows, questions, dated=False, copy=True)
            written += len(rows)
        # Dated as they were sent (one query; drafts keep today's date).
        Response.objects.filter(
            campaign=campaign, platform_id__in=[p.pk for p in by_year.get(year, [])]
        ).exclude(submitted_at=None).update(
            created_at=F("submitted_at") - datetime.timedelta(days=3),
            updated_at=F("submitted_at"),
        )
        with transaction.atomic():
            _finish(campaign, actor)
    report.add("platform survey campaigns", len(campaigns))
    report.add("platform survey responses", written)
    report.add("external survey responses", _external(rng, seed, total - written, actor))


def _external(rng, seed, responses: int, actor) -> int:
    """One external questionnaire of this year with ``responses`` firms who answered and
    a tenth as many who did not, through the survey benchmark's own generator."""
    from surveys.management.commands.seed_survey_bench import Command as SurveyBench

    if responses <= 0:
        return 0
    bench = SurveyBench()
    bench.rng, bench.seed, bench.year = rng, seed, timezone.localdate().year
    bench.departments = list(Department.objects.order_by("code").values_list("pk", flat=True))
    campaign, questions = bench._campaign(CampaignKind.EXTERNAL, CampaignStatus.PUBLISHED, actor)
    answered = bench._external_responses(campaign, questions, responses)
    bench._silent_respondents(campaign, max(1, responses // 10))
    bench._finish(campaign, CampaignStatus.PUBLISHED, actor)
    Campaign.objects.filter(pk=campaign.pk).update(title=EXTERNAL_TITLE.format(year=bench.year))
    return answered
