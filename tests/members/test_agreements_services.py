"""The agreements' services: create, change, delete, the signed document's checks, and
their history on the platform's agreements page."""

import datetime
import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

from innovalo.exceptions import ServiceError
from innovalo.models import AuditEntry
from members.enums import AgreementKind
from members.models import Agreement
from members.services import partnerships as services

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
ZIP = b"PK\x03\x04" + b"\x00" * 32


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def upload(name="convention.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def values(**overrides):
    data = {
        "partner": "Lycée Henri-Martin",
        "kind": AgreementKind.HOST,
        "subject": "Mise à disposition des ateliers",
        "starts_on": datetime.date(2024, 9, 1),
        "ends_on": datetime.date(2027, 8, 31),
    }
    data.update(overrides)
    return data


def history(platform):
    return list(AuditEntry.objects.filter(scope=services.agreements_scope(platform)))


def test_create_keeps_the_fields_the_document_and_its_hash(platform, director):
    agreement = services.agreement_create(
        platform=platform, actor=director, document=upload(), **values()
    )
    agreement.refresh_from_db()
    assert agreement.platform == platform
    assert agreement.created_by == director
    assert agreement.document_name == "convention.pdf"
    assert agreement.document_sha256 == hashlib.sha256(PDF).hexdigest()
    # Stored under a random name in the platform's folder, never the uploaded name.
    assert agreement.document.name.startswith(f"agreements/{platform.pk}/")
    assert "convention" not in agreement.document.name
    with agreement.document.open("rb") as handle:
        assert handle.read() == PDF
    (entry,) = history(platform)
    assert entry.action == "agreement.created"
    assert entry.actor == director
    assert entry.changes["partenaire"] == [None, "Lycée Henri-Martin"]
    assert entry.changes["nature du partenaire"] == [None, "Établissement d'accueil"]
    assert entry.changes["convention signée"] == [None, "convention.pdf"]


def test_create_without_end_date_or_document(platform, director):
    agreement = services.agreement_create(platform=platform, actor=director, **values(ends_on=None))
    assert agreement.ends_on is None
    assert not agreement.document
    assert agreement.document_sha256 == ""


def test_end_before_start_is_refused_next_to_the_end_date(platform, director):
    with pytest.raises(ServiceError) as error:
        services.agreement_create(
            platform=platform,
            actor=director,
            **values(starts_on=datetime.date(2026, 1, 1), ends_on=datetime.date(2025, 12, 31)),
        )
    assert error.value.field == "ends_on"
    assert not Agreement.objects.exists()
    assert not history(platform)


def test_same_start_and_end_day_is_allowed(platform, director):
    day = datetime.date(2026, 3, 1)
    agreement = services.agreement_create(
        platform=platform, actor=director, **values(starts_on=day, ends_on=day)
    )
    assert agreement.ends_on == agreement.starts_on


def test_the_database_refuses_an_end_before_the_start_too(platform):
    with pytest.raises(IntegrityError), transaction.atomic():
        Agreement.objects.create(
            platform=platform,
            partner="x",
            kind=AgreementKind.FIRM,
            subject="y",
            starts_on=datetime.date(2026, 1, 2),
            ends_on=datetime.date(2026, 1, 1),
        )


@pytest.mark.parametrize(
    ("field", "overrides"),
    [
        ("partner", {"partner": "   "}),
        ("partner", {"partner": "x" * 201}),
        ("subject", {"subject": ""}),
        ("kind", {"kind": "ministry"}),
        ("starts_on", {"starts_on": None}),
    ],
)
def test_bad_values_are_refused_next_to_their_field(platform, director, field, overrides):
    with pytest.raises(ServiceError) as error:
        services.agreement_create(platform=platform, actor=director, **values(**overrides))
    assert error.value.field == field
    assert not Agreement.objects.exists()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("convention.pdf", PNG),  # PNG bytes named .pdf
        ("convention.png", PDF),
        ("convention.docx", PDF),
        ("convention.odt", b"<?xml version='1.0'?>"),
        ("convention.jpg", PNG),
        ("convention.pdf", b"%PD"),  # too short to be a PDF
    ],
)
def test_a_document_whose_first_bytes_do_not_match_its_extension_is_refused(
    platform, director, name, content
):
    with pytest.raises(ServiceError) as error:
        services.agreement_create(
            platform=platform, actor=director, document=upload(name, content), **values()
        )
    assert error.value.field == "document"
    assert "ne correspond pas" in str(error.value)
    assert not Agreement.objects.exists()


@pytest.mark.parametrize("name", ["convention.exe", "convention.html", "convention.svg", "sans"])
def test_other_types_are_refused(platform, director, name):
    with pytest.raises(ServiceError) as error:
        services.agreement_create(
            platform=platform, actor=director, document=upload(name, PDF), **values()
        )
    assert error.value.field == "document"
    assert "PDF, ODT, DOCX, PNG ou JPG" in str(error.value)


def test_an_empty_document_is_refused(platform, director):
    with pytest.raises(ServiceError, match="vide"):
        services.agreement_create(
            platform=platform, actor=director, document=upload(content=b""), **values()
        )


def test_a_document_over_10_mb_is_refused_and_10_mb_is_accepted(platform, director):
    limit = services.MAX_AGREEMENT_DOCUMENT_SIZE
    with pytest.raises(ServiceError, match="10 Mo"):
        services.agreement_create(
            platform=platform,
            actor=director,
            document=upload(content=PDF + b"\0" * (limit - len(PDF) + 1)),
            **values(),
        )
    agreement = services.agreement_create(
        platform=platform,
        actor=director,
        document=upload(content=PDF + b"\0" * (limit - len(PDF))),
        **values(),
    )
    assert agreement.document.size == limit


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("Convention signée.PDF", PDF),
        ("scan.jpeg", JPG),
        ("scan.jpg", JPG),
        ("photo.png", PNG),
        ("convention.docx", ZIP),
        ("convention.odt", ZIP),
    ],
)
def test_each_allowed_type_is_accepted(platform, director, name, content):
    agreement = services.agreement_create(
        platform=platform, actor=director, document=upload(name, content), **values()
    )
    assert agreement.document_name == name
    assert services.agreement_content_type(agreement) != "application/octet-stream"


