"""The public request pages: the form "Déposer une demande" from each entry (directory,
region, platform), each anti-abuse refusal (with its message, nothing typed lost), the
thank-you page, the firm's private page for every role and for the firm with its link,
its messages and its deletion request; query pins, a GET never writes, hostile input is
never a 500."""

import re
import time

import pytest
from django.core import mail
from django.urls import reverse

from innovalo.models import AuditEntry, SentReminder
from members.enums import LabelStatus, PlatformRole
from projects import antispam
from projects.enums import (
    RequestEventKind,
    RequestSource,
    RequestStatus,
    RoutingStatus,
)
from projects.models import FirmRequest, RequestEvent, RequestRouting
from projects.services.requests import request_token
from tests.conftest import ROLES
from tests.factories import UserFactory
from tests.members.factories import (
    CorrespondentFactory,
    DomainFactory,
    MembershipFactory,
    PlatformFactory,
    department,
)

from .requests_factories import EventFactory, FirmRequestFactory, RoutingFactory

pytestmark = pytest.mark.django_db

CREATE = "/demandes/nouvelle/"
SENT = "/demandes/envoyee/"


def counts():
    return (
        FirmRequest.objects.count(),
        RequestEvent.objects.count(),
        RequestRouting.objects.count(),
        AuditEntry.objects.count(),
        SentReminder.objects.count(),
    )


