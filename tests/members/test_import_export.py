"""Export of the directory (current filters) and import of platforms, all rows or none."""

import csv
import io
import re
import time
import tracemalloc
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from innovalo.exceptions import ServiceError
from innovalo.models import AuditEntry
from members import importers
from members.enums import LabelStatus
from members.models import Platform

from .factories import DomainFactory, PlatformFactory, ServiceFactory, department

pytestmark = pytest.mark.django_db

IMPORT_URL = reverse("platform_import")
HEADER = "nom;sigle;slug;ville;departement;site_web;email;domaines;services;label;siret\n"


def csv_file(text, name="plateformes.csv", encoding="utf-8"):
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def xlsx_file(rows, name="plateformes.xlsx"):
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


@pytest.fixture
def referential():
    DomainFactory(name="Mécanique", slug="mecanique")
    DomainFactory(name="Plasturgie", slug="plasturgie")
    ServiceFactory(name="Essais", slug="essais")


# Export ----------------------------------------------------------------------


@pytest.fixture
def exported(referential):
    from members.models import Domain, Service

    vendee = PlatformFactory(
        name="Plasti Ouest",
        slug="plasti-ouest",
        city="Fontenay-le-Comte",
        department=department("85"),
        siret="12345678200010",
    )
    vendee.domains.add(Domain.objects.get(slug="plasturgie"), Domain.objects.get(slug="mecanique"))
    vendee.services.add(Service.objects.get(slug="essais"))
    PlatformFactory(name="Aisne Méca", slug="aisne-meca", department=department("02"))
    PlatformFactory(name="Vendée Bois", slug="vendee-bois", department=department("85"))
    return vendee


def test_csv_export_follows_filters(client_for, exported):
    response = client_for("bureau").get(reverse("platform_export") + "?format=csv&department=85")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert [row["nom"] for row in rows] == ["Plasti Ouest", "Vendée Bois"]
    first = rows[0]
    assert first["slug"] == "plasti-ouest"
    assert first["departement"] == "85"
    assert first["region"] == "Pays de la Loire"
    assert first["domaines"] == "Mécanique|Plasturgie"
    assert first["services"] == "Essais"
    assert first["siret"] == "12345678200010"
    assert first["label"] == "labelled"


