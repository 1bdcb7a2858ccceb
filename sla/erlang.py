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


@dataclass(frozen=True)
class StaffingA:
    """Erlang A (M/M/N+M): callers hang up after an exponential patience."""

    agents: int
    traffic: float
    p_wait: float
    p_abandon: float
    service_level: float  # answered within the threshold / all callers (abandons count against)
    occupancy: float

    def as_dict(self) -> dict:
        return {k: round(v, 4) if isinstance(v, float) else v for k, v in asdict(self).items()}


def erlang_a(agents: int, *, calls: float, interval_seconds: float, aht_seconds: float, patience_seconds: float,
             threshold_seconds: float) -> StaffingA:
    """Erlang A by the birth-death chain of the system (log space, truncated where it is negligible)
    and, for a caller who has to queue behind ``j`` others, the chance of being answered within the
    threshold before hanging up, by uniformization of that caller's own chain. Exact up to the
    truncation (1e-12)."""
    if agents < 1 or patience_seconds <= 0:
        raise ValueError("at least one agent, and a patience above 0")
    lam, mu, theta = calls / interval_seconds, 1 / aht_seconds, 1 / patience_seconds
    a = lam / mu
    # Stationary distribution of the number in the system, log-scaled to avoid overflow.
    logs, k, log_p, peak = [0.0], 0, 0.0, 0.0
    while True:
        k += 1
        death = min(k, agents) * mu + max(k - agents, 0) * theta
        log_p += math.log(lam / death) if lam > 0 else -math.inf
        logs.append(log_p)
        peak = max(peak, log_p)
        if k > agents and log_p < peak - 28:  # e^-28 ≈ 7e-13 of the largest term, and falling
            break
        if lam == 0:
            break
    top = max(logs)
    weights = [math.exp(v - top) for v in logs]
    total = sum(weights)
    p = [w / total for w in weights]
    queue_states = p[agents:]
    p_wait = sum(queue_states)
    # u[j]: answered within T having j callers ahead (uniformized pure-death chain with killing).
    j_max = len(queue_states)
    ahead = [agents * mu + j * theta for j in range(j_max)]  # rate at which the queue ahead moves up
    rates = [r + theta for r in ahead]  # ... or this caller hangs up
    big = max(rates) if rates else 1.0
    t = threshold_seconds
    within = [0.0] * j_max
    if j_max and t > 0:
        w = [0.0] * j_max
        n, weight = 0, math.exp(-big * t)
        cumulative = weight
        while True:
            w = [(ahead[j] / big) * (1.0 if j == 0 else w[j - 1]) + (1 - rates[j] / big) * w[j] for j in range(j_max)]
            n += 1
            weight *= big * t / n
            cumulative += weight
            within = [u + weight * v for u, v in zip(within, w, strict=True)]
            if 1 - cumulative < 1e-12 or n > 100_000:
                break
    answered_ever = []
    product = 1.0
    for j in range(j_max):
        product *= ahead[j] / rates[j]
        answered_ever.append(product)
    p_abandon = sum(q * (1 - e) for q, e in zip(queue_states, answered_ever, strict=True))
    service_level = sum(p[:agents]) + sum(q * u for q, u in zip(queue_states, within, strict=True))
    occupancy = min(a * (1 - p_abandon) / agents, 1.0)
    return StaffingA(agents, a, min(max(p_wait, 0.0), 1.0), min(max(p_abandon, 0.0), 1.0),
                     min(max(service_level, 0.0), 1.0), occupancy)
