import json
import os
from pathlib import Path

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from demo.calls import calendar_add_missing, seed_calls
from demo.surveys import demo_survey_link, seed_surveys
from demo.tickets import seed_tickets
from staff.models import Position, StaffMember, Unit
from staff.roles import ROLE_PERMISSIONS, group_name, sync_role_groups
from staff.services import org_add_missing

SHAPE_A = Path(__file__).resolve().parents[3] / "staff" / "orgdata" / "shape_a.json"
DEFAULT_DEMO_PASSWORD = "servicecenter-demo"  # noqa: S105 - a documented demo default, printed on use


class Command(BaseCommand):
    """The demo center. ``make demo`` runs this at every start, so it only ever adds what is missing:
    nothing that exists is changed (an admin's moves, headcounts, job descriptions, calendar days and
    passwords stay), nothing an admin deleted comes back, and a run that finds nothing missing writes
    nothing at all (no history version either)."""

    help = "Create the demo center, or add what it is missing. Changes nothing that exists."

    def add_arguments(self, parser):
        parser.add_argument("--shape", default=str(SHAPE_A), help="org data file (JSON)")

    def handle(self, *args, **options):
        password = os.environ.get("DEMO_PASSWORD") or DEFAULT_DEMO_PASSWORD
        step = 0

        def progress(message: str) -> None:
            nonlocal step
            step += 1
            self.stdout.write(f"[{step}] {message}")

        progress(_("Role groups and permissions"))
        # Migrations (and ``manage.py sync_roles``) keep the groups' permissions; this only fills a gap.
        if Group.objects.filter(name__in=[group_name(r) for r in ROLE_PERMISSIONS]).count() < len(ROLE_PERMISSIONS):
            sync_role_groups()
        progress(_("Org chart from %(file)s") % {"file": Path(options["shape"]).name})
        data = json.loads(Path(options["shape"]).read_text(encoding="utf-8"))
        org_add_missing(data=data, password=password, log=progress)
        progress(_("Working-day calendar"))
        calendar = calendar_add_missing()
        self.stdout.write(_("  days added: %(official)d official, %(provisional)d provisional") % calendar)
        progress(_("Tickets over the last 60 days, with their clocks and escalations"))
        if not seed_tickets(stdout=self.stdout):
            self.stdout.write(_("  tickets already exist: left as they are"))
        progress(_("Calls of the last 30 days from a queue_log"))
        if not seed_calls(stdout=self.stdout):
            self.stdout.write(_("  calls already exist: left as they are"))
        progress(_("Satisfaction surveys, answers, follow-ups, quality reviews and scorecards"))
        if not seed_surveys(stdout=self.stdout):
            self.stdout.write(_("  surveys already exist: left as they are"))
        link = demo_survey_link()
        if link:
            self.stdout.write(_("  try a survey as a customer: %(link)s") % {"link": link})
        counts = {"units": Unit.objects.count(), "positions": Position.objects.count(),
                  "staff": StaffMember.objects.count()}
        self.stdout.write(self.style.SUCCESS(
            _("Demo center ready: %(units)d units, %(positions)d positions, %(staff)d staff.") % counts
        ))
        if not os.environ.get("DEMO_PASSWORD"):
            self.stdout.write(_("Demo users admin, director, supervisor1, lead1, agent1, agent2 use the password "
                                "%(password)s (set DEMO_PASSWORD to choose another).") % {"password": password})
