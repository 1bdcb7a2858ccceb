"""Erlang C against the oracle of shared/sla.md, properties, and a center of 1,000 Erlangs."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sla.erlang import agents_needed, erlang_a, erlang_c, scheduled_staff, staffing_for, traffic


def test_the_oracle_100_calls_per_half_hour_at_180_seconds():
    a = traffic(100, 180, 1800)
    assert a == 10.0
    result = agents_needed(calls=100, interval_seconds=1800, aht_seconds=180, target=0.8, threshold_seconds=20)
    assert result.agents == 14
    assert round(result.p_wait, 4) == 0.1741
    assert round(result.service_level, 4) == 0.8884
    assert round(result.asa_seconds, 2) == 7.84
    assert round(result.occupancy, 3) == 0.714
    assert agents_needed(calls=100, interval_seconds=1800, aht_seconds=180, target=0.9,
                         threshold_seconds=15).agents == 15


def test_a_thousand_erlangs_stay_finite_and_sensible():
    result = agents_needed(calls=10_000, interval_seconds=1800, aht_seconds=180, target=0.8, threshold_seconds=20)
    assert result.traffic == 1000.0
    assert 1000 < result.agents < 1060
    assert 0 < result.p_wait < 1 and math.isfinite(result.asa_seconds)


def test_too_few_agents_never_catch_up():
    result = staffing_for(10, 10.0, aht_seconds=180, threshold_seconds=20)
    assert (result.p_wait, result.service_level, result.asa_seconds) == (1.0, 0.0, math.inf)


def test_shrinkage_turns_agents_into_scheduled_staff():
    assert scheduled_staff(14, 0.3) == 20
    assert scheduled_staff(14, 0.0) == 14
    with pytest.raises(ValueError):
        scheduled_staff(14, 1.0)


@settings(max_examples=200, deadline=None)
@given(a=st.floats(min_value=0.1, max_value=1500), extra=st.integers(min_value=1, max_value=60),
       aht=st.floats(min_value=10, max_value=900), threshold=st.floats(min_value=0, max_value=120))
def test_service_level_stays_in_0_1_and_improves_with_every_agent(a, extra, aht, threshold):
    n = math.floor(a) + extra
    one = staffing_for(n, a, aht_seconds=aht, threshold_seconds=threshold)
    more = staffing_for(n + 1, a, aht_seconds=aht, threshold_seconds=threshold)
    assert 0.0 <= one.service_level <= 1.0
    assert 0.0 <= one.p_wait <= 1.0
    assert more.p_wait <= one.p_wait + 1e-12
    assert more.service_level >= one.service_level - 1e-12
    assert more.asa_seconds <= one.asa_seconds + 1e-9
    assert erlang_c(n, a) == pytest.approx(one.p_wait)


@pytest.mark.django_db
def test_the_staffing_api(api, shape_a):
    body = api("supervisor1").get("/api/v1/calls/staffing/?calls=100&interval_minutes=30&aht_seconds=180"
                                   "&target=0.8&threshold_seconds=20&shrinkage=0.3").json()
    assert (body["agents"], body["service_level"], body["asa_seconds"], body["occupancy"]) == (14, 0.8884, 7.8359, 0.7143)
    assert (body["traffic_erlangs"], body["scheduled_staff"]) == (10.0, 20)
    assert [r["agents"] for r in body["table"]] == list(range(11, 20))
    assert body["table"][0]["service_level"] < body["service_level"] < body["table"][-1]["service_level"]
    for bad in ("calls=-1&aht_seconds=180", "calls=100", "calls=100&aht_seconds=180&target=1.5"):
        assert api("supervisor1").get(f"/api/v1/calls/staffing/?{bad}").status_code == 400


def test_erlang_a_tends_to_erlang_c_when_callers_never_hang_up():
    c = staffing_for(14, 10.0, aht_seconds=180, threshold_seconds=20)
    a = erlang_a(14, calls=100, interval_seconds=1800, aht_seconds=180, patience_seconds=1e7, threshold_seconds=20)
    assert abs(a.p_wait - c.p_wait) < 1e-3
    assert abs(a.service_level - (1 - c.p_wait * math.exp(-(14 - 10) * 20 / 180))) < 2e-3
    assert a.p_abandon < 1e-4


def test_impatient_callers_abandon_and_are_answered_less_often_within_the_threshold():
    patient = erlang_a(12, calls=100, interval_seconds=1800, aht_seconds=180, patience_seconds=600,
                       threshold_seconds=20)
    hasty = erlang_a(12, calls=100, interval_seconds=1800, aht_seconds=180, patience_seconds=30,
                     threshold_seconds=20)
    assert hasty.p_abandon > patient.p_abandon > 0
    assert hasty.p_wait < patient.p_wait  # those who hang up shorten the queue for the rest
    # Fewer agents than Erlangs is still stable with abandonment.
    under = erlang_a(8, calls=100, interval_seconds=1800, aht_seconds=180, patience_seconds=120, threshold_seconds=20)
    assert 0 < under.service_level < 1 and under.p_abandon > 0.1


@settings(max_examples=60, deadline=None)
@given(calls=st.floats(min_value=1, max_value=400), agents=st.integers(min_value=1, max_value=40),
       patience=st.floats(min_value=5, max_value=900))
def test_erlang_a_stays_in_0_1_and_improves_with_every_agent(calls, agents, patience):
    one = erlang_a(agents, calls=calls, interval_seconds=1800, aht_seconds=180, patience_seconds=patience,
                   threshold_seconds=20)
    more = erlang_a(agents + 1, calls=calls, interval_seconds=1800, aht_seconds=180, patience_seconds=patience,
                    threshold_seconds=20)
    for x in (one.p_wait, one.p_abandon, one.service_level, one.occupancy):
        assert 0.0 <= x <= 1.0
    assert more.service_level >= one.service_level - 1e-9
    assert more.p_abandon <= one.p_abandon + 1e-9


@pytest.mark.django_db
def test_the_staffing_api_adds_erlang_a_with_a_patience(api, shape_a):
    body = api("supervisor1").get("/api/v1/calls/staffing/?calls=100&interval_minutes=30&aht_seconds=180"
                                   "&target=0.8&threshold_seconds=20&patience_seconds=120").json()
    rows = {r["agents"]: r for r in body["erlang_a"]}
    assert set(rows) == {r["agents"] for r in body["table"]}
    assert rows[14]["p_abandon"] > 0 and rows[14]["service_level"] > body["service_level"] - 0.05
    assert "erlang_a" not in api("supervisor1").get("/api/v1/calls/staffing/?calls=100&aht_seconds=180").json()
