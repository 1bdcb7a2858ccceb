"""Admins edit calendars (days and business hours) and policies here.

A day saved here goes through ``sla.services.calendar_days_set``, so running clocks that span it
are recomputed and the change is recorded on each ticket, exactly as through the API.
"""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from sla import services
from sla.models import BusinessInterval, Calendar, CalendarDay, DaySource, Policy, PolicyTarget
from sla.selectors import kinds_without_fallback


class BusinessIntervalInline(admin.TabularInline):
    model = BusinessInterval
    extra = 0


@admin.register(Calendar)
class CalendarAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "time_zone", "is_default"]
    inlines = [BusinessIntervalInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if change:  # new business hours: reload the arithmetic and move running deadlines
            calendar = form.instance
            days = CalendarDay.objects.filter(calendar=calendar).order_by("date")
            first, last = days.first(), days.last()
            calendar.version = services.new_version()
            calendar.save(update_fields=["version"])
            if first and last:
                services.clocks_recompute_for_calendar(calendar=calendar, first=first.date, last=last.date,
                                                       actor=request.user)


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "weekday", "is_workday", "name", "source", "calendar"]
    list_filter = ["calendar", "source", "is_workday", ("date", admin.DateFieldListFilter)]
    search_fields = ["name", "date"]
    date_hierarchy = "date"
    ordering = ["date"]
    actions = ["mark_official"]

    @admin.display(description=_("weekday"))
    def weekday(self, day):
        return day.date.strftime("%a")

    def save_model(self, request, obj, form, change):
        source = DaySource.ADMIN if obj.source == DaySource.PROVISIONAL else obj.source
        changed = services.calendar_days_set(calendar=obj.calendar, days={obj.date: (obj.is_workday, obj.name)},
                                             actor=request.user, source=source)
        messages.info(request, ngettext("%(n)d deadline recomputed.", "%(n)d deadlines recomputed.", changed)
                      % {"n": changed})

    @admin.action(description=_("Mark as the official schedule (no longer provisional)"))
    def mark_official(self, request, queryset):
        by_calendar = {}
        for day in queryset.select_related("calendar"):
            by_calendar.setdefault(day.calendar, {})[day.date] = (day.is_workday, day.name)
        changed = sum(services.calendar_days_set(calendar=c, days=d, actor=request.user, source=DaySource.OFFICIAL)
                      for c, d in by_calendar.items())
        messages.info(request, ngettext("%(n)d deadline recomputed.", "%(n)d deadlines recomputed.", changed)
                      % {"n": changed})


class PolicyTargetInline(admin.TabularInline):
    model = PolicyTarget
    extra = 0


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    list_display = ["rank", "name", "kind", "priority", "customer_class", "channel", "area", "is_active"]
    list_display_links = ["name"]
    list_editable = ["rank", "is_active"]
    list_filter = ["is_active", "kind"]
    inlines = [PolicyTargetInline]

    def changelist_view(self, request, extra_context=None):
        missing = kinds_without_fallback()
        if missing:
            messages.warning(request, _("These kinds have no fallback policy (one with priority, customer class, "
                                        "channel and area blank): %(kinds)s") % {"kinds": ", ".join(missing)})
        return super().changelist_view(request, extra_context)