def test_a_long_or_pathy_file_name_is_kept_short_without_its_folders(platform, director):
    name = "C:\\Documents\\" + "tres-long-" * 40 + ".pdf"
    agreement = services.agreement_create(
        platform=platform, actor=director, document=upload(name), **values()
    )
    assert len(agreement.document_name) <= 255
    assert agreement.document_name.endswith(".pdf")
    assert "Documents" not in agreement.document_name


def test_update_logs_what_changed(platform, director, bureau):
    agreement = services.agreement_create(platform=platform, actor=director, **values())
    services.agreement_update(
        agreement=agreement,
        actor=bureau,
        **values(ends_on=datetime.date(2028, 8, 31), kind=AgreementKind.REGION),
    )
    agreement.refresh_from_db()
    assert agreement.ends_on == datetime.date(2028, 8, 31)
    entry = history(platform)[0]
    assert entry.action == "agreement.updated"
    assert entry.actor == bureau
    assert entry.changes == {
        "fin": ["2027-08-31", "2028-08-31"],
        "nature du partenaire": ["Établissement d'accueil", "Région ou collectivité"],
    }


def test_update_without_change_writes_nothing(platform, director):
    agreement = services.agreement_create(platform=platform, actor=director, **values())
    services.agreement_update(agreement=agreement, actor=director, **values())
    assert len(history(platform)) == 1


def test_update_end_before_start_is_refused_and_nothing_changes(platform, director):
    agreement = services.agreement_create(platform=platform, actor=director, **values())
    with pytest.raises(ServiceError) as error:
        services.agreement_update(
            agreement=agreement, actor=director, **values(ends_on=datetime.date(2020, 1, 1))
        )
    assert error.value.field == "ends_on"
    agreement.refresh_from_db()
    assert agreement.ends_on == datetime.date(2027, 8, 31)


def test_a_new_document_replaces_the_old_file_once_committed(
    platform, director, django_capture_on_commit_callbacks
):
    agreement = services.agreement_create(
        platform=platform, actor=director, document=upload(), **values()
    )
    old_name = agreement.document.name
    storage = agreement.document.storage
    with django_capture_on_commit_callbacks(execute=True):
        services.agreement_update(
            agreement=agreement, actor=director, document=upload("scan.png", PNG), **values()
        )
    agreement.refresh_from_db()
    assert agreement.document_name == "scan.png"
    assert agreement.document_sha256 == hashlib.sha256(PNG).hexdigest()
    assert not storage.exists(old_name)
    assert storage.exists(agreement.document.name)
    assert history(platform)[0].changes == {"convention signée": ["convention.pdf", "scan.png"]}


def test_the_same_file_again_is_kept_as_it_is(platform, director):
    agreement = services.agreement_create(
        platform=platform, actor=director, document=upload(), **values()
    )
    name = agreement.document.name
    services.agreement_update(agreement=agreement, actor=director, document=upload(), **values())
    agreement.refresh_from_db()
    assert agreement.document.name == name
    assert len(history(platform)) == 1


def test_a_bad_replacement_keeps_the_old_document(platform, director):
    agreement = services.agreement_create(
        platform=platform, actor=director, document=upload(), **values()
    )
    with pytest.raises(ServiceError):
        services.agreement_update(
            agreement=agreement, actor=director, document=upload("x.pdf", PNG), **values()
        )
    agreement.refresh_from_db()
    assert agreement.document_name == "convention.pdf"
    assert agreement.document.storage.exists(agreement.document.name)


def test_remove_document(platform, director, django_capture_on_commit_callbacks):
    agreement = services.agreement_create(
        platform=platform, actor=director, document=upload(), **values()
    )
    name, storage = agreement.document.name, agreement.document.storage
    with django_capture_on_commit_callbacks(execute=True):
        services.agreement_update(
            agreement=agreement, actor=director, remove_document=True, **values()
        )
    agreement.refresh_from_db()
    assert not agreement.document
    assert agreement.document_name == agreement.document_sha256 == ""
    assert not storage.exists(name)
    assert history(platform)[0].changes == {"convention signée": ["convention.pdf", None]}


def test_delete_removes_the_row_and_file_and_keeps_the_history(
    platform, director, django_capture_on_commit_callbacks
):
    agreement = services.agreement_create(
        platform=platform, actor=director, document=upload(), **values()
    )
    name, storage = agreement.document.name, agreement.document.storage
    with django_capture_on_commit_callbacks(execute=True):
        services.agreement_delete(agreement=agreement, actor=director)
    assert not Agreement.objects.exists()
    assert not storage.exists(name)
    deleted, created = history(platform)
    assert deleted.action == "agreement.deleted"
    assert deleted.object_repr == "Lycée Henri-Martin — Mise à disposition des ateliers"
    assert deleted.changes["partenaire"] == ["Lycée Henri-Martin", None]
    assert deleted.changes["convention signée"] == ["convention.pdf", None]


def test_history_of_one_platform_is_not_another_ones(platform, other_platform, director):
    services.agreement_create(platform=other_platform, actor=director, **values())
    assert not history(platform)
    assert services.agreements_scope(platform) == f"members.platform:{platform.pk}/conventions"
    assert services.agreements_scope(platform.pk) == services.agreements_scope(platform)
