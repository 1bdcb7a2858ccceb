"""Seed data: China's statutory calendar and the 95598 default policies (``shared/domain.md`` §4).

Functions take an ``apps`` registry so that migrations can run them against historical models;
``manage.py sla_calendar`` runs the calendar part against the live ones.
"""

import uuid
from datetime import date, time, timedelta

# Years after the official data are seeded as provisional this far ahead of today.
PROVISIONAL_YEARS_AHEAD = 2


def official_days() -> dict[date, tuple[bool, str]]:
    """Every date ``chinesecalendar`` covers: (is_workday, holiday or make-up day name)."""
    import chinese_calendar
    from chinese_calendar import constants

    chinese = {h.value: h.chinese for h in constants.Holiday}

    first = min(constants.holidays)
    last = max(max(constants.holidays), max(constants.workdays)).replace(month=12, day=31)
    days = {}
    d = date(first.year, 1, 1)
    while d <= last:
        on_holiday, name = chinese_calendar.get_holiday_detail(d)
        name = chinese.get(name, name or "")
        if d in constants.workdays:
            days[d] = (True, f"{name}调休上班" if name else "调休上班")
        else:
            days[d] = (not on_holiday, name if on_holiday else "")
        d += timedelta(days=1)
    return days


def provisional_days(year: int) -> dict[date, tuple[bool, str]]:
    """A year with no official schedule: weekdays, minus the statutory holidays ``holidays`` knows."""
    import holidays

    known = holidays.China(years=year, language="zh_CN")
    days = {}
    d = date(year, 1, 1)
    while d.year == year:
        name = known.get(d)
        days[d] = (d.weekday() < 5 and name is None, name or "")
        d += timedelta(days=1)
    return days


def seed_calendar(apps, *, today: date | None = None) -> dict[str, int]:
    """Create the default calendar with business hours and its days. Rows an admin entered are kept."""
    Calendar = apps.get_model("sla", "Calendar")
    CalendarDay = apps.get_model("sla", "CalendarDay")
    BusinessInterval = apps.get_model("sla", "BusinessInterval")
    calendar = Calendar.objects.filter(is_default=True).first()
    if calendar is None:
        calendar = Calendar.objects.create(code="cn-statutory", name="国家法定工作日", is_default=True)
    if not BusinessInterval.objects.filter(calendar=calendar).exists():
        BusinessInterval.objects.bulk_create([
            BusinessInterval(calendar=calendar, start=time(8, 30), end=time(12, 0)),
            BusinessInterval(calendar=calendar, start=time(13, 30), end=time(17, 30)),
        ])
    kept = set(CalendarDay.objects.filter(calendar=calendar, source="admin").values_list("date", flat=True))
    rows = []
    official = official_days()
    rows += [(d, w, n, "official") for d, (w, n) in official.items()]
    last_official = max(official).year
    horizon = (today or date.today()).year + PROVISIONAL_YEARS_AHEAD  # noqa: DTZ011 - a year, not a moment
    for year in range(last_official + 1, horizon + 1):
        rows += [(d, w, n, "provisional") for d, (w, n) in provisional_days(year).items()]
    rows = [r for r in rows if r[0] not in kept]
    CalendarDay.objects.bulk_create(
        [CalendarDay(calendar=calendar, date=d, is_workday=w, name=n[:100], source=s) for d, w, n, s in rows],
        update_conflicts=True, unique_fields=["calendar", "date"], update_fields=["is_workday", "name", "source"],
        batch_size=2000,
    )
    Calendar.objects.filter(pk=calendar.pk).update(version=uuid.uuid4().hex)
    return {"official": len(official), "provisional": sum(1 for r in rows if r[3] == "provisional")}


WD, MIN = "working_days", "minutes"

# (rank, name, kind, customer_class, area, targets: [(target, amount, unit)])
POLICIES = [
    (10, "报修·城区", "repair", "", "urban",
     [("dispatch", 10, MIN), ("arrival", 45, MIN), ("restoration", 180, MIN), ("callback", 1, WD)]),
    (11, "报修·农村", "repair", "", "rural",
     [("dispatch", 10, MIN), ("arrival", 90, MIN), ("restoration", 240, MIN), ("callback", 1, WD)]),
    (12, "报修·边远", "repair", "", "remote",
     [("dispatch", 10, MIN), ("arrival", 120, MIN), ("restoration", 240, MIN), ("callback", 1, WD)]),
    (19, "报修", "repair", "", "",
     [("dispatch", 10, MIN), ("arrival", 45, MIN), ("restoration", 180, MIN), ("callback", 1, WD)]),
    (20, "投诉", "complaint", "", "", [("first_response", 1, WD), ("resolution", 5, WD), ("callback", 1, WD)]),
    (30, "举报", "report", "", "", [("first_response", 1, WD), ("resolution", 10, WD), ("callback", 1, WD)]),
    (40, "咨询", "inquiry", "", "", [("first_response", 1, WD), ("resolution", 3, WD)]),
    (50, "业扩·居民", "application", "residential", "", [("resolution", 3, WD)]),
    (51, "业扩·低压非居民", "application", "low_voltage", "", [("resolution", 7, WD)]),
    (52, "业扩·高压单电源", "application", "hv_single", "", [("resolution", 15, WD)]),
    (53, "业扩·高压双电源", "application", "hv_dual", "", [("resolution", 30, WD)]),
    (59, "业务办理", "application", "", "", [("resolution", 7, WD)]),
    (90, "其他（建议、表扬）", "", "", "", [("resolution", 3, WD)]),
]


def seed_policies(apps) -> int:
    """The 95598 presets, once: an installation that already has policies keeps its own."""
    Policy = apps.get_model("sla", "Policy")
    PolicyTarget = apps.get_model("sla", "PolicyTarget")
    if Policy.objects.exists():
        return 0
    for rank, name, kind, customer_class, area, targets in POLICIES:
        policy = Policy.objects.create(rank=rank, name=name, kind=kind, customer_class=customer_class, area=area)
        PolicyTarget.objects.bulk_create([
            PolicyTarget(policy=policy, target=target, amount=amount, unit=unit,
                         escalate_every=1 if unit == WD else 30, escalate_every_unit=unit)
            for target, amount, unit in targets
        ])
    return len(POLICIES)
