from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("notifications/", views.notifications, name="list"),
    path("notifications/read/", views.notification_read, name="read"),
    path("notifications/<int:pk>/open/", views.notification_go, name="open"),
]
