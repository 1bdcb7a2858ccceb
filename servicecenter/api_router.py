"""One router for /api/v1/: every app registers its viewsets here."""

from rest_framework.routers import DefaultRouter

from staff.api.views import PositionViewSet, StaffMemberViewSet, UnitViewSet

router = DefaultRouter()
router.register("org/units", UnitViewSet, basename="unit")
router.register("org/positions", PositionViewSet, basename="position")
router.register("org/staff", StaffMemberViewSet, basename="staff")
