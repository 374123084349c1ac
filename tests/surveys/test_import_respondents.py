"""Importing external respondents: CSV (BOM or not, ; or ,) and XLSX, all or nothing
with a report per row, duplicates merged, bad files refused next to the field."""

import pytest
from django.urls import reverse

from innovalo.exceptions import ServiceError
from innovalo.models import AuditEntry
from surveys import services
from surveys.enums import CampaignKind, CampaignStatus, RespondentStatus
from surveys.importers import MAX_BYTES, read_respondents
from surveys.models import Respondent
from surveys.models.responses import hash_token
from surveys.services.respondents import ImportRefused, respondent_link_token
from tests.conftest import ROLES
from tests.members.dues_factories import safe_department

from .factories import CampaignFactory, RespondentFactory
from .respondent_factories import VALID_SIRETS, csv_upload, external_campaign, xlsx_upload

pytestmark = pytest.mark.django_db

GOOD_CSV = (
    "email;organisation;siret;department;language\n"
    f"contact@pme-a.fr;PME A;{VALID_SIRETS[0]};02;fr\n"
    f"direction@pme-b.fr;PME B;{VALID_SIRETS[2]};2;en\n"
    "info@pme-c.fr;PME C;;;\n"
)


@pytest.fixture
def campaign():
    safe_department("02")
    return external_campaign()


def _import(campaign, upload, actor=None):
    return services.respondents_import(
        campaign=campaign, rows=read_respondents(upload), actor=actor
    )


# The file ---------------------------------------------------------------------------


@pytest.mark.parametrize("bom", [False, True])
@pytest.mark.parametrize("separator", [";", ","])
def test_a_csv_is_read_with_or_without_bom_and_either_separator(campaign, bom, separator):
    report = _import(campaign, csv_upload(GOOD_CSV.replace(";", separator), bom=bom))
    assert report.created == 3
    first = Respondent.objects.get(email="contact@pme-a.fr")
    assert (first.organisation, first.siret, first.department.code) == (
        "PME A",
        VALID_SIRETS[0],
        "02",
    )
    assert Respondent.objects.get(email="direction@pme-b.fr").language == "en"
    third = Respondent.objects.get(email="info@pme-c.fr")
    assert (third.language, third.department, third.siret) == ("fr", None, "")


def test_an_xlsx_is_read_with_french_headers(campaign):
    upload = xlsx_upload(
        [
            ["Courriel", "Entreprise", "SIRET", "Département", "Langue"],
            ["a@pme.fr", "PME A", int(VALID_SIRETS[0]), 2, "EN"],
            [None, None, None, None, None],
            ["b@pme.fr", "PME B", None, None, None],
        ]
    )
    report = _import(campaign, upload)
    assert report.created == 2
    first = Respondent.objects.get(email="a@pme.fr")
    assert (first.siret, first.department.code, first.language) == (VALID_SIRETS[0], "02", "en")


def test_each_imported_respondent_has_a_working_link(campaign):
    _import(campaign, csv_upload(GOOD_CSV))
    for respondent in Respondent.objects.all():
        token = respondent_link_token(respondent)
        assert respondent.token_hash == hash_token(token)
        assert Respondent.find_by_token(token) == respondent


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (csv_upload(""), "vide"),
        (csv_upload("email;organisation\n"), "aucune ligne"),
        (csv_upload("organisation;siret\nPME;\n"), "« email » est absente"),
        (csv_upload("email\na@b.fr\n", name="liste.pdf"), "Format non reconnu"),
        (csv_upload("email\na@b.fr\n", name="liste.xlsx"), "pas un vrai fichier XLSX"),
        (csv_upload("\x00\x01binary\x00", name="liste.csv"), "binaires"),
        (csv_upload("PK\x03\x04 broken zip", name="liste.csv"), "XLSX ne peut pas être lu"),
    ],
)
def test_a_bad_file_is_refused_with_a_message(campaign, upload, message):
    with pytest.raises(ServiceError, match=message) as caught:
        read_respondents(upload)
    assert caught.value.field == "file"


def test_a_file_not_in_utf8_is_refused(campaign):
    upload = csv_upload("")
    upload.file.write("email\nélodie@pme.fr\n".encode("latin-1"))
    upload.size = upload.file.tell()
    upload.file.seek(0)
    with pytest.raises(ServiceError, match="UTF-8"):
        read_respondents(upload)


def test_a_huge_file_is_refused_before_it_is_read(campaign):
    upload = csv_upload("email\n" + "a@b.fr\n" * 10)
    upload.size = MAX_BYTES + 1
    with pytest.raises(ServiceError, match="5 Mo"):
        read_respondents(upload)


# Rows -------------------------------------------------------------------------------


def test_rows_with_errors_refuse_the_whole_file_with_a_report_per_row(campaign):
    text = (
        "email;organisation;siret;department;language\n"
        "ok@pme.fr;PME OK;;;\n"
        "pas-un-courriel;PME;;;\n"
        f"x@pme.fr;PME;{VALID_SIRETS[0][:-1]}9;;\n"
        "y@pme.fr;PME;;999;\n"
        "z@pme.fr;PME;;;de\n"
        ";Sans courriel;;;\n"
    )
    with pytest.raises(ImportRefused) as caught:
        _import(campaign, csv_upload(text))
    report = {row.line: row.errors for row in caught.value.report.errors}
    assert sorted(report) == [3, 4, 5, 6, 7]
    assert "Courriel invalide" in report[3][0]
    assert "SIRET invalide" in report[4][0]
    assert "Département inconnu" in report[5][0]
    assert "Langue inconnue" in report[6][0]
    assert "obligatoire" in report[7][0]
    assert not Respondent.objects.exists()


