"""The bell in the API: ``/api/v1/notifications/``, mine only."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from notifications.delivery import notification_text
from notifications.models import Notification
from notifications.services import notifications_read


class NotificationSerializer(serializers.ModelSerializer):
    text = serializers.SerializerMethodField()
    ticket_reference = serializers.CharField(source="ticket.reference", read_only=True)
    ticket_url = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "ticket", "ticket_reference", "ticket_url", "level", "target", "text", "created_at", "read_at"]

    def get_text(self, notification) -> str:
        return notification_text(notification)

    def get_ticket_url(self, notification) -> str:
        """The ticket's page (``POST …/read/`` marks the notice read)."""
        return reverse("workspace:detail", args=[notification.ticket_id])


class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """My notifications, newest first; ``?unread=true``; mark one or all read."""

    serializer_class = NotificationSerializer
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        qs = Notification.objects.filter(recipient=self.request.user).select_related("ticket")
        if self.request.query_params.get("unread") in ("1", "true"):
            qs = qs.filter(read_at__isnull=True)
        return qs.order_by("-created_at", "-id")

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        updated = notifications_read(user=request.user, notification_id=pk)
        if not updated and not Notification.objects.filter(pk=pk, recipient=request.user).exists():
            raise NotFound
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses={204: None})
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        notifications_read(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
