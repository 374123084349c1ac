"""The agreements' pages: who may open each (every role), what they show, the forms, the
signed document's download, the bureau's page of the network, query counts, and that a
GET never writes and hostile input is never a 500."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from freezegun import freeze_time

from innovalo.models import AuditEntry, SentReminder
from members.enums import AgreementKind, PlatformRole
from members.models import Agreement
from members.services import partnerships as services
from tests.conftest import ROLES

from .factories import MembershipFactory, PlatformFactory, department

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%signed\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
TODAY = datetime.date(2026, 3, 2)

# Expected status of a platform's agreements pages per role (`platform` is the director's).
PLATFORM_PAGES = {
    "anonymous": "login",
    "director": 200,
    "other_director": 403,
    "bureau": 200,
    "ministry": 403,
}
NETWORK_PAGE = {
    "anonymous": "login",
    "director": 403,
    "other_director": 403,
    "bureau": 200,
    "ministry": 403,
}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _today():
    with freeze_time("2026-03-02 10:00"):
        yield


def make_agreement(platform, *, document=None, **fields):
    values = {
        "partner": "Lycée Henri-Martin",
        "kind": AgreementKind.HOST,
        "subject": "Mise à disposition des ateliers",
        "starts_on": datetime.date(2024, 9, 1),
        "ends_on": TODAY + datetime.timedelta(days=60),
    }
    values.update(fields)
    return services.agreement_create(platform=platform, actor=None, document=document, **values)


def pdf(name="convention.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture
def agreement(platform):
    return make_agreement(platform, document=pdf())


@pytest.fixture
def foreign(other_platform):
    """An agreement of another platform."""
    return make_agreement(other_platform, partner="Plasturgie SA", kind=AgreementKind.FIRM)


def url(name, platform, agreement=None):
    args = [platform.slug] if agreement is None else [platform.slug, agreement.pk]
    return reverse(name, args=args)


def check(response, expected):
    if expected == "login":
        assert response.status_code == 302
        assert reverse("account_login") in response["Location"]
    else:
        assert response.status_code == expected


def counts():
    return (
        Agreement.objects.count(),
        AuditEntry.objects.count(),
        SentReminder.objects.count(),
    )


# Who may open what ------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "name",
    [
        "agreement_list",
        "agreement_create",
        "agreement_edit",
        "agreement_delete",
        "agreement_document",
    ],
)
def test_platform_pages_per_role(client_for, role, name, platform, agreement):
    target = None if name in ("agreement_list", "agreement_create") else agreement
    before = counts()
    response = client_for(role).get(url(name, platform, target))
    check(response, PLATFORM_PAGES[role])
    assert counts() == before  # a GET never writes


@pytest.mark.parametrize("role", ROLES)
def test_network_page_per_role(client_for, role, agreement):
    before = counts()
    check(client_for(role).get(reverse("agreements_ending")), NETWORK_PAGE[role])
    assert counts() == before


@pytest.mark.parametrize("role", ["director", "bureau"])
@pytest.mark.parametrize("name", ["agreement_edit", "agreement_delete", "agreement_document"])
def test_an_agreement_of_another_platform_is_not_found_under_this_one(
    client_for, role, name, platform, foreign
):
    assert client_for(role).get(url(name, platform, foreign)).status_code == 404


@pytest.mark.parametrize("name", ["agreement_edit", "agreement_delete", "agreement_document"])
def test_another_platforms_people_are_refused_before_any_agreement_is_read(
    client_for, name, platform, agreement
):
    # The same answer for an id that exists and one that does not: nothing is told.
    client = client_for("other_director")
    assert client.get(url(name, platform, agreement)).status_code == 403
    missing = reverse(name, args=[platform.slug, agreement.pk + 1000])
    assert client.get(missing).status_code == 403


def test_unknown_platform_is_404(client_for):
    assert client_for("bureau").get(reverse("agreement_list", args=["nope"])).status_code == 404


def test_a_staff_member_and_the_accounting_contact_see_their_platforms_agreements(
    client, platform, agreement
):
    for role in (PlatformRole.STAFF, PlatformRole.ACCOUNTING):
        person = MembershipFactory(platform=platform, role=role).user
        client.force_login(person)
        assert client.get(url("agreement_list", platform)).status_code == 200


@pytest.mark.parametrize("role", ["anonymous", "other_director", "ministry"])
def test_posts_of_those_refused_change_nothing(client_for, role, platform, agreement):
    client = client_for(role)
    before = counts()
    data = {
        "partner": "Intrus",
        "kind": AgreementKind.FIRM,
        "subject": "x",
        "starts_on": "2026-01-01",
    }
    expected = PLATFORM_PAGES[role]
    check(client.post(url("agreement_create", platform), data), expected)
    check(client.post(url("agreement_edit", platform, agreement), data), expected)
    check(client.post(url("agreement_delete", platform, agreement)), expected)
    assert counts() == before
    agreement.refresh_from_db()
    assert agreement.partner == "Lycée Henri-Martin"


@pytest.mark.parametrize("name", ["agreement_list", "agreement_document", "agreements_ending"])
def test_read_only_pages_refuse_a_post(client_for, name, platform, agreement):
    target = agreement if name == "agreement_document" else None
    address = reverse(name) if name == "agreements_ending" else url(name, platform, target)
    assert client_for("bureau").post(address).status_code == 405


# The platform's list ------------------------------------------------------------------------


def test_list_shows_each_agreement_with_its_state_and_document(client_for, platform, agreement):
    make_agreement(
        platform, partner="Région Hauts-de-France", kind=AgreementKind.REGION, ends_on=None
    )
    make_agreement(
        platform, partner="Ancien partenaire", ends_on=TODAY - datetime.timedelta(days=3)
    )
    make_agreement(platform, partner="Bientôt", ends_on=TODAY + datetime.timedelta(days=10))
    content = client_for("director").get(url("agreement_list", platform)).content.decode()
    assert "Se termine dans 60 jours" in content
    assert "Se termine dans 10 jours" in content
    assert "En cours, sans date de fin" in content
    assert "Terminée le 27 février 2026" in content
    assert url("agreement_document", platform, agreement) in content
    assert "convention.pdf" in content
    assert url("agreement_edit", platform, agreement) in content
    assert url("agreement_create", platform) in content
    # Running agreements first, soonest end first; ended ones last.
    order = [
        content.index(name)
        for name in ("Bientôt", "Lycée Henri-Martin", "Région Hauts-de-France", "Ancien partenaire")
    ]
    assert order == sorted(order)


def test_list_shows_the_history(client_for, platform, agreement, director):
    client = client_for("director")
    client.post(
        url("agreement_delete", platform, agreement),
    )
    content = client.get(url("agreement_list", platform)).content.decode()
    assert "Historique des conventions" in content
    assert "Convention supprimée : Lycée Henri-Martin" in content
    assert "Convention ajoutée : Lycée Henri-Martin" in content


def test_list_does_not_show_another_platforms_agreements(client_for, platform, foreign):
    content = client_for("bureau").get(url("agreement_list", platform)).content.decode()
    assert "Plasturgie SA" not in content
    assert "Aucune convention enregistrée." in content


def test_bureau_list_links_to_the_network_page(client_for, platform):
    network = f'href="{reverse("agreements_ending")}"'
    assert network in client_for("bureau").get(url("agreement_list", platform)).content.decode()
    assert (
        network not in client_for("director").get(url("agreement_list", platform)).content.decode()
    )


# Session, user, platform, (the director's platforms), count, rows, history.
@pytest.mark.parametrize(("role", "queries"), [("director", 7), ("bureau", 6)])
def test_list_query_count_does_not_grow(
    client_for, role, queries, platform, django_assert_max_num_queries
):
    for index in range(3):
        make_agreement(platform, partner=f"Partenaire {index}", document=pdf())
    client = client_for(role)
    with django_assert_max_num_queries(queries):
        response = client.get(url("agreement_list", platform))
    assert len(response.context["rows"]) == 3
    for index in range(12):
        make_agreement(platform, partner=f"Autre {index}", document=pdf())
    with django_assert_max_num_queries(queries):
        response = client.get(url("agreement_list", platform))
    assert len(response.context["rows"]) == 15
    assert len(response.context["entries"]) == 15


def test_list_is_paginated(client_for, platform):
    for index in range(23):
        make_agreement(platform, partner=f"Partenaire {index:02d}")
    client = client_for("director")
    first = client.get(url("agreement_list", platform))
    assert len(first.context["rows"]) == 20
    second = client.get(url("agreement_list", platform) + "?page=2")
    assert len(second.context["rows"]) == 3


# Forms ---------------------------------------------------------------------------------------


def form_data(**overrides):
    data = {
        "partner": "Campus des métiers de la plasturgie",
        "kind": AgreementKind.CAMPUS,
        "subject": "Formations communes",
        "starts_on": "2025-01-01",
        "ends_on": "2027-12-31",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


@pytest.mark.parametrize("role", ["director", "bureau"])
def test_create_with_a_document(client_for, role, platform):
    response = client_for(role).post(
        url("agreement_create", platform), form_data(document=pdf("signée.pdf"))
    )
    assert response.status_code == 302
    assert response["Location"] == url("agreement_list", platform)
    agreement = Agreement.objects.get()
    assert agreement.platform == platform
    assert agreement.kind == AgreementKind.CAMPUS
    assert agreement.ends_on == datetime.date(2027, 12, 31)
    assert agreement.document_name == "signée.pdf"


def test_create_without_an_end_date(client_for, platform):
    response = client_for("director").post(url("agreement_create", platform), form_data(ends_on=""))
    assert response.status_code == 302
    assert Agreement.objects.get().ends_on is None


def test_end_before_start_is_a_message_next_to_the_end_and_keeps_what_was_typed(
    client_for, platform
):
    response = client_for("director").post(
        url("agreement_create", platform), form_data(ends_on="2024-12-31")
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert 'id="id_ends_on_error"' in content
    assert "La fin d&#x27;une convention suit son début." in content
    assert 'value="Campus des métiers de la plasturgie"' in content
    assert not Agreement.objects.exists()


def test_a_bad_file_is_a_message_next_to_the_file(client_for, platform):
    response = client_for("director").post(
        url("agreement_create", platform), form_data(document=pdf("faux.pdf", PNG))
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert 'id="id_document_error"' in content
    assert "Choisissez à nouveau le fichier" in content
    assert not Agreement.objects.exists()


def test_edit_changes_the_end_date_and_replaces_the_document(client_for, platform, agreement):
    page = client_for("director").get(url("agreement_edit", platform, agreement)).content.decode()
    assert 'value="2026-05-01"' in page  # the end date, as the date input reads it
    assert "convention.pdf" in page and 'name="remove_document"' in page
    response = client_for("director").post(
        url("agreement_edit", platform, agreement),
        form_data(
            partner=agreement.partner,
            kind=agreement.kind,
            subject=agreement.subject,
            starts_on="2024-09-01",
            ends_on="2029-08-31",
            document=SimpleUploadedFile("avenant.png", PNG, content_type="image/png"),
        ),
    )
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.ends_on == datetime.date(2029, 8, 31)
    assert agreement.document_name == "avenant.png"


def test_edit_can_remove_the_document(client_for, platform, agreement):
    data = form_data(
        partner=agreement.partner,
        kind=agreement.kind,
        subject=agreement.subject,
        starts_on="2024-09-01",
        ends_on="2026-05-01",
        remove_document="on",
    )
    assert (
        client_for("bureau").post(url("agreement_edit", platform, agreement), data).status_code
        == 302
    )
    agreement.refresh_from_db()
    assert not agreement.document


def test_delete_asks_then_deletes(client_for, platform, agreement):
    client = client_for("director")
    page = client.get(url("agreement_delete", platform, agreement)).content.decode()
    assert "Supprimer la convention avec Lycée Henri-Martin ?" in page
    assert "document signé" in page
    assert Agreement.objects.exists()
    response = client.post(url("agreement_delete", platform, agreement))
    assert response.status_code == 302
    assert not Agreement.objects.exists()
    assert AuditEntry.objects.filter(action="agreement.deleted").count() == 1


HOSTILE = [
    {"partner": "\x00", "kind": "host", "subject": "x", "starts_on": "2025-01-01"},
    {"partner": "x\x07y", "kind": "host", "subject": "x", "starts_on": "2025-01-01"},
    {"partner": "x" * 5000, "kind": "host", "subject": "x" * 5000, "starts_on": "2025-01-01"},
    {"partner": "x", "kind": "<script>", "subject": "x", "starts_on": "2025-01-01"},
    {"partner": "x", "kind": "host", "subject": "x", "starts_on": "99999-01-01"},
    {"partner": "x", "kind": "host", "subject": "x", "starts_on": "0000-00-00"},
    {
        "partner": "x",
        "kind": "host",
        "subject": "x",
        "starts_on": "2025-01-01",
        "ends_on": "1900-02-30",
    },
    {
        "partner": "x",
        "kind": "host",
        "subject": "x",
        "starts_on": "2025-01-01",
        "ends_on": "0001-01-01",
    },
    {"partner": ["a", "b"], "kind": ["host", "firm"], "subject": "x", "starts_on": "2025-01-01"},
    {
        "document": "pas un fichier",
        "partner": "x",
        "kind": "host",
        "subject": "x",
        "starts_on": "2025-01-01",
    },
    {},
]


@pytest.mark.parametrize("data", HOSTILE)
@pytest.mark.parametrize("name", ["agreement_create", "agreement_edit"])
def test_hostile_posts_are_never_a_500(client_for, name, data, platform, agreement):
    target = agreement if name == "agreement_edit" else None
    response = client_for("director").post(url(name, platform, target), data)
    # 400: the portal refuses a NUL character anywhere (innovalo.middleware).
    assert response.status_code in (200, 302, 400)
    if response.status_code == 200 and data:
        assert "form-errors" in response.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/plateformes/innovaltech/conventions/?page=-1",
        "/plateformes/innovaltech/conventions/?page=99999999999999999999",
        "/plateformes/innovaltech/conventions/?page=%00",
        "/plateformes/innovaltech/conventions/999999999999999999/modifier/",
        "/plateformes/innovaltech/conventions/9999999999999999999999/modifier/",
        "/plateformes/innovaltech/conventions/abc/document/",
        "/conventions/?period=%00&region=%00&kind=%00",
        "/conventions/?region=nulle-part&kind=ministere&period=hier",
        "/conventions/?page=abc&region=" + "x" * 3000,
        "/conventions/?region=hauts-de-france&region=bretagne",
    ],
)
def test_hostile_urls_are_never_a_500(client_for, platform, agreement, path):
    assert client_for("bureau").get(path).status_code in (200, 400, 404)


def test_a_missing_file_is_a_404_not_a_500(client_for, platform, agreement):
    agreement.document.storage.delete(agreement.document.name)
    assert (
        client_for("bureau").get(url("agreement_document", platform, agreement)).status_code == 404
    )


def test_an_agreement_without_document_has_no_download(client_for, platform):
    bare = make_agreement(platform)
    assert client_for("bureau").get(url("agreement_document", platform, bare)).status_code == 404


# The signed document ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["director", "bureau"])
def test_document_is_streamed_as_an_attachment_to_the_platform_and_the_bureau(
    client_for, role, platform, agreement
):
    response = client_for(role).get(url("agreement_document", platform, agreement))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="convention.pdf"'
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_the_media_url_is_never_in_the_page(client_for, platform, agreement):
    content = client_for("director").get(url("agreement_list", platform)).content.decode()
    assert agreement.document.name not in content
    assert "/media/" not in content


def test_a_png_is_served_as_an_image_with_its_name(client_for, platform):
    scan = make_agreement(
        platform, document=SimpleUploadedFile("scan signé.png", PNG, content_type="image/png")
    )
    response = client_for("director").get(url("agreement_document", platform, scan))
    assert response["Content-Type"] == "image/png"
    assert "scan" in response["Content-Disposition"]


# The bureau's page -------------------------------------------------------------------------


@pytest.fixture
def network(platform, other_platform):
    """Agreements across two regions, ending at various dates."""
    far = PlatformFactory(name="Méca Bretagne", slug="meca-bretagne", department=department("29"))
    make_agreement(platform, partner="Dans 10 jours", ends_on=TODAY + datetime.timedelta(days=10))
    make_agreement(platform, partner="Aujourd'hui", ends_on=TODAY)
    make_agreement(
        other_platform,
        partner="Dans 200 jours",
        kind=AgreementKind.FIRM,
        ends_on=TODAY + datetime.timedelta(days=200),
    )
    make_agreement(far, partner="Dans un an pile", ends_on=datetime.date(2027, 3, 2))
    make_agreement(far, partner="Dans un an et un jour", ends_on=datetime.date(2027, 3, 3))
    make_agreement(far, partner="Sans fin", ends_on=None)
    make_agreement(
        far, partner="Hier", kind=AgreementKind.LAB, ends_on=TODAY - datetime.timedelta(days=1)
    )
    make_agreement(far, partner="Il y a trois mois", ends_on=datetime.date(2025, 12, 2))
    make_agreement(far, partner="Il y a trop longtemps", ends_on=datetime.date(2025, 12, 1))
    return far


def partners(response):
    return [agreement.partner for agreement in response.context["rows"]]


def test_network_lists_what_ends_within_a_year_soonest_first(client_for, network):
    response = client_for("bureau").get(reverse("agreements_ending"))
    assert partners(response) == [
        "Aujourd'hui",
        "Dans 10 jours",
        "Dans 200 jours",
        "Dans un an pile",
    ]
    content = response.content.decode()
    assert "2 terminées depuis moins de 3 mois" in content
    assert reverse("agreement_list", args=["innovaltech"]) in content


def test_network_lists_what_ended_in_the_last_three_months(client_for, network):
    response = client_for("bureau").get(reverse("agreements_ending") + "?period=ended")
    assert partners(response) == ["Hier", "Il y a trois mois"]
    assert "4 se terminent dans les 12 mois" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?region=hauts-de-france", ["Aujourd'hui", "Dans 10 jours", "Dans 200 jours"]),
        ("?region=bretagne", ["Dans un an pile"]),
        ("?kind=firm", ["Dans 200 jours"]),
        ("?period=ended&kind=lab", ["Hier"]),
        ("?region=bretagne&kind=firm", []),
    ],
)
def test_network_filters(client_for, network, query, expected):
    response = client_for("bureau").get(reverse("agreements_ending") + query)
    assert response.status_code == 200
    assert partners(response) == expected


def test_network_counts_the_other_period_with_the_same_filters(client_for, network):
    response = client_for("bureau").get(reverse("agreements_ending") + "?region=hauts-de-france")
    assert response.context["other_count"] == 0
    response = client_for("bureau").get(reverse("agreements_ending") + "?region=bretagne")
    assert response.context["other_count"] == 2


def test_network_invalid_filter_is_a_message(client_for, network):
    response = client_for("bureau").get(reverse("agreements_ending") + "?region=atlantide")
    assert response.status_code == 200
    assert 'class="error"' in response.content.decode()


def test_network_query_count_does_not_grow(client_for, network, django_assert_max_num_queries):
    # Session, user, count, rows (with platform and region), the other period's count,
    # the regions (read once to check the value and draw the options).
    client = client_for("bureau")
    address = reverse("agreements_ending") + "?region=hauts-de-france&kind=host"
    with django_assert_max_num_queries(6):
        response = client.get(address)
    assert len(response.context["rows"]) == 2
    for index in range(30):
        platform = PlatformFactory(name=f"Autre {index}", department=department("02"))
        make_agreement(platform, ends_on=TODAY + datetime.timedelta(days=index))
    with django_assert_max_num_queries(6):
        response = client.get(address)
    assert len(response.context["rows"]) == 25  # a page
    assert response.context["page_obj"].paginator.count == 32


def test_network_is_paginated_keeping_the_filters(client_for, platform):
    for index in range(30):
        make_agreement(
            platform, partner=f"P{index:02d}", ends_on=TODAY + datetime.timedelta(days=index)
        )
    response = client_for("bureau").get(reverse("agreements_ending") + "?kind=host&page=2")
    assert partners(response) == [f"P{index:02d}" for index in range(25, 30)]
    assert "kind=host" in response.content.decode()
