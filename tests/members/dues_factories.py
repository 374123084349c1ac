"""Factories and helpers for the dues tests."""

import datetime
from decimal import Decimal

import factory

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
    siret = "19020001200018"
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
