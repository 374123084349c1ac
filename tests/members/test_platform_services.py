"""The platform edit service called with plain data, and the reads behind the edit page
(one query each, compiled once, widgets written in Python)."""

import pytest
from django.urls import reverse

from innovalo.models import AuditEntry
from members.enums import HostRole, LabelStatus
from members.models import Platform

from .factories import (
    DomainFactory,
    EquipmentFactory,
    EstablishmentFactory,
    PlatformHostFactory,
    equip,
)

pytestmark = pytest.mark.django_db

URL = reverse("platform_edit", args=["innovaltech"])


@pytest.fixture
def equipped(platform):
    return equip(platform)


# The service, called with plain data ----------------------------------------------


def test_service_takes_plain_rows_and_writes_one_entry(equipped, bureau):
    from members.services.platforms import platform_update

    tour = equipped.equipment.get()
    lycee = EstablishmentFactory(name="Lycée Condorcet")
    platform_update(
        platform=equipped,
        fields={"city": "Laon", "label_status": LabelStatus.RENEWAL},
        equipment=[
            {"id": tour.pk, "delete": True},
            {"id": None, "name": "Four", "description": ""},
        ],
        hosts=[{"id": None, "establishment": lycee.pk, "role": HostRole.PARTNER}],
        actor=bureau,
    )
    equipped.refresh_from_db()
    assert (equipped.city, equipped.label_status) == ("Laon", LabelStatus.RENEWAL)
    assert list(equipped.equipment.values_list("name", flat=True)) == ["Four"]
    assert equipped.hosts.count() == 2  # the host not given stays
    entry = AuditEntry.objects.get()
    assert entry.changes["city"] == ["Saint-Quentin", "Laon"]
    assert entry.changes["label_status"] == [LabelStatus.LABELLED, LabelStatus.RENEWAL]


@pytest.mark.parametrize(
    ("fields", "rows", "message", "field"),
    [
        ({"slug": "autre"}, {}, "Champs inconnus : slug.", None),
        ({"siret": "123"}, {}, "Un SIRET compte 14 chiffres", "siret"),
        ({"label_status": "or"}, {}, "n’est pas un choix valide", "label_status"),
        ({}, {"equipment": [{"id": None, "name": " "}]}, "Chaque équipement a un nom.", None),
        ({}, {"equipment": [{"id": 999999, "name": "X"}]}, "pas celui de la plateforme", None),
        (
            {},
            {"hosts": [{"id": None, "establishment": "same", "role": "partner"}]},
            "qu'une fois",
            None,
        ),
        (
            {},
            {"hosts": [{"id": None, "establishment": 999999, "role": "partner"}]},
            "n'existe pas",
            None,
        ),
    ],
)
def test_service_refusals_are_service_errors_and_change_nothing(
    equipped, bureau, fields, rows, message, field
):
    from innovalo.exceptions import ServiceError
    from members.services.platforms import platform_update

    for row in rows.get("hosts", []):
        if row["establishment"] == "same":
            row["establishment"] = equipped.hosts.get().establishment_id
    with pytest.raises(ServiceError) as refused:
        platform_update(platform=equipped, fields=fields, actor=bureau, **rows)
    assert message in str(refused.value) and refused.value.field == field
    equipped.refresh_from_db()
    assert equipped.reviewed_at is None and not AuditEntry.objects.exists()


def test_two_hosts_swapping_establishments_is_refused_clearly(equipped, bureau):
    from innovalo.exceptions import ServiceError
    from members.services.platforms import platform_update

    first = equipped.hosts.get()
    second = PlatformHostFactory(platform=equipped, role=HostRole.PARTNER)
    swap = [
        {"id": first.pk, "establishment": second.establishment_id, "role": first.role},
        {"id": second.pk, "establishment": first.establishment_id, "role": second.role},
    ]
    with pytest.raises(ServiceError, match="un changement à la fois"):
        platform_update(platform=equipped, fields={}, hosts=swap, actor=bureau)
    assert equipped.hosts.get(pk=first.pk).establishment_id == first.establishment_id


