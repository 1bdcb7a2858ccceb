"""Admins edit routing rules here. Tickets are read and worked through the scoped pages and API,
which apply row-level access; superusers also get a read-only view here for support."""

from django.contrib import admin

from tickets.models import Callback, Customer, RoutingRule, Ticket, TicketEvent, WorkOrder


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ["rank", "name", "kind", "channel", "business_line", "customer_class", "team", "is_active"]
    list_display_links = ["name"]
    list_editable = ["rank", "is_active"]
    list_filter = ["is_active", "kind", "channel", "customer_class"]
    ordering = ["rank", "id"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class TicketEventInline(admin.TabularInline):
    model = TicketEvent
    extra = 0
    can_delete = False
    readonly_fields = ["created_at", "kind", "actor", "field", "old_value", "new_value", "body"]
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdmin):
    list_display = ["reference", "kind", "status", "priority", "subject", "team", "assignee", "received_at"]
    list_filter = ["status", "kind", "channel", "priority"]
    search_fields = ["reference", "subject"]
    list_select_related = ["team", "assignee"]
    date_hierarchy = "received_at"
    inlines = [TicketEventInline]


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["name", "phone", "account_no", "customer_class", "created_at"]
    list_filter = ["customer_class"]
    search_fields = ["=phone", "=account_no", "name"]


@admin.register(WorkOrder)
class WorkOrderAdmin(ReadOnlyAdmin):
    list_display = ["id", "ticket", "field_team", "status", "dispatched_at", "arrived_at", "restored_at"]
    list_filter = ["status"]
    list_select_related = ["ticket", "field_team"]


@admin.register(Callback)
class CallbackAdmin(ReadOnlyAdmin):
    list_display = ["id", "ticket", "assignee", "state", "due_at", "outcome", "attempt_count"]
    list_filter = ["state", "outcome"]
    list_select_related = ["ticket", "assignee"]
