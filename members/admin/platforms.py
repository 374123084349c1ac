from django.contrib import admin
from django.utils.text import smart_split
from simple_history.admin import SimpleHistoryAdmin

from ..models import (
    Campus,
    Correspondent,
    Department,
    Domain,
    Equipment,
    Establishment,
    Platform,
    PlatformHost,
    PlatformMembership,
    Region,
    Service,
)
from ..models.platforms import MAX_SEARCH_WORDS


class FirstWordsSearchMixin:
    """Search on the first words only, as the directory does (a thousand words exceed
    what SQLite accepts in one query)."""

    def get_search_results(self, request, queryset, search_term):
        words = list(smart_split(search_term))[:MAX_SEARCH_WORDS]
        return super().get_search_results(request, queryset, " ".join(words))


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "is_current", "successor"]
    list_filter = ["is_current"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "region"]
    list_filter = ["region"]


@admin.register(Domain, Service)
class NamedListAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Establishment)
class EstablishmentAdmin(FirstWordsSearchMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "uai", "city"]
    search_fields = ["name", "uai", "city"]
    list_filter = ["kind"]


@admin.register(Campus)
class CampusAdmin(admin.ModelAdmin):
    list_display = ["name", "region"]


class HostInline(admin.TabularInline):
    model = PlatformHost
    extra = 0
    autocomplete_fields = ["establishment"]


class EquipmentInline(admin.TabularInline):
    model = Equipment
    extra = 0


class MembershipInline(admin.TabularInline):
    model = PlatformMembership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Platform)
class PlatformAdmin(FirstWordsSearchMixin, SimpleHistoryAdmin):
    """Versions written before the audit log stay readable here (and on the history page)."""

    list_display = ["name", "acronym", "city", "department", "label_status", "is_member"]
    list_filter = ["label_status", "is_member", "department__region"]
    search_fields = ["name", "acronym", "city"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [HostInline, EquipmentInline, MembershipInline]


@admin.register(Correspondent)
class CorrespondentAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "region", "domain"]
    list_filter = ["kind"]
