from django.urls import path

from reporting import views

app_name = "reporting"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/export.<str:fmt>", views.dashboard_export, name="dashboard-export"),
    path("dashboard/reassign/", views.dashboard_reassign, name="dashboard-reassign"),
    path("org/scorecards/", views.scorecards, name="scorecards"),
    path("org/scorecards/compute/", views.scorecards_compute, name="scorecards-compute"),
    path("org/scorecards/export.xlsx", views.scorecards_export, name="scorecards-export"),
    path("org/scorecards/<int:pk>/adjust/", views.scorecard_adjust, name="scorecard-adjust"),
]