def test_duplicates_in_the_file_are_one_respondent_the_later_cells_winning(campaign):
    text = (
        "email;organisation;department\n"
        "Contact@PME.fr;Ancien nom;\n"
        "other@pme.fr;Autre;\n"
        "contact@pme.fr;Nouveau nom;02\n"
        "CONTACT@pme.fr;;\n"
    )
    report = _import(campaign, csv_upload(text))
    assert report.created == 2
    assert report.merged == [(4, 2), (5, 2)]
    merged = Respondent.objects.get(email__iexact="contact@pme.fr")
    assert (merged.email, merged.organisation, merged.department.code) == (
        "Contact@PME.fr",
        "Nouveau nom",
        "02",
    )


def test_an_existing_respondent_is_updated_and_keeps_its_state_and_link(campaign):
    opted_out = RespondentFactory(
        campaign=campaign, email="parti@pme.fr", organisation="Vieux", language="fr"
    )
    services.respondent_opt_out(respondent=opted_out)
    same = RespondentFactory(campaign=campaign, email="same@pme.fr", organisation="Même")
    token = respondent_link_token(Respondent.objects.get(pk=opted_out.pk))
    text = "email;organisation;language\nPARTI@pme.fr;Nouveau;en\nsame@pme.fr;;\nnew@pme.fr;N;\n"
    report = _import(campaign, csv_upload(text))
    assert (report.created, report.updated, report.unchanged) == (1, 1, 1)
    opted_out.refresh_from_db()
    assert (opted_out.email, opted_out.organisation, opted_out.language) == (
        "parti@pme.fr",
        "Nouveau",
        "en",
    )
    assert opted_out.status == RespondentStatus.OPTED_OUT
    assert Respondent.find_by_token(token) == opted_out
    assert Respondent.objects.get(pk=same.pk).organisation == "Même"


def test_an_import_is_logged_once_with_its_counts(campaign, bureau):
    _import(campaign, csv_upload(GOOD_CSV), actor=bureau)
    entry = AuditEntry.objects.get(action="surveys.respondents_imported")
    assert entry.actor == bureau
    assert entry.changes["created"] == 3


def test_importing_the_same_file_twice_changes_nothing_the_second_time(campaign):
    _import(campaign, csv_upload(GOOD_CSV))
    before = list(Respondent.objects.values_list("pk", "token_hash", "organisation"))
    report = _import(campaign, csv_upload(GOOD_CSV))
    assert (report.created, report.updated, report.unchanged) == (0, 0, 3)
    assert list(Respondent.objects.values_list("pk", "token_hash", "organisation")) == before


def test_a_platform_survey_or_a_closed_campaign_takes_no_respondents(campaign):
    with pytest.raises(ServiceError, match="externe"):
        _import(CampaignFactory(kind=CampaignKind.PLATFORM_SURVEY), csv_upload(GOOD_CSV))
    closed = external_campaign(status=CampaignStatus.CLOSED)
    with pytest.raises(ServiceError, match="close"):
        _import(closed, csv_upload(GOOD_CSV))


# The page ---------------------------------------------------------------------------

EXPECTED = {"anonymous": 302, "director": 403, "other_director": 403, "bureau": 200}
EXPECTED["ministry"] = 403


@pytest.mark.parametrize("role", ROLES)
def test_the_import_page_per_role(client_for, role, campaign, platform, other_platform):
    url = reverse("survey_respondent_import", args=[campaign.pk])
    response = client_for(role).get(url)
    assert response.status_code == EXPECTED[role]
    if role == "anonymous":
        assert reverse("account_login") in response["Location"]
    posted = client_for(role).post(url, {"file": csv_upload(GOOD_CSV)})
    assert posted.status_code == (302 if role in ("anonymous", "bureau") else 403)
    assert Respondent.objects.count() == (3 if role == "bureau" else 0)


def test_the_import_page_of_a_platform_survey_is_not_found(client_for):
    other = CampaignFactory(kind=CampaignKind.PLATFORM_SURVEY)
    url = reverse("survey_respondent_import", args=[other.pk])
    assert client_for("bureau").get(url).status_code == 404


def test_a_successful_import_goes_back_to_the_list_with_its_counts(client_for, campaign):
    url = reverse("survey_respondent_import", args=[campaign.pk])
    response = client_for("bureau").post(url, {"file": csv_upload(GOOD_CSV)}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("survey_respondents", args=[campaign.pk])
    assert "3 répondant(s) ajouté(s)" in response.content.decode()


def test_the_page_shows_each_row_in_error_and_imports_nothing(client_for, campaign):
    text = "email;siret\nok@pme.fr;\nmauvais;\nx@pme.fr;123\n"
    url = reverse("survey_respondent_import", args=[campaign.pk])
    response = client_for("bureau").post(url, {"file": csv_upload(text)})
    assert response.status_code == 400
    content = response.content.decode()
    assert "2 lignes comportent des erreurs" in content
    assert "Courriel invalide « mauvais »" in content
    assert "SIRET invalide « 123 »" in content
    assert '<th scope="row" class="num">3</th>' in content
    assert not Respondent.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "obligatoire"),
        ({"file": csv_upload("", name="vide.csv")}, "vide"),
        ({"file": csv_upload("x", name="image.png")}, "Format non reconnu"),
        ({"file": csv_upload("nom\nPME\n")}, "« email » est absente"),
    ],
)
def test_a_bad_file_is_a_message_next_to_the_field(client_for, campaign, data, message):
    url = reverse("survey_respondent_import", args=[campaign.pk])
    response = client_for("bureau").post(url, data)
    assert response.status_code == 400
    content = response.content.decode()
    assert 'id="id_file_error"' in content
    assert message in content
