"""An empty section made by mistake can be removed; a section with questions cannot."""

import pytest
from django.urls import reverse

from innovalo.models import AuditEntry
from surveys.models import Section

from .factories import CampaignFactory, QuestionFactory, SectionFactory

pytestmark = pytest.mark.django_db


def delete_url(section):
    return reverse("survey_section_delete", args=[section.campaign_id, section.pk])


def test_bureau_removes_an_empty_section(client_for):
    section = SectionFactory(campaign=CampaignFactory(), title="Par erreur")
    got = client_for("bureau").post(delete_url(section))
    assert got.status_code == 302
    assert not Section.objects.filter(pk=section.pk).exists()
    assert AuditEntry.objects.filter(action="surveys.section_deleted").count() == 1


def test_a_section_with_questions_stays(client_for):
    question = QuestionFactory()
    got = client_for("bureau").post(delete_url(question.section), follow=True)
    assert "contient des questions" in got.content.decode()
    assert Section.objects.filter(pk=question.section_id).exists()


@pytest.mark.parametrize("role", ["director", "other_director", "ministry"])
def test_only_the_bureau_removes_a_section(role, client_for):
    section = SectionFactory()
    assert client_for(role).post(delete_url(section)).status_code in (403, 404)
    assert Section.objects.filter(pk=section.pk).exists()


def test_get_is_not_allowed(client_for):
    assert client_for("bureau").get(delete_url(SectionFactory())).status_code == 405
