from django.urls import path

from workspace import views
from workspace.views.canned import canned_replies
from workspace.views.queue import bulk, saved_view_delete, saved_view_rename, saved_views

app_name = "workspace"

urlpatterns = [
    path("tickets/", views.queue, name="queue"),
    path("tickets/bulk/", bulk, name="bulk"),
    path("tickets/views/", saved_views, name="views"),
    path("tickets/views/<int:pk>/rename/", saved_view_rename, name="view-rename"),
    path("tickets/views/<int:pk>/delete/", saved_view_delete, name="view-delete"),
    path("tickets/new/", views.new_ticket, name="new"),
    path("tickets/lookup/customers/", views.customer_lookup, name="customer-lookup"),
    path("tickets/lookup/route/", views.route_preview, name="route-preview"),
    path("tickets/<int:pk>/", views.detail, name="detail"),
    path("tickets/<int:pk>/do/<slug:action>/", views.act, name="act"),
    path("tickets/<int:pk>/presence/", views.presence, name="presence"),
    path("work-orders/", views.work_orders, name="work-orders"),
    path("work-orders/<int:pk>/<slug:step>/", views.work_order_step, name="work-order-step"),
    path("callbacks/", views.callbacks, name="callbacks"),
    path("callbacks/<int:pk>/attempt/", views.callback_attempt, name="callback-attempt"),
    path("canned-replies/", canned_replies, name="canned-replies"),
    path("canned-replies/<int:pk>/", canned_replies, name="canned-reply"),
]
