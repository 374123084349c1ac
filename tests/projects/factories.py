"""Factories of the calls watch and of projects. Helpers of one test module stay in it;
what several modules need lives here."""

import datetime

import factory
from django.utils import timezone

from projects.enums import CallKind, CallScope, CallStatus, FunderKind, PartnerKind, ProjectStage
from projects.models import (
    Call,
    CallDeadline,
    CallFollow,
    CallInterest,
    Funder,
    Project,
    ProjectPartner,
    SavedSearch,
    Theme,
)
from tests.factories import UserFactory
from tests.members.factories import PlatformFactory


class FunderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Funder
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Financeur {n}")
    kind = FunderKind.STATE
    website = "https://www.example.gouv.fr/"


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theme
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Thème {n}")
    slug = factory.Sequence(lambda n: f"theme-{n}")


class CallFactory(factory.django.DjangoModelFactory):
    """A published national call for projects, published a week ago, with no deadline
    (give it some with ``DeadlineFactory`` or ``with_deadline``)."""

    class Meta:
        model = Call

    title = factory.Sequence(lambda n: f"Appel à projets {n}")
    kind = CallKind.CALL_FOR_PROJECTS
    scope = CallScope.NATIONAL
    description = "Soutenir les projets de transition numérique des PME."
    status = CallStatus.PUBLISHED
    published_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=7))


class DeadlineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CallDeadline

    call = factory.SubFactory(CallFactory)
    label = "Date limite de dépôt"
    due_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=60))


def with_deadline(days=60, **kwargs):
    """A published call whose only deadline is ``days`` from now (negative: passed)."""
    call = CallFactory(**kwargs)
    DeadlineFactory(call=call, due_at=timezone.now() + datetime.timedelta(days=days))
    return call


class FollowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CallFollow

    call = factory.SubFactory(CallFactory)
    user = factory.SubFactory(UserFactory)


class InterestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CallInterest

    call = factory.SubFactory(CallFactory)
    platform = factory.SubFactory(PlatformFactory)
    note = "Intéressée pour le volet numérique."


class SavedSearchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SavedSearch

    user = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Alerte {n}")
    query = "q=num%C3%A9rique"


class ProjectFactory(factory.django.DjangoModelFactory):
    """A project at the idea stage led by a new platform (with its partner line)."""

    class Meta:
        model = Project
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Projet {n}")
    acronym = factory.Sequence(lambda n: f"PRJ{n}")
    lead_platform = factory.SubFactory(PlatformFactory)
    stage = ProjectStage.IDEA

    @factory.post_generation
    def lead_line(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            ProjectPartner.objects.create(
                project=obj,
                kind=PartnerKind.PLATFORM,
                platform=obj.lead_platform,
                role="Coordination",
                budget_requested=extracted if extracted not in (None, True) else 50000,
            )


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProjectPartner

    project = factory.SubFactory(ProjectFactory)
    kind = PartnerKind.PLATFORM
    platform = factory.SubFactory(PlatformFactory)
    role = "Essais et prototypage"
    budget_requested = 30000
    order = factory.Sequence(lambda n: n + 1)
