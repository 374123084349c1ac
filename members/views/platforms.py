"""Platform pages: directory, profile, edit, regions, import and export. (issue 3)

Public pages (directory, profile, regions) opt out of the login requirement; every
other page relies on LoginRequiredMiddleware and checks its members/perms.py rule.
"""

import datetime
from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from innovalo.exports import export_response
from innovalo.perms import require
from innovalo.services import InvitationError

from .. import perms
from ..enums import CorrespondentKind, HostRole
from ..filters.platforms import PlatformFilter
from ..forms.platforms import (
    CONTROL_CHARACTERS,
    EquipmentFormSet,
    HostFormSet,
    PlatformForm,
    PlatformImportForm,
    PlatformInviteForm,
)
from ..importers import COLUMNS, ImportFileError, parse_upload, validate_rows
from ..models import (
    Correspondent,
    Department,
    Equipment,
    Establishment,
    Platform,
    PlatformHost,
    PlatformMembership,
    Region,
)
from ..services import platforms as services
from ..svg import regions_with_counts, tile_map

PAGE_SIZE = 20
RELATED_HISTORY_SIZE = 30
IMPORT_SESSION_KEY = "platform_import_rows"


def _page(request, queryset, size=PAGE_SIZE):
    return Paginator(queryset, size).get_page(request.GET.get("page"))


def _thematic_correspondents(user, domain_ids):
    """Thematic correspondents by domain id, for logged-in users only (one query)."""
    if not perms.can_see_contacts(user) or not domain_ids:
        return {}
    rows = Correspondent.objects.filter(
        kind=CorrespondentKind.THEMATIC, domain_id__in=domain_ids
    ).select_related("user")
    return {row.domain_id: row for row in rows}


def _regional_correspondent(user, region):
    if not perms.can_see_contacts(user):
        return None
    return (
        Correspondent.objects.filter(kind=CorrespondentKind.REGIONAL, region=region)
        .select_related("user")
        .first()
    )


def _directory_filter(request):
    return PlatformFilter(request.GET, queryset=Platform.objects.for_directory())


# Directory and profile (public) -----------------------------------------------


@login_not_required
def platform_list(request):
    platform_filter = _directory_filter(request)
    page = _page(request, platform_filter.qs)
    chosen = platform_filter.form.cleaned_data if platform_filter.is_bound else {}
    domain = chosen.get("domain")
    thematic = _thematic_correspondents(request.user, [domain.pk] if domain else [])
    # The region shown by the filters (chosen, or that of the chosen department).
    region = chosen.get("region")
    if region is None and chosen.get("department") is not None:
        region = chosen["department"].region
    region_correspondent = _regional_correspondent(request.user, region) if region else None
    return render(
        request,
        "members/platform_list.html",
        {
            "filter": platform_filter,
            "page_obj": page,
            "domain": domain,
            "domain_correspondent": thematic.get(domain.pk) if domain else None,
            "region": region,
            "region_correspondent": region_correspondent,
            "can_export": perms.can_export_directory(request.user),
            "can_import": perms.can_import_platforms(request.user),
        },
    )


@login_not_required
def platform_detail(request, slug):
    platform = get_object_or_404(Platform.objects.for_detail(), slug=slug)
    user = request.user
    can_see_contacts = perms.can_see_contacts(user)
    domains = list(platform.domains.all())
    thematic = _thematic_correspondents(user, [domain.pk for domain in domains])
    can_invite = perms.can_invite_for_platform(user, platform)
    context = {
        "platform": platform,
        "region": platform.department.region,
        "domains_with_correspondents": [(d, thematic.get(d.pk)) for d in domains],
        "can_see_contacts": can_see_contacts,
        "can_edit": perms.can_edit_platform(user, platform),
        "can_see_history": perms.can_see_platform_history(user, platform),
        "can_invite": can_invite,
        "can_see_dues": perms.can_see_platform_dues(user, platform),
        "regional_correspondent": _regional_correspondent(user, platform.department.region),
    }
    if can_invite:
        context["invite_form"] = PlatformInviteForm()
        context["pending_invitations"] = platform.invitations.pending().order_by("-created_at")
    return render(request, "members/platform_detail.html", context)


# Edit, history, invitation (the platform's people, the bureau) ----------------


