"""The one history (innovalo.audit)."""

import datetime
from decimal import Decimal

import pytest

from innovalo.audit import diff, entries_for, key_of, labelled, load, log_action
from innovalo.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_key_of_and_load(director):
    assert key_of(director) == f"innovalo.user:{director.pk}"
    assert load(key_of(director)) == director
    assert load("innovalo.user:999999") is None
    assert load("nonsense") is None and load("nope.model:1") is None


def test_diff_keeps_only_what_changed_as_plain_values():
    before = {"amount": Decimal("10.00"), "day": datetime.date(2026, 1, 2), "title": "A"}
    after = {"amount": Decimal("12.50"), "day": datetime.date(2026, 1, 2), "title": "A"}
    assert diff(before, after) == {"amount": ["10.00", "12.50"]}


def test_labelled_changes_read_as_people_read_them():
    from members.models import DuesLine

    readable = labelled(DuesLine, {"status": ["called", "partly_paid"], "unknown": [1, 2]})
    assert readable == {"état": ["Appelée", "Payée en partie"], "unknown": [1, 2]}


def test_log_action_and_entries_for_a_page(bureau, director, django_assert_num_queries):
    log_action(director, "user.edited", actor=bureau, message="Modifié", scope="x.page:1")
    log_action(director, "user.other", actor=None, message="Autre", scope="x.page:1")
    log_action(director, "user.elsewhere", actor=bureau, message="Ailleurs")
    with django_assert_num_queries(1):
        entries = [(e.action, e.actor) for e in entries_for("x.page:1")]
    assert entries == [("user.other", None), ("user.edited", bureau)]
    entry = AuditEntry.objects.get(action="user.edited")
    assert entry.target == key_of(director) and entry.object_repr == str(director)


def test_a_dues_payment_history_reads_in_french(bureau):
    from members.services import dues as services

    from ..members.dues_factories import DuesLineFactory

    line = DuesLineFactory()
    services.dues_record_payment(
        received_on=datetime.date.today(),
        amount="100",
        method="cheque",
        allocations=[(line, "100")],
        issue_documents=False,
        actor=bureau,
    )
    changes = [e.changes for e in entries_for(line) if e.changes]
    assert any("état" in change for change in changes), changes
