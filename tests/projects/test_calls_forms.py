"""The call's form (create, propose, edit) with its deadlines: what a POST writes, and
bad input shown next to its field, never a 500."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from innovalo.models import AuditEntry
from projects.enums import CallStatus, FunderKind
from projects.models import Call, CallDeadline, Funder
from tests.projects.calls_helpers import form_data, full_call, proposed_call
from tests.projects.factories import FunderFactory, ThemeFactory

pytestmark = pytest.mark.django_db


def _post(client, name, data, *args):
    return client.post(reverse(name, args=args), data)


def _errors(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


# Create and propose -------------------------------------------------------------------


def test_bureau_creates_a_published_call_with_its_deadline(client_for):
    funder = FunderFactory(name="Bpifrance", kind=FunderKind.BPIFRANCE)
    theme = ThemeFactory(name="Numérique", slug="numerique")
    data = form_data(funders=[funder.pk], themes=[theme.pk], applicants=["smes", "platforms"])
    response = _post(client_for("bureau"), "call_create", data)
    call = Call.objects.get()
    assert response.status_code == 302 and response["Location"] == call.get_absolute_url()
    assert call.status == CallStatus.PUBLISHED and call.published_at is not None
    assert list(call.funders.all()) == [funder] and list(call.themes.all()) == [theme]
    assert call.applicants == ["smes", "platforms"]
    deadline = call.deadlines.get()
    assert deadline.label == "Dossier complet"
    assert timezone.localtime(deadline.due_at).hour == 12
    assert AuditEntry.objects.filter(action="projects.call_created").count() == 1


def test_bureau_creates_a_funder_inline(client_for):
    data = form_data(
        new_funder_name="Fondation Innovation",
        new_funder_kind="foundation",
        new_funder_website="fondation.example.org",
    )
    _post(client_for("bureau"), "call_create", data)
    funder = Funder.objects.get(name="Fondation Innovation")
    assert funder.website == "https://fondation.example.org"
    assert list(Call.objects.get().funders.all()) == [funder]


def test_new_funder_needs_its_kind_and_a_new_name(client_for):
    FunderFactory(name="ADEME")
    client = client_for("bureau")
    content = _errors(_post(client, "call_create", form_data(new_funder_name="Sans nature")))
    assert "Choisissez la nature du nouveau financeur" in content
    data = form_data(new_funder_name="ademe", new_funder_kind="ademe")
    content = _errors(_post(client, "call_create", data))
    assert "Ce financeur existe déjà" in content
    assert not Call.objects.exists()
    assert Funder.objects.count() == 1


def test_member_proposes_a_call(client_for, director):
    response = _post(client_for("director"), "call_propose", form_data())
    call = Call.objects.get()
    assert call.status == CallStatus.PROPOSED
    assert call.proposed_by == director and call.published_at is None
    assert response["Location"] == call.get_absolute_url()
    assert client_for("director").get(call.get_absolute_url()).status_code == 200
    assert client_for("other_director").get(call.get_absolute_url()).status_code == 404


def test_member_cannot_create_a_funder_inline(client_for):
    data = form_data(new_funder_name="Fondation", new_funder_kind="foundation")
    _post(client_for("director"), "call_propose", data)
    assert not Funder.objects.exists()
    assert (
        "new_funder_name"
        not in client_for("director").get(reverse("call_propose")).content.decode()
    )


def test_post_create_refused_to_members(client_for):
    assert _post(client_for("director"), "call_create", form_data()).status_code == 403
    assert _post(client_for("ministry"), "call_propose", form_data()).status_code == 403
    assert not Call.objects.exists()


# Bad input --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"amount_min": "500000", "amount_max": "1000"}, "Le montant minimum dépasse le maximum"),
        ({"rate_max": "150"}, "inférieure ou égale à 100"),
        ({"rate_min": "-5"}, "supérieure ou égale à 0"),
        ({"rate_min": "60", "rate_max": "40"}, "Le taux minimum dépasse le maximum"),
        ({"amount_min": "beaucoup"}, "Saisissez un nombre"),
        ({"title": ""}, "Ce champ est obligatoire"),
        ({"kind": "nope"}, "Sélectionnez un choix valide"),
        ({"deadlines-0-day": ""}, "Ce champ est obligatoire"),
        ({"deadlines-0-day": "31/02/2026"}, "Saisissez une date valide"),
        ({"deadlines-0-time": "25:99"}, "Saisissez une heure valide"),
        ({"funders": ["abc"]}, "n’est pas une valeur correcte"),
        ({"funders": ["99999999999999999999999"]}, "n’est pas une valeur correcte"),
        ({"scope": "regional"}, "Un appel régional a au moins une région"),
        ({"url": "pas une adresse"}, "Saisissez une URL valide"),
        ({"deadlines-TOTAL_FORMS": "abc"}, "ManagementForm"),
    ],
)
def test_bad_input_is_a_message_next_to_the_field(client_for, overrides, message):
    content = _errors(_post(client_for("bureau"), "call_create", form_data(**overrides)))
    assert message in content
    assert not Call.objects.exists()
    assert not CallDeadline.objects.exists()


def test_form_keeps_what_was_typed(client_for):
    data = form_data(amount_min="500000", amount_max="1000", title="Mon titre gardé")
    content = _errors(_post(client_for("bureau"), "call_create", data))
    assert 'value="Mon titre gardé"' in content
    assert 'value="Dossier complet"' in content


# Edit -----------------------------------------------------------------------------------


def _edit_data(call, **overrides):
    """The edit form as the page shows it, for `call` (two deadlines)."""
    deadlines = list(call.deadlines.all())
    data = form_data(
        title=call.title,
        scope=call.scope,
        regions=[r.pk for r in call.regions.all()],
        funders=[f.pk for f in call.funders.all()],
        themes=[t.pk for t in call.themes.all()],
        amount_min=str(call.amount_min),
        amount_max=str(call.amount_max),
        rate_min=str(call.rate_min),
        rate_max=str(call.rate_max),
        url=call.url,
        contact=call.contact,
        description=call.description,
        **{"deadlines-TOTAL_FORMS": str(len(deadlines) + 1)},
        **{"deadlines-INITIAL_FORMS": str(len(deadlines))},
    )
    for index, deadline in enumerate(deadlines):
        local = timezone.localtime(deadline.due_at)
        data[f"deadlines-{index}-id"] = str(deadline.pk)
        data[f"deadlines-{index}-label"] = deadline.label
        data[f"deadlines-{index}-day"] = local.date().isoformat()
        data[f"deadlines-{index}-time"] = local.strftime("%H:%M")
    blank = len(deadlines)
    for name in ("id", "label", "day", "time"):
        data[f"deadlines-{blank}-{name}"] = ""
    data.update(overrides)
    return data


def test_edit_page_shows_the_deadlines(client_for):
    call = full_call()
    content = client_for("bureau").get(reverse("call_edit", args=[call.pk])).content.decode()
    assert 'value="Pré-proposition"' in content and 'value="Dossier complet"' in content


def test_edit_without_change_writes_nothing(client_for):
    call = full_call()
    before = AuditEntry.objects.count()
    response = _post(client_for("bureau"), "call_edit", _edit_data(call), call.pk)
    assert response.status_code == 302, response.content.decode()[:3000]
    call.refresh_from_db()
    assert call.dates_changed_at is None
    assert AuditEntry.objects.count() == before


def test_edit_title_keeps_the_dates_unchanged(client_for):
    call = full_call()
    _post(client_for("bureau"), "call_edit", _edit_data(call, title="Nouveau titre"), call.pk)
    call.refresh_from_db()
    assert call.title == "Nouveau titre"
    assert call.dates_changed_at is None
    entry = AuditEntry.objects.filter(action="projects.call_updated").get()
    assert entry.changes == {"titre": ["FEDER innovation 0", "Nouveau titre"]}


def test_edit_moves_a_deadline(client_for):
    call = full_call()
    new_day = (timezone.localdate() + datetime.timedelta(days=100)).isoformat()
    data = _edit_data(call, **{"deadlines-1-day": new_day})
    _post(client_for("bureau"), "call_edit", data, call.pk)
    call.refresh_from_db()
    assert call.dates_changed_at is not None
    assert timezone.localtime(call.deadlines.last().due_at).date().isoformat() == new_day


def test_edit_adds_and_removes_deadlines(client_for):
    call = full_call()
    new_day = (timezone.localdate() + datetime.timedelta(days=200)).isoformat()
    data = _edit_data(
        call,
        **{
            "deadlines-0-DELETE": "on",
            "deadlines-2-label": "Relève 2",
            "deadlines-2-day": new_day,
        },
    )
    _post(client_for("bureau"), "call_edit", data, call.pk)
    labels = list(call.deadlines.values_list("label", flat=True))
    assert labels == ["Dossier complet", "Relève 2"]
    call.refresh_from_db()
    assert call.dates_changed_at is not None


def test_edit_a_deadline_of_another_call_is_refused(client_for):
    call, other = full_call(0), full_call(1)
    data = _edit_data(call, **{"deadlines-0-id": str(other.deadlines.first().pk)})
    content = _errors(_post(client_for("bureau"), "call_edit", data, call.pk))
    assert "rechargez la page" in content


def test_proposer_edits_own_proposal(client_for, director):
    call = proposed_call(director, title="Ma proposition")
    data = form_data(title="Ma proposition corrigée", **{"deadlines-1-day": ""})
    response = _post(client_for("director"), "call_edit", data, call.pk)
    assert response.status_code == 302
    call.refresh_from_db()
    assert call.title == "Ma proposition corrigée"
    assert call.status == CallStatus.PROPOSED
    assert _post(client_for("other_director"), "call_edit", data, call.pk).status_code == 404


def test_edit_bad_input_keeps_the_call(client_for):
    call = full_call()
    data = _edit_data(call, amount_min="900000", title="Ne pas enregistrer")
    content = _errors(_post(client_for("bureau"), "call_edit", data, call.pk))
    assert "Le montant minimum dépasse le maximum" in content
    call.refresh_from_db()
    assert call.title == "FEDER innovation 0"
