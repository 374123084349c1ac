"""Demo surveys from the association's documents, called by `manage.py seed_demo`.

- "Enquête d'impact 2016": prepared by mid-February, answers by mid-April, reminders in
  April; 30 of the 44 labelled platforms submitted; results published.
- "Enquête d'impact 2017": copied from 2016 (codes kept), one question added; results
  published and presented at the national meeting of 25 January 2018, whose agenda
  item links to them.
- This year's campaign, copied from 2017: open, closing in three weeks with a reminder
  due today; half the platforms submitted, innovaltech has a draft in progress.
- "Questionnaire InnovENT-E 2019": external and anonymous, 300 SMEs with token links,
  whose answers give "one firm in twenty exports when it does not innovate, one in two
  when it does".

The questionnaires are built through the services (with their history); past
responses are written in bulk with their dates. Idempotent: each campaign is found by
its title and year, and is only built when it is created.
"""

from django.db import transaction

from innovalo.models import User

from ..models import Campaign, Response
from .impact import labelled_platforms, seed_2016, seed_2017, seed_current
from .innovente import seed_innovente


def seed(stdout):
    from meetings.demo.archive import link_survey_results_2018

    bureau = User.objects.get(email="bureau@innovalo.demo")
    with transaction.atomic():
        platforms = list(labelled_platforms())
        first = seed_2016(bureau, platforms)
        second = seed_2017(bureau, platforms, first)
        link_survey_results_2018(second)
        seed_current(bureau, platforms, second)
        seed_innovente(bureau)
    stdout.write(
        f"surveys: {Campaign.objects.count()} campaigns, {Response.objects.count()} responses ready"
    )
