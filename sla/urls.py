from django.urls import path

from sla import views

app_name = "sla"

urlpatterns = [
    path("calls/", views.calls, name="calls"),
    path("calls/imports/<int:pk>/", views.call_import, name="call-import"),
]
