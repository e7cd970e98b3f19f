"""Response-time distributions with their outcome: the arithmetic under the serving model's latency.

A :class:`Dist` is how long a component (or a call) takes to answer and *how* it answers: three
sub-distributions over time, one per outcome (``served``, ``degraded``: a fallback, a skipped
call or defaults stood in; ``failed``), plus the share that **hangs** (never answers). Their
masses sum to 1.

Two representations, chosen per value:

- **atoms**: a few point masses ``{(time, outcome): mass}``, exact. Constant service times
  (a component with only ``latency_p99_ms``), knock-outs and all-or-nothing timeouts stay
  here, so designs without a declared tail keep their exact figures (and need no NumPy).
- **grid**: masses on the points ``i * dt`` of a :class:`Grid` (NumPy arrays), for continuous
  service times (a shifted exponential fitted to p50 and p99) and queue waits. A continuous
  distribution puts on point ``i`` the mass of ``[(i - 1/2) dt, (i + 1/2) dt)``; sums are
  convolutions (FFT), the slowest of parallel calls is the product of their CDFs. Quantiles
  interpolate within a point's interval, so the error is at most ``dt / 2`` per operation; the
  grid is sized from the design (:func:`grid_for`) so that this is well under 1% of the slowest
  reach (under 0.5 ms on most designs).

Atoms turn into a grid when they meet one or grow past :data:`MAX_ATOMS`. Everything here is a
pure function of its inputs: same input, same figures.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # NumPy is imported only when a grid is needed (designs with declared tails)
    pass

S, D, F = 0, 1, 2  # outcomes: served, degraded, failed
MAX_ATOMS = 64
GRID_POINTS = 2048
TAIL = 1e-7  # mass left beyond a component's reach (:func:`reach`)
_LN50, _LN100, _LN2 = math.log(50), math.log(100), math.log(2)


@dataclass(frozen=True)
class Grid:
    """The time axis of grid distributions: ``n`` points ``0, dt, 2 dt, ...`` (milliseconds)."""

    dt: float
    n: int = GRID_POINTS


def grid_for(horizon_ms: float, n: int = GRID_POINTS) -> Grid:
    """A grid whose last point is at least ``horizon_ms`` (the slowest reach that matters)."""
    horizon = max(horizon_ms, 1e-3)
    return Grid(horizon / (n - 2), n)


class Dist:
    """A response-time distribution by outcome (see the module docstring). Immutable by convention."""

    __slots__ = ("_dt", "atoms", "g", "hang")

    def __init__(self, atoms: dict[tuple[float, int], float] | None, g: Any = None, hang: float = 0.0):
        self.atoms = atoms
        self.g = g  # numpy array (3, n) when on a grid
        self.hang = hang

    # -- reading ------------------------------------------------------------------------

    def mass(self, outcome: int) -> float:
        """The share of requests that end with ``outcome`` (hangs excluded)."""
        if self.atoms is not None:
            return sum(m for (_, o), m in self.atoms.items() if o == outcome)
        return float(self.g[outcome].sum())

    def shares(self) -> tuple[float, float, float]:
        """``(served, degraded, failed)``; a request that hangs counts as failed."""
        s, d, f = self.mass(S), self.mass(D), self.mass(F)
        total = s + d + f + self.hang
        if total <= 0:
            return 0.0, 0.0, 1.0
        return s / total, d / total, (f + self.hang) / total

    def exact(self) -> float | None:
        """The time when every answer comes at one exact instant (atoms), else None."""
        if self.atoms is None:
            return None
        times = {t for (t, o), m in self.atoms.items() if m > 0}
        return times.pop() if len(times) == 1 else None

    def quantile(self, q: float, outcomes: tuple[int, ...] = (S, D)) -> float | None:
        """The ``q`` quantile of the time of answers with these outcomes (None when there are none)."""
        if self.atoms is not None:
            items = sorted((t, m) for (t, o), m in self.atoms.items() if o in outcomes and m > 0)
            total = sum(m for _, m in items)
            if total <= 0:
                return None
            level, running = q * total * (1 - 1e-12), 0.0
            for t, m in items:
                running += m
                if running >= level:
                    return t
            return items[-1][0]
        import numpy as np

        pmf = self.g[list(outcomes)].sum(axis=0)
        cum = np.cumsum(pmf)
        total = float(cum[-1])
        if total <= 0:
            return None
        level = q * total
        i = int(np.searchsorted(cum, level * (1 - 1e-12)))
        i = min(i, len(cum) - 1)
        before = float(cum[i - 1]) if i > 0 else 0.0
        inside = (level - before) / float(pmf[i]) if pmf[i] > 0 else 0.5
        grid_dt = self._dt
        return max(0.0, (i - 0.5 + min(max(inside, 0.0), 1.0)) * grid_dt)

    def share_over(self, limit: float, outcomes: tuple[int, ...] = (S, D)) -> float:
        """The share of all requests that answer (with these outcomes) later than ``limit``, or hang."""
        if self.atoms is not None:
            late = sum(m for (t, o), m in self.atoms.items() if o in outcomes and t > limit + 1e-9)
            return late + self.hang
        pmf = self.g[list(outcomes)].sum(axis=0)
        x = limit / self._dt + 0.5  # point i covers [(i - 1/2) dt, (i + 1/2) dt)
        whole = int(math.floor(x))
        if whole >= len(pmf):
            return self.hang
        late = float(pmf[whole + 1 :].sum()) + float(pmf[whole]) * (1 - (x - whole)) if whole >= 0 else float(pmf.sum())
        return late + self.hang

    def mean(self) -> float:
        """Mean time of the requests that end (any outcome); infinite when some hang."""
        if self.hang > 1e-12:
            return math.inf
        if self.atoms is not None:
            total = sum(self.atoms.values())
            return sum(t * m for (t, _), m in self.atoms.items()) / total if total > 0 else 0.0
        import numpy as np

        pmf = self.g.sum(axis=0)
        total = float(pmf.sum())
        return float((pmf * np.arange(len(pmf))).sum()) * self._dt / total if total > 0 else 0.0

    _dt: float  # set on grid values (the grid's dt)


# -- making ---------------------------------------------------------------------------------


def point(t: float, outcome: int = S) -> Dist:
    """Every request answers at ``t`` with ``outcome`` (a constant)."""
    return Dist({(t, outcome): 1.0})


def hanging() -> Dist:
    """Nothing ever answers (a black-holed component)."""
    return Dist({}, hang=1.0)


def _on_grid(g: Any, hang: float, grid: Grid) -> Dist:
    d = Dist(None, g, hang)
    d._dt = grid.dt
    return d


def _empty(grid: Grid) -> Any:
    import numpy as np

    return np.zeros((3, grid.n))


def exponential_cdf_points(shift: float, scale: float, grid: Grid) -> Any:
    """Masses of a shifted exponential on the grid's points, its mean kept exactly.

    The mass of each interval ``[i dt, (i + 1) dt]`` is split between its two end points so that
    its conditional mean is kept (a queue's wait depends on the mean service time so steeply near
    saturation that rounding it would move the p99 by percents); the tail past the grid goes to
    the last point.
    """
    import numpy as np

    n, dt = grid.n, grid.dt
    low = np.maximum(np.arange(n - 1) * dt, shift)
    high = np.maximum(np.arange(1, n) * dt, shift)
    g_low = np.exp(-(low - shift) / scale)
    g_high = np.exp(-(high - shift) / scale)
    mass = g_low - g_high
    moment = (low + scale) * g_low - (high + scale) * g_high  # integral of t f(t) over the interval
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(mass > 0, moment / np.where(mass > 0, mass, 1.0), 0.0)
    upper = np.clip((mean - np.arange(n - 1) * dt) / dt, 0.0, 1.0) * mass
    out = np.zeros(n)
    out[:-1] += mass - upper
    out[1:] += upper
    out[-1] += g_high[-1]  # the tail past the grid
    return out


def fit_service(p50: float | None, p99: float) -> tuple[float, float] | None:
    """``(shift, scale)`` of the shifted exponential through (p50, p99); None without p50 (a constant).

    ``scale = (p99 - p50) / ln 50``, ``shift = p50 - scale * ln 2``; when that shift would be
    negative, a pure exponential with ``scale = p99 / ln 100``.
    """
    if p50 is None:
        return None
    scale = (p99 - p50) / _LN50
    shift = p50 - scale * _LN2
    if scale <= 0:
        return None  # p50 == p99: a constant
    if shift < 0:
        return 0.0, p99 / _LN100
    return shift, scale


def service(p50: float | None, p99: float, grid: Grid | None) -> Dist:
    """A component's own service time: constant at p99 without p50, else the fitted shifted exponential."""
    fit = fit_service(p50, p99)
    if fit is None or grid is None:
        return point(p99)
    g = _empty(grid)
    g[S] = exponential_cdf_points(fit[0], fit[1], grid)
    return _on_grid(g, 0.0, grid)


