from django.core.management.base import BaseCommand

from staff.roles import sync_role_groups


class Command(BaseCommand):
    help = "Apply the role → permission table of staff/roles.py to the role groups."

    def handle(self, *args, **options):
        for role, count in sync_role_groups().items():
            self.stdout.write(f"role:{role}: {count} permissions")
