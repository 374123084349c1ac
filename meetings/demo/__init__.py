"""Demo meetings from the association's documents, called by `manage.py seed_demo`.

Idempotent: each meeting is found by its title and start; its agenda, invitations, minutes and
actions are only built when the meeting is created.
"""

from django.db import transaction

from innovalo.models import User

from ..models import Meeting
from .archive import seed_january_2016, seed_january_2018, seed_le_creusot_2018
from .common import demo_people
from .recent import seed_recent_and_upcoming


def seed(stdout):
    bureau = User.objects.get(email="bureau@innovalo.demo")
    director = User.objects.get(email="directeur@innovalo.demo")
    ministry = User.objects.get(email="ministere@innovalo.demo")
    with transaction.atomic():
        people = demo_people()
        first = seed_january_2016(bureau, people)
        seed_january_2018(bureau, people, first)
        seed_le_creusot_2018(bureau, people)
        seed_recent_and_upcoming(bureau, director, ministry, people)
    stdout.write(f"meetings: {Meeting.objects.count()} meetings ready")
