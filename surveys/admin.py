from django.contrib import admin

from surveys.models import Invitation, Question, SurveyTemplate


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0
    fields = ["position", "code", "kind", "text", "text_en", "is_required"]


@admin.register(SurveyTemplate)
class SurveyTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "kind", "is_active"]
    list_filter = ["is_active", "kind"]
    inlines = [QuestionInline]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Read-only: invitations are written by the services; the admin shows what was sent and why not."""

    list_display = ["ticket", "kind", "channel", "state", "skip_reason", "send_after", "sent_at", "answered_at"]
    list_filter = ["state", "channel", "skip_reason", "kind"]
    list_select_related = ["ticket"]
    date_hierarchy = "created_at"
    exclude = ["nonce", "token_hash"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