def test_edit_rows_read_equipment_and_hosts_in_one_query(equipped):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from members.selectors.platforms import edit_rows

    EquipmentFactory(platform=equipped, name="Autoclave")
    school = EstablishmentFactory(name="École <d'ingé>", city="Laon")
    PlatformHostFactory(platform=equipped, establishment=school, role=HostRole.PARTNER)
    with CaptureQueriesContext(connection) as queries:
        equipment, hosts = edit_rows(equipped)
    assert len(queries) == 1
    assert equipment == [
        {"id": item.pk, "name": item.name, "description": item.description, "legend": str(item)}
        for item in equipped.equipment.all()
    ]
    assert equipment[0]["name"] == "Autoclave"
    assert hosts == [
        {"id": h.pk, "establishment": h.establishment, "role": h.role, "legend": str(h)}
        for h in equipped.hosts.select_related("establishment")
    ]
    assert hosts[-1]["legend"] == "École <d'ingé> (Laon) — Établissement partenaire"
    assert str(hosts[-1]["establishment"]) == "École <d'ingé> (Laon)"  # the picker's label


def test_listed_select_writes_what_django_templates_write(equipped):
    from django import forms
    from django.forms.renderers import DjangoTemplates

    from members.forms.platforms import HostForm, ListedSelect, PlatformForm

    choices = [("", "---------"), (1, "A & <b>"), (2, "B"), (2, "B again"), (None, "Aucun")]
    for value in (None, "", 1, "2", 99, [1, 2]):
        for attrs in (None, {"id": "id_x", "required": True, "aria-invalid": "true"}):
            listed = ListedSelect(attrs={"class": "c"}, choices=choices)
            django = forms.Select(attrs={"class": "c"}, choices=choices)
            assert listed.render("x", value, attrs) == django.render(
                "x", value, attrs, renderer=DjangoTemplates()
            )
    grouped = [("Groupe", [(1, "Un")]), (2, "Deux")]
    assert ListedSelect(choices=grouped).render("g", 1) == forms.Select(choices=grouped).render(
        "g", 1, renderer=DjangoTemplates()
    )

    establishment = EstablishmentFactory(name="Lycée <Condorcet>")
    EquipmentFactory(platform=equipped)
    forms_ = [
        PlatformForm(instance=equipped),
        PlatformForm({"department": "999"}, instance=Platform.objects.get(pk=equipped.pk)),
        HostForm(known=[establishment]),
        HostForm({"establishment": establishment.pk, "role": "x"}, known=[establishment]),
    ]
    checked = 0
    for form in forms_:
        form.is_bound and form.is_valid()
        for field in list(form):
            widget = field.field.widget
            if not isinstance(widget, ListedSelect):
                continue
            listed = field.as_widget()
            quick, form.renderer = form.renderer, DjangoTemplates()
            plain = forms.Select(attrs=widget.attrs, choices=widget.choices)
            assert listed == field.as_widget(widget=plain)
            form.renderer = quick
            checked += 1
    assert checked == 4  # department twice, role twice (the establishment is a picker)


def test_queries_compiled_once_read_each_platform_its_own_rows(equipped):
    from members.selectors.platforms import edit_rows, profile_lists

    from .factories import PlatformFactory

    other = PlatformFactory(name="Autre")
    digital = DomainFactory(name="Numérique")
    other.domains.add(digital)
    EquipmentFactory(platform=other, name="Presse")
    first = (profile_lists(equipped), edit_rows(equipped))  # compiles
    second = (profile_lists(other), edit_rows(other))
    assert digital.pk in second[0]["domains"][1]
    assert digital.pk not in first[0]["domains"][1]
    assert [row["name"] for row in second[1][0]] == ["Presse"]
    assert "Presse" not in [row["name"] for row in first[1][0]]
    assert second[1][1] == []


def test_edit_lists_read_departments_in_one_query_and_no_establishment(equipped):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from members.models import Department
    from members.selectors.platforms import edit_lists

    EstablishmentFactory(name="Zénith <École>", city="Laon")
    with CaptureQueriesContext(connection) as queries:
        departments = edit_lists()
    assert len(queries) == 1
    assert "establishment" not in queries.captured_queries[0]["sql"]
    assert [(pk, label) for pk, label, _values in departments] == [
        (d.pk, str(d)) for d in Department.objects.all()
    ]
    assert all(
        values == {"id": d.pk, "code": d.code, "name": d.name, "region_id": d.region_id}
        for (_pk, _label, values), d in zip(departments, Department.objects.all(), strict=True)
    )
