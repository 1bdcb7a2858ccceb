"""Staffing: how many agents a forecast needs to answer a share of calls within a threshold.

Written here, not taken from a package: the formulas are short, the packages that offer Erlang C
pull in numpy or overflow with factorials at a large center, and none offers Erlang A's
waiting-time distribution. scipy would give the regularized incomplete gamma function, which is one
way to write Erlang A (below), but it is a large compiled dependency for one integral, and the
route taken here needs no special function at all; mpmath is exact but slow and unwanted.

**Erlang C** (M/M/N, callers never hang up). Numerically stable for thousands of Erlangs: the Erlang
B blocking probability comes from the recursion ``B(n) = A·B(n-1) / (n + A·B(n-1))``, which never
forms ``A^N / N!``, and Erlang C follows from it.

- traffic ``A = calls × AHT / interval`` (Erlangs);
- ``P_wait = N·B / (N - A·(1 - B))`` for ``N > A`` (1 otherwise: the queue grows without end);
- service level ``= 1 - P_wait · e^(-(N - A)·T / AHT)``;
- ASA ``= P_wait · AHT / (N - A)``; occupancy ``= A / N``.

**Erlang A** (M/M/N+M, Palm's queue: every caller hangs up after an exponential patience of mean
``1/θ``). Arrivals ``λ``, service rate ``μ = 1/AHT``, ``N`` agents; write ``x = Nμ/θ``, ``y = λ/θ``.

A caller who arrives to find ``j`` callers queueing (PASTA: with the stationary probability
``π(N+j) = π(N)·y^j / ((x+1)…(x+j))``) is offered the wait ``V`` = a sum of exponentials of rates
``θ(x+i)``, ``i = 0…j`` (the ``j`` ahead leave by service or by hanging up, then an agent frees).
Its Laplace transform shows that ``e^(-θV)`` is Beta(x, j+1)-distributed, and summing over ``j``
with the weights above turns the Beta densities into one exponential (``Σ y^j (1-u)^j / j! =
e^(y(1-u))``). With ``s = θ·V``:

- ``P(wait) = B·Â / D``, ``Â = x ∫_0^∞ e^(φ_x(s)) ds``, ``φ_p(s) = -p·s + y·(1 - e^(-s))``;
- ``P(answered within T, having waited) = B·x ∫_0^(θT) e^(φ_(x+1)(s)) ds / D``: the extra ``e^(-s)``
  is the chance that the caller's own patience outlasts the offered wait;
- ``P(abandon) = B·x ∫_0^∞ e^(φ_x(s))·(1 - e^(-s)) ds / D``;
- ``D = 1 - B + B·Â`` with ``B`` Erlang B of ``N`` and ``A`` (the states below ``N`` are those of
  the loss system); the service level is ``(1 - B)/D`` plus the second line (abandons count
  against it: answered within T / all callers).

(In gamma-function form these are the known formulas of Mandelbaum and Zeltyn for the Palm/Erlang-A
queue: ``∫_0^(θT) e^(φ_(x+1))`` is ``e^y·y^-(x+1)·(G(x+1, y) - G(x+1, y·e^(-θT)))`` with ``G`` the
lower incomplete gamma function.)

Every integrand is ``e^φ`` with ``φ`` concave (``φ'' = -y·e^(-s)``, and ``log(1 - e^(-s))`` is
concave), so each integral is computed in log space: find the maximum of ``φ`` on the interval,
take the scale on which ``φ`` moves by one there, and sum 20-point Gauss–Legendre panels of
doubling width outwards from the maximum until ``φ`` has fallen by 46 (a factor 10^-20), all with
``e^(φ - max φ)``. Nothing underflows or overflows (a center of 20,000 agents with a patience of
ten hours has ``x`` near 10^9), the cost does not grow with the threshold, the patience or the
size of the center (a few hundred evaluations of ``φ`` per integral; Erlang B is ``O(N)``), the
service level is an integral of a positive function up to ``θT`` (non-decreasing in the threshold,
up to rounding), and a patience that tends to infinity gives Erlang C back. The figures agree with
the exact birth-death chain to about 10^-13 on small centers, where that chain can be run, and with
a discrete-event simulation within its noise on large ones (``tests/sla/test_erlang.py``).

(The method this replaced uniformized the waiting caller's chain: its first Poisson weight
``e^(-rate·T)`` underflows to 0 once ``rate·T`` passes 745, at long thresholds or large centers, and
the service level then collapsed to ``1 - P(wait)`` after 100,000 slow steps.)
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
    if not (calls >= 0 and aht_seconds > 0 and interval_seconds > 0):  # also refuses NaN
        raise ValueError("calls must be ≥ 0, AHT and the interval > 0")
    a = calls * aht_seconds / interval_seconds
    if not math.isfinite(a):
        raise ValueError("the traffic is not a finite number")
    return a


def erlang_b(agents: int, a: float) -> float:
    b = 1.0
    for n in range(1, agents + 1):
        b = a * b / (n + a * b)
    return b


def erlang_c(agents: int, a: float) -> float:
    """The probability that a call waits (Erlang C)."""
    return _erlang_c_from_b(agents, a, erlang_b(agents, a))


def _erlang_c_from_b(agents: int, a: float, b: float) -> float:
    if agents <= a:
        return 1.0
    if a == 0:
        return 0.0
    return agents * b / (agents - a * (1 - b))


def staffing_for(agents: int, a: float, *, aht_seconds: float, threshold_seconds: float) -> Staffing:
    return _staffing(agents, a, erlang_b(agents, a), aht_seconds=aht_seconds, threshold_seconds=threshold_seconds)


def _staffing(agents: int, a: float, b: float, *, aht_seconds: float, threshold_seconds: float) -> Staffing:
    p_wait = _erlang_c_from_b(agents, a, b)
    if agents <= a:
        return Staffing(agents, a, 1.0, 0.0, math.inf, 1.0 if agents else 0.0)
    service_level = 1 - p_wait * math.exp(-(agents - a) * threshold_seconds / aht_seconds)
    asa = p_wait * aht_seconds / (agents - a)
    return Staffing(agents, a, p_wait, min(max(service_level, 0.0), 1.0), asa, a / agents)


def agents_needed(*, calls: float, interval_seconds: float, aht_seconds: float, target: float,
                  threshold_seconds: float, max_agents: int = 20_000) -> Staffing:
    """The fewest agents whose service level reaches ``target`` (Erlang C). Erlang B is carried from
    one number of agents to the next, so the search costs ``O(N)`` however far it goes."""
    if not 0 < target < 1:
        raise ValueError("the target is a share between 0 and 1")
    if not threshold_seconds >= 0:
        raise ValueError("the threshold is ≥ 0 seconds")
    a = traffic(calls, aht_seconds, interval_seconds)
    if a >= max_agents:
        raise ValueError("more than the maximum number of agents would be needed")
    n = max(math.floor(a) + 1, 1)
    b = erlang_b(n, a)
    while n <= max_agents:
        result = _staffing(n, a, b, aht_seconds=aht_seconds, threshold_seconds=threshold_seconds)
        if result.service_level >= target:
            return result
        n += 1
        b = a * b / (n + a * b)
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
    """Erlang A for ``agents`` agents: the chance to wait, to hang up, and to be answered within the
    threshold (over all callers), by the integrals of the module's docstring, in log space."""
    if agents < 1:
        raise ValueError("at least one agent")
    a = traffic(calls, aht_seconds, interval_seconds)
    return _erlang_a(agents, a, _log_erlang_b(agents, a), aht_seconds=aht_seconds, patience_seconds=patience_seconds,
                     threshold_seconds=threshold_seconds)


