from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from staff import selectors


@login_required
def org_chart(request):
    nodes = selectors.org_tree()
    return render(request, "staff/org_chart.html", {"nodes": nodes, "root": nodes[0] if nodes else None})


@login_required
def job_description(request, code: str):
    position = selectors.position_list().filter(code=code).first()
    if position is None:
        raise Http404
    return render(
        request,
        "staff/job_description.html",
        {
            "position": position,
            "jd": getattr(position, "job_description", None),
            "subordinates": list(position.direct_reports.select_related("unit")),
            "holders": list(position.holders.filter(is_active=True)),
        },
    )


