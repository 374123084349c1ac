"""Demo calls and projects, dated relative to today, called by `manage.py seed_demo`.

About forty calls as the association's watch finds them (DESIGN.md): the France 2030
cross-cutting calls on digital and energy transition, the i-Nov innovation contest, FEDER
calls in several regions, the research tax credit accreditation (open all year), an ANR
call in two stages, a Horizon Europe topic with two cut-offs, an ADEME call, regional
innovation calls; some closing within 30 days, some closed, one upcoming, one proposed by
a director. Six projects at different stages: one won (with the amounts obtained), one not
retained, one being written with ``innovaltech`` as a partner. The demo director follows
two calls and has one saved search.

Firms' requests, transfer offers, agreements and innovaltech's steering committee:
``territory`` (issue 11).

Idempotent: nothing is written when the demo calls exist already.
"""

from django.db import transaction

from ..models import Call
from .calls import seed_calls
from .projects import seed_projects
from .territory import seed_territory


def seed(stdout):
    if Call.objects.filter(source="demo").exists():
        stdout.write("projects: demo calls already loaded")
    else:
        with transaction.atomic():
            calls = seed_calls()
            projects = seed_projects(calls)
        stdout.write(f"projects: {len(calls)} calls and {len(projects)} projects ready")
    with transaction.atomic():
        seed_territory(stdout)
