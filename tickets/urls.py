from django.urls import path

from tickets.views import public

app_name = "tickets"

urlpatterns = [
    path("submit/", public.public_submit, name="public-submit"),
    path("track/", public.public_track, name="public-track"),
]
