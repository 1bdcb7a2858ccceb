from django.contrib import admin
from django.contrib.admin.views.main import ORDER_VAR, ChangeList
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from staff.models import (
    ConcurrentPost,
    Duty,
    JobDescription,
    PerformanceStandard,
    Position,
    Scorecard,
    ScoreWeight,
    Skill,
    StaffMember,
    Unit,
)
from staff.services import staff_member_sync_groups


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "kind"]
    list_filter = ["kind"]


class PositionInline(admin.TabularInline):
    model = Position
    fields = ["code", "title", "title_en", "role", "reports_to", "headcount", "in_establishment", "sort_order"]
    extra = 0
    show_change_link = True
    autocomplete_fields = ["reports_to"]


class UnitTreeChangeList(ChangeList):
    """The unit list is the tree, depth first (each team under its own department), unless a column is
    sorted: the model's ordering, which a change list applies, would scatter it (the tree's order is an
    annotation of the tree query, so it is the change list's, not the admin's ``get_ordering``, which
    other admins' filters use on plain querysets)."""

    def get_ordering(self, request, queryset):
        if ORDER_VAR in self.params:
            return super().get_ordering(request, queryset)
        return ["tree_ordering"]


@admin.register(Unit)
class UnitAdmin(SimpleHistoryAdmin):
    list_display = ["indented_name", "code", "kind", "parent"]
    list_filter = ["kind"]
    search_fields = ["name", "name_en", "code"]
    inlines = [PositionInline]
    filter_horizontal = ["skills"]

    def get_queryset(self, request):
        # (not super's: it orders by get_ordering before the tree's fields exist)
        return self.model._default_manager.with_tree_fields().order_siblings_by("sort_order", "id")

    def get_changelist(self, request, **kwargs):
        return UnitTreeChangeList

    @admin.display(description=_("name"))
    def indented_name(self, obj):
        return ("— " * getattr(obj, "tree_depth", 0)) + obj.display_name


class DutyInline(admin.StackedInline):
    model = Duty
    extra = 0
    fields = ["sort_order", "title", "tasks"]


class StandardInline(admin.TabularInline):
    model = PerformanceStandard
    extra = 0
    fields = ["sort_order", "indicator", "figure", "comparator", "target", "unit"]


@admin.register(JobDescription)
class JobDescriptionAdmin(SimpleHistoryAdmin):
    list_display = ["position", "updated_at"]
    search_fields = ["position__title", "position__code"]
    inlines = [DutyInline, StandardInline]
    history_list_display = ["purpose", "career_path"]

    # Job descriptions are versioned documents, edited, approved and published on the job-description
    # page (staff/jd.py); here they are only read, so no edit bypasses the versions.
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class JobDescriptionInline(admin.StackedInline):
    model = JobDescription
    extra = 0
    show_change_link = True
    fields = ["purpose"]


@admin.register(Position)
class PositionAdmin(SimpleHistoryAdmin):
    list_display = ["title", "code", "unit", "role", "reports_to", "headcount", "in_establishment"]
    list_filter = ["role", "in_establishment", "unit"]
    search_fields = ["title", "title_en", "code"]
    autocomplete_fields = ["reports_to"]
    list_select_related = ["unit", "reports_to"]
    inlines = [JobDescriptionInline]


class ConcurrentPostInline(admin.TabularInline):
    model = ConcurrentPost
    extra = 0
    autocomplete_fields = ["position"]


@admin.register(StaffMember)
class StaffMemberAdmin(SimpleHistoryAdmin):
    list_display = ["name", "employee_no", "agent_no", "position", "is_active"]
    list_filter = ["is_active", "position__role"]
    search_fields = ["name", "employee_no", "agent_no", "user__username"]
    list_select_related = ["position", "user"]
    autocomplete_fields = ["position", "user"]
    filter_horizontal = ["skills"]
    inlines = [ConcurrentPostInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        staff_member_sync_groups(staff=form.instance)


@admin.register(ScoreWeight)
class ScoreWeightAdmin(admin.ModelAdmin):
    """Weights and targets of the 100-point score. The weights should add up to 100; the score scales
    by their sum, so a table that does not is still fair, and the list says so."""

    list_display = ["kpi", "weight", "target"]

    def changelist_view(self, request, extra_context=None):
        from decimal import Decimal

        from django.contrib import messages
        from django.db.models import Sum

        total = ScoreWeight.objects.aggregate(total=Sum("weight"))["total"] or Decimal(0)
        if total != Decimal(100):
            messages.warning(request, _("The weights add up to %(total)s, not 100; scores are scaled by their sum.")
                             % {"total": total})
        return super().changelist_view(request, extra_context)


@admin.register(Scorecard)
class ScorecardAdmin(admin.ModelAdmin):
    """Read-only: scores are computed, and adjusted by supervisors on the scorecard page."""

    list_display = ["staff", "month", "team", "base_score", "adjustment", "total", "band"]
    list_filter = ["month", "band", "team"]
    list_select_related = ["staff", "team"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
