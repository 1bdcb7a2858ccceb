"""The SLA API: calendar days and deadline arithmetic, policies, figures and notifications."""

from datetime import datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from servicecenter.api import IsOrgAdminOrReadOnly
from servicecenter.numbers import api_int, valid_query
from sla import services
from sla.api import serializers as s
from sla.metrics import sla_metrics
from sla.models import CalendarDay, DaySource, Policy
from sla.selectors import default_calendar, work_calendar
from staff.access import HasScope, request_scope
from tickets.selectors import ticket_list_for


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
    def get(self, request):
        query = {"date_from": request.query_params.get("from"), "date_to": request.query_params.get("to"),
                 "group_by": request.query_params.get("group_by", "team")}
        data = valid_query(s.MetricsQuerySerializer(data={k: v for k, v in query.items() if v}))
        tickets = ticket_list_for(scope=request_scope(request))
        return Response(sla_metrics(tickets=tickets, **data))


class StaffingView(APIView):
    """Erlang C: the agents a forecast needs to answer ``target`` of calls within ``threshold_seconds``,
    with service level, ASA and occupancy, a table around that number, and the staff to schedule."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(parameters=[s.StaffingQuerySerializer], responses=s.StaffingSerializer)
    def get(self, request):
        from sla.erlang import staffing_plan
        from sla.forms import TOO_MANY_AGENTS

        query = s.StaffingQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        q = query.validated_data
        try:
            plan = staffing_plan(calls=q["calls"], interval_seconds=q["interval_minutes"] * 60,
                                 aht_seconds=q["aht_seconds"], target=q["target"],
                                 threshold_seconds=q["threshold_seconds"], shrinkage=q["shrinkage"],
                                 patience_seconds=q.get("patience_seconds"), below=4, above=5)
        except ValueError:
            raise ValidationError({"detail": TOO_MANY_AGENTS}) from None

        def row(result):
            data = result.as_dict()
            return {"agents": data["agents"], "service_level": data["service_level"], "p_wait": data["p_wait"],
                    "asa_seconds": None if data["asa_seconds"] == float("inf") else data["asa_seconds"],
                    "occupancy": data["occupancy"]}

        body = {
            **row(plan.best), "traffic_erlangs": round(plan.best.traffic, 4), "scheduled_staff": plan.scheduled,
            "formula": "Erlang C: SL = 1 - C(N, A) * exp(-(N - A) * T / AHT)", "table": [row(c) for c, _a in plan.rows],
        }
        if q.get("patience_seconds"):
            # With abandonment (Erlang A) the same agents do better for those who stay; show both.
            body["erlang_a"] = [a.as_dict() for _c, a in plan.rows]
        return Response(body)


class IsLeaderOrAdmin(permissions.BasePermission):
    """Call figures and imports are for leads, supervisors, the director and admins."""

    def has_permission(self, request, view):
        from staff.access import scope_for
        from staff.selectors import user_is_org_admin

        scope = scope_for(request.user)
        return scope.may_lead or user_is_org_admin(request.user)


class CallImportViewSet(mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                        viewsets.GenericViewSet):
    """Upload a call log (multipart ``file``, ``format=queue_log|csv``): 202 at once, imported by a worker;
    poll the import for ``status``, ``processed``, ``imported``, ``duplicates`` and ``errors``."""

    serializer_class = s.CallImportSerializer
    permission_classes = [IsLeaderOrAdmin]

    def get_queryset(self):
        from sla.models import CallImport

        return CallImport.objects.defer("content").order_by("-created_at", "-id")

    @extend_schema(request={"multipart/form-data": s.CallImportInSerializer}, responses={202: s.CallImportSerializer})
    def create(self, request):
        from django.db import transaction

        from sla.calls import call_import_create
        from sla.tasks import call_import_task

        data = s.CallImportInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        raw = data.validated_data["file"].read()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ValidationError({"file": _("The file is not UTF-8 text.")}) from None
        job = call_import_create(name=data.validated_data["file"].name, content=text,
                                 fmt=data.validated_data["format"], actor=request.user)
        transaction.on_commit(lambda: call_import_task.delay(job.pk))
        return Response(s.CallImportSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class ServiceLevelView(APIView):
    """Offered, answered, answered within the threshold, abandoned, short abandons, the service level
    with the formula used, answer rate, ASA, abandonment rate and agent pick-up within the threshold."""

    permission_classes = [IsLeaderOrAdmin]

    @extend_schema(parameters=[OpenApiParameter("from", str), OpenApiParameter("to", str),
                               OpenApiParameter("queue", str), OpenApiParameter("threshold", int),
                               OpenApiParameter("short_abandon", int),
                               OpenApiParameter("group_by", str, enum=["hour", "day", "queue", "agent"]),
                               OpenApiParameter("formula", str)],
                   responses={200: dict})
    def get(self, request):
        from sla.calls import service_level

        params = dict(request.query_params.items())
        params["date_from"], params["date_to"] = params.pop("from", None), params.pop("to", None)
        query = s.ServiceLevelQuerySerializer(data={k: v for k, v in params.items() if v not in (None, "")})
        report = service_level(**valid_query(query))
        for row in report["results"]:
            if "group" in row and hasattr(row["group"], "isoformat"):
                row["group"] = row["group"].isoformat()
        return Response(report)