def form_data(**overrides):
    data = {
        "company_name": "Atelier Dupont",
        "siret": "732 829 320 00074",
        "contact_name": "Camille Dupont",
        "email": "camille@atelier-dupont.fr",
        "phone": "03 23 45 67 89",
        "department": "02",
        "need": "Nous voulons automatiser le contrôle de nos pièces usinées.",
        "timing": "quarter",
        "consent": "on",
        "source": "directory",
        "platform": "",
        "stamp": antispam.issue_stamp(time.time() - 30),
        "website": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def post(client, data, ip="192.0.2.10"):
    return client.post(CREATE, data, REMOTE_ADDR=ip)


@pytest.fixture
def meca(db):
    return DomainFactory(name="Mécanique")


@pytest.fixture
def correspondent(db):
    return CorrespondentFactory(user=UserFactory(email="correspondant@exemple.fr")).user


def labelled(dept="80", *domains, **kwargs):
    platform = PlatformFactory(department=department(dept), **kwargs)
    platform.domains.set(domains)
    return platform


# The form page ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_the_form_is_open_to_every_role(client_for, role):
    response = client_for(role).get(CREATE)
    assert response.status_code == 200
    assert "Déposer une demande" in response.text


def test_the_form_has_every_field_the_consent_states_purpose_and_retention(client, meca):
    page = client.get(CREATE).text
    for name in ("company_name", "siret", "contact_name", "email", "phone", "department"):
        assert f'name="{name}"' in page
    for name in ("need", "domains", "timing", "consent", "stamp"):
        assert f'name="{name}"' in page
    assert '<option value="02">02 — Aisne</option>' in page
    assert "Mécanique" in page
    assert "orienter ma demande et la suivre" in page
    assert "conservées 3 ans après la clôture" in page
    assert "laisse" in page.lower() or "réseau" in page


def test_the_trap_field_is_hidden_from_people_and_screen_readers(client):
    page = client.get(CREATE).text
    trap = re.search(r'<div class="visually-hidden" aria-hidden="true">(.*?)</div>', page, re.S)
    assert trap is not None
    assert 'name="website"' in trap.group(1)
    assert 'tabindex="-1"' in trap.group(1)
    assert 'autocomplete="off"' in trap.group(1)
    assert "Laissez ce champ vide" in trap.group(1)


def test_from_a_platform_profile_the_request_is_addressed_to_it(client):
    platform = labelled(name="InnovalTech", slug="innovaltech")
    page = client.get(f"{CREATE}?platform=innovaltech&source=platform").text
    assert "Votre demande sera adressée à InnovalTech" in page
    assert 'name="platform" value="innovaltech"' in page
    assert "Laisser plutôt le réseau choisir" in page
    assert platform.name in page


def test_a_platform_not_labelled_is_not_addressed(client):
    labelled(name="Expirée", slug="expiree", label_status=LabelStatus.EXPIRED)
    response = client.get(f"{CREATE}?platform=expiree")
    assert "Votre demande sera adressée" not in response.text
    assert "le réseau choisira" in response.text


def test_from_a_region_page_the_region_is_named(client):
    page = client.get(f"{CREATE}?region=32&source=region").text
    assert "en Hauts-de-France ou ailleurs" in page
    assert 'name="source" value="region"' in page


def test_the_buttons_on_the_directory_region_and_profile(client):
    platform = labelled(name="InnovalTech", slug="innovaltech")
    directory = client.get(reverse("platform_list")).text
    assert f'href="{CREATE}?source=directory"' in directory
    region = client.get(department("02").region.get_absolute_url()).text
    assert f'href="{CREATE}?region=32&amp;source=region"' in region
    profile = client.get(reverse("platform_detail", args=[platform.slug])).text
    assert f'href="{CREATE}?platform=innovaltech&amp;source=platform"' in profile


def test_the_form_page_queries_are_pinned(client, django_assert_max_num_queries):
    for n in range(12):
        DomainFactory(name=f"Domaine {n}")
    labelled(name="InnovalTech", slug="innovaltech")
    with django_assert_max_num_queries(2):
        client.get(CREATE)
    with django_assert_max_num_queries(3):
        client.get(f"{CREATE}?platform=innovaltech")


def test_a_get_of_the_form_writes_nothing(client):
    labelled(name="InnovalTech", slug="innovaltech")
    before = counts()
    client.get(f"{CREATE}?platform=innovaltech&region=32")
    client.get(SENT)
    assert counts() == before


# Filing: the three entries -------------------------------------------------------------------


def test_from_the_directory_the_network_proposes_and_the_correspondent_is_told(
    client, meca, correspondent, django_capture_on_commit_callbacks
):
    here = labelled("80", meca, name="Ici")
    labelled("13", meca, name="Loin")
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, form_data(domains=[meca.pk]))
    assert response.status_code == 302
    assert response["Location"] == SENT
    firm_request = FirmRequest.objects.get()
    assert firm_request.status == RequestStatus.NEW
    assert firm_request.source == RequestSource.DIRECTORY
    assert firm_request.siret == "73282932000074"
    assert firm_request.region.code == "32"
    assert firm_request.consent_at is not None
    assert firm_request.target_platform is None
    proposals = list(firm_request.routings.order_by("-score"))
    assert [r.platform.name for r in proposals] == ["Ici", "Loin"]
    assert {r.status for r in proposals} == {RoutingStatus.PROPOSED}
    assert proposals[0].score == 15 and proposals[0].platform == here
    assert list(firm_request.events.values_list("kind", flat=True)) == [RequestEventKind.CREATED]
    # The correspondent is told that a request waits; the firm gets its acknowledgement.
    to = {m.to[0]: m for m in mail.outbox}
    assert set(to) == {"correspondant@exemple.fr", "camille@atelier-dupont.fr"}
    assert "Ici" in to["correspondant@exemple.fr"].body
    acknowledgement = to["camille@atelier-dupont.fr"]
    link = reverse("request_track", args=[request_token(firm_request)])
    assert link in acknowledgement.body
    assert "3 ans après la clôture" in acknowledgement.body
    assert len(firm_request.token_hash) == 64 and request_token(firm_request) not in str(
        FirmRequest.objects.values().get()
    )


def test_without_a_correspondent_the_bureau_is_told(
    client, meca, bureau, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post(client, form_data(domains=[meca.pk]))
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        ["camille@atelier-dupont.fr", bureau.email]
    )


def test_from_a_region_page(client, meca, correspondent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, form_data(source="region", region="32", domains=[meca.pk]))
    assert response.status_code == 302
    firm_request = FirmRequest.objects.get()
    assert firm_request.source == RequestSource.REGION
    assert firm_request.status == RequestStatus.NEW
    assert len(mail.outbox) == 2