def _share_establishment_choices(host_formset):
    """One query for the establishment choices of every host form, not one per form."""
    choices = None
    for form in host_formset.forms:
        field = form.fields["establishment"]
        if choices is None:
            field.queryset = Establishment.objects.all()
            choices = list(field.choices)
        field.choices = choices
    if host_formset.forms:
        host_formset.empty_form.fields["establishment"].choices = choices


@require_http_methods(["GET", "POST"])
def platform_edit(request, slug):
    platform = get_object_or_404(Platform, slug=slug)
    require(perms.can_edit_platform(request.user, platform))
    data = request.POST if request.method == "POST" else None
    form = PlatformForm(data, instance=platform, bureau=perms.is_bureau(request.user))
    equipment = EquipmentFormSet(data, instance=platform, prefix="equipment")
    hosts = HostFormSet(
        data,
        instance=platform,
        prefix="hosts",
        queryset=PlatformHost.objects.select_related("establishment"),
    )
    _share_establishment_choices(hosts)
    if request.method == "POST" and all([form.is_valid(), equipment.is_valid(), hosts.is_valid()]):
        platform = services.platform_update(
            form=form, formsets=[equipment, hosts], actor=request.user
        )
        messages.success(request, _("La fiche de la plateforme est à jour."))
        return redirect(platform)
    return render(
        request,
        "members/platform_edit.html",
        {"platform": platform, "form": form, "equipment": equipment, "hosts": hosts},
    )


ROW_FORMSETS = {"equipment": EquipmentFormSet, "hosts": HostFormSet}
MAX_EDIT_ROWS = 200


def platform_edit_row(request, slug, kind):
    """One more blank row of equipment or hosts for the edit page (htmx).

    The page sends its formset's TOTAL_FORMS; the answer is the new row, numbered
    after the others, and the management form's count raised by one (out of band).
    Nothing is saved: the rows are saved with the rest of the page.
    """
    formset_class = ROW_FORMSETS.get(kind)
    if formset_class is None:
        raise Http404
    platform = get_object_or_404(Platform, slug=slug)
    require(perms.can_edit_platform(request.user, platform))
    try:
        index = int(request.GET.get(f"{kind}-TOTAL_FORMS", ""))
    except ValueError:
        return HttpResponseBadRequest(_("Nombre de lignes manquant ou invalide."))
    if not 0 <= index < MAX_EDIT_ROWS:
        return HttpResponseBadRequest(_("Trop de lignes : enregistrez la fiche d'abord."))
    formset = formset_class(
        instance=platform, prefix=kind, queryset=formset_class.model.objects.none()
    )
    form = formset.form(
        auto_id=formset.auto_id,
        prefix=formset.add_prefix(index),
        empty_permitted=True,
        use_required_attribute=False,
    )
    formset.add_fields(form, None)
    return render(
        request,
        "members/includes/formset_row.html",
        {"subform": form, "formset": formset, "total": index + 1},
    )


def platform_history(request, slug):
    platform = get_object_or_404(Platform, slug=slug)
    require(perms.can_see_platform_history(request.user, platform))
    page, entries, related = platform_history_entries(platform, request.GET.get("page"))
    return render(
        request,
        "members/platform_history.html",
        {"platform": platform, "page_obj": page, "entries": entries, "related": related},
    )


@require_http_methods(["GET", "POST"])
def platform_invite(request, slug):
    platform = get_object_or_404(Platform, slug=slug)
    require(perms.can_invite_for_platform(request.user, platform))
    form = PlatformInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.platform_invite(
                platform=platform, actor=request.user, **form.cleaned_data
            )
        except InvitationError as error:
            form.add_error("email", str(error))
        else:
            messages.success(request, _("Invitation envoyée à %s.") % invitation.email)
            return redirect(platform)
    return render(request, "members/platform_invite.html", {"platform": platform, "form": form})


# Export and import (the bureau) -----------------------------------------------


def _join(objects):
    return ", ".join(obj.name for obj in objects)