def queue_wait(p_wait: float, rate_per_ms: float, grid: Grid | None) -> Dist:
    """The M/M/n wait: 0 with probability ``1 - p_wait``, else exponential with ``rate_per_ms``."""
    if p_wait <= 1e-15 or grid is None:
        return point(0.0)
    g = _empty(grid)
    g[S] = p_wait * exponential_cdf_points(0.0, 1.0 / rate_per_ms, grid)
    g[S][0] += 1.0 - p_wait
    return _on_grid(g, 0.0, grid)


def _to_grid(d: Dist, grid: Grid) -> Any:
    if d.atoms is None:
        return d.g
    g = _empty(grid)
    for (t, o), m in d.atoms.items():
        i = min(int(round(t / grid.dt)), grid.n - 1)
        g[o, i] += m
    return g


def _merge(items: dict[tuple[float, int], float], t: float, o: int, m: float) -> None:
    if m > 0:
        key = (t, o)
        items[key] = items.get(key, 0.0) + m


# -- combining ------------------------------------------------------------------------------


def relabel(d: Dist, mapping: tuple[int, int, int]) -> Dist:
    """The same times with outcomes renamed (``mapping[old] = new``), e.g. a fallback's served -> degraded."""
    if d.atoms is not None:
        out: dict[tuple[float, int], float] = {}
        for (t, o), m in d.atoms.items():
            _merge(out, t, mapping[o], m)
        return Dist(out, hang=d.hang)
    g = d.g * 0.0
    for old in (S, D, F):
        g[mapping[old]] += d.g[old]
    return _on_grid(g, d.hang, _grid_of(d))


