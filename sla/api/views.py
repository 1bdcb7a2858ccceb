"""The SLA API: calendar days and deadline arithmetic, policies and figures."""

from datetime import datetime, time, timedelta

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from servicecenter.api import IsOrgAdminOrReadOnly
from servicecenter.numbers import api_int, valid_query
from servicecenter.replica import reads_from_replica
from sla import services
from sla.api import serializers as s
from sla.metrics import sla_metrics
from sla.models import CalendarDay, DaySource, Policy
from sla.selectors import default_calendar, work_calendar
from staff.access import HasScope, request_scope


class CalendarDayViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Working days of the default calendar: ``?year=2026``; admins ``PUT`` a day to correct or confirm it."""

    serializer_class = s.CalendarDaySerializer
    permission_classes = [IsOrgAdminOrReadOnly]
    pagination_class = None
    lookup_field = "date"
    lookup_value_regex = r"\d{4}-\d{2}-\d{2}"

    queryset = CalendarDay.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return CalendarDay.objects.none()
        return CalendarDay.objects.filter(calendar=default_calendar()).order_by("date")

    @extend_schema(parameters=[OpenApiParameter("year", int, required=True)])
    def list(self, request):
        year = api_int(request, "year", default=timezone.localdate().year, minimum=1, maximum=9999)
        days = self.get_queryset().filter(date__year=year)
        return Response(self.get_serializer(days, many=True).data)

    @extend_schema(request=s.CalendarDayInSerializer, responses=s.CalendarDaySerializer)
    def update(self, request, date=None):
        try:
            day = datetime.strptime(date, "%Y-%m-%d").date()  # noqa: DTZ007 - a calendar date, no time
        except ValueError:
            raise NotFound from None
        data = s.CalendarDayInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        calendar = default_calendar()
        services.calendar_days_set(
            calendar=calendar, days={day: (data.validated_data["is_workday"], data.validated_data["name"])},
            actor=request.user, source=DaySource.OFFICIAL if data.validated_data["official"] else DaySource.ADMIN,
        )
        return Response(self.get_serializer(CalendarDay.objects.get(calendar=calendar, date=day)).data)


class CalendarAddView(APIView):
    """Deadline arithmetic: ``?start=2026-09-30&working_days=3`` → ``{"date": "2026-10-10", …}``."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(parameters=[s.CalendarAddQuerySerializer], responses=s.CalendarAddSerializer)
    def get(self, request):
        query = dict(request.query_params.items())
        if len(query.get("start", "")) == 10:
            query["start"] = f"{query['start']}T00:00"  # a bare date is the start of that day
        data = s.CalendarAddQuerySerializer(data=query)
        data.is_valid(raise_exception=True)
        engine = work_calendar(default_calendar())
        start = data.validated_data["start"]
        if timezone.is_naive(start):
            start = timezone.make_aware(start, engine.tz)
        deadline = engine.due(start, data.validated_data["amount"], data.validated_data["unit"],
                              end_of_day=data.validated_data["end_of_day"])
        local = deadline.at.astimezone(engine.tz)
        if data.validated_data["unit"] == "working_days" and local.time() == time(0):
            local_date = (local - timedelta(seconds=1)).date()  # 24:00 belongs to the day before
        else:
            local_date = local.date()
        return Response({"date": local_date.isoformat(), "at": local.isoformat(),
                         "provisional": deadline.provisional})


class PolicyViewSet(viewsets.ReadOnlyModelViewSet):
    """SLA policies, ranked; edited in the admin."""

    serializer_class = s.PolicySerializer
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self):
        return Policy.objects.prefetch_related("targets").order_by("rank", "id")


class MetricsView(APIView):
    """Compliance, breaches, at risk, response and resolution times over tickets received in a period."""

    permission_classes = [HasScope]

    @extend_schema(parameters=[
        OpenApiParameter("from", str, description="YYYY-MM-DD"), OpenApiParameter("to", str, description="YYYY-MM-DD"),
        OpenApiParameter("group_by", str, enum=["team", "agent", "kind", "target"]),
    ], responses=s.MetricsSerializer)
    @reads_from_replica  # the permission check has read the scope from the primary already
    def get(self, request):
        query = {"date_from": request.query_params.get("from"), "date_to": request.query_params.get("to"),
                 "group_by": request.query_params.get("group_by", "team")}
        data = valid_query(s.MetricsQuerySerializer(data={k: v for k, v in query.items() if v}))
        return Response(sla_metrics(scope=request_scope(request), **data))