EXPORT_COLUMNS = [
    ("nom", lambda p: p.name),
    ("sigle", lambda p: p.acronym),
    ("slug", lambda p: p.slug),
    ("ville", lambda p: p.city),
    ("departement", lambda p: p.department.code),
    ("region", lambda p: p.department.region.name),
    ("code_postal", lambda p: p.postal_code),
    ("adresse", lambda p: p.address),
    ("site_web", lambda p: p.website),
    ("email", lambda p: p.email),
    ("telephone", lambda p: p.phone),
    ("domaines", lambda p: "|".join(d.name for d in p.domains.all())),
    ("services", lambda p: "|".join(s.name for s in p.services.all())),
    ("label", lambda p: p.label_status),
    ("adherente", lambda p: "oui" if p.is_member else "non"),
    ("siret", lambda p: p.siret),
    ("code_chorus", lambda p: p.chorus_service_code),
    (
        "etablissement_porteur",
        lambda p: _join(h.establishment for h in p.hosts.all() if h.role == HostRole.CARRYING),
    ),
    ("label_valable_jusqu_au", lambda p: p.label_expires_on),
    ("revue_le", lambda p: p.reviewed_at),
    ("presentation", lambda p: p.description),
]
assert {name for name, _ in EXPORT_COLUMNS} >= set(COLUMNS)  # an export re-imports


def _printable(accessor):
    """Drop control characters (entered before the forms refused them, or in the admin):
    an XLSX cell cannot hold them and the whole export would fail."""

    def read(platform):
        value = accessor(platform)
        return CONTROL_CHARACTERS.sub("", value) if isinstance(value, str) else value

    return read


EXPORT_COLUMNS = [(name, _printable(accessor)) for name, accessor in EXPORT_COLUMNS]


def platform_export(request):
    require(perms.can_export_directory(request.user))
    platform_filter = _directory_filter(request)
    rows = platform_filter.qs.prefetch_related("services")
    fmt = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    return export_response(fmt, rows, EXPORT_COLUMNS, "plateformes", title="Plateformes")


@require_http_methods(["GET", "POST"])
def platform_import(request):
    require(perms.can_import_platforms(request.user))
    if request.method == "POST" and "confirm" in request.POST:
        raw_rows = request.session.get(IMPORT_SESSION_KEY)
        if not raw_rows:
            messages.error(request, _("Aucun import en attente : envoyez à nouveau le fichier."))
            return redirect("platform_import")
        try:
            created = services.platform_import(raw_rows=raw_rows, actor=request.user)
        except services.PlatformImportError as error:
            messages.error(request, _("Import refusé : aucune plateforme n'a été enregistrée."))
            return _import_preview(request, error.rows)
        del request.session[IMPORT_SESSION_KEY]
        messages.success(request, _("%s plateformes importées.") % len(created))
        return redirect("platform_list")
    if request.method == "POST" and "cancel" in request.POST:
        request.session.pop(IMPORT_SESSION_KEY, None)
        return redirect("platform_import")
    form = PlatformImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            raw_rows = parse_upload(form.cleaned_data["file"])
        except ImportFileError as error:
            form.add_error("file", str(error))
        else:
            request.session[IMPORT_SESSION_KEY] = raw_rows
            return _import_preview(request, validate_rows(raw_rows))
    return render(request, "members/platform_import.html", {"form": form, "columns": list(COLUMNS)})


def _import_preview(request, rows):
    invalid = [row for row in rows if row.errors]
    return render(
        request,
        "members/platform_import_preview.html",
        {"rows": rows, "invalid_count": len(invalid), "columns": list(COLUMNS)},
    )


# History (the bureau) ---------------------------------------------------------

HISTORY_M2M = ("domains", "services", "campuses")
HISTORY_TYPES = {
    "+": gettext_lazy("Création"),
    "~": gettext_lazy("Modification"),
    "-": gettext_lazy("Suppression"),
}


def _display(field, value, departments):
    if value in (None, ""):
        return "—"
    if field.name == "department":
        return departments.get(value, value)
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    if isinstance(value, bool):
        return _("oui") if value else _("non")
    if isinstance(value, datetime.datetime):
        return date_format(timezone.localtime(value), "j F Y H:i")
    if isinstance(value, datetime.date):
        return date_format(value, "j F Y")
    return value


