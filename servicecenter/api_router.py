"""One router for /api/v1/: every app registers its viewsets here."""

from rest_framework.routers import DefaultRouter

from calls.api.views import CallImportViewSet
from notifications.api import NotificationViewSet
from reporting.api.views import ScorecardViewSet
from sla.api.views import CalendarDayViewSet, PolicyViewSet
from staff.api.views import (
    JobDescriptionViewSet,
    OrgChangeViewSet,
    PositionViewSet,
    StaffMemberViewSet,
    UnitViewSet,
)
from surveys.api.views import FollowUpViewSet, QualityReviewViewSet
from tickets.api.views import CallbackViewSet, CustomerViewSet, TicketViewSet, WorkOrderViewSet

router = DefaultRouter()
router.register("org/units", UnitViewSet, basename="unit")
router.register("org/positions", PositionViewSet, basename="position")
router.register("org/staff", StaffMemberViewSet, basename="staff")
router.register("org/changes", OrgChangeViewSet, basename="org-change")
router.register("org/job-descriptions", JobDescriptionViewSet, basename="job-description")
router.register("tickets", TicketViewSet, basename="ticket")
router.register("customers", CustomerViewSet, basename="customer")
router.register("work-orders", WorkOrderViewSet, basename="work-order")
router.register("callbacks", CallbackViewSet, basename="callback")
router.register("sla/calendar/days", CalendarDayViewSet, basename="calendar-day")
router.register("sla/policies", PolicyViewSet, basename="policy")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("calls/imports", CallImportViewSet, basename="call-import")
router.register("surveys/follow-ups", FollowUpViewSet, basename="follow-up")
router.register("surveys/reviews", QualityReviewViewSet, basename="quality-review")
router.register("scorecards", ScorecardViewSet, basename="scorecard")
