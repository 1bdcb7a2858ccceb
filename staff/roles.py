"""Roles come from positions. Each role is a Django group whose permissions are declared here,
once; migrations and ``manage.py sync_roles`` apply this table to the database."""

from fnmatch import fnmatchcase

from staff.models import Role

_READ_ORG = ["staff.view_*"]

# Patterns are ``app_label.codename`` with shell wildcards. Later apps add their rows here.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.ADMIN: ["staff.*", "django_celery_beat.*", "auth.view_user", "auth.change_user", "auth.add_user"],
    Role.DIRECTOR: _READ_ORG,
    Role.MANAGER: _READ_ORG,
    Role.SUPERVISOR: _READ_ORG,
    Role.TEAM_LEAD: _READ_ORG,
    Role.AGENT: _READ_ORG,
    Role.SUPPORT: _READ_ORG,
}

# Roles that lead others: they see their subtree's work and take escalations.
LEADING_ROLES = frozenset({Role.TEAM_LEAD, Role.SUPERVISOR, Role.MANAGER, Role.DIRECTOR})


def group_name(role: str) -> str:
    return f"role:{role}"


def sync_role_groups(apps=None) -> dict[str, int]:
    """Create one group per role and give it exactly the permissions the table names.

    Takes a migration's historical ``apps`` or, by default, the live registry. Returns the number
    of permissions per group.
    """
    if apps is None:
        from django.apps import apps as live_apps

        apps = live_apps
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    every = list(Permission.objects.values_list("id", "content_type__app_label", "codename"))
    counts: dict[str, int] = {}
    for role, patterns in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=group_name(role))
        wanted = [
            pk for pk, app_label, codename in every
            if any(fnmatchcase(f"{app_label}.{codename}", pattern) for pattern in patterns)
        ]
        group.permissions.set(wanted)
        counts[str(role)] = len(wanted)
    return counts
