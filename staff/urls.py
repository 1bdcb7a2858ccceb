from django.urls import path

from staff import views

app_name = "staff"
urlpatterns = [
    path("", views.org_chart, name="org-chart"),
    path("positions/<slug:code>/", views.job_description, name="job-description"),
    path("scorecards/", views.scorecards, name="scorecards"),
    path("scorecards/compute/", views.scorecards_compute, name="scorecards-compute"),
    path("scorecards/export.xlsx", views.scorecards_export, name="scorecards-export"),
    path("scorecards/<int:pk>/adjust/", views.scorecard_adjust, name="scorecard-adjust"),
]
