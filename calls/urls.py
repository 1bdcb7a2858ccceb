from django.urls import path

from calls import views

app_name = "calls"

urlpatterns = [
    path("calls/", views.calls, name="index"),
    path("calls/imports/<int:pk>/", views.call_import, name="import"),
]
