"""The InnovENT-E questionnaire of 2019: an external, anonymous questionnaire sent to
SMEs during the tour (40 stop cities, June to October 2019), answered by token link.

300 respondents: 180 completed, 15 started and left, 25 opted out, 8 bounced, the
others never answered. Among those who completed, 100 innovate and 50 of them
export; 80 do not innovate and 4 of them export: "one firm in twenty exports when it
does not innovate, one in two when it does", as the tour's press release said.

Each respondent has the salt of its link and the hash of its token, stored as an
import stores them (``surveys.services.respondents``); the demo never prints a token.
"""

import datetime
import itertools
import random

from django.utils.text import slugify

from members.models import Department

from .. import services
from ..enums import CampaignKind, InvitationState, RespondentStatus, ResponseStatus
from ..models import Campaign, Respondent
from ..models.responses import hash_token
from ..services.respondents import derive_token, new_salt
from .common import Row, demo_at, write_responses
from .questions import INNOVENTE_SECTIONS, build
from .values import sme_answers

TITLE = "Questionnaire InnovENT-E 2019"
OPENS_ON = datetime.date(2019, 6, 3)
CLOSES_ON = datetime.date(2019, 10, 31)
INTRODUCTION = (
    "Le tour InnovENT-E passe par 40 villes de juin à octobre 2019 à la rencontre des PME. "
    "Ce questionnaire anonyme, de cinq minutes, nous aide à comprendre vos projets et ce "
    "que les plateformes technologiques de votre région peuvent faire pour vous."
)
# (innovates, exports): how many of the respondents who completed.
COMPLETED = {(True, True): 50, (True, False): 50, (False, True): 4, (False, False): 76}
STARTED, OPTED_OUT, BOUNCED, SILENT = 15, 25, 8, 72
FIRST_SECTION = {spec["code"] for spec in INNOVENTE_SECTIONS[0][2]}

TRADES = [
    "Ateliers", "Mécanique", "Usinage", "Plastiques", "Menuiserie", "Laiterie", "Imprimerie",
    "Électronique", "Chaudronnerie", "Bureau d'études", "Fonderie", "Textiles", "Conserverie",
    "Serrurerie", "Robotique",
]  # fmt: skip
NAMES = [
    "Durand", "Martin", "Lefebvre", "du Val", "de l'Est", "Moreau", "Girard", "Bonnet",
    "Dupont", "Lambert", "Fontaine", "Rousseau", "Vincent", "Muller", "Faure", "Blanc",
    "Guérin", "Boyer", "Garnier", "Chevalier",
]  # fmt: skip


def _respondents(campaign, rng) -> list[Respondent]:
    departments = list(Department.objects.order_by("code"))
    organisations = [f"{trade} {name}" for trade, name in itertools.product(TRADES, NAMES)]
    rng.shuffle(organisations)
    total = sum(COMPLETED.values()) + STARTED + OPTED_OUT + BOUNCED + SILENT
    return Respondent.objects.bulk_create(
        Respondent(
            campaign=campaign,
            email=f"contact@{slugify(organisation)}.example",
            organisation=organisation,
            siret=str(rng.randint(10**13, 10**14 - 1)) if rng.random() < 0.8 else "",
            department=rng.choice(departments) if departments else None,
            token_salt=new_salt(),
        )
        for organisation in organisations[:total]
    )


def _moment(rng):
    return demo_at(
        OPENS_ON + datetime.timedelta(days=rng.randint(3, (CLOSES_ON - OPENS_ON).days)),
        rng.randint(8, 19),
        rng.randint(0, 59),
    )


def seed_innovente(bureau):
    campaign = Campaign.objects.filter(title=TITLE, year=2019).first()
    if campaign:
        return campaign
    campaign = services.campaign_create(
        title=TITLE,
        year=2019,
        kind=CampaignKind.EXTERNAL,
        opens_on=OPENS_ON,
        closes_on=CLOSES_ON,
        introduction=INTRODUCTION,
        anonymous=True,
        actor=bureau,
    )
    questions = build(campaign, INNOVENTE_SECTIONS, bureau)
    services.campaign_open(campaign=campaign, actor=bureau)
    rng = random.Random("innovente-2019")
    respondents = _respondents(campaign, rng)
    people = iter(respondents)
    rows, states = [], []
    for (innovates, exports), count in COMPLETED.items():
        for respondent in itertools.islice(people, count):
            answers = sme_answers(rng, innovates=innovates, exports=exports)
            rows.append(Row(answers, respondent_id=respondent.pk, saved_at=_moment(rng)))
            states.append((respondent, RespondentStatus.COMPLETED, rows[-1].saved_at))
    for respondent in itertools.islice(people, STARTED):
        answers = sme_answers(rng, innovates=rng.random() < 0.5, exports=False, codes=FIRST_SECTION)
        rows.append(
            Row(answers, respondent_id=respondent.pk, status=ResponseStatus.DRAFT,
                saved_at=_moment(rng))
        )  # fmt: skip
        states.append((respondent, RespondentStatus.STARTED, None))
    for status, count in [
        (RespondentStatus.OPTED_OUT, OPTED_OUT),
        (RespondentStatus.BOUNCED, BOUNCED),
        (RespondentStatus.INVITED, SILENT),
    ]:
        for respondent in itertools.islice(people, count):
            states.append(
                (respondent, status, None if status == RespondentStatus.INVITED else _moment(rng))
            )
    write_responses(campaign, rows, questions)
    reminded_on = [demo_at(CLOSES_ON - datetime.timedelta(days=days), 9) for days in (14, 7, 2)]
    for respondent, status, until in states:
        # Reminded on each reminder day until they completed or opted out (never bounced).
        sent = [] if status == RespondentStatus.BOUNCED else [
            moment for moment in reminded_on if until is None or moment < until
        ]  # fmt: skip
        respondent.token_hash = hash_token(derive_token(respondent.pk, respondent.token_salt))
        respondent.status = status
        respondent.invitation = InvitationState.SENT  # all invited as the tour began
        respondent.invited_at = demo_at(OPENS_ON, 8)
        respondent.reminders_sent = len(sent)
        respondent.last_reminded_at = sent[-1] if sent else None
        if status == RespondentStatus.OPTED_OUT:
            respondent.opted_out_at = until
    Respondent.objects.bulk_update(
        respondents,
        [
            "token_hash",
            "status",
            "invitation",
            "invited_at",
            "reminders_sent",
            "last_reminded_at",
            "opted_out_at",
        ],
    )
    return services.campaign_close(campaign=campaign, actor=bureau)
