"""Roles come from positions. Each role is a Django group whose permissions are declared here,
once; migrations and ``manage.py sync_roles`` apply this table to the database."""

from fnmatch import fnmatchcase

from staff.models import Role

_READ_ORG = ["staff.view_*"]

# Patterns are ``app_label.codename`` with shell wildcards. Later apps add their rows here.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    # Tickets carry row-level access that the admin site does not apply: admins edit routing rules
    # there, and read tickets only through the scoped pages and API.
    Role.ADMIN: ["staff.*", "django_celery_beat.*", "auth.view_user", "auth.change_user", "auth.add_user",
                 "tickets.*_routingrule", "sla.*_calendar", "sla.*_calendarday", "sla.*_businessinterval",
                 "sla.*_policy", "sla.*_policytarget", "surveys.*_surveytemplate", "surveys.*_question"],
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


def migrate_role_groups(apps, schema_editor) -> None:
    """A migration step: create the permissions of every app migrated so far, then sync the groups.

    Permissions are normally created after ``migrate`` finishes; each app whose models a role needs
    adds a migration that runs this once its tables exist.
    """
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    for app_config in global_apps.get_app_configs():
        original, app_config.models_module = app_config.models_module, True
        try:
            create_permissions(app_config, apps=apps, verbosity=0)
        finally:
            app_config.models_module = original
    sync_role_groups(apps)