def _grid_of(d: Dist) -> Grid:
    return Grid(d._dt, d.g.shape[1])


def part(d: Dist, outcome: int) -> Dist:
    """Only the requests that end with ``outcome`` (a sub-distribution: its mass is their share)."""
    if d.atoms is not None:
        return Dist({k: m for k, m in d.atoms.items() if k[1] == outcome})
    g = d.g * 0.0
    g[outcome] = d.g[outcome]
    return _on_grid(g, 0.0, _grid_of(d))


def add(*ds: Dist, grid: Grid | None = None) -> Dist:
    """The sum of sub-distributions (a mixture whose weights are already in the masses)."""
    if all(d.atoms is not None for d in ds):
        out: dict[tuple[float, int], float] = {}
        for d in ds:
            for (t, o), m in d.atoms.items():  # type: ignore[union-attr]
                _merge(out, t, o, m)
        if len(out) <= MAX_ATOMS or grid is None:
            return Dist(out, hang=sum(d.hang for d in ds))
        return _on_grid(_to_grid(Dist(out), grid), sum(d.hang for d in ds), grid)
    grid = grid or next(_grid_of(d) for d in ds if d.atoms is None)
    g = _empty(grid)
    for d in ds:
        g += _to_grid(d, grid)
    return _on_grid(g, sum(d.hang for d in ds), grid)


