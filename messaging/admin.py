from django.contrib import admin

from messaging.models import CannedReply, Delivery


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["ticket", "channel", "state", "attempts", "created_at", "sent_at", "delivered_at"]
    list_filter = ["state", "channel"]
    readonly_fields = [f.name for f in Delivery._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(CannedReply)
class CannedReplyAdmin(admin.ModelAdmin):
    list_display = ["title", "language", "kind", "business_line", "is_active", "sort_order"]
    list_filter = ["language", "kind", "is_active"]
    list_editable = ["is_active", "sort_order"]
    search_fields = ["title", "body"]
