from django.core.management.base import BaseCommand

from sla.sweep import sweep


class Command(BaseCommand):
    help = "Run one SLA sweep now (warnings, breaches, next escalation levels) and print what it did."

    def add_arguments(self, parser):
        parser.add_argument("--until-done", action="store_true", help="repeat while a phase fills its batch")

    def handle(self, *args, until_done=False, **options):
        while True:
            result = sweep()
            self.stdout.write(" ".join(f"{k}={v}" for k, v in result.as_dict().items()))
            if not (until_done and result.more):
                break
