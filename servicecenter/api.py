"""API plumbing shared by every app: the exception handler, the filter backend and the permission classes."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import permissions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from servicecenter.errors import DomainError


def exception_handler(exc, context):
    """Domain errors become 400/409 with a reason; Django validation errors become 400."""
    if isinstance(exc, DomainError):
        return Response({"detail": exc.message, "code": exc.code}, status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        return Response(detail, status=400)
    return drf_exception_handler(exc, context)


# Query parameters that are not filters: the list's position and the response format.
NOT_FILTERS = frozenset({"cursor", "format"})


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, which leaves a request without filter parameters alone. Building the
    filter set and its form deep-copies every filter and field, a tenth of an unfiltered list request,
    to filter by nothing. Only for a filter set that filters nothing when given nothing (no defaults,
    no ``qs`` of its own): a view names it; it is not the default."""

    def filter_queryset(self, request, queryset, view):
        if NOT_FILTERS.issuperset(request.query_params):
            return queryset
        return super().filter_queryset(request, queryset, view)


class IsOrgAdminOrReadOnly(permissions.BasePermission):
    """Any signed-in staff may read; only org admins (superusers or the admin role) may write."""

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        from staff.selectors import user_is_org_admin

        return user_is_org_admin(request.user)


def month_param(request):
    """The ``month`` query parameter (``YYYY-MM``) as its first day; this month when absent; 400 when bad."""
    from django.utils import timezone
    from rest_framework.exceptions import ValidationError

    from servicecenter.periods import parse_month

    raw = request.query_params.get("month")
    if not raw:
        return timezone.localdate().replace(day=1)
    month = parse_month(raw)
    if month is None:
        raise ValidationError({"month": "YYYY-MM"})
    return month