def test_from_a_platform_profile_it_is_routed_at_once_and_its_people_told(
    client, meca, correspondent, django_capture_on_commit_callbacks
):
    platform = labelled("13", meca, name="InnovalTech", slug="innovaltech")
    director = MembershipFactory(platform=platform, role=PlatformRole.DIRECTOR).user
    staff = MembershipFactory(platform=platform, role=PlatformRole.STAFF).user
    MembershipFactory(platform=platform, role=PlatformRole.ACCOUNTING)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, form_data(source="platform", platform="innovaltech"))
    assert response.status_code == 302
    firm_request = FirmRequest.objects.get()
    assert firm_request.status == RequestStatus.ROUTED
    assert firm_request.routed_at is not None
    assert firm_request.target_platform == platform
    routing = firm_request.routings.get()
    assert routing.platform == platform and routing.status == RoutingStatus.NOTIFIED
    assert routing.notified_at is not None
    kinds = list(firm_request.events.values_list("kind", "status"))
    assert kinds == [
        (RequestEventKind.CREATED, RequestStatus.NEW),
        (RequestEventKind.ROUTED, RequestStatus.ROUTED),
    ]
    recipients = sorted(m.to[0] for m in mail.outbox)
    # Its people and the firm; not the correspondent, not the accounting contact.
    assert recipients == sorted([director.email, staff.email, "camille@atelier-dupont.fr"])
    assert AuditEntry.objects.filter(action="request.created").count() == 1


def test_the_thank_you_page_shows_the_link_once(client):
    post(client, form_data())
    firm_request = FirmRequest.objects.get()
    link = reverse("request_track", args=[request_token(firm_request)])
    first = client.get(SENT)
    assert first.status_code == 200
    assert link in first.text
    assert "camille@atelier-dupont.fr" in first.text
    assert "Et maintenant" in first.text
    second = client.get(SENT)
    assert link not in second.text
    assert "figure dans l'e-mail" in second.text


def test_the_link_never_travels_in_a_url(client):
    response = post(client, form_data())
    assert response["Location"] == SENT


# Refusals: each with its message, nothing typed lost ---------------------------------------------


def assert_kept(response, data):
    page = response.text
    assert response.status_code == 400
    for name in ("company_name", "contact_name", "email", "phone"):
        assert f'value="{data[name]}"' in page, name
    assert data["need"] in page
    assert '<option value="02" selected>' in page
    assert 'value="quarter" id="id_timing_1" checked' in page
    assert 'name="consent" checked' in page or "checked" in page
    assert not FirmRequest.objects.exists()


def test_the_trap_filled_is_refused_with_a_message_and_data_kept(client, meca):
    data = form_data(website="http://spam.example", domains=[meca.pk])
    response = post(client, data)
    assert_kept(response, data)
    assert "détection des robots" in response.text
    assert f'value="{meca.pk}" id="id_domains_0" checked' in response.text
    # The page shown again has an empty trap and a fresh stamp.
    assert 'name="website" id="id_website" value=""' in response.text


def test_too_fast_is_refused_with_a_message_and_data_kept(client):
    data = form_data(stamp=antispam.issue_stamp())
    response = post(client, data)
    assert_kept(response, data)
    assert "Envoi trop rapide" in response.text


@pytest.mark.parametrize("stamp", ["three hours old", "forged:value", None])
def test_expired_is_refused_with_a_message_and_data_kept(client, stamp):
    if stamp == "three hours old":
        stamp = antispam.issue_stamp(time.time() - 3 * 3600)
    data = form_data(stamp=stamp)
    response = post(client, data)
    assert_kept(response, data)
    assert "La page a expiré" in response.text
    assert "envoyez de nouveau" in response.text


def test_sending_again_after_an_expired_page_works(client):
    response = post(client, form_data(stamp=antispam.issue_stamp(time.time() - 3 * 3600)))
    stamp = re.search(r'name="stamp" value="([^"]+)"', response.text).group(1)
    assert antispam.check_stamp(stamp, now=time.time() + 5) is None


def test_rate_limit_per_address(client):
    for n in range(antispam.IP_LIMIT):
        assert post(client, form_data(email=f"p{n}@ex.fr")).status_code == 302
    data = form_data(email="encore@ex.fr")
    response = post(client, data)
    assert "depuis votre connexion" in response.text
    page = response.text
    assert response.status_code == 400 and 'value="encore@ex.fr"' in page
    assert FirmRequest.objects.count() == antispam.IP_LIMIT
    # Another address is served.
    assert post(client, data, ip="192.0.2.99").status_code == 302


def test_rate_limit_per_email(client):
    for n in range(antispam.EMAIL_LIMIT):
        assert post(client, form_data(), ip=f"198.51.100.{n}").status_code == 302
    data = form_data()
    response = post(client, data, ip="198.51.100.200")
    assert_kept_after(response, data)
    assert "Trois demandes au plus par jour" in response.text
    assert FirmRequest.objects.count() == antispam.EMAIL_LIMIT


