from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from servicecenter.api import IsOrgAdminOrReadOnly
from staff import changes, selectors, services
from staff import jd as jds
from staff.api.serializers import (
    ChainLinkSerializer,
    CompareRowSerializer,
    ImpactSerializer,
    JobDescriptionListSerializer,
    JobDescriptionStepSerializer,
    JobDescriptionVersionSerializer,
    OrgChangePreviewSerializer,
    OrgChangeSerializer,
    PositionSerializer,
    StaffMemberSerializer,
    UnitSerializer,
)
from staff.filters import PositionFilter, StaffMemberFilter, UnitFilter
from staff.models import JobDescription, OrgChange, Unit


class UnitViewSet(viewsets.ModelViewSet):
    """The unit tree (center → department → section/team). Staff read; org admins write."""

    serializer_class = UnitSerializer
    permission_classes = [IsOrgAdminOrReadOnly]
    filterset_class = UnitFilter
    queryset = Unit.objects.all()

    def get_queryset(self):
        return Unit.objects.with_tree_fields().filter(closed_at__isnull=True).order_siblings_by("sort_order", "id")

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




class OrgChangePermission(permissions.BasePermission):
    """Org admins and leaders read changes and preview them; only org admins make them (the service checks)."""

    message = _("Org changes are for org administrators and leaders.")

    def has_permission(self, request, view):
        if getattr(view, "action", None) in ("create", "cancel"):
            return changes.may_edit_org(request.user)
        return changes.may_preview(request.user)


class OrgChangeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                       viewsets.GenericViewSet):
    """Dated, reasoned changes to the org chart. ``POST preview/`` shows what a change would do (whose
    superior changes, units whose lead changes, posts falling vacant or over headcount, open tickets whose
    next escalation goes elsewhere) and writes nothing; ``POST`` makes it, at once when ``effective_on``
    is today (or omitted), else scheduled for that date; ``POST {id}/cancel/`` cancels a scheduled one."""

    serializer_class = OrgChangeSerializer
    permission_classes = [OrgChangePermission]
    filterset_fields = ["state", "kind"]

    def get_queryset(self):
        return OrgChange.objects.select_related("requested_by").order_by("-requested_at", "-id")

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = changes.org_change_submit(
            user=self.request.user, kind=data["kind"], data=data["payload"], reason=data.get("reason", ""),
            effective_on=data.get("effective_on"))

    @extend_schema(request=OrgChangePreviewSerializer, responses=ImpactSerializer)
    @action(detail=False, methods=["post"])
    def preview(self, request):
        incoming = OrgChangePreviewSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        change, impact = changes.change_preview(user=request.user, kind=incoming.validated_data["kind"],
                                                data=incoming.validated_data["payload"])
        return Response({"summary": change.summary, **impact.as_dict()})

    @extend_schema(request=None, responses=OrgChangeSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        change = changes.org_change_cancel(user=request.user, change=self.get_object())
        return Response(OrgChangeSerializer(change).data)


class JobDescriptionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Job descriptions and their numbered versions. Staff read the published versions; a post's superiors
    and org admins also see drafts, and draft, submit, approve, publish (with ``effective_on``) or return
    (with ``reason``) them. ``compare/?a=&b=`` marks what changed between two versions."""

    serializer_class = JobDescriptionListSerializer
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self):
        return (JobDescription.objects.filter(position__closed_at__isnull=True).select_related("position")
                .prefetch_related("versions").order_by("position__unit_id", "position__sort_order", "position_id"))

    def _version(self, number):
        return jds.version_get(self.request.user, self.get_object().position, int(number))

    @extend_schema(request=JobDescriptionVersionSerializer, responses=JobDescriptionVersionSerializer(many=True))
    @action(detail=True, methods=["get", "post"])
    def versions(self, request, pk=None):
        position = self.get_object().position
        if request.method == "GET":
            return Response(JobDescriptionVersionSerializer(jds.versions_for(request.user, position), many=True).data)
        incoming = JobDescriptionVersionSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        version = jds.jd_version_draft(user=request.user, position=position,
                                       content=incoming.validated_data.get("content"),
                                       note=incoming.validated_data.get("note", ""))
        return Response(JobDescriptionVersionSerializer(version).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=JobDescriptionVersionSerializer, responses=JobDescriptionVersionSerializer)
    @action(detail=True, methods=["get", "patch"], url_path=r"versions/(?P<number>\d+)")
    def version(self, request, pk=None, number=None):
        version = self._version(number)
        if request.method == "GET":
            return Response(JobDescriptionVersionSerializer(version).data)
        incoming = JobDescriptionVersionSerializer(data=request.data, partial=True)
        incoming.is_valid(raise_exception=True)
        version = jds.jd_version_edit(user=request.user, version=version,
                                      content=incoming.validated_data.get("content", version.content),
                                      note=incoming.validated_data.get("note"))
        return Response(JobDescriptionVersionSerializer(version).data)

    @extend_schema(request=JobDescriptionStepSerializer, responses=JobDescriptionVersionSerializer,
                   operation_id="v1_org_job_descriptions_versions_step")
    @action(detail=True, methods=["post"], url_path=r"versions/(?P<number>\d+)/(?P<step>submit|approve|publish|return)")
    def step(self, request, pk=None, number=None, step=None):
        version = self._version(number)
        incoming = JobDescriptionStepSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        if step == "submit":
            version = jds.jd_version_submit(user=request.user, version=version)
        elif step == "approve":
            version = jds.jd_version_approve(user=request.user, version=version)
        elif step == "publish":
            version = jds.jd_version_publish(user=request.user, version=version, effective_on=data.get("effective_on"))
        else:
            version = jds.jd_version_return(user=request.user, version=version, reason=data.get("reason", ""))
        return Response(JobDescriptionVersionSerializer(version).data)

    @extend_schema(parameters=[OpenApiParameter("a", int), OpenApiParameter("b", int)],
                   responses=CompareRowSerializer(many=True))
    @action(detail=True, methods=["get"])
    def compare(self, request, pk=None):
        first, second = jds.compare_pair(request.user, self.get_object().position, request.query_params.get("a"),
                                         request.query_params.get("b"))
        from staff import jdrender

        rows = jdrender.compare(first.content, second.content)
        return Response([{"label": str(r.label), "section": r.section, "changed": r.changed, "old": str(r.old),
                          "new": str(r.new)} for r in rows])
