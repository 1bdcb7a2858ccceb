"""A realistic Asterisk ``queue_log`` for the demo center, and its import.

Two queues (the 95598 hotline and repairs), calls from 08:00 to 21:00 with a morning and an
afternoon peak, heavier on Mondays, lighter at weekends; most answered within 15 seconds, some
late, some abandoned (a few in the first 5 seconds), some timing out of the hotline and
overflowing into the repair queue, agents now and then letting a call ring. Deterministic.
"""

import random
from datetime import date, datetime, time, timedelta

from django.apps import apps
from django.utils import timezone

from calls.imports import call_import_create, call_import_run
from calls.models import CallRecord
from sla.models import Calendar, CalendarDay, DaySource, new_version
from sla.presets import PROVISIONAL_YEARS_AHEAD, official_days, provisional_days, seed_calendar
from staff.models import Role, StaffMember

HOURLY = [0, 0, 0, 0, 0, 0, 0, 0, 14, 26, 30, 24, 12, 16, 24, 26, 22, 16, 10, 7, 5, 0, 0, 0]


def build_queue_log(*, days: int = 30, seed: int = 20261122, now: datetime | None = None) -> str:
    rng = random.Random(seed)
    now = now or timezone.now()
    agents = [f"Agent/{n}" for n in StaffMember.objects.filter(is_active=True, position__role=Role.AGENT)
              .exclude(agent_no__isnull=True).exclude(agent_no="").values_list("agent_no", flat=True)] or ["Agent/1001"]
    lines = []
    counter = 0
    today = timezone.localdate(now)
    for back in range(days, 0, -1):
        day = today - timedelta(days=back)
        factor = 1.3 if day.weekday() == 0 else 0.55 if day.weekday() >= 5 else 1.0
        for hour, rate in enumerate(HOURLY):
            for _ in range(int(rate * factor * rng.uniform(0.8, 1.2))):
                counter += 1
                start = datetime.combine(day, time(hour), tzinfo=timezone.get_current_timezone()) + timedelta(
                    seconds=rng.randrange(3600))
                if start >= now:
                    continue
                lines += _call(rng, f"{int(start.timestamp())}.{counter}", start, agents, hour)
    return "\n".join(sorted(lines, key=lambda line: int(line.split("|", 1)[0]))) + "\n"


def _call(rng: random.Random, call_id: str, start: datetime, agents: list[str], hour: int) -> list[str]:
    t = int(start.timestamp())
    queue = "repair" if rng.random() < 0.3 else "95598"
    caller = f"1{rng.choice('358')}{rng.randrange(10**9):09d}"
    out = [f"{t}|{call_id}|{queue}|NONE|ENTERQUEUE||{caller}|1"]
    busy = hour in (9, 10, 14, 15)
    wait = int(rng.expovariate(1 / (14 if busy else 7)))
    roll = rng.random()
    if roll < 0.07:  # abandoned, a third of them within 5 seconds
        waited = rng.randint(1, 5) if rng.random() < 0.35 else min(wait + 5, 180)
        return [*out, f"{t + waited}|{call_id}|{queue}|NONE|ABANDON|1|1|{waited}"]
    if roll < 0.09 and queue == "95598":  # timed out of the hotline and overflowed to repairs
        out.append(f"{t + 60}|{call_id}|95598|NONE|EXITWITHTIMEOUT|2|1|60")
        queue, t, wait = "repair", t + 60, rng.randint(2, 12)
        out.append(f"{t}|{call_id}|repair|NONE|ENTERQUEUE||{caller}|1")
    agent = rng.choice(agents)
    if rng.random() < 0.06:
        out.append(f"{t + max(wait - 3, 0)}|{call_id}|{queue}|{rng.choice(agents)}|RINGNOANSWER|15000")
    ring = rng.randint(2, 9) if rng.random() < 0.9 else rng.randint(16, 25)
    talk = int(rng.lognormvariate(5.0, 0.5))
    out.append(f"{t + wait}|{call_id}|{queue}|{agent}|CONNECT|{wait}|{call_id}.1|{ring}")
    ending = "COMPLETECALLER" if rng.random() < 0.6 else "COMPLETEAGENT"
    out.append(f"{t + wait + talk}|{call_id}|{queue}|{agent}|{ending}|{wait}|{talk}|1")
    return out


def seed_calls(*, days: int = 30, stdout=None) -> int:
    """Write and import the demo log once; a center that already has calls keeps them."""
    if CallRecord.objects.exists():
        return 0
    text = build_queue_log(days=days)
    job = call_import_run(import_id=call_import_create(name="demo-queue_log", content=text, fmt="queue_log").pk)
    if stdout is not None:
        stdout.write(f"  queue_log lines: {job.lines}, calls imported: {job.imported}, errors: {len(job.errors)}")
    return job.imported


def calendar_add_missing(*, today: date | None = None) -> dict[str, int]:
    """The working-day calendar for ``seed_demo``: add the days the default calendar lacks (a year the
    ``chinesecalendar`` data or the provisional horizon newly covers) and change none it has, so a day
    an admin corrected stays corrected. (A provisional year becomes official by an admin: the admin's
    "mark official" or ``PUT /api/v1/sla/calendar/days/{date}/``.) Without a default calendar, the
    migration's whole seed. Returns the days added."""
    calendar = Calendar.objects.filter(is_default=True).first()
    if calendar is None:
        return seed_calendar(apps, today=today)
    have = set(CalendarDay.objects.filter(calendar=calendar).values_list("date", flat=True))
    official = official_days()
    rows = [(d, w, n, DaySource.OFFICIAL) for d, (w, n) in official.items() if d not in have]
    horizon = (today or date.today()).year + PROVISIONAL_YEARS_AHEAD  # noqa: DTZ011 - as the migration counts
    for year in range(max(official).year + 1, horizon + 1):
        rows += [(d, w, n, DaySource.PROVISIONAL) for d, (w, n) in provisional_days(year).items() if d not in have]
    if rows:
        CalendarDay.objects.bulk_create(
            [CalendarDay(calendar=calendar, date=d, is_workday=w, name=n[:100], source=s) for d, w, n, s in rows],
            ignore_conflicts=True, batch_size=2000,
        )
        Calendar.objects.filter(pk=calendar.pk).update(version=new_version())
    return {"official": sum(1 for r in rows if r[3] == DaySource.OFFICIAL),
            "provisional": sum(1 for r in rows if r[3] == DaySource.PROVISIONAL)}