def assert_kept_after(response, data):
    assert response.status_code == 400
    for name in ("company_name", "contact_name", "email", "phone"):
        assert f'value="{data[name]}"' in response.text
    assert data["need"] in response.text


def test_a_form_with_errors_does_not_count_against_the_limits(client):
    for _ in range(antispam.IP_LIMIT + 2):
        assert post(client, form_data(consent=None)).status_code == 400
    assert post(client, form_data()).status_code == 302


def test_errors_next_to_fields_and_data_kept(client):
    data = form_data(siret="732 829 320 00075", consent=None, email="pas-une-adresse")
    response = post(client, data)
    page = response.text
    assert response.status_code == 400
    assert 'id="id_siret_error"' in page and "clé de contrôle" in page
    assert 'id="id_consent_error"' in page
    assert 'id="id_email_error"' in page
    assert 'value="732 829 320 00075"' in page
    assert data["need"] in page


def test_a_platform_that_lost_its_label_meanwhile_is_a_message(client):
    platform = labelled(name="InnovalTech", slug="innovaltech")
    platform.label_status = LabelStatus.EXPIRED
    platform.save()
    data = form_data(platform="innovaltech", source="platform")
    response = post(client, data)
    assert response.status_code == 400
    assert "le réseau choisira" in response.text
    assert not FirmRequest.objects.exists()
    assert 'name="platform" value=""' in response.text or 'name="platform" type' not in ""


HOSTILE = [
    {"department": "9" * 40},
    {"department": ["02", "03"]},
    {"domains": ["x", "-1", "9" * 40]},
    {"timing": "demain"},
    {"source": "<script>"},
    {"platform": "../../etc/passwd"},
    {"platform": "x" * 5000},
    {"stamp": "x" * 5000},
    {"email": "a\x00@b.fr"},
    {"company_name": "Atelier\x00"},
    {"need": "\x00" * 50},
    {"siret": "٧٣٢٨٢٩٣٢٠٠٠٠٧٤"},
    {"phone": "+" * 40},
    {"region": "<b>"},
    {"company_name": "x" * 10000},
    {"consent": "maybe"},
]


@pytest.mark.parametrize("overrides", HOSTILE)
def test_hostile_input_is_never_a_500(client, overrides):
    response = post(client, form_data(**overrides))
    assert response.status_code in (302, 400)


def test_hostile_query_strings_are_never_a_500(client):
    for query in ("platform=%00", "platform=" + "x" * 3000, "region=%FF", "source=<x>"):
        # A NUL byte is refused before any view (400); else the page, without the value.
        assert client.get(f"{CREATE}?{query}").status_code in (200, 400)


# The firm's private page -----------------------------------------------------------------------


def track_url(firm_request):
    return reverse("request_track", args=[request_token(firm_request)])


@pytest.fixture
def taken(db):
    """A request taken by InnovalTech after another platform declined, with messages and
    an internal note."""
    firm_request = FirmRequestFactory(
        company_name="Atelier Dupont", domains=[DomainFactory(name="Mécanique")]
    )
    taker = PlatformFactory(name="InnovalTech", slug="innovaltech")
    decliner = PlatformFactory(name="Plateforme qui décline")
    proposed = PlatformFactory(name="Plateforme proposée seulement")
    RoutingFactory(request=firm_request, platform=decliner, status=RoutingStatus.DECLINED)
    RoutingFactory(request=firm_request, platform=taker, status=RoutingStatus.ACCEPTED)
    RoutingFactory(request=firm_request, platform=proposed, status=RoutingStatus.WITHDRAWN)
    firm_request.status = RequestStatus.ACCEPTED
    firm_request.taken_by = taker
    firm_request.save()
    EventFactory(request=firm_request, kind=RequestEventKind.CREATED, status="new", text="")
    EventFactory(
        request=firm_request,
        kind=RequestEventKind.ROUTED,
        status="routed",
        text="InnovalTech, Plateforme qui décline",
    )
    EventFactory(
        request=firm_request,
        kind=RequestEventKind.STATUS,
        platform=decliner,
        text="Hors de notre champ : motif interne",
    )
    EventFactory(
        request=firm_request,
        kind=RequestEventKind.STATUS,
        status="accepted",
        platform=taker,
        text="Acceptée",
    )
    EventFactory(request=firm_request, kind=RequestEventKind.MESSAGE_FIRM, text="Bonjour !")
    EventFactory(
        request=firm_request,
        kind=RequestEventKind.MESSAGE_PLATFORM,
        platform=taker,
        text="Nous vous appelons demain.",
    )
    EventFactory(request=firm_request, kind=RequestEventKind.NOTE, text="Note interne secrète")
    MembershipFactory(platform=taker, role=PlatformRole.DIRECTOR)
    return firm_request


