"""Factories of firms' requests, shared by the tests of the public pages, the boards and
the jobs. ``FirmRequestFactory`` gives a request with a working private link: its token
is ``request.token`` (``request_token(request)`` finds it again)."""

import factory
from django.utils import timezone

from projects.enums import (
    RequestEventKind,
    RequestSource,
    RequestStatus,
    RequestTiming,
    RoutingStatus,
)
from projects.models import FirmRequest, RequestEvent, RequestRouting
from projects.services.requests import hash_token, new_salt, request_token
from tests.members.factories import PlatformFactory, department


class FirmRequestFactory(factory.django.DjangoModelFactory):
    """A new request from a firm of the Aisne (02, Hauts-de-France), not routed yet.
    ``domains=[...]`` sets its domains; ``request.token`` is its private link's token."""

    class Meta:
        model = FirmRequest
        skip_postgeneration_save = True

    company_name = factory.Sequence(lambda n: f"Entreprise {n}")
    siret = "73282932000074"
    contact_name = factory.Faker("name", locale="fr_FR")
    email = factory.Sequence(lambda n: f"contact{n}@entreprise.fr")
    phone = "03 23 00 00 00"
    department = factory.LazyFunction(department)
    region = factory.LazyAttribute(lambda o: o.department.region)
    need = "Nous cherchons à automatiser le contrôle qualité de nos pièces."
    timing = RequestTiming.QUARTER
    source = RequestSource.DIRECTORY
    status = RequestStatus.NEW
    consent_at = factory.LazyFunction(timezone.now)
    token_salt = factory.LazyFunction(new_salt)
    # A placeholder until the pk is known (the token is derived from it), see _create.
    token_hash = factory.LazyFunction(lambda: hash_token(new_salt()))

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        obj = super()._create(model_class, *args, **kwargs)
        obj.token = request_token(obj)
        obj.token_hash = hash_token(obj.token)
        model_class.objects.filter(pk=obj.pk).update(token_hash=obj.token_hash)
        return obj

    @factory.post_generation
    def domains(self, create, extracted, **kwargs):
        if create and extracted:
            self.domains.set(extracted)


class RoutingFactory(factory.django.DjangoModelFactory):
    """A routing notified to a platform (pass status=PROPOSED for a proposal)."""

    class Meta:
        model = RequestRouting

    request = factory.SubFactory(FirmRequestFactory, status=RequestStatus.ROUTED)
    platform = factory.SubFactory(PlatformFactory)
    status = RoutingStatus.NOTIFIED
    notified_at = factory.LazyAttribute(
        lambda o: timezone.now() if o.status != RoutingStatus.PROPOSED else None
    )


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RequestEvent

    request = factory.SubFactory(FirmRequestFactory)
    kind = RequestEventKind.MESSAGE_FIRM
    text = "Bonjour, avez-vous pu lire notre demande ?"