def _erlang_a(agents: int, a: float, log_b: float, *, aht_seconds: float, patience_seconds: float,
              threshold_seconds: float) -> StaffingA:
    if not patience_seconds > 0 or not threshold_seconds >= 0:
        raise ValueError("a patience above 0 and a threshold ≥ 0")
    mu, theta = 1 / aht_seconds, 1 / patience_seconds
    x, y = agents * mu / theta, a * mu / theta
    if not (math.isfinite(x) and math.isfinite(y)):
        raise ValueError("the patience or the traffic is out of range")
    if log_b == -math.inf:  # no traffic: nobody waits
        return StaffingA(agents, a, 0.0, 0.0, 1.0, 0.0)
    log_1_b = math.log(-math.expm1(log_b)) if log_b < -1e-300 else -math.inf
    log_x = math.log(x)
    log_b_a = log_b + log_x + _log_integral(_phi(x, y), 0.0, math.inf)  # log(B·Â)
    log_d = _log_add(log_1_b, log_b_a)
    p_wait = math.exp(log_b_a - log_d)
    p_no_wait = math.exp(log_1_b - log_d)
    within = math.exp(log_b + log_x + _log_integral(_phi(x + 1, y), 0.0, theta * threshold_seconds) - log_d)
    p_abandon = math.exp(log_b + log_x + _log_integral(_phi(x, y, hang_up=True), 0.0, math.inf) - log_d)
    p_abandon = min(max(p_abandon, 0.0), 1.0)
    occupancy = min(a * (1 - p_abandon) / agents, 1.0)
    return StaffingA(agents, a, min(max(p_wait, 0.0), 1.0), p_abandon,
                     min(max(p_no_wait + within, 0.0), 1.0), occupancy)


