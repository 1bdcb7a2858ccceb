from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from servicecenter.api import IsOrgAdminOrReadOnly, month_param
from servicecenter.errors import ConflictError, ForbiddenError
from servicecenter.numbers import MAX_ID, api_int
from staff import selectors, services
from staff.access import ScopedMixin
from staff.api.serializers import (
    ChainLinkSerializer,
    PositionSerializer,
    ScorecardAdjustSerializer,
    ScorecardComputeResultSerializer,
    ScorecardComputeSerializer,
    ScorecardSerializer,
    StaffMemberSerializer,
    UnitSerializer,
)
from staff.filters import PositionFilter, StaffMemberFilter, UnitFilter
from staff.models import Scorecard, Unit
from staff.scorecards import parse_month, scorecard_adjust, scorecard_list_for, scorecards_compute


class UnitViewSet(viewsets.ModelViewSet):
    """The unit tree (center → department → section/team). Staff read; org admins write."""

    serializer_class = UnitSerializer
    permission_classes = [IsOrgAdminOrReadOnly]
    filterset_class = UnitFilter
    queryset = Unit.objects.all()

    def get_queryset(self):
        return Unit.objects.with_tree_fields().order_siblings_by("sort_order", "id")

    def perform_create(self, serializer):
        serializer.instance = services.unit_save(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.unit_save(instance=serializer.instance, **serializer.validated_data)

    def perform_destroy(self, instance):
        services.unit_delete(unit=instance)


class PositionViewSet(viewsets.ModelViewSet):
    """Positions with headcount (planned), filled and vacant, and the job description."""

    serializer_class = PositionSerializer
    permission_classes = [IsOrgAdminOrReadOnly]
    filterset_class = PositionFilter

    def get_queryset(self):
        return selectors.position_list()

    def perform_create(self, serializer):
        position = services.position_save(**serializer.validated_data)
        serializer.instance = selectors.position_list().get(pk=position.pk)  # with filled/vacant

    def perform_update(self, serializer):
        position = services.position_save(instance=serializer.instance, **serializer.validated_data)
        serializer.instance = selectors.position_list().get(pk=position.pk)

    def perform_destroy(self, instance):
        services.position_delete(position=instance)


class StaffMemberViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Staff members; people are created and moved by admins in the admin site."""

    serializer_class = StaffMemberSerializer
    permission_classes = [IsOrgAdminOrReadOnly]
    filterset_class = StaffMemberFilter

    def get_queryset(self):
        return selectors.staff_list()

    @extend_schema(responses=ChainLinkSerializer(many=True))
    @action(detail=True, methods=["get"])
    def chain(self, request, pk=None):
        """The escalation chain upwards, nearest first, vacant posts skipped, ending at the director."""
        links = selectors.chain_of(self.get_object())
        return Response(ChainLinkSerializer(links, many=True).data)


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
