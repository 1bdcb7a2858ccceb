from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from calls.api.views import ServiceLevelView, StaffingView
from servicecenter import views
from servicecenter.api_router import router
from sla.api.views import CalendarAddView, MetricsView
from surveys.api.views import SurveyMetricsView

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("login/", auth_views.LoginView.as_view(template_name="registration/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("org/", include("staff.urls")),
    path("", include("tickets.urls")),
    path("", include("calls.urls")),
    path("", include("notifications.urls")),
    path("", include("messaging.urls")),
    path("", include("surveys.urls")),
    path("", include("workspace.urls")),
    path("", include("reporting.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/sla/calendar/add/", CalendarAddView.as_view(), name="calendar-add"),
    path("api/v1/sla/metrics/", MetricsView.as_view(), name="sla-metrics"),
    path("api/v1/calls/staffing/", StaffingView.as_view(), name="calls-staffing"),
    path("api/v1/calls/service-level/", ServiceLevelView.as_view(), name="calls-service-level"),
    path("api/v1/surveys/metrics/", SurveyMetricsView.as_view(), name="survey-metrics"),
    path("api/v1/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file, so the page works under the CSP.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"),
]

handler404 = "servicecenter.notfound.page_not_found"
handler500 = "servicecenter.views.server_error"

if settings.DEBUG:
    urlpatterns += static(settings.STATIC_URL, document_root=settings.STATIC_ROOT)