@pytest.mark.parametrize("role", [*ROLES, "the firm"])
def test_the_private_page_is_its_link_s_only(client_for, role, taken):
    client = client_for("anonymous" if role == "the firm" else role)
    # With the link, whoever holds it: the link is the key (the board is another page).
    assert client.get(track_url(taken)).status_code == 200
    # Without it, nothing: a wrong, truncated or another request's token is a 404.
    token = request_token(taken)
    other = FirmRequestFactory()
    for bad in (token[:-1] + ("A" if token[-1] != "A" else "B"), token[:20], "x", "0" * 43):
        assert client.get(reverse("request_track", args=[bad])).status_code == 404
    assert client.get(track_url(other)).status_code == 200
    assert "Atelier Dupont" not in client.get(track_url(other)).text


def test_the_private_page_shows_what_the_firm_sent_states_taker_and_messages(client, taken):
    page = client.get(track_url(taken)).text
    assert "Atelier Dupont" in page
    assert taken.email in page and taken.contact_name in page
    assert "Mécanique" in page
    assert taken.need in page
    assert "Acceptée" in page
    assert "<strong>InnovalTech</strong>" in page
    assert "Bonjour !" in page and "Nous vous appelons demain." in page
    assert "Demande déposée" in page
    assert "Transmise à une plateforme du réseau" in page


def test_the_private_page_never_shows_who_declined_nor_internal_notes(client, taken):
    page = client.get(track_url(taken)).text
    assert "Plateforme qui décline" not in page
    assert "Plateforme proposée seulement" not in page
    assert "motif interne" not in page
    assert "Note interne secrète" not in page


def test_before_acceptance_no_platform_is_named(client):
    firm_request = FirmRequestFactory(status=RequestStatus.ROUTED)
    RoutingFactory(request=firm_request, platform=PlatformFactory(name="Routée Ici"))
    EventFactory(
        request=firm_request, kind=RequestEventKind.ROUTED, status="routed", text="Routée Ici"
    )
    page = client.get(track_url(firm_request)).text
    assert "Routée Ici" not in page
    assert "la première plateforme qui l'accepte vous répond" in page


def test_an_erased_request_s_link_is_a_404(client, taken):
    from django.utils import timezone

    FirmRequest.objects.filter(pk=taken.pk).update(anonymised_at=timezone.now())
    assert client.get(track_url(taken)).status_code == 404


def test_the_private_page_is_private(client, taken):
    response = client.get(track_url(taken))
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    # Not "no-referrer": the browser would post "Origin: null" and CSRF would refuse.
    assert response["Referrer-Policy"] == "same-origin"
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]


def test_the_private_page_queries_do_not_grow_with_events(
    client, taken, django_assert_max_num_queries
):
    with django_assert_max_num_queries(3):
        client.get(track_url(taken))
    for n in range(10):
        EventFactory(request=taken, kind=RequestEventKind.MESSAGE_FIRM, text=f"Message {n}")
        taken.domains.add(DomainFactory())
    with django_assert_max_num_queries(3):
        response = client.get(track_url(taken))
    assert "Message 9" in response.text


def test_a_get_of_the_private_page_writes_nothing(client, taken):
    before = counts()
    client.get(track_url(taken))
    assert counts() == before


def test_hostile_tokens_are_404_never_500(client):
    for token in ("x" * 500, "%00", "é" * 43, "' OR 1=1 --"):
        assert client.get(f"/demandes/suivi/{token}/").status_code in (400, 404)


# Messages -------------------------------------------------------------------------------------


def message_url(firm_request):
    return reverse("request_track_message", args=[request_token(firm_request)])


