from django.contrib import admin

from .models import (
    ActionItem,
    AgendaItem,
    AgendaProposal,
    Attachment,
    CalendarFeed,
    ElectedOfficer,
    Meeting,
    MeetingInvitation,
    Minutes,
    MinutesApproval,
    MinutesItem,
    Resolution,
)


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    extra = 0


class InvitationInline(admin.TabularInline):
    model = MeetingInvitation
    extra = 0
    raw_id_fields = ["user", "platform"]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "start", "place", "status"]
    list_filter = ["kind", "status"]
    search_fields = ["title", "place"]
    date_hierarchy = "start"
    inlines = [AgendaItemInline, InvitationInline]


class MinutesItemInline(admin.StackedInline):
    model = MinutesItem
    extra = 0


@admin.register(Minutes)
class MinutesAdmin(admin.ModelAdmin):
    list_display = ["meeting", "version", "status", "published_at"]
    list_filter = ["status"]
    inlines = [MinutesItemInline]

    def has_delete_permission(self, request, obj=None):
        return obj is None or not obj.is_published

    def has_change_permission(self, request, obj=None):
        return obj is None or not obj.is_published


@admin.register(ActionItem)
class ActionItemAdmin(admin.ModelAdmin):
    list_display = ["title", "meeting", "due_date", "status"]
    list_filter = ["status"]
    filter_horizontal = ["owners"]


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ["title", "meeting", "kind", "size", "uploaded_at"]
    readonly_fields = ["file", "original_name", "content_type", "size"]


admin.site.register(AgendaProposal)
admin.site.register(MinutesApproval)
admin.site.register(Resolution)
admin.site.register(ElectedOfficer)


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at"]
    exclude = ["token"]
