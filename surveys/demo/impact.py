"""The yearly impact survey of the labelled platforms: 2016 (the survey decided at the
ministry on 21 January 2016: prepared by mid-February, answers by mid-April, reminders
in April), 2017 (presented at the national meeting of 25 January 2018) and this year's,
open, closing in three weeks, with a reminder due today.

Each campaign is found by its title and year: a second seed adds nothing.
"""

import datetime
import random

from django.db.models import Prefetch
from django.utils import timezone

from members.enums import LabelStatus
from members.models import Platform, PlatformMembership

from .. import services
from ..enums import ResponseStatus
from ..models import Campaign
from .common import Row, demo_at, write_responses
from .questions import IMPACT_SECTIONS, NEW_IN_2017, add_question, build
from .values import platform_answers, platform_profile

DEMO_SLUG = "innovaltech"
TITLE = "Enquête d'impact {year}"
INTRODUCTION = (
    "Chaque année, l'association mesure ce que les plateformes labellisées font pour les "
    "jeunes (étudiants et apprentis), pour les PME et pour leur territoire. Les résultats "
    "nationaux sont présentés au ministère et à l'assemblée générale. Vos réponses sont "
    "enregistrées à chaque étape : vous pouvez revenir les compléter jusqu'à la clôture."
)
# The codes of the first section: what a draft left half-way holds.
FIRST_SECTION = {spec["code"] for spec in IMPACT_SECTIONS[0][2]}
# (submitted, drafts) among the 44 labelled platforms.
SHARES = {2016: (30, 4), 2017: (34, 3)}
CURRENT_SHARE = (0.5, 5)  # half submitted, five other drafts besides innovaltech's


def find(year):
    return Campaign.objects.filter(title=TITLE.format(year=year), year=year).first()


def labelled_platforms():
    """The labelled platforms, with what their answers are drawn from, by slug."""
    return (
        Platform.objects.filter(label_status=LabelStatus.LABELLED)
        .prefetch_related(
            "domains",
            "equipment",
            Prefetch(
                "memberships",
                queryset=PlatformMembership.objects.select_related("user").order_by("role", "pk"),
            ),
        )
        .order_by("slug")
    )


def _ranked(platforms, year):
    """The platforms, the most diligent first: a platform that answers one year tends to
    answer the next; innovaltech always among the first (its director demonstrates)."""

    def score(platform):
        if platform.slug == DEMO_SLUG:
            return 10.0
        steady = random.Random(f"diligence:{platform.slug}").random()
        return steady + 0.4 * random.Random(f"diligence:{platform.slug}:{year}").random()

    return sorted(platforms, key=score, reverse=True)


def _person(platform):
    membership = next(iter(platform.memberships.all()), None)
    return membership.user if membership else None


def _row(platform, year, status, saved_at, codes=None, version=3):
    person = _person(platform)
    profile = platform_profile(
        platform.slug,
        [domain.slug for domain in platform.domains.all()],
        next((item.name for item in platform.equipment.all()), "un banc d'essais"),
    )
    contact = f"{person.get_full_name()}, direction" if person else ""
    return Row(
        values=platform_answers(platform.slug, year, profile, contact=contact, codes=codes),
        platform_id=platform.pk,
        status=status,
        saved_at=saved_at,
        submitted_by_id=person.pk if person and status == ResponseStatus.SUBMITTED else None,
        version=version,
    )


def _moment(rng, first: datetime.date, last: datetime.date) -> datetime.datetime:
    day = first + datetime.timedelta(days=rng.randint(0, max(0, (last - first).days)))
    return demo_at(day, rng.randint(8, 18), rng.choice([0, 15, 30, 45]))


