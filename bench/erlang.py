"""Erlang A timing: ``GET /api/v1/calls/staffing/`` with a patience (the Erlang C search for the
target, then Erlang C and Erlang A for each row of the table) beside the same request without one
(Erlang C only), measured in the same run, for centers of 10 to 5,000 agents and thresholds of
15 to 600 seconds.

Each center's traffic is the load that Erlang C staffs with exactly that many agents for 80 % of
calls within 20 s (square-root staffing: 67 % occupancy at 10 agents, 99 % at 5,000, as real
centers of those sizes run); AHT 180 s, patience 120 s, 30-minute intervals. The view is called
through DRF's request factory, so the figure is server time without the network or a database.

Printed by ``make bench-calls`` (``bench/calls_import.py``), or alone: ``python bench/erlang.py``.
"""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicecenter.settings.test")

CENTERS = (10, 50, 100, 500, 1000, 2000, 5000)
THRESHOLDS = (15, 60, 300, 600)
AHT, PATIENCE, INTERVAL_MINUTES, TARGET = 180, 120, 30, 0.8


def traffic_for(agents: int) -> float:
    """The largest traffic (Erlangs, to 0.01) that Erlang C staffs with ``agents`` for 80 % in 20 s."""
    from calls.erlang import agents_needed

    low, high = 0.0, float(agents)
    while high - low > 0.01:
        middle = (low + high) / 2
        need = agents_needed(calls=middle * INTERVAL_MINUTES * 60 / AHT, interval_seconds=INTERVAL_MINUTES * 60,
                             aht_seconds=AHT, target=TARGET, threshold_seconds=20).agents
        low, high = (middle, high) if need <= agents else (low, middle)
    return round(low, 2)


def _timed(view, factory, user, query: str, seconds: float = 0.3, at_least: int = 3):
    """Median server time of the view over repeated calls (at least ``at_least``, about ``seconds``)."""
    from rest_framework.test import force_authenticate

    times, body = [], None
    began = time.perf_counter()
    while len(times) < at_least or time.perf_counter() - began < seconds:
        request = factory.get(f"/api/v1/calls/staffing/?{query}")
        force_authenticate(request, user=user)
        start = time.perf_counter()
        response = view(request)
        response.render()
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, response.content
        body = response.data
    return statistics.median(times), body


def erlang_table(*, out=print) -> None:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from rest_framework.test import APIRequestFactory

    from sla.api.views import StaffingView

    view, factory = StaffingView.as_view(), APIRequestFactory()
    user = get_user_model()(username="bench")  # never saved: the view asks only that someone is signed in
    out("\nErlang A: GET /api/v1/calls/staffing/ with patience_seconds (the agents search, then Erlang C and "
        f"Erlang A for each row) beside the same request without it (Erlang C only); AHT {AHT} s, "
        f"patience {PATIENCE} s, target {TARGET:.0%}, median server ms")
    out(f"{'center':>6} {'traffic':>8} {'T (s)':>5} {'agents':>6} {'occup.':>6} {'rows':>4} {'SL C':>7} {'SL A':>7} "
        f"{'aband.':>7} {'ms C':>7} {'ms C+A':>7} {'ratio':>6}")
    slowest = 0.0
    for agents in CENTERS:
        a = traffic_for(agents)
        calls = a * INTERVAL_MINUTES * 60 / AHT
        for threshold in THRESHOLDS:
            query = (f"calls={calls}&interval_minutes={INTERVAL_MINUTES}&aht_seconds={AHT}&target={TARGET}"
                     f"&threshold_seconds={threshold}")
            plain, body_c = _timed(view, factory, user, query)
            with_a, body_a = _timed(view, factory, user, f"{query}&patience_seconds={PATIENCE}")
            slowest = max(slowest, with_a)
            best = next(r for r in body_a["erlang_a"] if r["agents"] == body_a["agents"])
            out(f"{agents:>6} {a:>8.2f} {threshold:>5} {body_c['agents']:>6} {body_c['occupancy']:>6.3f} "
                f"{len(body_a['table']):>4} {body_c['service_level']:>7.4f} {best['service_level']:>7.4f} "
                f"{best['p_abandon']:>7.4f} {plain * 1000:>7.2f} {with_a * 1000:>7.2f} {with_a / plain:>6.2f}")
    out(f"slowest answer with Erlang A: {slowest * 1000:.1f} ms (SL A: answered within T / all callers, "
        "abandons count against; aband.: share of callers who hang up)")


if __name__ == "__main__":
    erlang_table()
