"""Erlang C staffing: how many agents a forecast needs to answer a share of calls within a threshold.

Written here because the formulas are short and the packages that offer them either pull in numpy
or overflow with factorials at a large center. Numerically stable for thousands of Erlangs: the
Erlang B blocking probability comes from the recursion ``B(n) = A·B(n-1) / (n + A·B(n-1))``, which
never forms ``A^N / N!``, and Erlang C follows from it.

- traffic ``A = calls × AHT / interval`` (Erlangs);
- ``P_wait = N·B / (N - A·(1 - B))`` for ``N > A`` (1 otherwise: the queue grows without end);
- service level ``= 1 - P_wait · e^(-(N - A)·T / AHT)``;
- ASA ``= P_wait · AHT / (N - A)``; occupancy ``= A / N``.
"""

import math
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Staffing:
    agents: int
    traffic: float
    p_wait: float
    service_level: float
    asa_seconds: float
    occupancy: float

    def as_dict(self) -> dict:
        return {k: round(v, 4) if isinstance(v, float) else v for k, v in asdict(self).items()}


def traffic(calls: float, aht_seconds: float, interval_seconds: float) -> float:
    if calls < 0 or aht_seconds <= 0 or interval_seconds <= 0:
        raise ValueError("calls must be ≥ 0, AHT and the interval > 0")
    return calls * aht_seconds / interval_seconds


def erlang_b(agents: int, a: float) -> float:
    b = 1.0
    for n in range(1, agents + 1):
        b = a * b / (n + a * b)
    return b


def erlang_c(agents: int, a: float) -> float:
    """The probability that a call waits (Erlang C)."""
    if agents <= a:
        return 1.0
    if a == 0:
        return 0.0
    b = erlang_b(agents, a)
    return agents * b / (agents - a * (1 - b))


def staffing_for(agents: int, a: float, *, aht_seconds: float, threshold_seconds: float) -> Staffing:
    p_wait = erlang_c(agents, a)
    if agents <= a:
        return Staffing(agents, a, 1.0, 0.0, math.inf, 1.0 if agents else 0.0)
    service_level = 1 - p_wait * math.exp(-(agents - a) * threshold_seconds / aht_seconds)
    asa = p_wait * aht_seconds / (agents - a)
    return Staffing(agents, a, p_wait, min(max(service_level, 0.0), 1.0), asa, a / agents)


def agents_needed(*, calls: float, interval_seconds: float, aht_seconds: float, target: float,
                  threshold_seconds: float, max_agents: int = 20_000) -> Staffing:
    """The fewest agents whose service level reaches ``target``."""
    if not 0 < target < 1:
        raise ValueError("the target is a share between 0 and 1")
    a = traffic(calls, aht_seconds, interval_seconds)
    n = max(math.floor(a) + 1, 1)
    while n <= max_agents:
        result = staffing_for(n, a, aht_seconds=aht_seconds, threshold_seconds=threshold_seconds)
        if result.service_level >= target:
            return result
        n += 1
    raise ValueError("more than the maximum number of agents would be needed")


def scheduled_staff(agents: int, shrinkage: float) -> int:
    """Agents on the phones → staff to schedule, given the share lost to breaks, training, absence."""
    if not 0 <= shrinkage < 1:
        raise ValueError("shrinkage is a share between 0 and 1")
    return math.ceil(agents / (1 - shrinkage) - 1e-9)
