"""The bench's floors, beside the product's own URLs (only the bench's gunicorn serves them).

- ``/bench/floor/django/``: a fixed JSON answer behind Django's session sign-in: what any signed-in
  request costs (session, user, middleware);
- ``/bench/floor/drf/``: the same answer through Django REST framework;
- ``/bench/floor/sql/``: the signed-in person's 25 most urgent tickets by one hand-written SQL and no
  count: the least a ticket list can do.
"""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.urls import include, path
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

FIXED = {"count": 0, "next": None, "previous": None, "results": []}

HAND_SQL = """
SELECT t.id, t.reference, t.subject, t.status, t.priority, t.sla_state, t.sla_due_at, t.received_at
  FROM tickets_ticket t
 WHERE t.assignee_id = %(me)s
    OR t.team_id IN (SELECT p.unit_id FROM staff_position p JOIN staff_staffmember s ON s.position_id = p.id
                      WHERE s.id = %(me)s)
 ORDER BY COALESCE(t.sla_due_at, '3000-01-01 00:00:00+00'::timestamptz), t.priority, t.received_at, t.id
 LIMIT 25
"""


@login_required
def fixed_json(request):
    return JsonResponse(FIXED)


class FixedDrf(APIView):
    authentication_classes = [SessionAuthentication]
    permission_classes = [IsAuthenticated]

    def get(self, request):
        return Response(FIXED)


@login_required
def hand_sql(request):
    me = request.user.staff_member.pk
    with connection.cursor() as cursor:
        cursor.execute(HAND_SQL, {"me": me})
        columns = [c.name for c in cursor.description]
        rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    return JsonResponse({"results": rows})


urlpatterns = [
    path("bench/floor/django/", fixed_json),
    path("bench/floor/drf/", FixedDrf.as_view()),
    path("bench/floor/sql/", hand_sql),
    path("", include("servicecenter.urls")),
]