def scale(d: Dist, weight: float) -> Dist:
    """Every mass times ``weight`` (for mixtures)."""
    if d.atoms is not None:
        return Dist({k: m * weight for k, m in d.atoms.items()}, hang=d.hang * weight)
    return _on_grid(d.g * weight, d.hang * weight, _grid_of(d))


def then(a: Dist, b: Dist, grid: Grid | None) -> Dist:
    """``a`` followed by ``b`` (independent): times add, the worse outcome wins.

    Outcomes: served + served = served; degraded on either side = degraded; failed on either side
    = failed; a hang on either side hangs. A failed part is not cut short: a request that fails
    early still takes the time of the calls after it (a margin), so the order of calls made one
    after another changes no figure.
    """
    hang = a.hang + (a.mass(S) + a.mass(D) + a.mass(F)) * b.hang
    if a.atoms is not None and b.atoms is not None:
        out: dict[tuple[float, int], float] = {}
        for (ta, oa), ma in a.atoms.items():
            for (tb, ob), mb in b.atoms.items():
                _merge(out, ta + tb, max(oa, ob), ma * mb)
        if len(out) <= MAX_ATOMS or grid is None:
            return Dist(out, hang=hang)
        return _on_grid(_to_grid(Dist(out), grid), hang, grid)
    assert grid is not None, "a grid distribution needs its grid"
    if b.atoms is not None and a.atoms is None and len(b.atoms) == 1 and b.hang == 0:
        (tb, ob), mb = next(iter(b.atoms.items()))
        return _shifted(a, tb, ob, mb, grid, hang)
    ga, gb = _to_grid(a, grid), _to_grid(b, grid)
    return _on_grid(_convolve_outcomes(ga, gb, grid.n), hang, grid)


def _convolve_outcomes(ga: Any, gb: Any, n: int) -> Any:
    """The outcome rule of :func:`then` on grids, with one FFT per non-empty part (not one per product)."""
    import numpy as np

    size = 1 << (2 * n - 1).bit_length()
    spectra: dict[tuple[int, int], Any] = {}

    def spectrum(which: int, g: Any, outcome: int) -> Any | None:
        key = (which, outcome)
        if key not in spectra:
            spectra[key] = np.fft.rfft(g[outcome], size) if g[outcome].any() else None
        return spectra[key]

    a_s, a_d, a_f = spectrum(0, ga, S), spectrum(0, ga, D), spectrum(0, ga, F)
    b_s, b_d, b_f = spectrum(1, gb, S), spectrum(1, gb, D), spectrum(1, gb, F)

    def product(*pairs: tuple[Any | None, Any | None]) -> Any | None:
        total = None
        for x, y in pairs:
            if x is not None and y is not None:
                total = x * y if total is None else total + x * y
        return total

    out = np.zeros((3, n))
    for outcome, spec in (
        (S, product((a_s, b_s))),
        (D, product((a_s, b_d), (a_d, b_s), (a_d, b_d))),
        (F, product((a_s, b_f), (a_d, b_f), (a_f, b_s), (a_f, b_d), (a_f, b_f))),
    ):
        if spec is not None:
            out[outcome] = np.fft.irfft(spec, size)[:n]
    np.maximum(out, 0.0, out=out)
    return out


def _shifted(a: Dist, t: float, outcome: int, mass: float, grid: Grid, hang: float) -> Dist:
    """``a`` followed by a single atom: a shift, the worse outcome winning (cheap, no FFT)."""
    import numpy as np

    k = int(round(t / grid.dt))
    parts = a.g * mass
    if k > 0:
        shifted = np.zeros_like(parts)
        if k < grid.n:
            shifted[:, k:] = parts[:, : grid.n - k]
            shifted[:, -1] += parts[:, grid.n - k :].sum(axis=1)
        else:
            shifted[:, -1] = parts.sum(axis=1)
        parts = shifted
    g = _empty(grid)
    for source in (S, D, F):
        g[max(source, outcome)] += parts[source]
    return _on_grid(g, hang, grid)


