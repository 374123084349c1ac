"""Dues in the Django admin: read-mostly. Money is changed through the portal's
services (which lock, check and log); the admin never deletes it."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from ..models import (
    Allocation,
    DuesDocument,
    DuesExemption,
    DuesLine,
    DuesRate,
    DuesReminderStep,
    Payment,
    PaymentCancellation,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DuesRate)
class DuesRateAdmin(SimpleHistoryAdmin):
    list_display = ["year", "amount", "due_date"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DuesReminderStep)
class DuesReminderStepAdmin(SimpleHistoryAdmin):
    list_display = ["days_after_due", "is_active"]


class AllocationInline(admin.TabularInline):
    model = Allocation
    extra = 0
    can_delete = False
    readonly_fields = ["payment", "line", "amount"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(DuesLine)
class DuesLineAdmin(SimpleHistoryAdmin, ReadOnlyAdmin):
    list_display = ["platform", "year", "status", "amount_due", "paid_amount", "due_date"]
    list_filter = ["year", "status"]
    search_fields = ["platform__name"]
    inlines = [AllocationInline]


@admin.register(Payment)
class PaymentAdmin(SimpleHistoryAdmin, ReadOnlyAdmin):
    list_display = ["received_on", "amount", "method", "reference", "recorded_by"]
    list_filter = ["method"]
    inlines = [AllocationInline]


@admin.register(PaymentCancellation, DuesExemption)
class DuesEntryAdmin(ReadOnlyAdmin):
    pass


@admin.register(DuesDocument)
class DuesDocumentAdmin(ReadOnlyAdmin):
    list_display = ["number", "kind", "year", "amount", "issued_at", "voided_at"]
    list_filter = ["kind", "year"]
    exclude = ["content", "void_content"]
