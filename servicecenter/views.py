from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render

from staff.selectors import chain_of, staff_for_user


@login_required
def home(request):
    member = staff_for_user(request.user)
    chain = chain_of(member) if member else []
    return render(request, "home.html", {"member": member, "chain": chain})


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "database": connection.vendor})
