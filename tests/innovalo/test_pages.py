import json
import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "director", "other_director", "bureau", "ministry"]


@pytest.mark.parametrize("role", ROLES)
def test_home_for_every_role(client_for, role):
    response = client_for(role).get("/")
    assert response.status_code == 200
    content = response.content.decode()
    if role == "anonymous":
        assert "plateformes technologiques" in content
        assert "Se connecter" in content
    else:
        assert "Bonjour" in content
        assert "Se déconnecter" in content


@pytest.mark.parametrize(
    ("role", "sees_invitations"),
    [("anonymous", False), ("director", False), ("bureau", True), ("ministry", False)],
)
def test_navigation_per_role(client_for, role, sees_invitations):
    content = client_for(role).get("/").content.decode()
    assert (f'href="{reverse("invitation_list")}"' in content) is sees_invitations


@pytest.mark.parametrize("role", ROLES)
def test_health_page_for_everyone_without_secrets(client_for, role, settings):
    response = client_for(role).get(reverse("health"))
    assert response.status_code == 200
    data = json.loads(response.content)
    assert data["database"] == "ok"
    assert data["status"] == "ok"
    text = response.content.decode()
    assert settings.SECRET_KEY not in text
    assert "postgres" not in text and "redis://" not in text


def test_404_is_french(client):
    response = client.get("/cette-page-n-existe-pas/")
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()


def test_403_is_french(client_for):
    response = client_for("director").get(reverse("invitation_list"))
    assert response.status_code == 403
    assert "Accès refusé" in response.content.decode()


@pytest.mark.parametrize("role", ["director", "bureau", "ministry"])
def test_admin_is_for_staff_only(client_for, role):
    response = client_for(role).get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_staff_reaches_admin(client, bureau):
    bureau.is_staff = True
    bureau.is_superuser = True
    bureau.save()
    client.force_login(bureau)
    assert client.get("/admin/").status_code == 200


def test_private_pages_send_anonymous_to_login(client):
    response = client.get(reverse("invitation_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_language_switch_to_english(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"}, follow=True)
    assert response.status_code == 200
    content = response.content.decode()
    assert 'lang="en"' in content
    assert "Log in" in content


