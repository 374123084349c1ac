"""What the tests of co-built projects share: projects in the shapes the role matrix
needs (the `director` fixture's platform as lead, as partner, or neither) and uploads."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from innovalo.models import AuditEntry, SentReminder
from members.enums import PlatformRole
from projects.enums import PartnerKind, ProjectStage
from projects.models import Project, ProjectDocument, ProjectPartner
from tests.factories import UserFactory
from tests.members.factories import MembershipFactory, PlatformFactory

from .factories import PartnerFactory, ProjectFactory

PDF_BYTES = b"%PDF-1.4\n% projet\n" + b"0" * 64


def pdf(name="dossier.pdf", content=PDF_BYTES, content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type)


def staffed_platform(name, *emails):
    """A platform with one director per email."""
    platform = PlatformFactory(name=name)
    for email in emails:
        MembershipFactory(
            platform=platform, user=UserFactory(email=email), role=PlatformRole.DIRECTOR
        )
    return platform


def project_with(lead, *partners, stage=ProjectStage.IDEA, **kwargs):
    """A project led by `lead` (its "Coordination" line at 40 000 €) with each partner
    platform at 25 000 € and an outside firm at 10 000 €."""
    project = ProjectFactory(lead_platform=lead, stage=stage, lead_line=40000, **kwargs)
    for platform in partners:
        PartnerFactory(project=project, platform=platform, budget_requested=25000)
    PartnerFactory(
        project=project,
        kind=PartnerKind.FIRM,
        platform=None,
        organisation="Mécanique de Picardie SA",
        budget_requested=10000,
    )
    return project


@pytest.fixture
def led(platform):
    """A project the director's platform leads, with a third platform as partner."""
    partner = staffed_platform("Plasturgie Ouest", "plasturgie@exemple.fr")
    return project_with(platform, partner, title="Jumeau numérique des PME")


@pytest.fixture
def partnered(platform):
    """A project led by a third platform, the director's platform a partner."""
    lead = staffed_platform("Textile Lab", "porteur@textile.fr")
    return project_with(lead, platform, title="Recyclage des fibres")


@pytest.fixture
def foreign(db):
    """A project neither director takes part in."""
    lead = staffed_platform("Bois Innovation", "bois@exemple.fr")
    return project_with(lead, title="Bois construction bas carbone")


def counts() -> dict:
    """Rows a GET must never write."""
    return {
        "projects": Project.objects.count(),
        "partners": ProjectPartner.objects.count(),
        "documents": ProjectDocument.objects.count(),
        "audit": AuditEntry.objects.count(),
        "emails": SentReminder.objects.count(),
    }
