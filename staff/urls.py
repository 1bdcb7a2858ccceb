from django.urls import path

from staff import views

app_name = "staff"
urlpatterns = [
    path("", views.org_chart, name="org-chart"),
    path("positions/<slug:code>/", views.job_description, name="job-description"),
]