def test_pages_have_strict_csp_and_no_inline_script(client_for):
    response = client_for("bureau").get("/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "<script>" not in response.content.decode()


def test_static_files_are_vendored(client):
    content = client.get("/").content.decode()
    assert "/static/js/htmx.min.js" in content
    assert "http://" not in content.split("<body")[0].replace("http://testserver", "")
    assert "https://" not in content.split("<body")[0]


def test_french_first_whatever_the_browser_asks(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert 'lang="fr"' in response.content.decode()
    assert "Se connecter" in response.content.decode()


def test_500_page_is_french_and_needs_nothing(rf):
    from innovalo.errors import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert "Une erreur est survenue" in response.content.decode()


def test_my_data_query_count(client, director, django_assert_max_num_queries):
    client.force_login(director)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("my_data")).status_code == 200


# The fields of every form: written in Python, the markup of the former template ------

FORMER_FORM_FIELDS_TEMPLATE = """{% load i18n %}
{% if form.non_field_errors %}
  <div class="form-errors" role="alert">{% for error in form.non_field_errors %}<p>{{ error }}</p>{% endfor %}</div>
{% endif %}
{% for field in form.hidden_fields %}{{ field }}{% endfor %}
{% for field in form.visible_fields %}
  <div class="field{% if field.errors %} field-error{% endif %}{% if field.field.required %} field-required{% endif %}">
    {% if field.widget_type == "checkbox" %}
      {{ field }} {{ field.label_tag }}
    {% else %}
      {{ field.label_tag }}
      {{ field }}
    {% endif %}
    {% if field.help_text %}<small class="help" id="{{ field.auto_id }}_helptext">{{ field.help_text|safe }}</small>{% endif %}
    {% for error in field.errors %}<p class="error" id="{{ field.auto_id }}_error">{{ error }}</p>{% endfor %}
  </div>
{% endfor %}
"""  # noqa: E501


def _sample_forms():
    from django import forms

    class Sample(forms.Form):
        agree = forms.BooleanField(label="J'accepte <tout>", help_text="Aide <em>riche</em>")
        name = forms.CharField(label="Nom ?", max_length=10)
        kinds = forms.MultipleChoiceField(
            label="Types", choices=[("a", "A & B")], widget=forms.CheckboxSelectMultiple
        )
        kind = forms.ChoiceField(label="Genre", choices=[("x", "X"), ("y", "Y")], required=False)
        secret = forms.CharField(widget=forms.HiddenInput, required=False)
        plain = forms.CharField(label="Sans id", required=False)

        def clean(self):
            raise forms.ValidationError("Erreur <globale>")

    return [
        Sample(),
        Sample({"name": "x" * 20, "kinds": ["zz"]}),
        Sample(auto_id=False),
        Sample(label_suffix=""),
        Sample(prefix="p", initial={"name": "Élise", "agree": True}),
    ]


@pytest.mark.parametrize("language", ["fr", "en"])
def test_form_fields_writes_what_the_former_template_wrote(language):
    from django.template import engines
    from django.utils import translation

    engine = engines["django"]
    former = engine.from_string(FORMER_FORM_FIELDS_TEMPLATE)
    include = engine.from_string('{% include "includes/form_fields.html" %}')
    written = []
    with translation.override(language):
        for form in _sample_forms():
            form.is_bound and form.is_valid()
            written.append(former.render({"form": form}))
            rendered = include.render({"form": form})
            # What it adds: the summary of a form in error (tested below).
            rendered = re.sub(r'<p>[^<]*</p><ul class="error-summary">.*?</ul>', "", rendered)
            assert rendered.replace(' tabindex="-1"', "") == written[-1]
    assert 'id="id_name_error"' in written[1] and "Erreur &lt;globale&gt;" in written[1]
    assert 'id="id_agree_helptext">Aide <em>riche</em>' in written[0]


def test_a_form_in_error_starts_with_a_summary_linking_to_each_field():
    from django.template import engines

    include = engines["django"].from_string('{% include "includes/form_fields.html" %}')
    unbound, bound = _sample_forms()[:2]
    assert "error-summary" not in include.render({"form": unbound})
    bound.is_valid()
    html = include.render({"form": bound})
    summary = html[: html.index('<div class="field')]
    assert 'role="alert"' in summary and "Le formulaire contient" in summary
    for name, errors in bound.errors.items():
        if name != "__all__":
            assert f'href="#id_{name}"' in summary
            assert all(str(error) in html for error in errors)


# The layout's links: reversed once, not on every page ----------------------------


def test_layout_links_are_reversed_once_and_follow_the_script_prefix(client_for):
    from django.urls import clear_script_prefix, set_script_prefix

    from innovalo.navigation import LAYOUT_URLS, _reversed, portal_urls

    urls = portal_urls()
    assert {name: urls[name] for name in LAYOUT_URLS} == {
        name: reverse(name) for name in LAYOUT_URLS
    }
    assert portal_urls() is urls  # the same dict: nothing reversed again
    hits = _reversed.cache_info().hits
    content = client_for("director").get("/").content.decode()
    assert _reversed.cache_info().hits > hits
    assert f'href="{reverse("my_data")}"' in content
    assert f'action="{reverse("account_logout")}"' in content
    assert f'action="{reverse("set_language")}"' in content
    set_script_prefix("/portail/")
    try:
        assert portal_urls()["home"] == "/portail/"
    finally:
        clear_script_prefix()
    assert portal_urls()["home"] == "/"


def test_navigation_leaves_out_a_page_that_does_not_exist(bureau):
    from innovalo.navigation import NAV_ITEMS, NavItem, nav_for

    NAV_ITEMS.append(NavItem("Fantôme", "no_such_page", lambda user: True, "ghost"))
    try:
        labels = [item["label"] for item in nav_for(bureau, "/")]
    finally:
        NAV_ITEMS.pop()
    assert "Fantôme" not in labels and labels
