from django.urls import path

from tickets.views import public, workspace

app_name = "tickets"

urlpatterns = [
    path("submit/", public.public_submit, name="public-submit"),
    path("track/", public.public_track, name="public-track"),
    path("tickets/", workspace.queue, name="queue"),
    path("tickets/new/", workspace.new_ticket, name="new"),
    path("tickets/lookup/customers/", workspace.customer_lookup, name="customer-lookup"),
    path("tickets/lookup/route/", workspace.route_preview, name="route-preview"),
    path("tickets/<int:pk>/", workspace.detail, name="detail"),
    path("tickets/<int:pk>/do/<slug:action>/", workspace.act, name="act"),
    path("callbacks/", workspace.callbacks, name="callbacks"),
    path("callbacks/<int:pk>/attempt/", workspace.callback_attempt, name="callback-attempt"),
]