def test_the_firm_writes_and_the_taking_platform_s_people_are_told_once(
    client, taken, django_capture_on_commit_callbacks
):
    people = [m.user for m in taken.taken_by.memberships.all()]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(message_url(taken), {"text": "Pouvons-nous venir mardi ?"})
    assert response.status_code == 302
    event = taken.events.filter(kind=RequestEventKind.MESSAGE_FIRM).latest("pk")
    assert event.text == "Pouvons-nous venir mardi ?"
    assert [m.to[0] for m in mail.outbox] == [p.email for p in people]
    assert "Pouvons-nous venir mardi ?" in mail.outbox[0].body
    from innovalo.reminders import retry_unsent

    assert retry_unsent() == 0
    assert len(mail.outbox) == 1
    assert "Pouvons-nous venir mardi ?" in client.get(track_url(taken)).text


def test_before_acceptance_the_routed_platforms_are_told(
    client, django_capture_on_commit_callbacks
):
    firm_request = FirmRequestFactory(status=RequestStatus.ROUTED)
    routed = RoutingFactory(request=firm_request).platform
    person = MembershipFactory(platform=routed, role=PlatformRole.STAFF).user
    declined = RoutingFactory(request=firm_request, status=RoutingStatus.DECLINED).platform
    MembershipFactory(platform=declined)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(message_url(firm_request), {"text": "Une précision."})
    assert [m.to for m in mail.outbox] == [[person.email]]


def test_with_no_platform_yet_the_correspondent_is_told(
    client, correspondent, django_capture_on_commit_callbacks
):
    firm_request = FirmRequestFactory()
    RoutingFactory(request=firm_request, status=RoutingStatus.PROPOSED)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(message_url(firm_request), {"text": "Une précision."})
    assert [m.to for m in mail.outbox] == [[correspondent.email]]


def test_an_empty_message_is_an_error_next_to_the_field(client, taken):
    response = client.post(message_url(taken), {"text": "   "})
    assert response.status_code == 400
    assert 'id="id_text_error"' in response.text


def test_messages_are_limited_per_day(client, taken):
    for n in range(antispam.MESSAGE_LIMIT):
        assert client.post(message_url(taken), {"text": f"Message {n}"}).status_code == 302
    response = client.post(message_url(taken), {"text": "Encore un"})
    assert response.status_code == 400
    assert "Encore un" in response.text
    assert "beaucoup de messages" in response.text


def test_a_closed_request_takes_no_message(client, taken):
    FirmRequest.objects.filter(pk=taken.pk).update(status=RequestStatus.DONE)
    before = counts()
    response = client.post(message_url(taken), {"text": "Merci"})
    assert response.status_code == 302
    assert counts() == before
    assert 'action="' + message_url(taken) not in client.get(track_url(taken)).text


def test_a_message_to_a_bad_token_is_a_404_and_get_is_refused(client, taken):
    assert client.post("/demandes/suivi/nope/message/", {"text": "x"}).status_code == 404
    assert client.get(message_url(taken)).status_code == 405


@pytest.mark.parametrize("text", ["\x00", "x" * 6000, ["a", "b"]])
def test_hostile_messages_are_never_a_500(client, taken, text):
    assert client.post(message_url(taken), {"text": text}).status_code in (302, 400)


# Deletion request -----------------------------------------------------------------------------


def erase_url(firm_request):
    return reverse("request_erase", args=[request_token(firm_request)])


def test_the_firm_asks_for_deletion_after_confirming(client, taken):
    response = client.post(erase_url(taken), {})
    assert response.status_code == 400
    assert "Cochez la case" in response.text
    taken.refresh_from_db()
    assert taken.deletion_requested_at is None

    response = client.post(erase_url(taken), {"confirm": "on"})
    assert response.status_code == 302
    taken.refresh_from_db()
    assert taken.deletion_requested_at is not None
    assert AuditEntry.objects.filter(action="request.deletion_requested").count() == 1
    page = client.get(track_url(taken)).text
    assert "Vous avez demandé l'effacement" in page
    assert erase_url(taken) not in page
    assert message_url(taken) not in page

    first = taken.deletion_requested_at
    client.post(erase_url(taken), {"confirm": "on"})
    taken.refresh_from_db()
    assert taken.deletion_requested_at == first
    assert AuditEntry.objects.filter(action="request.deletion_requested").count() == 1


def test_the_deletion_form_is_there_for_the_firm(client, taken):
    page = client.get(track_url(taken)).text
    assert erase_url(taken) in page
    assert "Demander l'effacement de mes données" in page
