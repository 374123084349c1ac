"""Factories and fixtures shared by the steering committee tests (no test here).

`committee_member` is a person of the portal (a director's role, no platform of their own)
who sits on `platform`'s committee: the sixth role of the committee's matrices.
"""

import factory
import pytest

from members.enums import College
from members.models import SteeringMember
from tests.conftest import ROLES
from tests.factories import UserFactory

from .factories import PlatformFactory

STEERING_ROLES = [*ROLES, "committee_member"]


class SteeringMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SteeringMember

    platform = factory.SubFactory(PlatformFactory)
    name = factory.Sequence(lambda n: f"Partenaire {n}")
    organisation = factory.Sequence(lambda n: f"Organisme {n}")
    college = College.ECONOMY


@pytest.fixture
def committee_member(db):
    return UserFactory(email="membre-comite@exemple.fr", first_name="Colette", last_name="Comité")


@pytest.fixture
def committee(platform, committee_member):
    """`platform`'s committee: the committee member (with an account) and two outside names,
    one with an email, one without."""
    return [
        SteeringMemberFactory(
            platform=platform,
            user=committee_member,
            name="",
            organisation="CCI de l'Aisne",
            college=College.ECONOMY,
            role="Présidente",
        ),
        SteeringMemberFactory(
            platform=platform,
            name="Jean Territoire",
            email="jean.territoire@exemple.fr",
            organisation="Communauté d'agglomération",
            college=College.TERRITORY,
        ),
        SteeringMemberFactory(
            platform=platform,
            name="Rose Recherche",
            organisation="Laboratoire LTI",
            college=College.RESEARCH,
        ),
    ]