@dataclass(frozen=True)
class Plan:
    """What the staffing API and the planner on ``/calls/`` show: the fewest agents for the target
    (Erlang C), the staff to schedule, and a table around that number, with Erlang A beside each row
    when a patience is given."""

    best: Staffing
    scheduled: int
    rows: list  # [(Staffing, StaffingA | None)]


def staffing_plan(*, calls: float, interval_seconds: float, aht_seconds: float, target: float,
                  threshold_seconds: float, shrinkage: float = 0.0, patience_seconds: float | None = None,
                  below: int = 4, above: int = 5, max_agents: int = 20_000) -> Plan:
    """``agents_needed``, then rows from ``below`` under to ``above`` over it (never at or under the
    traffic, where Erlang C has no steady state). Erlang B is computed once and carried along the rows."""
    best = agents_needed(calls=calls, interval_seconds=interval_seconds, aht_seconds=aht_seconds, target=target,
                         threshold_seconds=threshold_seconds, max_agents=max_agents)
    a = best.traffic
    low = max(math.floor(a) + 1, best.agents - below, 1)
    b = erlang_b(low, a)
    log_b = _log_erlang_b(low, a) if patience_seconds else None
    rows = []
    for n in range(low, best.agents + above + 1):
        if n > low:
            b = a * b / (n + a * b)
            if log_b is not None:
                log_b = (math.log(a) + log_b - math.log(n + a * math.exp(log_b))) if log_b > -math.inf else log_b
        c = _staffing(n, a, b, aht_seconds=aht_seconds, threshold_seconds=threshold_seconds)
        e = (_erlang_a(n, a, log_b, aht_seconds=aht_seconds, patience_seconds=patience_seconds,
                       threshold_seconds=threshold_seconds) if log_b is not None else None)
        rows.append((c, e))
    return Plan(best=best, scheduled=scheduled_staff(best.agents, shrinkage), rows=rows)


def _log_erlang_b(agents: int, a: float) -> float:
    """log B(N, A), by the recursion of ``1/B``: ``1/B(n) = 1 + (n/A)·1/B(n-1)``, kept scaled so that
    it never overflows (``B`` itself may be far below the smallest double)."""
    if a <= 0:
        return -math.inf
    inverse_a = 1.0 / a
    r, one, log_scale = 1.0, 1.0, 0.0
    for n in range(1, agents + 1):
        r = r * n * inverse_a + one
        if r > 1e280:
            r *= 1e-280
            one *= 1e-280
            log_scale += 280 * math.log(10)
    return -(math.log(r) + log_scale)


def _log_add(p: float, q: float) -> float:
    if p == -math.inf:
        return q
    if q == -math.inf:
        return p
    top = max(p, q)
    return top + math.log1p(math.exp(-abs(p - q)))


