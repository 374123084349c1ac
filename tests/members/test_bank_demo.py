import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings

from members.bank.demo import demo_camt053
from members.bank.parsers import parse_statement
from members.models import BankTransaction
from members.services import bank as services
from members.services import dues

from .dues_factories import (  # noqa: F401 - fixtures
    DuesLineFactory,
    DuesPlatformFactory,
    fast_pdf_fixture,
)

pytestmark = pytest.mark.usefixtures("fast_pdf")


def test_docs_example_parses():
    data = (Path(settings.BASE_DIR) / "docs" / "camt053-demo.xml").read_bytes()
    parsed = parse_statement(data)
    assert [c.amount for c in parsed.credits] == [
        Decimal("150.00"),
        Decimal("300.00"),
        Decimal("600.00"),
        Decimal("75.00"),
    ]
    assert "AC 2026 0001" in parsed.credits[0].remittance_info


@pytest.mark.django_db
def test_demo_statement_matches_by_number_name_two_platforms_and_nothing():
    demo = DuesLineFactory(
        platform=DuesPlatformFactory(slug="innovaltech", billing_name="InnovalTech — compta"),
        status="partly_paid",
        paid_amount=Decimal("150.00"),
    )
    dues.dues_issue_notice(demo)
    others = [
        DuesLineFactory(platform=DuesPlatformFactory(slug=f"p-{n}", billing_name=f"Lycée {n}"))
        for n in range(3)
    ]
    data = demo_camt053(2026, today=datetime.date(2026, 11, 27))
    services.bank_import_statement(data=data, file_name="demo.xml")
    rows = {
        t.bank_reference: (t.status, sorted((m.line_id, m.confidence) for m in t.matches.all()))
        for t in BankTransaction.objects.prefetch_related("matches")
    }
    assert rows == {
        "DEMO-2026-0001": ("proposed", [(demo.pk, "high")]),
        "DEMO-2026-0002": ("proposed", [(others[2].pk, "medium")]),
        "DEMO-2026-0003": ("proposed", [(others[0].pk, "high"), (others[1].pk, "high")]),
        "DEMO-2026-0004": ("unmatched", []),
    }


@pytest.mark.django_db
def test_the_demo_writes_a_statement_ready_to_import(tmp_path):
    from members.bank.demo import write_demo_statement

    DuesLineFactory(platform=DuesPlatformFactory(slug="innovaltech"))
    path = write_demo_statement(tmp_path)
    assert path.name.startswith("releve-camt053-")
    assert parse_statement(path.read_bytes()).credits