def _cdfs_atoms(d: Dist, times: list[float]) -> tuple[list[float], list[float], list[float]]:
    """CDFs of (served), (served or degraded), (anything answered) at ``times``, for atoms."""
    by_time: dict[float, list[float]] = {}
    for (t, o), m in d.atoms.items():  # type: ignore[union-attr]
        by_time.setdefault(t, [0.0, 0.0, 0.0])[o] += m
    cs, csd, ca = [], [], []
    s = sd = a = 0.0
    for t in times:
        if t in by_time:
            ms, md, mf = by_time[t]
            s, sd, a = s + ms, sd + ms + md, a + ms + md + mf
        cs.append(s)
        csd.append(sd)
        ca.append(a)
    return cs, csd, ca


def slowest(ds: list[Dist], powers: list[float] | None = None, grid: Grid | None = None) -> Dist:
    """The slowest of independent calls made together (a step), with the worst outcome.

    ``P(all done by t, all served) = prod C_S``; ``... none failed = prod C_SD``; ``... all done =
    prod C_all``; differences give the outcomes. ``powers[i]`` counts call ``i`` that many times
    (``per_request: k`` parallel copies: its CDFs to the power k).
    """
    powers = powers or [1.0] * len(ds)
    if len(ds) == 1 and powers[0] == 1.0:
        return ds[0]
    if all(d.atoms is not None for d in ds):
        times = sorted({t for d in ds for (t, _) in d.atoms})  # type: ignore[union-attr]
        if len(times) * 3 <= MAX_ATOMS or grid is None:
            ps = [1.0] * len(times)
            psd = [1.0] * len(times)
            pa = [1.0] * len(times)
            for d, k in zip(ds, powers):
                cs, csd, ca = _cdfs_atoms(d, times)
                for i in range(len(times)):
                    ps[i] *= cs[i] ** k
                    psd[i] *= csd[i] ** k
                    pa[i] *= ca[i] ** k
            out: dict[tuple[float, int], float] = {}
            prev = (0.0, 0.0, 0.0)
            for i, t in enumerate(times):
                s, sd, a = ps[i], psd[i], pa[i]
                _merge(out, t, S, s - prev[0])
                _merge(out, t, D, (sd - s) - (prev[1] - prev[0]))
                _merge(out, t, F, (a - sd) - (prev[2] - prev[1]))
                prev = (s, sd, a)
            hang = 1.0 - math.prod((1.0 - d.hang) ** k for d, k in zip(ds, powers))
            return Dist({k: m for k, m in out.items() if m > 1e-15}, hang=hang)
    import numpy as np

    assert grid is not None, "a grid distribution needs its grid"
    gs: Any = None  # numpy arrays (the names above hold lists)
    gsd: Any = None
    ga: Any = None
    for d, k in zip(ds, powers):
        g = _to_grid(d, grid)
        to_s: Any = np.cumsum(g[S])
        to_sd: Any = to_s + np.cumsum(g[D])
        to_a: Any = to_sd + np.cumsum(g[F])
        if k != 1.0:
            to_s, to_sd, to_a = to_s**k, to_sd**k, to_a**k
        gs = to_s if gs is None else gs * to_s
        gsd = to_sd if gsd is None else gsd * to_sd
        ga = to_a if ga is None else ga * to_a
    out_g = _empty(grid)
    out_g[S] = np.diff(gs, prepend=0.0)
    out_g[D] = np.diff(gsd - gs, prepend=0.0)
    out_g[F] = np.diff(ga - gsd, prepend=0.0)
    np.maximum(out_g, 0.0, out=out_g)
    hang = 1.0 - math.prod((1.0 - d.hang) ** k for d, k in zip(ds, powers))
    return _on_grid(out_g, hang, grid)