class _phi:
    """``φ(s) = -p·s + y·(1 - e^(-s))`` [``+ log(1 - e^(-s))`` for the callers who hang up], concave,
    with its first two derivatives and its maximum over ``[0, ∞)``."""

    __slots__ = ("hang_up", "p", "y")

    def __init__(self, p: float, y: float, *, hang_up: bool = False):
        self.p, self.y, self.hang_up = p, y, hang_up

    def __call__(self, s: float) -> float:
        value = -self.p * s - self.y * math.expm1(-s)
        if self.hang_up:
            value += math.log(-math.expm1(-s)) if s > 0 else -math.inf
        return value

    def slope(self, s: float) -> float:
        d = -self.p + self.y * math.exp(-s)
        if self.hang_up:
            d += 1 / math.expm1(s) if s > 0 else math.inf
        return d

    def curvature(self, s: float) -> float:
        d2 = -self.y * math.exp(-s)
        if self.hang_up and s > 0:
            d2 -= 1 / (math.expm1(s) * -math.expm1(-s)) if s < 700 else 0.0
        return d2

    def peak(self) -> float:
        if not self.hang_up:
            return math.log(self.y / self.p) if self.y > self.p else 0.0
        # φ' falls from +∞ to -p: bisect between two points where its sign is known.
        low = math.log1p(1 / self.p)  # 1/(e^s - 1) ≥ p below it, so φ' > 0
        high = max(math.log1p(2 / self.p), math.log(2 * self.y / self.p) if self.y > 0 else 0.0)
        for _ in range(200):
            middle = 0.5 * (low + high)
            if self.slope(middle) > 0:
                low = middle
            else:
                high = middle
            if high - low <= 1e-12 * high:
                break
        return 0.5 * (low + high)


def _gauss_legendre(order: int) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Nodes and weights on [-1, 1] (Newton on the Legendre polynomial)."""
    nodes, weights = [], []
    for i in range(1, order + 1):
        t = math.cos(math.pi * (i - 0.25) / (order + 0.5))
        for _ in range(100):
            p0, p1 = 1.0, t
            for k in range(2, order + 1):
                p0, p1 = p1, ((2 * k - 1) * t * p1 - (k - 1) * p0) / k
            dp = order * (t * p1 - p0) / (t * t - 1)
            step = p1 / dp
            t -= step
            if abs(step) < 1e-16:
                break
        p0, p1 = 1.0, t
        for k in range(2, order + 1):
            p0, p1 = p1, ((2 * k - 1) * t * p1 - (k - 1) * p0) / k
        dp = order * (t * p1 - p0) / (t * t - 1)
        nodes.append(t)
        weights.append(2 / ((1 - t * t) * dp * dp))
    return tuple(nodes), tuple(weights)


_NODES, _WEIGHTS = _gauss_legendre(20)
_DROP = 46.0  # e^-46 ≈ 10^-20 of the largest value of the integrand: nothing a double would keep
_MAX_PANELS = 200


def _log_integral(phi: _phi, low: float, high: float) -> float:
    """``log ∫_low^high e^φ(s) ds`` for a concave ``φ`` (see the module's docstring)."""
    if not high > low:
        return -math.inf
    peak = min(max(phi.peak(), low), high)
    top = phi(peak)
    if top == -math.inf:  # only at s = 0 for the hang-up integrand, whose peak is never there
        peak = low + (high - low) * 1e-9 if math.isfinite(high) else low + 1e-9
        top = phi(peak)
    scale = 1 / max(abs(phi.slope(peak)) if peak in (low, high) else 0.0, math.sqrt(-phi.curvature(peak)), 1e-300)
    total = 0.0
    for end, direction in ((high, 1.0), (low, -1.0)):
        if (end - peak) * direction <= 0:
            continue
        start, width = peak, scale
        for _ in range(_MAX_PANELS):
            stop = peak + direction * width
            if (stop - end) * direction >= 0:
                stop = end
            half, middle = 0.5 * (stop - start), 0.5 * (stop + start)
            total += abs(half) * sum(w * math.exp(phi(middle + half * t) - top)
                                     for t, w in zip(_NODES, _WEIGHTS, strict=True))
            if stop == end or phi(stop) - top < -_DROP:
                break
            start, width = stop, 2 * width
    return top + math.log(total) if total > 0 else -math.inf
