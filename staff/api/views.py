from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from servicecenter.api import IsOrgAdminOrReadOnly
from staff import selectors, services
from staff.api.serializers import (
    ChainLinkSerializer,
    PositionSerializer,
    StaffMemberSerializer,
    UnitSerializer,
)
from staff.filters import PositionFilter, StaffMemberFilter, UnitFilter
from staff.models import Unit


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
        position = services.position_save(user=self.request.user, **serializer.validated_data)
        serializer.instance = selectors.position_list().get(pk=position.pk)  # with filled/vacant

    def perform_update(self, serializer):
        position = services.position_save(instance=serializer.instance, user=self.request.user,
                                          **serializer.validated_data)
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


