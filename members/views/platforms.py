"""Platform pages: directory, profile, edit, history, regions, import and export.

Public pages (directory, profile, regions) opt out of the login requirement; every
other page relies on LoginRequiredMiddleware and checks its members/perms.py rule.
Views parse, call a service or a selector, and render.
"""

from contextlib import nullcontext

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.template import Context
from django.template.loader import get_template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from innovalo.exceptions import ServiceError
from innovalo.exports import export_response
from innovalo.forms import add_service_error
from innovalo.perms import require

from .. import caches as directory_cache
from .. import perms
from ..enums import HostRole
from ..filters.platforms import PlatformFilter
from ..forms.partnerships import TransferOfferForms
from ..forms.platforms import (
    CONTROL_CHARACTERS,
    MAX_ROWS,
    ROW_FORMSETS,
    EquipmentFormSet,
    HostFormSet,
    PlatformForm,
    PlatformImportForm,
    PlatformInviteForm,
)
from ..importers import COLUMNS, parse_upload, validate_rows
from ..models import Platform, Region
from ..selectors import partnerships as partnership_selectors
from ..selectors import platforms as selectors
from ..services import partnerships as partnership_services
from ..services import platforms as services
from ..svg import tile_map

PAGE_SIZE = 20
# What a directory row prints (selectors.directory_rows).
DIRECTORY_FIELDS = (
    "name",
    "acronym",
    "slug",
    "city",
    "label_status",
    "department__code",
    "department__region__name",
    "department__region__slug",
)
IMPORT_SESSION_KEY = "platform_import_rows"


def _page(request, queryset, size=PAGE_SIZE):
    return Paginator(queryset, size).get_page(request.GET.get("page"))


def _directory_filter(request):
    return PlatformFilter(request.GET, queryset=Platform.objects.for_directory())


# Directory and profile (public) -----------------------------------------------


def _directory_body(request) -> str:
    """The directory's filters, count and table (members/includes/directory_body.html),
    rendered without the context processors: the page's layout has them."""
    platform_filter = _directory_filter(request)
    # The rows' domains and establishments: read by directory_rows, not prefetched.
    page = _page(request, platform_filter.qs.prefetch_related(None).only(*DIRECTORY_FIELDS))
    chosen = platform_filter.form.cleaned_data if platform_filter.is_bound else {}
    domain = chosen.get("domain")
    # The region shown by the filters (chosen, or that of the chosen department).
    region = platform_filter.chosen_region()
    context = {
        "filter": platform_filter,
        "page_obj": page,
        "rows": selectors.directory_rows(page),
        "domain": domain,
        "region": region,
        "active_filters": sum(
            1
            for name in platform_filter.form.fields
            if name != "sort" and any(value.strip() for value in request.GET.getlist(name))
        ),
        "can_export": perms.can_export_directory(request.user),
        "can_import": perms.can_import_platforms(request.user),
    }
    if perms.can_see_contacts(request.user):
        if domain is not None:
            context["domain_correspondent"] = selectors.thematic_correspondents([domain.pk]).get(
                domain.pk
            )
        if region is not None:
            context["region_correspondent"] = selectors.regional_correspondent(region)
    template = get_template("members/includes/directory_body.html").template
    plain = Context(context)
    plain.request = request  # what {% querystring %} reads (as a RequestContext has it)
    return template.render(plain)


@login_not_required
def platform_list(request):
    if request.user.is_authenticated:
        body = _directory_body(request)
    else:
        # The same for every visitor: kept until a platform or a list changes.
        body = directory_cache.anonymous_body(request, lambda: _directory_body(request))
    return render(request, "members/platform_list.html", {"body": mark_safe(body)})  # noqa: S308


@login_not_required
def platform_detail(request, slug):
    platform = get_object_or_404(
        partnership_selectors.with_transfer_offer(Platform.objects.for_detail()), slug=slug
    )
    user = request.user
    can_see_contacts = perms.can_see_contacts(user)
    domains = list(platform.domains.all())
    thematic = (
        selectors.thematic_correspondents([d.pk for d in domains]) if can_see_contacts else {}
    )
    can_invite = perms.can_invite_for_platform(user, platform)
    region = platform.department.region
    context = {
        "platform": platform,
        "region": region,
        "domains_with_correspondents": [(d, thematic.get(d.pk)) for d in domains],
        "can_see_contacts": can_see_contacts,
        "can_edit": perms.can_edit_platform(user, platform),
        "can_see_history": perms.can_see_platform_history(user, platform),
        "can_invite": can_invite,
        "can_see_dues": perms.can_see_platform_dues(user, platform),
        "can_see_agreements": perms.can_see_agreements(user, platform),
        # Its committee's members reach the page from their meetings; the profile links it
        # for those who run it (no query more).
        "can_see_committee": perms.can_manage_steering_committee(user, platform),
        "transfer_offers": partnership_selectors.transfer_offers(platform),
        "regional_correspondent": (
            selectors.regional_correspondent(region) if can_see_contacts else None
        ),
    }
    if can_invite:
        context["invite_form"] = PlatformInviteForm()
        context["pending_invitations"] = platform.invitations.pending().order_by("-created_at")
    return render(request, "members/platform_detail.html", context)


