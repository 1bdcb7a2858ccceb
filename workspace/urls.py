from django.urls import path

from workspace import views

app_name = "workspace"

urlpatterns = [
    path("tickets/", views.queue, name="queue"),
    path("tickets/new/", views.new_ticket, name="new"),
    path("tickets/lookup/customers/", views.customer_lookup, name="customer-lookup"),
    path("tickets/lookup/route/", views.route_preview, name="route-preview"),
    path("tickets/<int:pk>/", views.detail, name="detail"),
    path("tickets/<int:pk>/do/<slug:action>/", views.act, name="act"),
    path("callbacks/", views.callbacks, name="callbacks"),
    path("callbacks/<int:pk>/attempt/", views.callback_attempt, name="callback-attempt"),
]
