from functools import cached_property


class _Bell:
    """The bell's unread count, counted only when a page shows it."""

    def __init__(self, user) -> None:
        self._user = user

    @cached_property
    def unread(self) -> int:
        from notifications.models import Notification

        if not getattr(self._user, "is_authenticated", False):
            return 0
        return Notification.objects.filter(recipient=self._user, read_at__isnull=True).count()


def bell(request):
    return {"bell": _Bell(getattr(request, "user", None))}
