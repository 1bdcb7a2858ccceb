from django.urls import path

from sla import views

app_name = "sla"

urlpatterns = [
    path("notifications/", views.notifications, name="notifications"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/export.<str:fmt>", views.dashboard_export, name="dashboard-export"),
    path("dashboard/reassign/", views.dashboard_reassign, name="dashboard-reassign"),
    path("calls/", views.calls, name="calls"),
    path("calls/imports/<int:pk>/", views.call_import, name="call-import"),
]
