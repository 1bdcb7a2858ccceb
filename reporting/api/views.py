from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from reporting.api.serializers import (
    ScorecardAdjustSerializer,
    ScorecardComputeResultSerializer,
    ScorecardComputeSerializer,
    ScorecardSerializer,
)
from reporting.scorecards import scorecard_adjust, scorecard_list_for, scorecards_compute
from servicecenter.api import month_param
from servicecenter.errors import ConflictError, ForbiddenError
from servicecenter.numbers import MAX_ID, api_int
from servicecenter.periods import parse_month
from staff.access import ScopedMixin
from staff.models import Scorecard


class ScorecardViewSet(ScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Monthly scorecards: ``?month=YYYY-MM&team=<unit id>``; leaders ``POST …/adjust/``; ``POST compute/``."""

    serializer_class = ScorecardSerializer
    queryset = Scorecard.objects.none()

    def get_queryset(self):
        scope = self.scope
        if self.action != "list":
            qs = Scorecard.objects.select_related("staff", "team", "adjusted_by")
            return qs if scope.sees_all else qs.filter(staff_id__in=scope.staff_ids)
        team = api_int(self.request, "team", default=None, minimum=1, maximum=MAX_ID)
        return scorecard_list_for(scope=scope, month=month_param(self.request), team_id=team)

    @extend_schema(parameters=[OpenApiParameter("month", str, description="YYYY-MM"),
                               OpenApiParameter("team", int)])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=ScorecardAdjustSerializer, responses=ScorecardSerializer)
    @action(detail=True, methods=["post"])
    def adjust(self, request, pk=None):
        card = self.get_object()
        if not self.scope.leads(card.staff_id):
            raise ForbiddenError(_("Only a leader above the agent can adjust this score."), code="forbidden")
        data = ScorecardAdjustSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        scorecard_adjust(scorecard_id=card.pk, actor=request.user, **data.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=card.pk)).data)

    @extend_schema(request=ScorecardComputeSerializer, responses={200: ScorecardComputeResultSerializer})
    @action(detail=False, methods=["post"])
    def compute(self, request):
        """Recompute a month now (leaders and admins); the monthly job does last month on the 1st."""
        scope = self.scope
        if not scope.may_lead:
            raise ForbiddenError(_("Scorecards are computed by leaders."), code="forbidden")
        data = ScorecardComputeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        first = parse_month(data.validated_data["month"])
        if first > timezone.localdate():
            raise ConflictError(_("This month has not begun."), code="future")
        return Response({"month": first.isoformat(), "scorecards": scorecards_compute(month=first)})
