import json
import os
from pathlib import Path

from django.apps import apps
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from sla.demo import seed_calls
from sla.presets import seed_calendar
from staff.roles import sync_role_groups
from staff.services import org_import
from surveys.demo import demo_survey_link, seed_surveys
from tickets.demo import seed_tickets

SHAPE_A = Path(__file__).resolve().parents[3] / "staff" / "orgdata" / "shape_a.json"
DEFAULT_DEMO_PASSWORD = "servicecenter-demo"  # noqa: S105 - a documented demo default, printed on use


class Command(BaseCommand):
    help = "Create (or bring up to date) the demo center. Safe to run again: it adds nothing twice."

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
        sync_role_groups()
        progress(_("Org chart from %(file)s") % {"file": Path(options["shape"]).name})
        data = json.loads(Path(options["shape"]).read_text(encoding="utf-8"))
        counts = org_import(data=data, password=password, log=progress)
        progress(_("Working-day calendar"))
        calendar = seed_calendar(apps)
        self.stdout.write(f"  official days: {calendar['official']}, provisional days: {calendar['provisional']}")
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
        self.stdout.write(self.style.SUCCESS(
            _("Demo center ready: %(units)d units, %(positions)d positions, %(staff)d staff.") % counts
        ))
        if not os.environ.get("DEMO_PASSWORD"):
            self.stdout.write(_("Demo users admin, director, supervisor1, lead1, agent1, agent2 use the password "
                                "%(password)s (set DEMO_PASSWORD to choose another).") % {"password": password})
