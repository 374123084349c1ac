"""Reads about platforms that are more than one queryset method: correspondents,
regions, the directory's rows, the rows of the edit page, the review reminder's targets.
The profile history lives in ``members.selectors.history`` (re-exported here).
"""

import functools

from django.db import connection
from django.db.models import (
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Value,
)

from innovalo.french import French

from ..enums import CorrespondentKind, HostRole, LabelStatus, PlatformRole
from ..models import (
    Correspondent,
    Department,
    Domain,
    Equipment,
    Establishment,
    Platform,
    PlatformHost,
    Region,
    Service,
)
from .history import platform_history  # noqa: F401  (re-exported)

# Correspondents and regions ----------------------------------------------------------


def thematic_correspondents(domain_ids) -> dict:
    """Thematic correspondents by domain id (one query)."""
    if not domain_ids:
        return {}
    rows = Correspondent.objects.filter(
        kind=CorrespondentKind.THEMATIC, domain_id__in=domain_ids
    ).select_related("user")
    return {row.domain_id: row for row in rows}


def regional_correspondent(region):
    return (
        Correspondent.objects.filter(kind=CorrespondentKind.REGIONAL, region=region)
        .select_related("user")
        .first()
    )


def regional_correspondents() -> dict:
    """Regional correspondents by region id (one query)."""
    rows = Correspondent.objects.filter(kind=CorrespondentKind.REGIONAL).select_related("user")
    return {row.region_id: row for row in rows}


def map_regions() -> list:
    """The current regions with `platform_count`, in the tile map's order (one query)."""
    return list(
        Region.objects.current().with_platform_count().order_by("tile_row", "tile_col", "pk")
    )


def region_departments(region):
    return (
        Department.objects.filter(region=region)
        .annotate(platform_count=Count("platforms"))
        .order_by("code")
    )


# Queries compiled once ----------------------------------------------------------------

# A platform id no row has, compiled into a query in place of the real one.
PLATFORM_MARK = -7_654_321


@functools.cache
def _compiled(build, vendor: str) -> tuple[str, tuple]:
    """The SQL and parameters of ``build(PLATFORM_MARK)`` (a queryset), compiled once per
    process: the unions of the pages below cost more to compile than to run."""
    queryset = build(PLATFORM_MARK)
    sql, params = queryset.query.get_compiler(connection=connection).as_sql()
    return sql, tuple(params)


