import json

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from sla import backlog, rollup


class Command(BaseCommand):
    help = ("The compliance and backlog rollups (sla/rollup.py, sla/backlog.py): fold the pending changes "
            "(default), check them against a count of the clocks and open tickets, or install their triggers "
            "again and recount them.")

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true",
                            help="compare with a count of the clocks; fails if any figure differs")
        parser.add_argument("--rebuild", action="store_true",
                            help="install the triggers for TIME_ZONE and recount (writes to clocks wait meanwhile)")

    def handle(self, *args, check=False, rebuild=False, **options):
        if connection.vendor != "postgresql":
            raise CommandError("the rollup is kept on PostgreSQL only; on SQLite the figures come from the clocks")
        if rebuild:
            self.stdout.write(f"rebuilt: {rollup.rebuild()} rows")
        else:
            self.stdout.write(f"folded: {rollup.fold()} changes, backlog: {backlog.fold()}")
        if check:
            wrong = rollup.differences()
            for row in wrong[:20]:
                self.stdout.write(json.dumps(row, default=str, ensure_ascii=False))
            if wrong:
                raise CommandError(f"{len(wrong)} keys differ from the clocks")
            self.stdout.write("the rollup matches the clocks")
