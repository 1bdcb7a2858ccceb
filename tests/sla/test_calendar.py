"""The fast calendar against the oracles of shared/sla.md and against a naive day-by-day reference."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sla.calendar import BUSINESS_MINUTES, MINUTES, WORKING_DAYS
from sla.models import CalendarDay
from sla.selectors import default_calendar, work_calendar

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
HOURS = [(time(8, 30), time(12, 0)), (time(13, 30), time(17, 30))]


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


@pytest.fixture
def engine():
    return work_calendar(default_calendar())


@pytest.mark.parametrize(
    ("received", "days", "due"),
    [
        ("2026-09-30", 3, "2026-10-10"),
        ("2026-09-30", 5, "2026-10-13"),
        ("2026-02-13", 3, "2026-02-25"),
        ("2026-04-30", 10, "2026-05-18"),
    ],
)
def test_the_oracles_of_sla_md(engine, received, days, due):
    deadline = engine.due(at(f"{received}T15:20"), days, WORKING_DAYS)
    assert deadline.at == at(f"{due}T17:30")
    assert deadline.provisional is False
    assert engine.due(at(f"{received}T15:20"), days, WORKING_DAYS, end_of_day="midnight").at == (
        at(f"{due}T00:00") + timedelta(days=1))


def test_2026_has_248_working_days_and_the_make_up_saturdays(engine):
    year = [date(2026, 1, 1) + timedelta(days=i) for i in range(365)]
    assert sum(engine.is_workday(d) for d in year) == 248
    for make_up in ("2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"):
        assert engine.is_workday(date.fromisoformat(make_up))
    assert not any(engine.is_workday(date(2026, 10, d)) for d in range(1, 8))


def test_a_deadline_in_a_year_without_official_data_is_provisional(engine):
    deadline = engine.due(at("2026-12-28T10:00"), 5, WORKING_DAYS)
    # 12-29, 12-30, 12-31, then 2027-01-01 is New Year's Day (known to `holidays`): 01-04, 01-05.
    assert deadline.at == at("2027-01-05T17:30")
    assert deadline.provisional is True
    assert engine.due(at("2026-12-21T10:00"), 5, WORKING_DAYS).provisional is False


def test_business_minutes_skip_lunch_nights_and_the_national_day_week(engine):
    assert engine.due(at("2026-09-30T16:00"), 120, BUSINESS_MINUTES).at == at("2026-10-08T09:00")
    assert engine.due(at("2026-09-29T11:30"), 60, BUSINESS_MINUTES).at == at("2026-09-29T14:00")
    assert engine.due(at("2026-09-29T12:30"), 30, BUSINESS_MINUTES).at == at("2026-09-29T14:00")
    # Ending exactly at close of business stays on that day rather than the next opening.
    assert engine.due(at("2026-09-29T16:30"), 60, BUSINESS_MINUTES).at == at("2026-09-29T17:30")


def test_dates_far_outside_the_data_do_not_crash(engine):
    deadline = engine.due(at("2030-06-03T10:00"), 3, WORKING_DAYS)
    assert deadline.at == at("2030-06-06T17:30")
    assert deadline.provisional is True


# --- the naive reference -------------------------------------------------------------------------


def naive_working_days(workdays: dict, start: datetime, n: int) -> datetime:
    day, counted = start.astimezone(TZ).date(), 0
    while counted < n:
        day += timedelta(days=1)
        counted += workdays[day]
    return datetime.combine(day, time(17, 30), tzinfo=TZ)


def naive_business_minutes(workdays: dict, start: datetime, n: int) -> datetime:
    left = timedelta(minutes=n)
    moment = start.astimezone(TZ)
    day = moment.date()
    while True:
        if workdays[day]:
            for a, b in HOURS:
                begin = max(moment, datetime.combine(day, a, tzinfo=TZ))
                end = datetime.combine(day, b, tzinfo=TZ)
                if begin >= end:
                    continue
                if end - begin >= left:
                    return begin + left
                left -= end - begin
        day += timedelta(days=1)
        moment = datetime.combine(day, time(0), tzinfo=TZ)


# Hypothesis draws naive datetimes between naive bounds; each is then placed in the center's zone.
NAIVE_FIRST, NAIVE_LAST = datetime(2004, 1, 1), datetime(2028, 10, 15)  # noqa: DTZ001
moments = st.datetimes(min_value=NAIVE_FIRST, max_value=NAIVE_LAST).map(
    lambda d: d.replace(second=0, microsecond=0, tzinfo=TZ))


def test_the_fast_calendar_agrees_with_a_day_by_day_loop_over_every_year(engine):
    workdays = dict(CalendarDay.objects.filter(calendar=default_calendar()).values_list("date", "is_workday"))
    assert min(workdays) == date(2004, 1, 1)
    assert max(workdays).year >= 2028

    @settings(max_examples=400, deadline=None)
    @given(start=moments, n=st.integers(min_value=0, max_value=40))
    def working_days(start, n):
        expected = naive_working_days(workdays, start, n) if n else datetime.combine(
            start.date(), time(17, 30), tzinfo=TZ)
        assert engine.due(start, n, WORKING_DAYS).at == expected

    @settings(max_examples=400, deadline=None)
    @given(start=moments, n=st.integers(min_value=1, max_value=6000))
    def business_minutes(start, n):
        assert engine.due(start, n, BUSINESS_MINUTES).at == naive_business_minutes(workdays, start, n)

    @settings(max_examples=200, deadline=None)
    @given(start=moments, n=st.integers(min_value=0, max_value=100_000))
    def minutes(start, n):
        assert engine.due(start, n, MINUTES).at == start + timedelta(minutes=n)

    working_days()
    business_minutes()
    minutes()


@settings(max_examples=300, deadline=None)
@given(moment=moments, unit=st.sampled_from([MINUTES, BUSINESS_MINUTES, WORKING_DAYS]))
def test_the_axes_round_trip(moment, unit):
    engine = _ENGINE_FOR_PROPERTY
    value = engine.to_axis(moment, unit)
    back = engine.from_axis(value, unit)
    assert back <= moment
    assert engine.to_axis(back, unit) == value


@pytest.fixture(autouse=True, scope="module")
def _property_engine(django_db_setup, django_db_blocker):
    global _ENGINE_FOR_PROPERTY
    with django_db_blocker.unblock():
        _ENGINE_FOR_PROPERTY = work_calendar(default_calendar())


_ENGINE_FOR_PROPERTY = None
