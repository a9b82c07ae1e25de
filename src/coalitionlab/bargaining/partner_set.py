"""Model 2: choosing a set of partners (model 1 extended to many candidates).

The coalition ``S`` wins with the contest success function ``p(S) = K(S)^r / (K(S)^r + T^r)``,
``K(S) = lead_strength + sum_{i in S} k_i``. Each member ``i`` adds ``Delta_i(S) = p(S) - p(S - i)``
and, as in model 1, joins iff ``a_i Delta_i(S) + p(S) s_i >= c_i``, so the smallest concession is
``s_i(S) = max(0, c_i - a_i Delta_i(S)) / p(S)``, delivered if the coalition wins. The lead picks

    S* = argmax_S  p(S) (1 + omega sigma) - sum_{i in S} max(0, c_i - a_i Delta_i(S)) / eta.

Exact enumeration covers all ``2^n`` subsets for ``n <= 20``, vectorised over bit matrices in
chunks (ties go to the higher win probability); beyond that, a local search (greedy start, then
add / drop / swap moves, with seeded random restarts). Because the cost term does not depend on
``sigma``, the chosen coalition's win probability never falls as insecurity rises (monotone
comparative statics; tested).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from coalitionlab._validation import check_option
from coalitionlab.bargaining.params import PartnerSetParams
from coalitionlab.errors import InfeasibleError

Method = Literal["auto", "exact", "local"]
EXACT_LIMIT = 20
_CHUNK_ROWS = 1 << 15  # subsets per chunk: bounded memory (n <= 20 -> <= 5 MB of bits per chunk)


@dataclass(frozen=True)
class PartnerSetSolution:
    """The chosen coalition.

    Attributes
    ----------
    members : tuple of int
        Indices of the chosen candidates (0-based, sorted).
    win_probability : float
        ``p(S*)``.
    lead_utility : float
        The lead's utility at ``S*``.
    concessions : numpy.ndarray
        Each candidate's concession ``s_i(S*)`` (0 for non-members).
    method : str
        ``"exact"`` or ``"local"``.
    """

    members: tuple[int, ...]
    win_probability: float
    lead_utility: float
    concessions: np.ndarray
    method: str


def _evaluate(bits: np.ndarray, prm: PartnerSetParams, k: np.ndarray, c: np.ndarray, a: np.ndarray):
    """Lead utility and win probability of each row of a 0/1 matrix (rows = subsets)."""
    r, t_r = prm.r, prm.target_strength**prm.r
    strength = prm.lead_strength + bits @ k
    kr = strength**r
    p = kr / (kr + t_r)
    without = np.maximum(strength[:, None] - k[None, :], 0.0) ** r
    delta = p[:, None] - without / (without + t_r)
    shortfall = np.maximum(c[None, :] - a[None, :] * delta, 0.0) * bits
    stake = 1.0 + prm.omega * prm.sigma
    return p * stake - shortfall.sum(axis=1) / prm.eta, p


def _arrays(prm: PartnerSetParams) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return (np.asarray(prm.strengths, float), np.asarray(prm.costs, float), np.asarray(prm.affinities, float))


def _better(v: float, p: float, best_v: float, best_p: float) -> bool:
    tol = 1e-12 * max(1.0, abs(best_v))
    return v > best_v + tol or (abs(v - best_v) <= tol and p > best_p + 1e-15)


def _exact(prm: PartnerSetParams) -> np.ndarray:
    k, c, a = _arrays(prm)
    n = prm.n
    shifts = np.arange(n, dtype=np.int64)
    best = (-np.inf, -np.inf, 0)
    for start in range(0, 1 << n, _CHUNK_ROWS):
        codes = np.arange(start, min(1 << n, start + _CHUNK_ROWS), dtype=np.int64)
        bits = ((codes[:, None] >> shifts) & 1).astype(np.float64)
        v, p = _evaluate(bits, prm, k, c, a)
        top = np.flatnonzero(v >= v.max() - 1e-12 * max(1.0, abs(v.max())))
        j = top[np.argmax(p[top])]
        if _better(v[j], p[j], best[0], best[1]):
            best = (float(v[j]), float(p[j]), int(codes[j]))
    return ((best[2] >> shifts) & 1).astype(bool)


def _local(prm: PartnerSetParams, rng: np.random.Generator, restarts: int) -> np.ndarray:
    k, c, a = _arrays(prm)
    n = prm.n
    eye = np.eye(n, dtype=np.float64)

    def climb(x: np.ndarray) -> tuple[np.ndarray, float, float]:
        v, p = (float(z[0]) for z in _evaluate(x[None, :], prm, k, c, a))
        while True:
            flips = np.abs(x[None, :] - eye)  # every add or drop
            ins, outs = np.flatnonzero(x == 0), np.flatnonzero(x == 1)
            if len(ins) and len(outs):  # every swap of one member for one outsider
                ii, oo = np.meshgrid(ins, outs, indexing="ij")
                swaps = np.repeat(x[None, :], ii.size, axis=0)
                rows = np.arange(ii.size)
                swaps[rows, ii.ravel()] = 1.0
                swaps[rows, oo.ravel()] = 0.0
                moves = np.vstack([flips, swaps])
            else:
                moves = flips
            mv, mp = _evaluate(moves, prm, k, c, a)
            j = int(np.argmax(mv))
            if not _better(float(mv[j]), float(mp[j]), v, p):
                return x, v, p
            x, v, p = moves[j].copy(), float(mv[j]), float(mp[j])

    starts = [np.zeros(n), np.ones(n)] + [(rng.random(n) < 0.5).astype(float) for _ in range(restarts)]
    best_x, best_v, best_p = None, -np.inf, -np.inf
    for x0 in starts:
        x, v, p = climb(x0)
        if _better(v, p, best_v, best_p):
            best_x, best_v, best_p = x, v, p
    return best_x.astype(bool)


def choose_partners(
    params: PartnerSetParams,
    *,
    method: Method = "auto",
    seed: int | np.random.Generator | None = None,
    restarts: int = 8,
) -> PartnerSetSolution:
    """Choose the lead's coalition among ``params.n`` candidates.

    Parameters
    ----------
    params
        Strengths, costs, affinities and the lead's stakes.
    method
        ``"exact"`` (all ``2^n`` subsets, ``n <= 20``), ``"local"`` (local search) or ``"auto"``
        (exact when ``n <= 20``).
    seed
        Seed of the local search's random restarts.
    restarts
        Random restarts of the local search (besides the empty and the full coalition).

    Returns
    -------
    PartnerSetSolution

    Raises
    ------
    UnknownOptionError
        An unknown ``method``.
    InfeasibleError
        ``method="exact"`` with more than 20 candidates.

    Examples
    --------
    >>> prm = PartnerSetParams(strengths=(0.5, 0.3, 0.1), costs=(0.05, 0.05, 0.2), affinities=(0.2, 0.0, 0.0))
    >>> choose_partners(prm).members
    (0, 1)
    """
    check_option(method, ["auto", "exact", "local"], name="method")
    if method == "exact" and params.n > EXACT_LIMIT:
        raise InfeasibleError(f"exact enumeration is limited to n <= {EXACT_LIMIT} candidates (2^n subsets); "
                              f"got {params.n}; use method='local'")
    use = "exact" if method == "exact" or (method == "auto" and params.n <= EXACT_LIMIT) else "local"
    x = _exact(params) if use == "exact" else _local(params, np.random.default_rng(seed), restarts)
    k, c, a = _arrays(params)
    bits = x.astype(float)[None, :]
    v, p = _evaluate(bits, params, k, c, a)
    strength = params.lead_strength + bits[0] @ k
    without = np.maximum(strength - k, 0.0) ** params.r
    delta = p[0] - without / (without + params.target_strength**params.r)
    with np.errstate(divide="ignore", invalid="ignore"):
        conc = np.where(x, np.maximum(c - a * delta, 0.0) / p[0], 0.0)
    return PartnerSetSolution(members=tuple(int(i) for i in np.flatnonzero(x)), win_probability=float(p[0]),
                              lead_utility=float(v[0]), concessions=conc, method=use)
