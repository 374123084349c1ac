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


# The edit page ------------------------------------------------------------------


def edit_data(platform, **overrides):
    """What the edit page posts for `platform`, unchanged unless overridden."""
    data = {
        "name": platform.name,
        "acronym": platform.acronym,
        "description": platform.description,
        "address": platform.address,
        "postal_code": platform.postal_code,
        "city": platform.city,
        "department": platform.department_id,
        "website": platform.website,
        "email": platform.email,
        "phone": platform.phone,
        "domains": [d.pk for d in platform.domains.all()],
        "services": [s.pk for s in platform.services.all()],
        "services_description": platform.services_description,
        "campuses": [c.pk for c in platform.campuses.all()],
        "billing_name": platform.billing_name,
        "billing_address": platform.billing_address,
        "siret": platform.siret,
        "chorus_service_code": platform.chorus_service_code,
        # Fields of the bureau's form only (ignored for the platform's people).
        "label_status": platform.label_status,
        "label_granted_on": platform.label_granted_on,
        "label_expires_on": platform.label_expires_on,
        "is_member": "on" if platform.is_member else None,
    }
    for prefix, rows, fields in [
        ("equipment", list(platform.equipment.order_by("name", "pk")), ["name", "description"]),
        ("hosts", list(platform.hosts.order_by("role", "pk")), ["establishment", "role"]),
    ]:
        data[f"{prefix}-TOTAL_FORMS"] = len(rows)
        data[f"{prefix}-INITIAL_FORMS"] = len(rows)
        data[f"{prefix}-MIN_NUM_FORMS"] = 0
        data[f"{prefix}-MAX_NUM_FORMS"] = 1000
        for index, row in enumerate(rows):
            data[f"{prefix}-{index}-id"] = row.pk
            for name in fields:
                value = getattr(row, f"{name}_id", None) or getattr(row, name)
                data[f"{prefix}-{index}-{name}"] = value
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def equip(platform):
    """A machine and a host establishment for `platform` (the edit page's rows)."""
    EquipmentFactory(platform=platform, name="Tour 5 axes")
    PlatformHostFactory(
        platform=platform, establishment=EstablishmentFactory(name="IUT de l'Aisne")
    )
    return platform
