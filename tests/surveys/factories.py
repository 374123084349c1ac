import datetime

import factory
from django.utils import timezone

from surveys.enums import CampaignKind, CampaignStatus, QuestionType
from surveys.models import Campaign, Choice, Question, Respondent, Response, Section
from tests.members.dues_factories import safe_department
from tests.members.factories import PlatformFactory


def today():
    return timezone.localdate()


class CampaignFactory(factory.django.DjangoModelFactory):
    """An open platform survey: opened ten days ago, closing in twenty."""

    class Meta:
        model = Campaign

    title = factory.Sequence(lambda n: f"Enquête d'impact {n}")
    year = factory.LazyFunction(lambda: today().year)
    kind = CampaignKind.PLATFORM_SURVEY
    status = CampaignStatus.OPEN
    opens_on = factory.LazyFunction(lambda: today() - datetime.timedelta(days=10))
    closes_on = factory.LazyFunction(lambda: today() + datetime.timedelta(days=20))


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section

    campaign = factory.SubFactory(CampaignFactory)
    order = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Section {n}")


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    section = factory.SubFactory(SectionFactory)
    campaign = factory.SelfAttribute("section.campaign")
    order = factory.Sequence(lambda n: n + 1)
    code = factory.Sequence(lambda n: f"q{n}")
    label = factory.Sequence(lambda n: f"Question {n}")
    type = QuestionType.INTEGER


class ChoiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Choice

    question = factory.SubFactory(QuestionFactory, type=QuestionType.SINGLE_CHOICE)
    order = factory.Sequence(lambda n: n + 1)
    code = factory.Sequence(lambda n: f"c{n}")
    label = factory.Sequence(lambda n: f"Choix {n}")


def choice_question(section, code, codes=("oui", "non"), **kwargs):
    question = QuestionFactory(
        section=section, code=code, type=kwargs.pop("type", QuestionType.SINGLE_CHOICE), **kwargs
    )
    for order, choice in enumerate(codes, start=1):
        ChoiceFactory(question=question, code=choice, label=choice.title(), order=order)
    return question


class RespondentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Respondent

    campaign = factory.SubFactory(CampaignFactory, kind=CampaignKind.EXTERNAL)
    email = factory.Sequence(lambda n: f"pme{n}@exemple.fr")
    organisation = factory.Sequence(lambda n: f"PME {n}")


class ResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Response

    campaign = factory.SubFactory(CampaignFactory)
    # A department that survives a transactional test's flush of the data migration's rows.
    platform = factory.SubFactory(PlatformFactory, department=factory.LazyFunction(safe_department))