def platform_history_entries(platform, page_number):
    """A page of the platform's versions, each with what changed since the one before.

    A fixed number of queries whatever the page size: plain fields are compared in
    Python, m2m values are loaded for the whole page at once.
    """
    history_model = Platform.history.model
    versions = (
        history_model.objects.filter(id=platform.pk)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")
    )
    page = Paginator(versions, PAGE_SIZE).get_page(page_number)
    start = max(page.start_index() - 1, 0)
    records = list(versions[start : page.end_index() + 1])  # + the version before the last
    ids = [record.history_id for record in records]
    m2m_values = {}
    for name in HISTORY_M2M:
        target = Platform._meta.get_field(name).related_model
        names = dict(target.objects.values_list("pk", "name"))
        through = getattr(history_model, name).model
        values = defaultdict(set)
        for history_id, target_id in through.objects.filter(history_id__in=ids).values_list(
            "history_id", f"{target._meta.model_name}_id"
        ):
            values[history_id].add(names.get(target_id, str(target_id)))
        m2m_values[name] = values
    departments = dict(Department.objects.values_list("pk", "name"))
    entries = []
    for index, record in enumerate(records[: len(page.object_list)]):
        previous = records[index + 1] if index + 1 < len(records) else None
        changes = []
        if previous is not None:
            delta = record.diff_against(previous, excluded_fields=HISTORY_M2M)
            for change in delta.changes:
                field = Platform._meta.get_field(change.field)
                changes.append(
                    (
                        field.verbose_name,
                        _display(field, change.old, departments),
                        _display(field, change.new, departments),
                    )
                )
            for name in HISTORY_M2M:
                old = m2m_values[name][previous.history_id]
                new = m2m_values[name][record.history_id]
                if old != new:
                    changes.append(
                        (
                            Platform._meta.get_field(name).verbose_name,
                            ", ".join(sorted(old)) or "—",
                            ", ".join(sorted(new)) or "—",
                        )
                    )
        entries.append(
            {
                "record": record,
                "kind": HISTORY_TYPES.get(record.history_type, record.history_type),
                "changes": changes,
            }
        )
    related = []
    for model, describe, extra in [
        (Equipment, lambda r: r.name, ()),
        (PlatformHost, lambda r: f"{r.establishment} ({r.get_role_display()})", ("establishment",)),
        (PlatformMembership, lambda r: f"{r.user} ({r.get_role_display()})", ("user",)),
    ]:
        rows = (
            model.history.filter(platform_id=platform.pk)
            .select_related("history_user", *extra)
            .order_by("-history_date", "-history_id")[:RELATED_HISTORY_SIZE]
        )
        for row in rows:
            related.append(
                {
                    "date": row.history_date,
                    "user": row.history_user,
                    "kind": HISTORY_TYPES.get(row.history_type, row.history_type),
                    "model": model._meta.verbose_name,
                    "what": describe(row),
                }
            )
    related.sort(key=lambda item: item["date"], reverse=True)
    return page, entries, related[:RELATED_HISTORY_SIZE]


# Regions (public) -------------------------------------------------------------


@login_not_required
def region_list(request):
    regions = list(regions_with_counts())
    correspondents = {}
    if perms.can_see_contacts(request.user):
        correspondents = {
            c.region_id: c
            for c in Correspondent.objects.filter(kind=CorrespondentKind.REGIONAL).select_related(
                "user"
            )
        }
    rows = [(region, correspondents.get(region.pk)) for region in regions]
    rows.sort(key=lambda pair: pair[0].name)
    return render(
        request,
        "members/region_list.html",
        {
            "tile_map": tile_map(regions),
            "rows": rows,
            "total": sum(region.platform_count for region in regions),
            "can_see_contacts": perms.can_see_contacts(request.user),
        },
    )


@login_not_required
def region_detail(request, slug):
    region = get_object_or_404(Region.objects.select_related("successor"), slug=slug)
    if not region.is_current and region.successor_id:
        return redirect(region.successor)
    platforms = Platform.objects.for_directory().filter(department__region=region)
    departments = (
        Department.objects.filter(region=region)
        .annotate(platform_count=Count("platforms"))
        .order_by("code")
    )
    return render(
        request,
        "members/region_detail.html",
        {
            "region": region,
            "page_obj": _page(request, platforms.order_by("name", "pk")),
            "departments": departments,
            "former_regions": region.former_regions.all(),
            "correspondent": _regional_correspondent(request.user, region),
            "can_see_contacts": perms.can_see_contacts(request.user),
        },
    )
