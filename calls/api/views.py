"""The calls API: staffing (Erlang C and A), call-log imports and the service level."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from calls.api import serializers as s
from servicecenter.numbers import valid_query


class StaffingView(APIView):
    """Erlang C: the agents a forecast needs to answer ``target`` of calls within ``threshold_seconds``,
    with service level, ASA and occupancy, a table around that number, and the staff to schedule."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(parameters=[s.StaffingQuerySerializer], responses=s.StaffingSerializer)
    def get(self, request):
        from calls.erlang import staffing_plan
        from calls.forms import TOO_MANY_AGENTS

        query = s.StaffingQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        q = query.validated_data
        try:
            plan = staffing_plan(calls=q["calls"], interval_seconds=q["interval_minutes"] * 60,
                                 aht_seconds=q["aht_seconds"], target=q["target"],
                                 threshold_seconds=q["threshold_seconds"], shrinkage=q["shrinkage"],
                                 patience_seconds=q.get("patience_seconds"))
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
        from calls.models import CallImport

        return CallImport.objects.defer("content").order_by("-created_at", "-id")

    @extend_schema(request={"multipart/form-data": s.CallImportInSerializer}, responses={202: s.CallImportSerializer})
    def create(self, request):
        from django.db import transaction

        from calls.imports import call_import_create
        from calls.tasks import call_import_task

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
        from calls.metrics import service_level

        params = dict(request.query_params.items())
        params["date_from"], params["date_to"] = params.pop("from", None), params.pop("to", None)
        query = s.ServiceLevelQuerySerializer(data={k: v for k, v in params.items() if v not in (None, "")})
        report = service_level(**valid_query(query))
        for row in report["results"]:
            if "group" in row and hasattr(row["group"], "isoformat"):
                row["group"] = row["group"].isoformat()
        return Response(report)