def test_xlsx_export_reads_back(client_for, exported):
    response = client_for("bureau").get(reverse("platform_export") + "?format=xlsx&q=vendée")
    assert response.status_code == 200
    assert "spreadsheetml" in response["Content-Type"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("nom", "sigle", "slug")
    assert sorted(row[0] for row in rows[1:]) == ["Plasti Ouest", "Vendée Bois"]


def test_export_query_count_does_not_grow(client_for, exported, django_assert_max_num_queries):
    client = client_for("bureau")
    with django_assert_max_num_queries(10):
        client.get(reverse("platform_export") + "?format=csv")
    for _ in range(10):
        PlatformFactory()
    with django_assert_max_num_queries(10):
        client.get(reverse("platform_export") + "?format=xlsx")


def test_export_reimports_on_an_empty_directory(client_for, exported):
    client = client_for("bureau")
    content = client.get(reverse("platform_export") + "?format=csv").content
    Platform.objects.all().delete()
    client.post(IMPORT_URL, {"file": SimpleUploadedFile("export.csv", content)})
    response = client.post(IMPORT_URL, {"confirm": "1"})
    assert response.status_code == 302
    assert Platform.objects.count() == 3
    again = Platform.objects.get(slug="plasti-ouest")
    assert sorted(again.domains.values_list("slug", flat=True)) == ["mecanique", "plasturgie"]


# Import ----------------------------------------------------------------------


GOOD_CSV = (
    HEADER + "Plasti Ouest;PO;plasti-ouest;Fontenay-le-Comte;85;https://po.fr;contact@po.fr;"
    "plasturgie|Mécanique;essais;labelled;12345678200010\n"
    "Méca Aisne;;meca-aisne;Laon;2;;;;;Non labellisée;\n"
)


def test_import_preview_then_confirm_creates_all(client_for, referential, bureau):
    client = client_for("bureau")
    response = client.post(IMPORT_URL, {"file": csv_file(GOOD_CSV)})
    assert response.status_code == 200
    content = response.content.decode()
    assert "2 plateformes prêtes à être importées" in content
    assert "Confirmer l&#x27;import" in content or "Confirmer l'import" in content
    assert not Platform.objects.exists()  # the preview writes nothing
    response = client.post(IMPORT_URL, {"confirm": "1"})
    assert response.status_code == 302
    ouest = Platform.objects.get(slug="plasti-ouest")
    assert ouest.department.code == "85"
    assert sorted(ouest.domains.values_list("slug", flat=True)) == ["mecanique", "plasturgie"]
    assert ouest.label_status == LabelStatus.LABELLED
    aisne = Platform.objects.get(slug="meca-aisne")
    assert aisne.department.code == "02"
    assert aisne.label_status == LabelStatus.NOT_LABELLED
    entry = AuditEntry.objects.get(target=f"members.platform:{ouest.pk}")
    assert (entry.action, entry.actor) == ("platform.imported", bureau)
    assert entry.changes["name"] == [None, "Plasti Ouest"]
    assert entry.changes["domains"] == [None, ["Mécanique", "Plasturgie"]]
    assert AuditEntry.objects.filter(action="platform.imported").count() == 2


def test_import_with_comma_separator(client_for, referential):
    text = "nom,slug,ville,departement\nBois Jura,bois-jura,Lons-le-Saunier,39\n"
    client = client_for("bureau")
    client.post(IMPORT_URL, {"file": csv_file(text)})
    client.post(IMPORT_URL, {"confirm": "1"})
    assert Platform.objects.get().city == "Lons-le-Saunier"


def test_import_xlsx(client_for, referential):
    client = client_for("bureau")
    rows = [
        ["Nom", "Slug", "Ville", "Département", "Domaines"],
        ["Plasti Ouest", "plasti-ouest", "Fontenay-le-Comte", 85, "plasturgie"],
    ]
    response = client.post(IMPORT_URL, {"file": xlsx_file(rows)})
    assert "1 plateforme prête" in response.content.decode()
    client.post(IMPORT_URL, {"confirm": "1"})
    assert Platform.objects.get().domains.get().slug == "plasturgie"


def test_bad_rows_are_named_with_reasons_and_nothing_is_written(client_for, referential):
    PlatformFactory(slug="deja-la")
    text = HEADER + (
        "Bonne;;bonne;Laon;02;;;;;;\n"
        "Dept inconnu;;dept-inconnu;Nulle-part;99;;;;;;\n"
        "Doublon;;deja-la;Laon;02;;;;;;\n"
        "Siret;;siret-faux;Laon;02;;;;;;123\n"
        "Siret cle;;siret-cle;Laon;02;;;;;;197 500 010 00017\n"
        "Mail;;mail-faux;Laon;02;;pas-un-mail;;;;\n"
        "Url;;url-fausse;Laon;02;pas une url;;;;;\n"
        "Domaine;;domaine-inconnu;Laon;02;;;Astrologie;;;\n"
        "Bonne bis;;bonne;Laon;02;;;;;;\n"
        ";;sans-nom;Laon;02;;;;;;\n"
    )
    client = client_for("bureau")
    response = client.post(IMPORT_URL, {"file": csv_file(text)})
    assert response.status_code == 200
    content = response.content.decode()
    assert "9 lignes comportent des erreurs" in content
    for reason in [
        "Code de département inconnu « 99 »",
        "Le slug « deja-la » est déjà pris",
        "SIRET invalide « 123 »",
        "SIRET invalide « 197 500 010 00017 » : Ce SIRET n&#x27;existe pas",
        "Adresse e-mail invalide « pas-un-mail »",
        "Adresse de site web invalide « pas une url »",
        "Domaine inconnu « Astrologie »",
        "Slug « bonne » en double (ligne 2)",
        "« nom » est obligatoire",
    ]:
        assert reason in content, reason
    assert "Confirmer" not in content
    rows = response.context["rows"]
    assert [row.line for row in rows if row.errors] == [3, 4, 5, 6, 7, 8, 9, 10, 11]
    # Confirming anyway (a forged request) writes nothing either.
    response = client.post(IMPORT_URL, {"confirm": "1"})
    assert response.status_code == 200
    assert Platform.objects.count() == 1


def test_confirm_revalidates_against_the_database(client_for, referential):
    client = client_for("bureau")
    client.post(IMPORT_URL, {"file": csv_file(GOOD_CSV)})
    PlatformFactory(slug="meca-aisne")  # taken meanwhile
    response = client.post(IMPORT_URL, {"confirm": "1"})
    assert response.status_code == 200
    assert "Import refusé" in response.content.decode()
    assert not Platform.objects.filter(slug="plasti-ouest").exists()


LATIN1 = "nom;slug;ville;departement\nÉté;ete;Laon;02\n".encode("cp1252")
BAD_FILES = [
    ("notes.txt", b"hello", "Format non reconnu"),
    ("vide.csv", b"", "vide"),
    ("latin.csv", LATIN1, "UTF-8"),
    ("colonnes.csv", b"nom;ville\nA;B\n", "absentes : slug, departement"),
    ("blancs.csv", b" \n;;\n", "Le fichier est vide"),
    ("entete.csv", b"nom;slug;ville;departement\n", "aucune ligne de donn"),
    ("casse.xlsx", b"PK\x03\x04 not really a zip", "ne peut pas être lu"),
]


@pytest.mark.parametrize(("name", "content", "message"), BAD_FILES)
def test_bad_files_give_a_clear_message(client_for, name, content, message):
    upload = SimpleUploadedFile(name, content)
    response = client_for("bureau").post(IMPORT_URL, {"file": upload})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Platform.objects.exists()


def test_confirm_without_pending_import(client_for):
    response = client_for("bureau").post(IMPORT_URL, {"confirm": "1"}, follow=True)
    assert "Aucun import en attente" in response.content.decode()


@pytest.mark.parametrize("role", ["director", "ministry"])
def test_import_refused_to_non_bureau(client_for, role, referential):
    response = client_for(role).post(IMPORT_URL, {"file": csv_file(GOOD_CSV)})
    assert response.status_code == 403
    assert not Platform.objects.exists()


LONG_CELLS = [
    ("slug", "a" * 81, "« slug » dépasse 80 caractères"),
    ("adresse", "x" * 256, "« adresse » dépasse 255 caractères"),
    ("site_web", "https://exemple.fr/" + "x" * 200, "« site_web » dépasse 200 caractères"),
    ("code_chorus", "C" * 101, "« code_chorus » dépasse 100 caractères"),
]


@pytest.mark.parametrize(("column", "value", "message"), LONG_CELLS)
def test_too_long_cell_is_a_row_error_not_a_server_error(client_for, column, value, message):
    row = {"nom": "Longue", "slug": "longue", "ville": "Laon", "departement": "02", column: value}
    text = ";".join(row) + "\n" + ";".join(row.values()) + "\n"
    client = client_for("bureau")
    response = client.post(IMPORT_URL, {"file": csv_file(text)})
    assert response.status_code == 200
    assert message in response.content.decode()
    response = client.post(IMPORT_URL, {"confirm": "1"})
    assert response.status_code == 200
    assert not Platform.objects.exists()


@pytest.mark.parametrize(
    ("line", "column"),
    [
        ("Nul;nul\x00;Laon;02;", "slug"),  # PostgreSQL refuses NUL, even in a lookup
        ("Nul;nul;La\x00on;02;", "ville"),
        ("Ctrl;ctrl;Laon;02;Texte\x01collé", "presentation"),  # XLSX refuses it
    ],
)
def test_control_characters_in_a_cell_are_a_row_error(client_for, line, column):
    text = "nom;slug;ville;departement;presentation\n" + line + "\n"
    client = client_for("bureau")
    response = client.post(IMPORT_URL, {"file": csv_file(text)})
    assert response.status_code == 200
    assert f"« {column} » contient un caractère de contrôle" in response.content.decode()
    response = client.post(IMPORT_URL, {"confirm": "1"})
    assert response.status_code == 200
    assert not Platform.objects.exists()


def test_xlsx_export_drops_control_characters_of_older_data(client_for, exported):
    Platform.objects.filter(pk=exported.pk).update(description="Texte\x01collé\nsuite")
    response = client_for("bureau").get(reverse("platform_export") + "?format=xlsx&department=85")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    description = rows[0].index("presentation")
    assert rows[1][description] == "Textecollé\nsuite"


def test_slug_taken_by_a_concurrent_import_refuses_all_without_a_500(referential, bureau):
    from members.services.platforms import platform_import

    raw_rows = importers.parse_upload(csv_file(GOOD_CSV))
    original = importers.validate_rows

    def validate_then_race(rows):
        validated = original(rows)
        PlatformFactory(slug=validated[-1].fields["slug"])  # another bureau member was faster
        return validated

    importers.validate_rows = validate_then_race
    try:
        with pytest.raises(ServiceError) as refused:
            platform_import(raw_rows=raw_rows, actor=bureau)
    finally:
        importers.validate_rows = original
    assert any("déjà pris" in str(error) for row in refused.value.rows for error in row.errors)
    # All or nothing: the first row, valid, was not kept either.
    assert not Platform.objects.filter(slug="plasti-ouest").exists()
    assert not AuditEntry.objects.exists()


# Files that declare more than they hold, or hold too much ----------------------------


def xlsx_bytes(rows):
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def with_sheet(content: bytes, change) -> bytes:
    """The same XLSX with its first sheet's XML changed by `change(xml) -> xml`."""
    source, target = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = change(data.decode()).encode()
            archive.writestr(item, data)
    return target.getvalue()


GOOD_ROWS = [["nom", "slug", "ville", "departement"], ["Bois Jura", "bois-jura", "Lons", "39"]]


def upload(client, content, name="plateformes.xlsx"):
    started = time.perf_counter()
    tracemalloc.start()
    try:
        response = client.post(IMPORT_URL, {"file": SimpleUploadedFile(name, content)})
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return response, time.perf_counter() - started, peak


HUGE_DIMENSION = '<dimension ref="A1:XFD1048576"/>'


def huge_dimension(xml, far_row=1_000_000):
    """Claim the whole sheet (16,384 columns, a million rows) and put a cell far below:
    a reader that trusts the dimension fills every row in between, column by column."""
    xml = re.sub(r'<dimension ref="[^"]*" ?/>', HUGE_DIMENSION, xml)
    cell = f'<row r="{far_row}"><c r="A{far_row}" t="inlineStr"><is><t>x</t></is></c></row>'
    return xml.replace("</sheetData>", cell + "</sheetData>")


def test_a_sheet_declaring_a_huge_dimension_is_read_within_the_limits(client_for, referential):
    content = with_sheet(xlsx_bytes(GOOD_ROWS), huge_dimension)
    sheet = zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml").decode()
    assert HUGE_DIMENSION in sheet and 'r="A1000000"' in sheet
    response, seconds, peak = upload(client_for("bureau"), content)
    assert response.status_code == 200
    assert "1 plateforme prête" in response.content.decode()  # the far cell is not read
    assert seconds < 5 and peak < 50 * 1024 * 1024


def test_rows_beyond_the_limit_in_a_huge_sheet_are_too_many(client_for, referential):
    rows = GOOD_ROWS[:1] + [
        [f"P{n}", f"p-{n}", "Laon", "02"] for n in range(importers.MAX_ROWS + 1)
    ]
    content = with_sheet(xlsx_bytes(rows), huge_dimension)
    response, seconds, peak = upload(client_for("bureau"), content)
    assert "Le fichier dépasse 1\u202f000 lignes : découpez-le." in response.content.decode()
    assert seconds < 10 and peak < 100 * 1024 * 1024


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_too_many_rows_is_said_clearly(client_for, referential, kind):
    rows = GOOD_ROWS[:1] + [
        [f"P{n}", f"p-{n}", "Laon", "02"] for n in range(importers.MAX_ROWS + 5)
    ]
    if kind == "csv":
        content = "\n".join(";".join(row) for row in rows).encode()
    else:
        content = xlsx_bytes(rows)
    response, seconds, _peak = upload(client_for("bureau"), content, f"plateformes.{kind}")
    assert response.status_code == 200
    assert "Le fichier dépasse 1\u202f000 lignes : découpez-le." in response.content.decode()
    assert seconds < 10
    assert not Platform.objects.exists()


def test_blank_rows_do_not_count(client_for, referential):
    text = "nom;slug;ville;departement\n" + ";;;\n" * 2000 + "Bois;bois;Lons;39\n"
    response = client_for("bureau").post(IMPORT_URL, {"file": csv_file(text)})
    assert "1 plateforme prête" in response.content.decode()


def test_an_xlsx_that_unpacks_to_too_much_is_refused_before_it_is_read(client_for, settings):
    big = io.BytesIO()
    with zipfile.ZipFile(big, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", " " * (importers.MAX_UNPACKED_BYTES + 1))
    response, seconds, _peak = upload(client_for("bureau"), big.getvalue())
    assert len(big.getvalue()) < importers.MAX_BYTES
    assert "trop volumineux une fois décompressé" in response.content.decode()
    assert seconds < 5


def test_columns_beyond_the_limit_are_not_read(client_for, referential):
    header = GOOD_ROWS[0] + [f"extra{n}" for n in range(importers.MAX_COLUMNS)] + ["sigle"]
    row = GOOD_ROWS[1] + ["x"] * importers.MAX_COLUMNS + ["IGNORÉ"]
    client = client_for("bureau")
    response = client.post(
        IMPORT_URL, {"file": SimpleUploadedFile("p.xlsx", xlsx_bytes([header, row]))}
    )
    assert "1 plateforme prête" in response.content.decode()
    client.post(IMPORT_URL, {"confirm": "1"})
    assert Platform.objects.get().acronym == ""


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("nul.csv", b"nom;slug;ville;departement\nA\x00;a;Laon;02\n", "caractère de contrôle"),
        ("utf16.csv", "nom;slug;ville;departement\n".encode("utf-16"), "UTF-8"),
        ("guillemets.csv", b'nom;slug;ville;departement\n"A;a;Laon;02\n', "« slug » est obl"),
        ("entetes.xlsx", xlsx_bytes([["Name", "Town"], ["A", "B"]]), "absentes"),
        ("vide.xlsx", xlsx_bytes([]), "Le fichier est vide"),
        ("zip.xlsx", b"PK\x05\x06" + b"\x00" * 18, "ne peut pas être lu"),
    ],
)
def test_odd_files_never_give_a_500(client_for, referential, name, content, message):
    response = client_for("bureau").post(IMPORT_URL, {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Platform.objects.exists()


def test_formulas_are_read_as_their_values_or_text(client_for, referential):
    rows = GOOD_ROWS[:1] + [["=1+1", "formule", '=HYPERLINK("x")', "02"]]
    client = client_for("bureau")
    response = client.post(IMPORT_URL, {"file": SimpleUploadedFile("f.xlsx", xlsx_bytes(rows))})
    assert response.status_code == 200  # no cached values: the cells are empty
    assert "« nom » est obligatoire" in response.content.decode()
    text = "nom;slug;ville;departement\n=1+1;formule-csv;@SUM(A1);02\n"
    response = client.post(IMPORT_URL, {"file": csv_file(text)})
    assert "1 plateforme prête" in response.content.decode()
    client.post(IMPORT_URL, {"confirm": "1"})
    assert Platform.objects.get().name == "=1+1"  # kept as text; the export defuses it


def test_import_pages_query_counts(client_for, referential, django_assert_max_num_queries):
    client = client_for("bureau")
    with django_assert_max_num_queries(3):
        assert client.get(IMPORT_URL).status_code == 200
    rows = "".join(f"P{n};p-{n};Laon;02\n" for n in range(3))
    with django_assert_max_num_queries(10):
        response = client.post(
            IMPORT_URL, {"file": csv_file("nom;slug;ville;departement\n" + rows)}
        )
    assert "3 plateformes prêtes" in response.content.decode()
    more = "".join(f"P{n};p-{n};Laon;02\n" for n in range(30))
    with django_assert_max_num_queries(10):
        client.post(IMPORT_URL, {"file": csv_file("nom;slug;ville;departement\n" + more)})
