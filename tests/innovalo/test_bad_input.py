"""Bad input on every URL pattern: 400 or 404 (or a form error), never a 500.

Each pattern of the portal is requested with hostile values in its path, its query
and its form data (NUL characters, ids that overflow a bigint, 244-character names,
1,300 search words, garbage pages), by an anonymous visitor and by the bureau.
"""

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

LONG = "x" * 244
WORDS = " ".join(f"mot{n}" for n in range(1300))
HUGE = "9" * 30

PATH_VALUES = {
    "id": ["999999999999999999", "1"],
    "int": ["999999999999999999", "1"],
    "slug": ["inconnue", "a" * 244],
    "str": ["%00", LONG, "AC-2026-0001"],
    "path": ["%00", LONG],
}

QUERIES = [
    {"q": "\x00"},
    {"q": WORDS},
    {"page": HUGE},
    {"page": "-1"},
    {"year": HUGE},
    {"year": "abc"},
    {"region": HUGE},
    {"sort": "';drop"},
    {"format": "xlsx", "q": "\x00"},
]

FORM_DATA = [
    {"name": "\x00", "title": "\x00", "email": "a\x00@b.fr"},
    {
        "amount": "1e999",
        "received_on": "0001-01-01",
        "year": HUGE,
        "line": HUGE,
        "platform": HUGE,
        "user": HUGE,
        "owners": [HUGE],
        "invitees": [HUGE],
        "start": "9999-99-99",
        "end": "0000-00-00",
        "title": LONG * 5,
        "name": LONG * 5,
        "q": WORDS,
        "days_after_due": HUGE,
        "order": HUGE,
    },
]


def _patterns(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if route.startswith("admin/") or route.startswith("accounts/"):
                continue  # third-party: Django admin and allauth
            yield from _patterns(entry, route)
        elif isinstance(entry, URLPattern):
            yield route


def _urls(route):
    names = re.findall(r"<(?:(\w+):)?(\w+)>", route)
    if not names:
        return ["/" + route.lstrip("^").rstrip("$")]
    urls = []
    for converter, _name in names[:1]:
        for value in PATH_VALUES.get(converter or "str", PATH_VALUES["str"]):
            url = route
            for conv, name in names:
                token = f"<{conv + ':' if conv else ''}{name}>"
                choices = PATH_VALUES.get(conv or "str", PATH_VALUES["str"])
                url = url.replace(token, value if conv == converter else choices[0])
            urls.append("/" + url)
    return urls


ROUTES = sorted(set(_patterns()))


def test_the_portal_routes_are_all_checked():
    assert len(ROUTES) > 60
    assert any(route.startswith("reunions/") for route in ROUTES)
    assert any(route.startswith("cotisations/") for route in ROUTES)


@pytest.fixture
def clients(bureau):
    anonymous = Client(raise_request_exception=False)
    logged = Client(raise_request_exception=False)
    logged.force_login(bureau)
    return {"anonymous": anonymous, "bureau": logged}


@pytest.mark.parametrize("route", ROUTES)
def test_no_hostile_value_gives_a_500(route, clients):
    failures = []
    for url in _urls(route):
        for who, client in clients.items():
            for query in QUERIES:
                response = client.get(url, query)
                if response.status_code >= 500:
                    failures.append(f"{who} GET {url} {list(query)} -> {response.status_code}")
            for data in FORM_DATA:
                response = client.post(url, data)
                if response.status_code >= 500:
                    failures.append(f"{who} POST {url} {list(data)} -> {response.status_code}")
    assert failures == []


@pytest.mark.parametrize(
    "url",
    [
        "/reunions/agenda/%00.ics",
        "/cotisations/documents/1/%00.pdf",
        "/personnes/?q=%00",
        "/plateformes/?q=%00",
    ],
)
def test_nul_characters_are_a_bad_request(url, clients):
    assert clients["bureau"].get(url).status_code == 400


def test_an_id_that_overflows_is_not_found(clients):
    assert clients["bureau"].get(f"/cotisations/ligne/{HUGE}/").status_code == 404
    assert clients["bureau"].get(f"/reunions/{HUGE}/").status_code == 404


def test_a_nul_in_a_form_is_a_bad_request(clients):
    response = clients["bureau"].post("/invitations/", {"email": "a@b.fr", "first_name": "\x00"})
    assert response.status_code == 400


def test_relation_fields_refuse_ids_that_overflow_on_any_database():
    from innovalo.forms import IdModelChoiceField, IdModelMultipleChoiceField
    from meetings.forms import ActionForm

    assert isinstance(ActionForm.base_fields["owners"], IdModelMultipleChoiceField)
    assert isinstance(ActionForm.base_fields["agenda_item"], IdModelChoiceField)
    from innovalo.models import User

    field = IdModelMultipleChoiceField(queryset=User.objects.all())
    with pytest.raises(Exception, match="9999"):
        field.clean([HUGE])
    single = IdModelChoiceField(queryset=User.objects.all())
    with pytest.raises(Exception, match="choix valide|valid choice"):
        single.clean(HUGE)