def _answers(campaign, questions, platforms, submitted, drafts, *, last_day, skip=()):
    """Write ``submitted`` responses and ``drafts`` (first section only), the most
    diligent platforms first; returns how many were written."""
    rng = random.Random(f"moments:{campaign.year}")
    ranked = [
        platform for platform in _ranked(platforms, campaign.year) if platform.slug not in skip
    ]
    first_day = campaign.opens_on + datetime.timedelta(days=2)
    asked = set(questions)
    rows = [
        _row(platform, campaign.year, ResponseStatus.SUBMITTED, _moment(rng, first_day, last_day),
             codes=asked, version=rng.randint(2, 5))
        for platform in ranked[:submitted]
    ]  # fmt: skip
    rows += [
        _row(platform, campaign.year, ResponseStatus.DRAFT, _moment(rng, first_day, last_day),
             codes=FIRST_SECTION, version=1)
        for platform in ranked[submitted : submitted + drafts]
    ]  # fmt: skip
    write_responses(campaign, rows, questions)
    return len(rows)


def _questions(campaign):
    return {question.code: question for question in campaign.questions.all()}


def seed_2016(bureau, platforms):
    campaign = find(2016)
    if campaign:
        return campaign
    campaign = services.campaign_create(
        title=TITLE.format(year=2016),
        year=2016,
        opens_on=datetime.date(2016, 2, 15),
        closes_on=datetime.date(2016, 4, 15),
        introduction=INTRODUCTION,
        reminder_days=[14, 7, 2],  # 1, 8 and 13 April
        actor=bureau,
    )
    questions = build(campaign, IMPACT_SECTIONS, bureau)
    services.campaign_open(campaign=campaign, actor=bureau)
    submitted, drafts = SHARES[2016]
    _answers(campaign, questions, platforms, submitted, drafts, last_day=campaign.closes_on)
    services.campaign_close(campaign=campaign, actor=bureau)
    return services.campaign_publish(campaign=campaign, actor=bureau)


def seed_2017(bureau, platforms, previous):
    campaign = find(2017)
    if campaign:
        return campaign
    campaign = services.campaign_copy(campaign=previous, year=2017, actor=bureau)
    section_title, spec = NEW_IN_2017
    add_question(campaign, campaign.sections.get(title=section_title), spec, bureau)
    services.campaign_open(campaign=campaign, actor=bureau)
    submitted, drafts = SHARES[2017]
    _answers(
        campaign, _questions(campaign), platforms, submitted, drafts, last_day=campaign.closes_on
    )
    services.campaign_close(campaign=campaign, actor=bureau)
    return services.campaign_publish(campaign=campaign, actor=bureau)


def seed_current(bureau, platforms, previous):
    """This year's campaign: opened five weeks ago, closing in three; half the platforms
    submitted, innovaltech has a draft in progress, and the 21-day reminder is due today."""
    today = timezone.localdate()
    campaign = find(today.year)
    if campaign or today.year <= previous.year:
        return campaign
    campaign = services.campaign_copy(campaign=previous, year=today.year, actor=bureau)
    campaign = services.campaign_update(
        campaign=campaign,
        actor=bureau,
        opens_on=today - datetime.timedelta(days=35),
        closes_on=today + datetime.timedelta(days=21),
        reminder_days=[21, 14, 7, 2],
        max_reminders=4,
    )
    campaign = services.campaign_open(campaign=campaign, actor=bureau)
    share, drafts = CURRENT_SHARE
    submitted = round(len(platforms) * share)
    _answers(
        campaign,
        _questions(campaign),
        platforms,
        submitted,
        drafts,
        last_day=today - datetime.timedelta(days=1),
        skip={DEMO_SLUG},
    )
    demo = next((platform for platform in platforms if platform.slug == DEMO_SLUG), None)
    if demo is not None:
        _draft_in_progress(campaign, demo)
    return campaign


def _draft_in_progress(campaign, platform):
    """innovaltech's director saved the young people's section, then part of the SMEs'
    one, through the services (so the response's history shows both saves)."""
    person = _person(platform)
    values = _row(platform, campaign.year, ResponseStatus.DRAFT, None).values
    response = services.response_start(campaign=campaign, platform=platform, actor=person)
    for codes in (FIRST_SECTION, {"pme_servies", "prestations", "pme_taille_secteur"}):
        services.response_save_draft(
            response=response,
            answers={code: value for code, value in values.items() if code in codes},
            expected_version=response.version,
            actor=person,
        )
    return response
