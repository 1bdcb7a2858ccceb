from django.urls import path

from tickets import views

app_name = "tickets"

urlpatterns = [
    path("submit/", views.public_submit, name="public-submit"),
    path("track/", views.public_track, name="public-track"),
]
