from django.contrib import admin

from .models import Answer, Campaign, Choice, Question, Respondent, Response, Section


class SectionInline(admin.TabularInline):
    model = Section
    extra = 0


class ChoiceInline(admin.TabularInline):
    model = Choice
    extra = 0


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["title", "year", "kind", "status", "opens_on", "closes_on"]
    list_filter = ["kind", "status", "year"]
    search_fields = ["title"]
    inlines = [SectionInline]
    raw_id_fields = ["copied_from"]


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["code", "label", "type", "required", "campaign"]
    list_filter = ["type", "required", "is_ministry_indicator"]
    list_select_related = ["campaign"]
    search_fields = ["code", "label"]
    raw_id_fields = ["campaign", "section", "show_if_question"]
    inlines = [ChoiceInline]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Responses and respondents change through the services (history, versions)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Response)
class ResponseAdmin(ReadOnlyAdmin):
    list_display = ["campaign", "platform", "status", "version", "submitted_at"]
    list_filter = ["status"]
    list_select_related = ["campaign", "platform"]


@admin.register(Answer)
class AnswerAdmin(ReadOnlyAdmin):
    list_display = ["response", "question", "value_number", "value_text", "value_date"]
    list_select_related = ["response__campaign", "response__platform", "question"]


@admin.register(Respondent)
class RespondentAdmin(ReadOnlyAdmin):
    list_display = ["email", "organisation", "campaign", "status", "reminders_sent"]
    list_filter = ["status"]
    list_select_related = ["campaign"]
    search_fields = ["email", "organisation", "siret"]
    exclude = ["token_hash"]
