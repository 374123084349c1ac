"""The demo dues: the association's figures, and work for the reminders."""

import io

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from members.enums import DuesStatus
from members.models import Allocation, DuesLine, DuesRate, Payment
from members.selectors import dues as selectors
from members.selectors.dues import dues_mismatches


@pytest.mark.django_db
def test_seed_demo_dues_is_idempotent_and_tells_the_story(monkeypatch):
    from members import pdf

    # WeasyPrint is tested elsewhere: a stand-in keeps this test quick.
    monkeypatch.setattr(pdf, "render_pdf", lambda t, c, *, filename: (filename, b"%PDF-1.7"))
    call_command("seed_demo", stdout=io.StringIO())
    year = timezone.localdate().year
    assert set(DuesRate.objects.values_list("year", flat=True)) == set(range(2016, year + 1))
    summary = selectors.dues_year_summary(2016)
    assert summary["paid"] == 11
    assert summary["expected"] == DuesLine.objects.filter(year=2016).count()
    current = selectors.dues_year_summary(year)
    assert current["partly_paid"] >= 2 and current["exempt"] == 1 and current["late"] >= 3
    split = (
        Payment.objects.filter(allocations__line__year=year)
        .annotate(n=Count("allocations"))
        .filter(n=2)
    )
    assert split.exists()
    assert selectors.due_reminders(), "reminders are due now"
    demo = DuesLine.objects.get(platform__slug="innovaltech", year=year)
    assert demo.status == DuesStatus.PARTLY_PAID and demo.documents.exists()
    assert not dues_mismatches().exists()
    counts = (DuesLine.objects.count(), Payment.objects.count(), Allocation.objects.count())
    call_command("seed_demo", stdout=io.StringIO())
    assert counts == (DuesLine.objects.count(), Payment.objects.count(), Allocation.objects.count())
