"""The ticket API: lists through the access-aware selectors, every write through a service.

A ticket outside the user's scope is a 404 (``get_object`` only looks in what they may see). An
action the state machine refuses is a 409 with the reason, raised before anything is written.
"""

from django.db import transaction
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from servicecenter.api import FilterBackend
from servicecenter.keyset import KeysetPagination
from staff.access import ScopedMixin
from tickets import selectors, services
from tickets.api import serializers as s
from tickets.api.listrows import list_rows
from tickets.filters import CallbackFilter, CustomerFilter, TicketFilter, WorkOrderFilter
from tickets.models import URGENT_FIRST


class TicketViewSet(ScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Tickets the user may see. Writes are ``POST`` (intake), ``PATCH`` (with ``version``) and actions."""

    filterset_class = TicketFilter
    serializer_class = s.TicketSerializer
    # Ordering is TicketFilter's (with the id as the last key); DRF's own would re-sort after it.
    filter_backends = [FilterBackend]

    # Pages by cursor: a page reads what it shows, and the count stops at 1,000 (servicecenter/keyset.py).
    pagination_class = KeysetPagination

    def get_queryset(self):
        if self.action == "list":
            # A list row names the customer, the team and the holder; the other relations only by id.
            return (selectors.ticket_list_for(scope=self.scope).select_related(None)
                    .select_related("customer", "team", "assignee").order_by(*URGENT_FIRST))
        return selectors.ticket_detail_for(scope=self.scope)

    def list(self, request, *args, **kwargs):
        """A page as plain rows (``tickets/api/listrows.py``): the same representation as the
        serializer's, without building a model instance for every ticket, customer and clock."""
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(list_rows(self.get_serializer()).write(page))

    def page_rows(self, queryset):
        """What the pagination reads for a page of the list (the count is of the list itself)."""
        return list_rows(self.get_serializer()).values(queryset)

    def get_serializer_class(self):
        return s.TicketSerializer if self.action == "list" else s.TicketDetailSerializer

    def _fresh(self, ticket_id: int, code: int = status.HTTP_200_OK) -> Response:
        """The ticket after a write; if the write took it out of the caller's sight (routed or transferred
        to another team), only what they may still know: its reference, status and where it went."""
        ticket = selectors.ticket_detail_for(scope=self.scope).filter(pk=ticket_id).first()
        if ticket is None:
            return Response(s.TicketReceiptSerializer(selectors.ticket_receipt(ticket_id)).data, status=code)
        return Response(s.TicketDetailSerializer(ticket, context=self.get_serializer_context()).data, status=code)

    @extend_schema(request=s.TicketCreateSerializer, responses={201: s.TicketDetailSerializer})
    def create(self, request):
        data = self._input(s.TicketCreateSerializer)
        ticket = services.ticket_create(actor=request.user, **data)
        # Routed to a team outside the caller's scope: it says it was filed, and where, without details.
        return self._fresh(ticket.pk, status.HTTP_201_CREATED)

    @extend_schema(request=s.TicketUpdateSerializer, responses={200: s.TicketDetailSerializer})
    def partial_update(self, request, pk=None):
        ticket = self.get_object()
        data = dict(self._input(s.TicketUpdateSerializer))
        version = data.pop("version")
        services.ticket_update(ticket_id=ticket.pk, actor=request.user, version=version, changes=data)
        return self._fresh(ticket.pk)

    def _act(self, serializer_class, service, **extra) -> Response:
        ticket = self.get_object()
        data = self._input(serializer_class) if serializer_class else {}
        service(ticket_id=ticket.pk, actor=self.request.user, **data, **extra)
        return self._fresh(ticket.pk)

    @extend_schema(request=None, responses={200: s.TicketDetailSerializer, 409: OpenApiResponse(description="taken")})
    @action(detail=True, methods=["post"])
    def claim(self, request, pk=None):
        """Take an unclaimed ticket. Of many claims at once, exactly one wins; the others get 409."""
        ticket = self.get_object()
        services.ticket_claim(ticket_id=ticket.pk, actor=request.user)
        return self._fresh(ticket.pk)

    @extend_schema(request=None, responses={200: s.TicketDetailSerializer, 204: None})
    @action(detail=False, methods=["post"])
    def next(self, request):
        """Claim the most urgent unclaimed ticket of my team; 204 when the queue is empty."""
        ticket = services.ticket_next(actor=request.user)
        if ticket is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return self._fresh(ticket.pk)

    @extend_schema(request=s.AssignSerializer, responses=s.TicketDetailSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        return self._act(s.AssignSerializer, services.ticket_assign)

    @extend_schema(request=s.TransferSerializer, responses={200: s.TicketDetailSerializer})
    @action(detail=True, methods=["post"])
    def transfer(self, request, pk=None):
        """Transfer (转派) to another team's queue with a reason: the holder, or those above them. If the
        ticket leaves your sight, the answer is its reference, status and new team."""
        return self._act(s.TransferSerializer, services.ticket_transfer)

    @extend_schema(request=s.ReclassifySerializer, responses=s.TicketDetailSerializer)
    @action(detail=True, methods=["post"])
    def reclassify(self, request, pk=None):
        """Change the kind, the only way to or from a report (举报): a leader above the holder, with a reason."""
        services.reclassify_access(ticket=self.get_object(), scope=self.scope)  # 403 before any 400
        return self._act(s.ReclassifySerializer, services.ticket_reclassify)

    @extend_schema(request=s.VersionSerializer, responses=s.TicketDetailSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        return self._act(s.VersionSerializer, services.ticket_start)

    @extend_schema(request=s.BodySerializer, responses=s.TicketDetailSerializer)
    @action(detail=True, methods=["post"])
    def reply(self, request, pk=None):
        """A reply to the customer; the first one meets the first-response target."""
        return self._act(s.BodySerializer, services.ticket_reply)

    @extend_schema(request=s.BodySerializer, responses=s.TicketDetailSerializer)
    @action(detail=True, methods=["post"])
    def note(self, request, pk=None):
        """An internal note, never shown to the customer."""
        return self._act(s.BodySerializer, services.ticket_note)

    @extend_schema(request=s.PauseSerializer, responses=s.TicketDetailSerializer)
    @action(detail=True, methods=["post"])
    def pause(self, request, pk=None):
        return self._act(s.PauseSerializer, services.ticket_pause)

    @extend_schema(request=s.ResumeSerializer, responses=s.TicketDetailSerializer)
    @action(detail=True, methods=["post"])
    def resume(self, request, pk=None):
        return self._act(s.ResumeSerializer, services.ticket_resume)

    @extend_schema(request=s.DispatchSerializer, responses=s.TicketDetailSerializer)
    @action(detail=True, methods=["post"], url_path="dispatch", url_name="dispatch")
    def dispatch_work_order(self, request, pk=None):  # not ``dispatch``: that name is the view's entry point
        """Dispatch a repair work order (派单) to a field team."""
        return self._act(s.DispatchSerializer, services.ticket_dispatch)

    @extend_schema(request=s.ResolveSerializer, responses=s.TicketDetailSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        return self._act(s.ResolveSerializer, services.ticket_resolve)

    @extend_schema(request=s.ReopenSerializer, responses=s.TicketDetailSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        return self._act(s.ReopenSerializer, services.ticket_reopen)

    @extend_schema(request=s.VersionSerializer, responses=s.TicketDetailSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._act(s.VersionSerializer, services.ticket_close)

    @extend_schema(request=s.CancelSerializer, responses=s.TicketDetailSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel a duplicate, spam or withdrawn ticket; a duplicate names the ticket it repeats."""
        ticket = self.get_object()
        data = dict(self._input(s.CancelSerializer))
        services.ticket_cancel(ticket_id=ticket.pk, actor=request.user, duplicate_of_id=data.pop("duplicate_of", None),
                               **data)
        return self._fresh(ticket.pk)

    @extend_schema(responses=s.TicketEventSerializer(many=True))
    @action(detail=True, methods=["get"], filterset_class=None, pagination_class=None)
    def events(self, request, pk=None):
        """The ticket's full history: who did what and when, old → new."""
        ticket = self.get_object()
        events = selectors.ticket_events(ticket)
        return Response(s.TicketEventSerializer(events, many=True).data)

    def get_object(self):
        # Actions look the ticket up without list filters; outside the scope it is simply not found.
        queryset = selectors.ticket_list_for(scope=self.scope)
        if self.action == "retrieve":
            queryset = selectors.ticket_detail_for(scope=self.scope)
        obj = queryset.filter(pk=self.kwargs["pk"]).first() if str(self.kwargs["pk"]).isdigit() else None
        if obj is None:
            raise NotFound
        self.check_object_permissions(self.request, obj)
        return obj


class CustomerViewSet(ScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin,
                      viewsets.GenericViewSet):
    """Customers, looked up by phone (as you type), account number or name; the card lists their tickets."""

    serializer_class = s.CustomerSerializer
    filterset_class = CustomerFilter
    ordering_fields = ["name"]
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.customer_list_for(scope=self.scope)

    @extend_schema(request=s.CustomerUpdateSerializer, responses=s.CustomerSerializer)
    def partial_update(self, request, pk=None):
        """Correct a customer's record; a new class or area recomputes their open tickets' deadlines."""
        customer = self.get_object()
        services.customer_access_for_edit(customer_id=customer.pk, scope=self.scope)
        data = s.CustomerUpdateSerializer(instance=customer, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        updated = services.customer_update(customer_id=customer.pk, actor=request.user, changes=data.validated_data)
        return Response(s.CustomerSerializer(updated).data)

    @extend_schema(responses=s.TicketSerializer(many=True))
    @action(detail=True, methods=["get"], filterset_class=None)
    def tickets(self, request, pk=None):
        """The customer's tickets that you may see (reports that hide them are left out)."""
        customer = self.get_object()
        page = self.paginate_queryset(selectors.customer_tickets_for(customer=customer, scope=self.scope))
        serializer = s.TicketSerializer(page, many=True, context=self.get_serializer_context())
        return self.get_paginated_response(serializer.data)


class WorkOrderViewSet(ScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Repair work orders (派单) of tickets you may see or of your field team; arrival and restoration."""

    serializer_class = s.WorkOrderSerializer
    filterset_class = WorkOrderFilter

    def get_queryset(self):
        return selectors.work_order_list_for(scope=self.scope)

    def _record(self, service):
        order = self.get_object()
        data = self._input(s.WorkOrderTimeSerializer)
        kwargs = {"at": data.get("at")}
        if service is services.work_order_restore:
            kwargs["notes"] = data["notes"]
        service(work_order_id=order.pk, actor=self.request.user, **kwargs)
        return Response(s.WorkOrderSerializer(self.get_queryset().get(pk=order.pk)).data)

    @extend_schema(request=s.WorkOrderTimeSerializer, responses=s.WorkOrderSerializer)
    @action(detail=True, methods=["post"])
    def arrive(self, request, pk=None):
        return self._record(services.work_order_arrive)

    @extend_schema(request=s.WorkOrderTimeSerializer, responses=s.WorkOrderSerializer)
    @action(detail=True, methods=["post"])
    def restore(self, request, pk=None):
        return self._record(services.work_order_restore)


class CallbackViewSet(ScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Callbacks (回访): ``?state=due&assignee=me`` is today's list; record attempts with their outcome."""

    serializer_class = s.CallbackSerializer
    filterset_class = CallbackFilter

    def get_queryset(self):
        return selectors.callback_list_for(scope=self.scope)

    @extend_schema(request=s.CallbackAttemptInSerializer, responses=s.CallbackSerializer)
    @action(detail=True, methods=["post"])
    def attempt(self, request, pk=None):
        callback = self.get_object()
        data = self._input(s.CallbackAttemptInSerializer)
        with transaction.atomic():
            services.callback_attempt(callback_id=callback.pk, actor=request.user, **data)
        fresh = self.get_queryset().get(pk=callback.pk)
        return Response(s.CallbackSerializer(fresh, context=self.get_serializer_context()).data)
