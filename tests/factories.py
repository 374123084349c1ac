"""Factories shared by every app's tests."""

import datetime

import factory
from django.utils import timezone

from innovalo.enums import Role
from innovalo.models import Invitation, User

PASSWORD = "motdepasse-de-test-2026"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"personne{n}@exemple.fr")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    role = Role.DIRECTOR
    password = factory.django.Password(PASSWORD)


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    email = factory.Sequence(lambda n: f"invite{n}@exemple.fr")
    role = Role.DIRECTOR
    invited_by = factory.SubFactory(UserFactory, role=Role.BUREAU)
    token_hash = factory.LazyFunction(lambda: Invitation.new_token()[1])
    expires_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=14))
