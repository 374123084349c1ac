import factory
from django.utils.text import slugify

from members.enums import (
    CorrespondentKind,
    EstablishmentKind,
    HostRole,
    LabelStatus,
    PlatformRole,
)
from members.models import (
    Campus,
    Correspondent,
    Department,
    Domain,
    Equipment,
    Establishment,
    Platform,
    PlatformHost,
    PlatformMembership,
    Service,
)
from tests.factories import UserFactory


def department(code="02"):
    """Departments are loaded by a data migration: fetch, never create."""
    return Department.objects.select_related("region").get(code=code)


class DomainFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Domain
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Domaine {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Service {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


class EstablishmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Establishment

    name = factory.Sequence(lambda n: f"Lycée polyvalent n°{n}")
    kind = EstablishmentKind.LYCEE
    city = "Saint-Quentin"
    department = factory.LazyFunction(department)


class PlatformFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Platform
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Plateforme technologique {n}")
    acronym = factory.Sequence(lambda n: f"PFT{n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    city = "Saint-Quentin"
    department = factory.LazyFunction(department)
    label_status = LabelStatus.LABELLED
    is_member = True
    email = factory.LazyAttribute(lambda o: f"contact@{o.slug}.fr")


class PlatformHostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlatformHost

    platform = factory.SubFactory(PlatformFactory)
    establishment = factory.SubFactory(EstablishmentFactory)
    role = HostRole.CARRYING


class EquipmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Equipment

    platform = factory.SubFactory(PlatformFactory)
    name = factory.Sequence(lambda n: f"Machine {n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlatformMembership

    platform = factory.SubFactory(PlatformFactory)
    user = factory.SubFactory(UserFactory)
    role = PlatformRole.DIRECTOR


class CampusFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campus

    name = factory.Sequence(lambda n: f"Campus des métiers n°{n}")
    region = factory.LazyFunction(lambda: department().region)


class CorrespondentFactory(factory.django.DjangoModelFactory):
    """A regional correspondent by default; pass kind=THEMATIC and domain=... otherwise."""

    class Meta:
        model = Correspondent

    kind = CorrespondentKind.REGIONAL
    user = factory.SubFactory(UserFactory)
    region = factory.LazyAttribute(
        lambda o: department().region if o.kind == CorrespondentKind.REGIONAL else None
    )
    domain = None