# Edit, history, invitation (the platform's people, the bureau) ----------------


def _row_formsets(platform, data):
    equipment_rows, host_rows = selectors.edit_rows(platform)
    equipment = EquipmentFormSet(data, prefix="equipment", initial=equipment_rows)
    hosts = HostFormSet(
        data,
        prefix="hosts",
        initial=host_rows,
        form_kwargs={"known": [row["establishment"] for row in host_rows]},
    )
    return equipment, hosts


@require_http_methods(["GET", "POST"])
def platform_edit(request, slug):
    platform = get_object_or_404(
        partnership_selectors.with_transfer_offer(Platform.objects.all()), slug=slug
    )
    require(perms.can_edit_platform(request.user, platform))
    data = request.POST if request.method == "POST" else None
    departments = selectors.edit_lists()
    form = PlatformForm(
        data, instance=platform, bureau=perms.is_bureau(request.user), departments=departments
    )
    equipment, hosts = _row_formsets(platform, data)
    transfer = TransferOfferForms(data, offers=partnership_selectors.transfer_offers(platform))
    valid = [form.is_valid(), equipment.is_valid(), hosts.is_valid(), transfer.is_valid()]
    if data is not None and all(valid):
        offers = transfer.changed_offers()
        try:
            # The profile and its transfer offer, or neither.
            with transaction.atomic() if offers else nullcontext():
                services.platform_update(
                    platform=platform,
                    fields=form.profile(),
                    equipment=equipment.rows(),
                    hosts=hosts.rows(),
                    actor=request.user,
                )
                if offers:
                    partnership_services.transfer_offer_update(
                        platform=platform, offers=offers, actor=request.user
                    )
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("La fiche de la plateforme est à jour."))
            return redirect(platform)
    return render(
        request,
        "members/platform_edit.html",
        {
            "platform": platform,
            "form": form,
            "equipment": equipment,
            "hosts": hosts,
            "transfer": transfer,
        },
    )


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
    if not 0 <= index < MAX_ROWS:
        return HttpResponseBadRequest(_("Trop de lignes : enregistrez la fiche d'abord."))
    formset = formset_class(prefix=kind)
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
    history = selectors.platform_history(
        platform,
        request.GET.get("page"),
        request.GET.get("archives"),
        private=perms.can_see_private_history(request.user, platform),
    )
    return render(request, "members/platform_history.html", {"platform": platform, **history})


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
        except ServiceError as error:
            add_service_error(form, error)
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
        except ServiceError as error:
            messages.error(request, str(error))
            return _import_preview(request, getattr(error, "rows", None) or [])
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
        except ServiceError as error:
            add_service_error(form, error)
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


# Regions (public) -------------------------------------------------------------


@login_not_required
def region_list(request):
    regions = selectors.map_regions()
    can_see_contacts = perms.can_see_contacts(request.user)
    correspondents = selectors.regional_correspondents() if can_see_contacts else {}
    rows = sorted(
        ((region, correspondents.get(region.pk)) for region in regions),
        key=lambda pair: pair[0].name,
    )
    return render(
        request,
        "members/region_list.html",
        {
            "tile_map": tile_map(regions, legend=_("Nombre de plateformes")),
            "rows": rows,
            "total": sum(region.platform_count for region in regions),
            "can_see_contacts": can_see_contacts,
        },
    )


@login_not_required
def region_detail(request, slug):
    region = get_object_or_404(Region.objects.select_related("successor"), slug=slug)
    if not region.is_current and region.successor_id:
        return redirect(region.successor)
    platforms = Platform.objects.for_directory().filter(department__region=region)
    platforms = platforms.prefetch_related(None).only(*DIRECTORY_FIELDS)
    page = _page(request, platforms.order_by("name", "pk"))
    can_see_contacts = perms.can_see_contacts(request.user)
    return render(
        request,
        "members/region_detail.html",
        {
            "region": region,
            "page_obj": page,
            "rows": selectors.directory_rows(page),
            "departments": selectors.region_departments(region),
            "former_regions": region.former_regions.all(),
            "correspondent": selectors.regional_correspondent(region) if can_see_contacts else None,
            "can_see_contacts": can_see_contacts,
        },
    )