def _fetch(build, platform_id=None) -> list[tuple]:
    """The rows of ``build(platform_id)``, from its SQL compiled once."""
    sql, params = _compiled(build, connection.vendor)
    params = [platform_id if param == PLATFORM_MARK else param for param in params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# Directory ---------------------------------------------------------------------------


def _directory_names(platform_ids) -> dict:
    """{platform id: ([domain names], [carrying establishment names])} in one query
    (two prefetches cost three times as much on a page of twenty rows)."""
    domains = (
        Platform.domains.through.objects.filter(platform_id__in=platform_ids)
        .annotate(
            kind=Value(0),
            label=F("domain__name"),
            sort_name=F("domain__name"),
            sort_id=F("domain_id"),
        )
        .values_list("kind", "platform_id", "label", "sort_name", "sort_id")
        .order_by()
    )
    hosts = (
        PlatformHost.objects.filter(platform_id__in=platform_ids, role=HostRole.CARRYING)
        .annotate(
            kind=Value(1),
            label=F("establishment__name"),
            sort_name=Value("", output_field=CharField()),
            sort_id=F("pk"),
        )
        .values_list("kind", "platform_id", "label", "sort_name", "sort_id")
        .order_by()
    )
    names = {pk: ([], []) for pk in platform_ids}
    rows = domains.union(hosts, all=True).order_by("kind", "sort_name", "sort_id")
    for kind, platform_id, label, _name, _id in rows:
        names[platform_id][kind].append(label)
    return names


DIRECTORY_FILTER_LISTS = [  # (filter, queryset, its value, its order)
    ("region", lambda: Region.objects.current(), "slug", "name"),
    ("department", lambda: Department.objects.all(), "code", "code"),
    ("domain", lambda: Domain.objects.all(), "slug", "name"),
    ("service", lambda: Service.objects.all(), "slug", "name"),
]


def _directory_filter_lists_query(_platform_id):
    queries = []
    for rank, (name, queryset, key, sort) in enumerate(DIRECTORY_FILTER_LISTS):
        region = F("region_id") if name == "department" else Value(None, IntegerField())
        queries.append(
            queryset()
            .annotate(list=Value(rank), key=F(key), sort=French(sort), region_ref=region)
            .values_list("list", "pk", "key", "name", "region_ref", "sort")
            .order_by()
        )
    first, *others = queries
    return first.union(*others, all=True).order_by("list", "sort", "pk")


def directory_filter_lists() -> dict:
    """The directory filters' lists (``read_directory_filter_lists``), kept in the cache
    until a region, department, domain or service changes (``members.caches``)."""
    from ..caches import filter_lists

    return filter_lists(read_directory_filter_lists)


def read_directory_filter_lists() -> dict:
    """The directory filters' lists, in one query (UNION ALL), each in its model's order
    (names in French collation: "Île-de-France" among the I's):
    {"region": [(slug, label, values)], "department": [(code, ...)], "domain": [...],
    "service": [...]}, where label is what the object's ``str()`` says and values the
    fields the filters and the page read (the chosen one becomes an instance)."""
    rows = _fetch(_directory_filter_lists_query)
    choices = {name: [] for name, *_rest in DIRECTORY_FILTER_LISTS}
    for rank, pk, key_value, name, region_id, _sort in rows:
        list_name, _queryset, key, _sort_field = DIRECTORY_FILTER_LISTS[rank]
        values = {"id": pk, key: key_value, "name": name}
        label = name
        if list_name == "department":
            values["region_id"] = region_id
            label = f"{name} ({key_value})"  # Department.__str__
        choices[list_name].append((key_value, label, values))
    return choices


def directory_rows(platforms) -> list[dict]:
    """What each row of a directory table prints, as plain values: the table needs no
    lookup, reverse or queryset per row. `platforms` have their department and region
    (``select_related``); their domains and carrying establishments are read here."""
    platforms = list(platforms)
    names = _directory_names([platform.pk for platform in platforms]) if platforms else {}
    labels = dict(LabelStatus.choices)
    region_urls = {}
    rows = []
    for platform in platforms:
        region = platform.department.region
        if region.pk not in region_urls:
            region_urls[region.pk] = region.get_absolute_url()
        domains, carrying = names[platform.pk]
        rows.append(
            {
                "name": platform.name,
                "acronym": platform.acronym,
                "url": platform.get_absolute_url(),
                "city": platform.city,
                "department_code": platform.department.code,
                "region_name": region.name,
                "region_url": region_urls[region.pk],
                "carrying": carrying,
                "domains": domains,
                "label_status": platform.label_status,
                "label": labels.get(platform.label_status, platform.label_status),
            }
        )
    return rows


# The edit page ------------------------------------------------------------------------


PROFILE_LISTS = ("domains", "services", "campuses")


def _profile_lists_query(platform_id):
    queries = []
    for rank, name in enumerate(PROFILE_LISTS):
        field = Platform._meta.get_field(name)
        chosen = field.remote_field.through.objects.filter(
            platform_id=platform_id, **{field.m2m_reverse_field_name(): OuterRef("pk")}
        )
        rows = field.related_model.objects.annotate(
            list=Value(rank), chosen=Exists(chosen), sort=French("name")
        )
        queries.append(rows.values_list("list", "pk", "name", "chosen", "sort").order_by())
    first, *others = queries
    return first.union(*others, all=True).order_by("list", "sort", "pk")


def profile_lists(platform) -> dict:
    """{"domains": (every (pk, name), the platform's pks), "services": ..., "campuses": ...},
    in one query (the three lists, each in its own order, joined by UNION ALL)."""
    lists = {name: ([], []) for name in PROFILE_LISTS}
    for rank, pk, label, chosen, _sort in _fetch(_profile_lists_query, platform.pk):
        choices, chosen_pks = lists[PROFILE_LISTS[rank]]
        choices.append((pk, label))
        if chosen:
            chosen_pks.append(pk)
    return lists


def _departments_query(_platform_id):
    return (
        Department.objects.annotate(sort=French("code"))
        .values_list("pk", "name", "code", "region_id", "sort")
        .order_by("sort", "pk")
    )


def edit_lists() -> list:
    """The edit page's long list read beforehand, in one plain query: departments as
    (pk, label, values) rows of the profile's department, labelled as ``str()`` says.
    (The host rows' establishments are typed and picked among a few matches: a
    federation holds 5,000 of them, never all on the page.)"""
    return [
        (pk, f"{name} ({code})", {"id": pk, "code": code, "name": name, "region_id": region})
        for pk, name, code, region, _sort in _fetch(_departments_query)
    ]


def _edit_rows_query(platform_id):
    no_id = Value(None, output_field=IntegerField())
    equipment = Equipment.objects.filter(platform_id=platform_id).annotate(
        kind=Value(0),
        text=F("name"),
        more=F("description"),
        ref=no_id,
        city=Value("", output_field=CharField()),
        sort=F("name"),
    )
    hosts = PlatformHost.objects.filter(platform_id=platform_id).annotate(
        kind=Value(1),
        text=F("role"),
        more=F("establishment__name"),
        ref=F("establishment_id"),
        city=F("establishment__city"),
        sort=F("role"),
    )
    columns = ("kind", "pk", "text", "more", "ref", "city", "sort")
    rows = (
        equipment.values_list(*columns)
        .order_by()
        .union(hosts.values_list(*columns).order_by(), all=True)
    )
    return rows.order_by("kind", "sort", "pk")


def edit_rows(platform) -> tuple[list[dict], list[dict]]:
    """The initial equipment rows and host rows of the edit page, each in its model's
    order, in one query (UNION ALL); a row's legend is its object's ``str()``; a host
    row's establishment an instance holding its name and city (its picker's label)."""
    roles = dict(HostRole.choices)
    equipment_rows, host_rows = [], []
    for kind, pk, text, more, ref, city, _sort in _fetch(_edit_rows_query, platform.pk):
        if kind == 0:
            row = {"id": pk, "name": text, "description": more, "legend": text}
            equipment_rows.append(row)
        else:
            establishment = Establishment(pk=ref, name=more, city=city)
            legend = f"{establishment} — {roles.get(text, text)}"
            host_rows.append(
                {"id": pk, "establishment": establishment, "role": text, "legend": legend}
            )
    return equipment_rows, host_rows


# Review reminder -------------------------------------------------------------------------


def platforms_to_remind(now=None) -> list[int]:
    """Ids of the platforms due for review that have an active director."""
    return list(
        Platform.objects.review_due(now)
        .filter(memberships__role=PlatformRole.DIRECTOR, memberships__user__is_active=True)
        .distinct()
        .order_by("pk")
        .values_list("pk", flat=True)
    )