def hedged(d: Dist, delay: float, grid: Grid | None) -> Dist:
    """The first answer of two independent copies of ``d``, the second sent ``delay`` later.

    ``T = min(X1, delay + X2)`` with the outcome of the copy that answers first (the first on a tie);
    a hanging copy never answers, so only both hanging hangs (``hang ** 2``). Never later than ``d``.
    """
    if d.atoms is not None:
        out: dict[tuple[float, int], float] = {}
        items = list(d.atoms.items())
        for (t1, o1), m1 in items:
            for (t2, o2), m2 in items:
                if t1 <= delay + t2 + 1e-9:
                    _merge(out, t1, o1, m1 * m2)
                else:
                    _merge(out, delay + t2, o2, m1 * m2)
            _merge(out, t1, o1, m1 * d.hang)  # the second copy hangs
            _merge(out, delay + t1, o1, d.hang * m1)  # the first hangs: the second answers
        if len(out) <= MAX_ATOMS or grid is None:
            return Dist(out, hang=d.hang * d.hang)
        return _on_grid(_to_grid(Dist(out), grid), d.hang * d.hang, grid)
    import numpy as np

    grid = grid or _grid_of(d)
    g = d.g
    k = int(round(delay / grid.dt))
    second = np.zeros_like(g)
    if k < grid.n:
        second[:, k:] = g[:, : grid.n - k]
        second[:, -1] += g[:, grid.n - k :].sum(axis=1)
    else:
        second[:, -1] = g.sum(axis=1)
    first_total, second_total = g.sum(axis=0), second.sum(axis=0)
    first_later = d.hang + (first_total.sum() - np.cumsum(first_total))  # P(X1 > point i)
    second_not_before = d.hang + (second_total.sum() - np.cumsum(second_total)) + second_total  # P(X2' >= i)
    out_g = g * second_not_before + second * first_later
    return _on_grid(out_g, d.hang * d.hang, grid)


def quorum(ds: list[Dist], fatal: list[bool], k: int, grid: Grid | None) -> Dist:
    """A step whose calls run together and of which at least ``k`` must answer (``at_least``).

    ``ds`` are the calls' results before their ``on_failure`` (failed: got nothing); a ``fatal`` call
    (``on_failure: fail``) that fails fails the step whatever the others do. The step ends with the
    slowest call and is failed when a fatal call fails or more than ``n - k`` calls fail, served when
    every call is served, else degraded. By cumulative shares at each time: ``P(all done, ok) =`` the
    terms of ``prod_i (s_i + d_i + f_i x)`` (fatal calls without ``f_i x``) of degree at most ``n - k``.
    """
    most = len(ds) - k

    def split(cs: list[Any], csd: list[Any], ca: list[Any]) -> tuple[Any, Any, Any]:
        """From each call's cumulative (served, served or degraded, all): the step's three cumulatives."""
        served = sd_ok = every = None
        poly: list[Any] = []
        for i, (s, sd, a) in enumerate(zip(cs, csd, ca)):
            served = s if served is None else served * s
            every = a if every is None else every * a
            f = 0 * a if fatal[i] else a - sd
            if not poly:
                poly = [sd, f]
            else:
                poly = [
                    (poly[j] * sd if j < len(poly) else 0) + (poly[j - 1] * f if j >= 1 else 0)
                    for j in range(len(poly) + 1)
                ]
        sd_ok = sum(poly[: most + 1])
        return served, sd_ok, every

    hang = 1.0 - math.prod(1.0 - d.hang for d in ds)
    if all(d.atoms is not None for d in ds) and (
        grid is None or len({t for d in ds for (t, _) in d.atoms}) * 3 <= MAX_ATOMS  # type: ignore[union-attr]
    ):
        times = sorted({t for d in ds for (t, _) in d.atoms})  # type: ignore[union-attr]
        columns = [_cdfs_atoms(d, times) for d in ds]
        out: dict[tuple[float, int], float] = {}
        prev = (0.0, 0.0, 0.0)
        for i, t in enumerate(times):
            s, sd, a = split([c[0][i] for c in columns], [c[1][i] for c in columns], [c[2][i] for c in columns])
            _merge(out, t, S, s - prev[0])
            _merge(out, t, D, (sd - s) - (prev[1] - prev[0]))
            _merge(out, t, F, (a - sd) - (prev[2] - prev[1]))
            prev = (s, sd, a)
        return Dist({key: m for key, m in out.items() if m > 1e-15}, hang=hang)
    import numpy as np

    assert grid is not None, "a grid distribution needs its grid"
    cs, csd, ca = [], [], []
    for d in ds:
        g = _to_grid(d, grid)
        cs.append(np.cumsum(g[S]))
        csd.append(cs[-1] + np.cumsum(g[D]))
        ca.append(csd[-1] + np.cumsum(g[F]))
    s, sd, a = split(cs, csd, ca)
    out_g = _empty(grid)
    out_g[S] = np.diff(s, prepend=0.0)
    out_g[D] = np.diff(sd - s, prepend=0.0)
    out_g[F] = np.diff(a - sd, prepend=0.0)
    np.maximum(out_g, 0.0, out=out_g)
    return _on_grid(out_g, hang, grid)


