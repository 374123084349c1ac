"""Factories, helpers and shared fixtures of the dues tests.

The fixtures are imported by the test modules that use them, as `<name>_fixture`
(registered under `<name>`, so that a test's argument does not shadow the import):
`stored_amounts_agree` (autouse there) checks after each test that the stored
amounts agree with the allocations; `fast_pdf` replaces WeasyPrint by a stand-in
unless the test asks for `real_pdf`; `dues` gives two platforms' lines of 2026 with
the director's paid and all its documents.
"""

import datetime
from decimal import Decimal

import factory
import pytest
from django.utils import timezone
from freezegun import freeze_time

from members.enums import DuesStatus, PlatformRole
from members.models import Department, DuesLine, DuesRate, DuesReminderStep, Platform, Region
from tests.factories import UserFactory
from tests.pdf import pdf_text as read_pdf_text


def safe_department(code="02"):
    """The department of Saint-Quentin; recreated when a transactional test flushed
    the data migration's rows."""
    department = Department.objects.select_related("region").filter(code=code).first()
    if department:
        return department
    region, _ = Region.objects.get_or_create(
        code="32", defaults={"name": "Hauts-de-France", "slug": "hauts-de-france"}
    )
    department, _ = Department.objects.get_or_create(
        code=code, defaults={"name": "Aisne", "region": region}
    )
    return department


class DuesPlatformFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Platform
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Plateforme cotisante {n:03d}")
    acronym = factory.Sequence(lambda n: f"PC{n}")
    slug = factory.Sequence(lambda n: f"plateforme-cotisante-{n:03d}")
    city = "Saint-Quentin"
    department = factory.LazyFunction(safe_department)
    is_member = True
    billing_name = factory.LazyAttribute(lambda o: f"Lycée porteur de {o.name}")
    billing_address = "12 rue de la Forge\n02100 Saint-Quentin"
    siret = "19020001400016"
    chorus_service_code = "SERV-COMPTA"


class DuesRateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DuesRate
        django_get_or_create = ("year",)

    year = 2026
    amount = Decimal("300.00")
    due_date = factory.LazyAttribute(lambda o: datetime.date(o.year, 3, 31))


class DuesLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DuesLine

    platform = factory.SubFactory(DuesPlatformFactory)
    year = 2026
    status = DuesStatus.CALLED
    amount_due = Decimal("300.00")
    due_date = factory.LazyAttribute(lambda o: datetime.date(o.year, 3, 31))
    # A called line has its call date (a database constraint says so).
    called_at = factory.LazyAttribute(
        lambda o: None if o.status == DuesStatus.TO_CALL else timezone.now()
    )


def with_people(platform, *, director=None, accounting=True):
    """Give a platform a director and an accounting contact; returns their emails."""
    from tests.members.factories import MembershipFactory

    director = director or UserFactory()
    MembershipFactory(platform=platform, user=director, role=PlatformRole.DIRECTOR)
    emails = [director.email]
    if accounting:
        accountant = UserFactory()
        MembershipFactory(platform=platform, user=accountant, role=PlatformRole.ACCOUNTING)
        emails.append(accountant.email)
    return sorted(emails)


def default_steps(days=(15, 45, 90)):
    for value in days:
        DuesReminderStep.objects.get_or_create(days_after_due=value)
    return list(DuesReminderStep.objects.order_by("days_after_due"))


def pdf_text(content: bytes) -> str:
    return read_pdf_text(content, flat=True)


@pytest.fixture(name="stored_amounts_agree")
def stored_amounts_agree_fixture(request):
    """After the test: every line's stored paid amount and status agree with its
    allocations (what `manage.py check_dues` checks). Used with autouse in the dues
    test modules, so that every service run by any test is checked."""
    yield
    if request.node.get_closest_marker("django_db") is None:
        return
    from members.selectors.dues import dues_mismatches

    assert list(dues_mismatches().values_list("pk", "paid_amount", "status")) == []


@pytest.fixture(name="real_pdf")
def real_pdf_fixture():
    """Ask for it to render documents with WeasyPrint."""


@pytest.fixture(name="unfrozen")
def unfrozen_fixture():
    """Ask for it to run with the real clock (openpyxl does not know freezegun's dates)."""


@pytest.fixture(name="frozen")
def frozen_fixture(request):
    """25 November 2026, 10:00 (a Wednesday), unless the test asks for `unfrozen`."""
    if "unfrozen" in request.fixturenames:
        yield
        return
    with freeze_time("2026-11-25 10:00:00"):
        yield


@pytest.fixture(name="fast_pdf")
def fast_pdf_fixture(request, monkeypatch):
    """WeasyPrint takes a fraction of a second per document: tests use a stand-in
    PDF unless they ask for `real_pdf` (documents' texts are tested there)."""
    if "real_pdf" in request.fixturenames:
        return
    from members import pdf

    def fake(template_name, context, *, filename):
        void = b" ANNULE" if context.get("void") else b""
        return filename, b"%PDF-1.7 stand-in " + context["number"].encode() + void

    monkeypatch.setattr(pdf, "render_pdf", fake)


@pytest.fixture(name="dues")
def dues_fixture(platform, other_platform):
    """Lines of 2026 for both platforms; the director's paid, with all its documents."""
    from members.services import dues as services

    DuesRateFactory(year=2026)
    own = DuesLineFactory(platform=platform, year=2026)
    other = DuesLineFactory(platform=other_platform, year=2026)
    payment = services.dues_record_payment(
        received_on=datetime.date(2026, 11, 25),
        amount="300",
        method="transfer",
        allocations=[(own, "300")],
    )
    notice = services.dues_issue_notice(own)
    certificate = services.dues_issue_certificate(own)
    other_notice = services.dues_issue_notice(other)
    return {
        "own": own,
        "other": other,
        "payment": payment,
        "receipt": payment.documents.get(),
        "notice": notice,
        "certificate": certificate,
        "other_notice": other_notice,
    }
