"""Each dues line stores its paid amount and status: the services keep them equal to
the allocations, constraints refuse incoherent values, `check_dues` finds drifts."""

import datetime
import importlib
import io
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from freezegun import freeze_time

from innovalo.models import SentReminder
from members.enums import DuesStatus
from members.models import Allocation, DuesLine, Payment, PaymentCancellation
from members.selectors.dues import dues_mismatches, recomputed
from members.services import dues as services

from .dues_factories import (  # noqa: F401 - fixtures
    DuesLineFactory,
    DuesPlatformFactory,
    DuesRateFactory,
    fast_pdf_fixture,
    stored_amounts_agree_fixture,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_pdf")]

TODAY = datetime.date(2026, 11, 25)


def agree():
    """Stored and recomputed values of every line, and that they are equal."""
    rows = list(
        recomputed().values_list(
            "pk", "paid_amount", "recomputed_paid", "status", "recomputed_status"
        )
    )
    assert rows and all(paid == again and status == state for _, paid, again, status, state in rows)
    return {pk: (paid, status) for pk, paid, _, status, _ in rows}


@freeze_time(TODAY)
def test_stored_and_recomputed_values_agree_after_every_service(bureau):
    DuesRateFactory(year=2026, amount=Decimal("300.00"))
    platforms = DuesPlatformFactory.create_batch(4)
    services.dues_call_year(year=2026, actor=bureau, send=False)
    a, b, c, d = (DuesLine.objects.get(platform=p, year=2026) for p in platforms)
    assert agree()[a.pk] == (Decimal("0.00"), DuesStatus.CALLED)
    one = services.dues_record_payment(
        received_on=TODAY,
        amount="400",
        method="cheque",
        allocations=[(a, "300"), (b, "100")],
        actor=bureau,
    )
    assert agree()[a.pk] == (Decimal("300.00"), DuesStatus.PAID)
    assert agree()[b.pk] == (Decimal("100.00"), DuesStatus.PARTLY_PAID)
    services.dues_record_payment(
        received_on=TODAY, amount="200", method="transfer", allocations=[(b, "200")]
    )
    assert agree()[b.pk] == (Decimal("300.00"), DuesStatus.PAID)
    services.dues_cancel_payment(payment=one, reason="Chèque rejeté", actor=bureau)
    state = agree()
    assert state[a.pk] == (Decimal("0.00"), DuesStatus.CALLED)
    assert state[b.pk] == (Decimal("200.00"), DuesStatus.PARTLY_PAID)
    services.dues_exempt(line=c, reason="Création", actor=bureau)
    services.dues_cancel_line(line=d, reason="Départ", actor=bureau)
    state = agree()
    assert state[c.pk] == (Decimal("0.00"), DuesStatus.EXEMPT)
    assert state[d.pk] == (Decimal("0.00"), DuesStatus.CANCELLED)
    services.dues_record_payment(
        received_on=TODAY, amount="300", method="cheque", allocations=[(a, "300")]
    )
    assert agree()[a.pk] == (Decimal("300.00"), DuesStatus.PAID)
    assert not dues_mismatches().exists()


@freeze_time(TODAY)
def test_a_line_paid_before_its_call_goes_back_to_be_called_when_the_payment_is_cancelled():
    line = DuesLineFactory(status=DuesStatus.TO_CALL)
    payment = services.dues_record_payment(
        received_on=TODAY, amount="300", method="cheque", allocations=[(line, "300")]
    )
    services.dues_cancel_payment(payment=payment, reason="Erreur")
    assert agree()[line.pk] == (Decimal("0.00"), DuesStatus.TO_CALL)


@pytest.mark.parametrize(
    "status, paid, called",
    [
        (DuesStatus.PAID, "100.00", True),
        (DuesStatus.PAID, "0.00", True),
        (DuesStatus.PARTLY_PAID, "300.00", True),
        (DuesStatus.PARTLY_PAID, "0.00", True),
        (DuesStatus.CALLED, "10.00", True),
        (DuesStatus.CALLED, "0.00", False),
        (DuesStatus.TO_CALL, "0.00", True),
        (DuesStatus.EXEMPT, "10.00", False),
        (DuesStatus.CANCELLED, "10.00", True),
        (DuesStatus.PAID, "300.01", True),
        (DuesStatus.CALLED, "-1.00", True),
    ],
)
def test_the_database_refuses_a_status_that_does_not_match_the_paid_amount(status, paid, called):
    line = DuesLineFactory(amount_due=Decimal("300.00"))
    with pytest.raises(IntegrityError), transaction.atomic():
        DuesLine.objects.filter(pk=line.pk).update(
            status=status, paid_amount=Decimal(paid), called_at=line.called_at if called else None
        )


def test_check_dues_passes_then_lists_a_line_that_drifted():
    line = DuesLineFactory()
    out = io.StringIO()
    call_command("check_dues", stdout=out)
    assert "agree" in out.getvalue()
    # An allocation written behind the services' back: the stored amount drifts.
    payment = Payment.objects.create(received_on=TODAY, amount=Decimal("50"), method="cheque")
    allocation = Allocation.objects.create(payment=payment, line=line, amount=Decimal("50"))
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 dues line"):
        call_command("check_dues", stdout=out)
    assert f"line {line.pk} " in out.getvalue()
    assert "stored 0.00 called, recomputed 50.00 partly_paid" in out.getvalue()
    allocation.delete()


def test_the_migration_computes_the_stored_values_of_existing_lines():
    """Its data step, run on lines whose stored values were never computed."""
    migration = importlib.import_module("members.migrations.0005_dues_stored_amounts")
    paid, partly, cancelled_payment = DuesLineFactory.create_batch(3)
    for line, amount, cancel in [(paid, "300", False), (partly, "120", False)] + [
        (cancelled_payment, "300", True)
    ]:
        payment = Payment.objects.create(received_on=TODAY, amount=Decimal(amount), method="cheque")
        Allocation.objects.create(payment=payment, line=line, amount=Decimal(amount))
        if cancel:
            PaymentCancellation.objects.create(payment=payment, reason="Erreur")
    assert dues_mismatches().count() == 2
    migration.store_paid_amounts(apps, None)
    assert not dues_mismatches().exists()
    assert DuesLine.objects.get(pk=partly.pk).status == DuesStatus.PARTLY_PAID


def test_the_migration_gives_old_dues_emails_their_rule_target_and_period():
    migration = importlib.import_module("members.migrations.0005_dues_stored_amounts")
    rows = {
        ("dues_call", "dues:call:12"): ("members.duesline:12", ""),
        ("dues_reminder", "dues:7:12:45"): ("members.duesline:12", "7"),
        ("dues_reminder", "dues:7:12:50"): ("dues:7:12:50", ""),  # same step: kept apart
        ("dues_reminder_manual", "dues:manual:12:2026-11-25"): (
            "members.duesline:12",
            "2026-11-25",
        ),
        ("dues_digest", "dues:digest:2026-W48"): ("members.duesrate:0", "2026-W48"),
        ("platform_review", "platform:review:3:2026"): ("platform:review:3:2026", ""),
    }
    for rule, target in rows:
        SentReminder.objects.create(rule=rule, target=target, period="", status="sent")
    migration.split_reminder_keys(apps, None)
    after = set(SentReminder.objects.values_list("rule", "target", "period"))
    assert after == {(rule, *new) for (rule, _old), new in rows.items()}
