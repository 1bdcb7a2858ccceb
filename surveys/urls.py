from django.urls import path

from surveys import views

app_name = "surveys"
urlpatterns = [
    path("s/<str:token>/", views.survey, name="survey"),
    path("quality/", views.quality, name="quality"),
    path("quality/follow-ups/<int:pk>/close/", views.follow_up_close, name="follow-up-close"),
    path("quality/reviews/", views.reviews, name="reviews"),
]
