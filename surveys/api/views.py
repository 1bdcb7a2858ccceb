"""The surveys API: quality figures, follow-ups of unhappy answers, quality reviews."""

from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from servicecenter.api import month_param
from servicecenter.numbers import api_int, valid_query
from staff.access import HasScope, ScopedMixin, request_scope
from surveys import selectors, services
from surveys.api import serializers as s
from surveys.metrics import GROUPS, survey_metrics
from tickets.selectors import ticket_list_for


class SurveyMetricsView(APIView):
    """Sent, responses, response rate and satisfaction rate; complaint resolution and timeliness; the
    service error rate. Over the tickets the caller may see, for a period (default: this month)."""

    permission_classes = [HasScope]

    @extend_schema(parameters=[
        OpenApiParameter("from", str, description="YYYY-MM-DD"), OpenApiParameter("to", str, description="YYYY-MM-DD"),
        OpenApiParameter("group_by", str, enum=list(GROUPS)),
    ], responses=s.SurveyMetricsSerializer)
    def get(self, request):
        query = {"date_from": request.query_params.get("from"), "date_to": request.query_params.get("to"),
                 "group_by": request.query_params.get("group_by", "team")}
        data = valid_query(s.SurveyMetricsQuerySerializer(data={k: v for k, v in query.items() if v}))
        tickets = ticket_list_for(scope=request_scope(request), with_clocks=False)
        return Response(survey_metrics(tickets=tickets, **data))


class FollowUpViewSet(ScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Unhappy answers to act on: ``?state=open``; ``POST …/close/`` with what was done."""

    serializer_class = s.FollowUpSerializer

    def get_queryset(self):
        qs = selectors.follow_up_list_for(scope=self.scope)
        state = self.request.query_params.get("state")
        if state in ("open", "done"):
            qs = qs.filter(state=state)
        return qs.order_by("due_at", "id")

    @extend_schema(parameters=[OpenApiParameter("state", str, enum=["open", "done"])])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=s.FollowUpCloseSerializer, responses=s.FollowUpSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        follow_up = self.get_object()
        data = self._input(s.FollowUpCloseSerializer)
        with transaction.atomic():
            services.follow_up_close(follow_up_id=follow_up.pk, actor=request.user, **data)
        return Response(self.get_serializer(self.get_queryset().get(pk=follow_up.pk)).data)


class QualityReviewViewSet(ScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Reviews of the work of people below the caller; ``POST`` one; ``GET sample/?month=`` what to review."""

    serializer_class = s.QualityReviewSerializer

    def get_queryset(self):
        return selectors.review_list_for(scope=self.scope).order_by("-reviewed_at", "-id")

    @extend_schema(request=s.QualityReviewInSerializer, responses={201: s.QualityReviewSerializer})
    def create(self, request):
        if not self.scope.may_lead:
            raise services.SurveyForbidden(_("Quality reviews are for team leads, supervisors and the director."),
                                           code="forbidden")
        data = self._input(s.QualityReviewInSerializer)
        review = services.quality_review_create(ticket_id=data.pop("ticket"), actor=request.user, **data)
        return Response(self.get_serializer(self.get_queryset().get(pk=review.pk)).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[OpenApiParameter("month", str, description="YYYY-MM"),
                               OpenApiParameter("size", int)], responses=s.SampleTicketSerializer(many=True))
    @action(detail=False, methods=["get"])
    def sample(self, request):
        size = api_int(request, "size", default=10, minimum=1, maximum=100)
        tickets = selectors.review_sample_for(scope=self.scope, month=month_param(request), size=size)
        return Response(s.SampleTicketSerializer(tickets, many=True).data)
