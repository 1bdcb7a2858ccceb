from django.urls import path

from messaging import views

app_name = "messaging"
urlpatterns = [
    path("hooks/sms/receipt/", views.sms_receipt, name="sms-receipt"),
    path("t/<str:token>/", views.track, name="track"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
]
