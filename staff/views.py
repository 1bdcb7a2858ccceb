from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse

from staff import selectors
from staff.changes import may_edit_org
from staff.jd import pending_for
from staff.models import OrgChange
from staff.orgrows import org_rows


@login_required
def org_chart(request):
    """The org chart; org admins edit it in place (``staff/editor.py``)."""
    nodes = selectors.org_tree()
    editor = may_edit_org(request.user)
    scheduled = list(OrgChange.objects.filter(state=OrgChange.State.SCHEDULED).order_by("effective_on", "id")
                     [:50]) if editor else []
    # Links are built from two prefixes: reversing a URL per row would cost more than the row.
    menu = reverse("staff:row-menu", args=["unit", 0]).removesuffix("unit/0/") if editor else ""
    rows = org_rows(nodes, menu=menu, positions=reverse("staff:job-description", args=["x"]).removesuffix("x/"))
    return render(request, "staff/org_chart.html", {
        "nodes": nodes, "rows": rows, "root": nodes[0] if nodes else None, "editor": editor,
        "scheduled": scheduled, "pending_jds": list(pending_for(request.user)[:50])})