def cut(d: Dist, timeout: float, grid: Grid | None) -> tuple[Dist, Dist]:
    """Split at ``timeout``: ``(the answers by then, the calls cut: failed at the timeout)``.

    Hanging requests are cut too. The second value's mass is the share cut.
    """
    if d.atoms is not None:
        kept: dict[tuple[float, int], float] = {}
        late = d.hang
        for (t, o), m in d.atoms.items():
            if t > timeout + 1e-9:
                late += m
            else:
                _merge(kept, t, o, m)
        return Dist(kept), Dist({(timeout, F): late} if late > 0 else {})
    x = timeout / grid.dt + 0.5  # type: ignore[union-attr]
    whole = int(math.floor(x))
    g = d.g.copy()
    late = d.hang
    if whole < g.shape[1]:
        frac = x - whole
        late += float(g[:, whole + 1 :].sum()) + float(g[:, whole].sum()) * (1 - frac)
        g[:, whole + 1 :] = 0.0
        g[:, whole] *= frac
    return _on_grid(g, 0.0, grid), Dist({(timeout, F): late} if late > 0 else {})  # type: ignore[arg-type]


def reach(shift: float, scale_ms: float, copies: float = 1.0) -> float:
    """How late a shifted exponential still has mass over ``TAIL`` (with ``copies`` parallel draws)."""
    return shift + scale_ms * math.log(max(copies, 1.0) / TAIL)


def erlang_c(servers: int, offered: float) -> float:
    """Erlang C: the chance an arrival waits in an M/M/n queue (``offered`` = lambda / mu < n).

    Exact by the Erlang B recursion up to 5,000 servers; beyond, the Halfin-Whitt
    approximation (within about 1% of it there; a pool that large waits only near saturation).
    """
    rho = offered / servers
    if rho >= 1:
        return 1.0
    if offered <= 0:
        return 0.0
    if servers <= 5_000:
        b = 1.0
        for k in range(1, servers + 1):
            b = offered * b / (k + offered * b)
        return b / (1 - rho * (1 - b))
    beta = (1 - rho) * math.sqrt(servers)
    if beta > 30:  # the chance of waiting is below 1e-190: none
        return 0.0
    phi = math.exp(-beta * beta / 2) / math.sqrt(2 * math.pi)
    big_phi = 0.5 * (1 + math.erf(beta / math.sqrt(2)))
    return 1.0 / (1.0 + beta * big_phi / phi)


__all__ = [
    "D",
    "F",
    "GRID_POINTS",
    "S",
    "Dist",
    "Grid",
    "add",
    "cut",
    "erlang_c",
    "fit_service",
    "grid_for",
    "hanging",
    "hedged",
    "part",
    "point",
    "queue_wait",
    "quorum",
    "reach",
    "relabel",
    "scale",
    "service",
    "slowest",
    "then",
]
