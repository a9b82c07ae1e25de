"""Model 8: burden sharing and coalition size.

**Olson-Zeckhauser voluntary contributions.** Member :math:`i` has national income (size)
:math:`w_i` and chooses a contribution :math:`x_i \\in [0, w_i)` to a common defence
:math:`X = \\sum_j x_j`, with utility

.. math::

    u_i = \\log(w_i - x_i) + v_i\\, b(X),

where :math:`b` is increasing and concave (``"log"``: :math:`\\log(1 + X/k)`; ``"exp"``:
:math:`1 - e^{-X/k}`; ``"power"``: :math:`((1 + X/k)^{1-\\eta} - 1)/(1-\\eta)`). The first-order
condition gives each member's best response to the total,

.. math::

    x_i(X) = \\max\\Big(0,\\ w_i - \\frac{1}{v_i\\, b'(X)}\\Big),

so a Nash equilibrium is a fixed point :math:`X = g(X) = \\sum_i x_i(X)`. Because :math:`b'` is
non-increasing, :math:`g` is non-increasing and :math:`h(X) = g(X) - X` strictly decreasing: the
equilibrium total, and with it every contribution, is unique (Bergstrom, Blume & Varian 1986).
:func:`contribution_equilibrium` solves :math:`h(X)=0` by Brent's method and *checks* uniqueness
numerically: :math:`b'` non-increasing and :math:`h` strictly decreasing with one sign change on a
fine grid over :math:`[0, \\sum_i w_i]`.

Every contributor keeps the same private consumption :math:`1/(v\\, b'(X))` (for common
:math:`v`), so the burden :math:`x_i/w_i` rises with size and the largest members pay more than
their share of income: the *exploitation of the great by the small* (Olson & Zeckhauser 1966).

**Riker's minimum winning coalition with legitimacy.** Members have weights :math:`w_i`
(capability) and prices :math:`c_i` (by default their weights, Gamson's proportional payoffs). A
coalition wins if its weight reaches the quota :math:`q`. The lead values each member at
:math:`\\gamma` (legitimacy) and chooses

.. math::

    \\max_{S \\text{ winning}}\\ \\gamma |S| - \\sum_{i \\in S} c_i
    = \\max_k\\ \\gamma k - C_k, \\qquad C_k = \\min_{|S| = k,\\ S \\text{ winning}} \\sum_{i\\in S} c_i .

With :math:`\\gamma = 0` this is Riker's minimum winning coalition. Since the objective has
increasing differences in :math:`(k, \\gamma)`, the chosen size is weakly increasing in
:math:`\\gamma` (tested as a hypothesis property). Ties between sizes go to the smallest.

References
----------
Olson, M. & Zeckhauser, R. (1966). An economic theory of alliances. *Review of Economics and
Statistics* 48(3): 266-279.
Bergstrom, T., Blume, L. & Varian, H. (1986). On the private provision of public goods. *Journal of
Public Economics* 29(1): 25-49.
Riker, W. H. (1962). *The Theory of Political Coalitions*. Yale University Press.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Annotated, Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from pydantic import BaseModel, ConfigDict, Field, SkipValidation, validate_call
from scipy.optimize import brentq

from coalitionlab._validation import check_option
from coalitionlab.bargaining.commitment import check_array
from coalitionlab.bargaining.procurement import solve_milp
from coalitionlab.errors import EstimationError, InfeasibleError

__all__ = [
    "BenefitParams",
    "RikerChoice",
    "best_responses",
    "contribution_equilibrium",
    "minimum_winning_coalition",
]

BenefitKind = Literal["log", "exp", "power"]


class BenefitParams(BaseModel):
    """Concave benefit :math:`b(X)` of the common good.

    Parameters
    ----------
    kind : {"log", "exp", "power"}
        Functional form.
    scale : float
        :math:`k > 0`, the level of :math:`X` at which benefits start to saturate.
    eta : float
        Curvature of ``"power"`` (:math:`\\eta > 0`, :math:`\\eta \\ne 1`; :math:`\\eta = 1` is ``"log"``).

    Examples
    --------
    >>> float(BenefitParams(kind="log", scale=2.0).marginal(2.0))
    0.25
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: BenefitKind = "log"
    scale: float = Field(default=1.0, gt=0, allow_inf_nan=False)
    eta: float = Field(default=2.0, gt=0, allow_inf_nan=False)

    def benefit(self, x: ArrayLike) -> np.ndarray:
        """:math:`b(X)`."""
        z = np.asarray(x, dtype=float) / self.scale
        if self.kind == "log" or (self.kind == "power" and self.eta == 1):
            return np.log1p(z)
        if self.kind == "exp":
            return -np.expm1(-z)
        return ((1 + z) ** (1 - self.eta) - 1) / (1 - self.eta)

    def marginal(self, x: ArrayLike) -> np.ndarray:
        """:math:`b'(X)`."""
        z = np.asarray(x, dtype=float) / self.scale
        if self.kind == "log":
            return 1 / (self.scale * (1 + z))
        if self.kind == "exp":
            return np.exp(-z) / self.scale
        return (1 + z) ** (-self.eta) / self.scale


def _check_sizes(sizes: ArrayLike, valuations: ArrayLike | float) -> tuple[np.ndarray, np.ndarray]:
    w = check_array(sizes, name="sizes", where="contribution_equilibrium", gt=0)
    if w.ndim != 1 or len(w) == 0:
        raise ValueError("sizes must be a non-empty 1-d array")
    v = np.broadcast_to(check_array(valuations, name="valuations", where="contribution_equilibrium", gt=0),
                        w.shape).copy()
    return w, v


def best_responses(total: float, sizes: ArrayLike, valuations: ArrayLike | float = 1.0, *,
                   benefit: BenefitParams | None = None) -> np.ndarray:
    """Each member's best response :math:`x_i(X)` given the equilibrium total :math:`X`.

    Examples
    --------
    >>> best_responses(1.0, [3.0, 1.0]).tolist()
    [1.0, 0.0]
    """
    b = benefit or BenefitParams()
    w, v = _check_sizes(sizes, valuations)
    return np.maximum(0.0, w - 1.0 / (v * b.marginal(total)))


def best_response_to_others(others: ArrayLike, sizes: ArrayLike, valuations: ArrayLike | float = 1.0, *,
                            benefit: BenefitParams | None = None) -> np.ndarray:
    """Member :math:`i`'s best contribution given the others' total :math:`X_{-i}` (vectorised).

    Solves :math:`v_i b'(x + X_{-i}) (w_i - x) = 1` on :math:`[0, w_i)` (the left side falls in
    :math:`x`), or returns 0 when even the first unit is not worth it.
    """
    b = benefit or BenefitParams()
    w, v = _check_sizes(sizes, valuations)
    o = np.broadcast_to(np.asarray(others, dtype=float), w.shape)

    def foc(x: np.ndarray) -> np.ndarray:
        return v * b.marginal(x + o) * (w - x) - 1.0

    lo, hi = np.zeros_like(w), w.copy()
    interior = foc(lo) > 0
    for _ in range(80):  # vectorised bisection; the FOC falls in x, 80 halvings reach machine precision
        mid = 0.5 * (lo + hi)
        up = foc(mid) > 0
        lo, hi = np.where(up, mid, lo), np.where(up, hi, mid)
    return np.where(interior, 0.5 * (lo + hi), 0.0)


@dataclass(frozen=True)
class _Certificate:
    is_unique: bool
    grid_points: int
    sign_changes: int


def contribution_equilibrium(sizes: ArrayLike, valuations: ArrayLike | float = 1.0, *,
                             benefit: BenefitParams | None = None, members: ArrayLike | None = None,
                             grid_points: int = 4001) -> pd.DataFrame:
    """The unique Nash equilibrium of voluntary contributions to a common defence.

    Parameters
    ----------
    sizes : array_like
        National incomes :math:`w_i > 0`.
    valuations : array_like or float
        :math:`v_i > 0`, the weight each member puts on the common good (default 1 for all).
    benefit : BenefitParams, optional
        The concave benefit :math:`b` (default ``log`` with scale 1).
    members : array_like, optional
        Member labels (default ``0..n-1``).
    grid_points : int
        Grid size of the numerical uniqueness check.

    Returns
    -------
    pandas.DataFrame
        One row per member: ``member, size, valuation, contribution, burden`` (:math:`x_i/w_i`),
        ``burden_share`` (:math:`x_i/X`), ``size_share`` (:math:`w_i/\\sum w`), ``is_contributor``.
        ``attrs``: ``total`` (:math:`X`), ``is_unique`` (the numerical check passed),
        ``sign_changes`` of :math:`h` on the grid, ``residual`` (:math:`|g(X) - X|`).

    Raises
    ------
    EstimationError
        If the uniqueness check fails (it cannot for the concave families offered; the check
        guards the derivation).

    Examples
    --------
    >>> eq = contribution_equilibrium([3.0, 1.0])
    >>> eq[["size", "contribution", "burden"]].round(4)
       size  contribution  burden
    0   3.0           1.0  0.3333
    1   1.0           0.0  0.0000
    >>> eq.attrs["is_unique"]
    True
    """
    b = benefit or BenefitParams()
    w, v = _check_sizes(sizes, valuations)
    labels = np.arange(len(w)) if members is None else np.asarray(members)
    if len(labels) != len(w):
        raise ValueError("members must have one label per size")

    def h(x: np.ndarray | float) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        return np.maximum(0.0, w[None, :] - 1.0 / (v[None, :] * b.marginal(x)[..., None])).sum(axis=-1) - x

    top = float(w.sum())
    hi_val = float(h(np.array([top]))[0])
    lo_val = float(h(np.array([0.0]))[0])
    if lo_val <= 0:
        total = 0.0
    else:
        total = float(brentq(lambda x: float(h(np.array([x]))[0]), 0.0, top, xtol=1e-14, rtol=1e-14))
    # numerical proof of uniqueness: b' non-increasing, h strictly decreasing, one sign change
    grid = np.linspace(0.0, top, grid_points)
    hv = h(grid)
    slope_ok = bool(np.all(np.diff(b.marginal(grid)) <= 1e-15) and np.all(np.diff(hv) < 0) and hi_val < 0)
    signs = np.sign(hv)
    changes = int(np.sum(signs[1:] * signs[:-1] < 0) + np.sum(signs == 0))
    cert = _Certificate(is_unique=slope_ok and changes <= 1, grid_points=grid_points, sign_changes=changes)
    if not cert.is_unique:  # pragma: no cover - guards the derivation above
        raise EstimationError(f"equilibrium uniqueness check failed ({changes} sign changes of g(X) - X)")
    x = best_responses(total, w, v, benefit=b)
    out = pd.DataFrame({"member": labels, "size": w, "valuation": v, "contribution": x, "burden": x / w,
                        "burden_share": x / total if total > 0 else np.zeros_like(x),
                        "size_share": w / w.sum(), "is_contributor": x > 0})
    out.attrs = {"model": "olson_zeckhauser", "total": total, "is_unique": cert.is_unique,
                 "sign_changes": cert.sign_changes, "residual": float(abs(x.sum() - total)),
                 "benefit": b.model_dump()}
    return out


# --------------------------------------------------------------------------- Riker


@dataclass(frozen=True)
class RikerChoice:
    """The lead's chosen winning coalition.

    Attributes
    ----------
    members : tuple of str
        The coalition.
    size : int
        Number of members :math:`k`.
    weight : float
        Its total weight.
    cost : float
        :math:`C_k`, the total price paid.
    net_value : float
        :math:`\\gamma k - C_k`.
    by_size : pandas.DataFrame
        ``size, cost, net_value`` for every feasible :math:`k` (``cost`` inf where no winning
        coalition of that size exists).
    """

    members: tuple[str, ...]
    size: int
    weight: float
    cost: float
    net_value: float
    by_size: pd.DataFrame


def _quota_tolerance(quota: float) -> float:
    """Rounding slack of the quota test: sums of the same weights in another order differ by a few ulps."""
    return 1e-12 * max(1.0, abs(quota))


def _cheapest_by_size(w: np.ndarray, c: np.ndarray, quota: float, method: str) -> tuple[np.ndarray, list]:
    n = len(w)
    tol = _quota_tolerance(quota)
    costs = np.full(n + 1, np.inf)
    sets: list = [None] * (n + 1)
    if method == "enumerate":
        masks = ((np.arange(2**n, dtype=np.int64)[:, None] >> np.arange(n)) & 1).astype(bool)
        win = masks @ w >= quota - tol
        size = masks.sum(axis=1)
        cost = np.where(win, masks @ c, np.inf)
        for k in range(1, n + 1):
            idx = np.flatnonzero(size == k)
            j = idx[np.argmin(cost[idx])]
            if np.isfinite(cost[j]):
                costs[k], sets[k] = cost[j], masks[j]
        return costs, sets
    for k in range(1, n + 1):
        if np.sort(w)[::-1][:k].sum() < quota - tol:
            continue
        sol = solve_milp(c, np.vstack([w, np.ones(n)]), np.array([quota, k]), np.array([np.inf, k]),
                         np.zeros(n), np.ones(n))
        if sol is not None:
            x = np.round(sol).astype(bool)
            costs[k], sets[k] = float(c[x].sum()), x
    return costs, sets


@validate_call(config=ConfigDict(arbitrary_types_allowed=True))
def minimum_winning_coalition(members: pd.DataFrame, *, quota: Annotated[float, Field(gt=0, allow_inf_nan=False)],
                              gamma: Annotated[float, Field(ge=0, allow_inf_nan=False)] = 0.0,
                              weight: str = "weight", price: str | None = "price",
                              method: SkipValidation[Literal["auto", "enumerate", "milp"]] = "auto") -> RikerChoice:
    """Riker's minimum winning coalition, with a legitimacy value ``gamma`` per member.

    Parameters
    ----------
    members : pandas.DataFrame
        ``member`` (name), a ``weight`` column (>= 0) and, optionally, a ``price`` column (>= 0;
        if absent, prices equal weights, Gamson's proportional payoffs).
    quota : float
        Weight a coalition needs to win (> 0), up to a relative rounding tolerance of 1e-12.
    gamma : float
        Legitimacy value of each member to the lead (>= 0).
    weight, price : str
        Column names. The default ``price="price"`` falls back to the weights when the column is
        absent (as does ``price=None``); any other name must be a column.
    method : {"auto", "enumerate", "milp"}
        Exhaustive enumeration (n <= 16 under ``auto``) or one MILP per size (HiGHS, ``highspy``).

    Returns
    -------
    RikerChoice

    Raises
    ------
    InfeasibleError
        If all members together do not reach the quota.
    pydantic.ValidationError
        If ``quota`` <= 0 or ``gamma`` < 0 (names the field).

    Examples
    --------
    >>> m = pd.DataFrame({"member": list("ABCDE"), "weight": [4.0, 3.0, 2.0, 1.0, 1.0]})
    >>> minimum_winning_coalition(m, quota=6.0).members
    ('A', 'C')
    >>> minimum_winning_coalition(m, quota=6.0, gamma=1.5).members
    ('B', 'C', 'D', 'E')
    """
    check_option(method, ["auto", "enumerate", "milp"], name="method")
    if "member" not in members.columns or weight not in members.columns:
        raise ValueError(f"members needs 'member' and {weight!r} columns")
    names = members["member"].astype(str).tolist()
    if price is not None and price != "price" and price not in members.columns:
        raise ValueError(f"members has no price column {price!r}; leave price='price' (or None) for prices "
                         "equal to weights")
    w = pd.to_numeric(members[weight], errors="coerce").to_numpy(dtype=float)
    if np.any(~np.isfinite(w)) or np.any(w < 0):
        raise ValueError(f"column {weight!r} must be finite and >= 0")
    c = (pd.to_numeric(members[price], errors="coerce").to_numpy(dtype=float)
         if price is not None and price in members.columns else w.copy())
    if np.any(~np.isfinite(c)) or np.any(c < 0):
        raise ValueError(f"column {price!r} must be finite and >= 0")
    if not (math.isfinite(quota) and quota > 0):
        raise ValueError(f"quota must be a finite number > 0, got {quota!r}")
    if not (math.isfinite(gamma) and gamma >= 0):
        raise ValueError(f"gamma must be a finite number >= 0, got {gamma!r}")
    if w.sum() < quota - _quota_tolerance(quota):
        raise InfeasibleError(f"no coalition wins: all {len(w)} members together weigh {w.sum():g}, "
                              f"short of the quota {quota:g} by {quota - w.sum():g}")
    n = len(w)
    if method == "auto":
        method = "enumerate" if n <= 16 else "milp"
    if method == "enumerate" and n > 20:
        raise ValueError(f"enumeration is limited to 20 members, got {n}; use method='milp'")
    costs, sets = _cheapest_by_size(w, c, quota, method)
    ks = np.arange(n + 1)
    net = np.where(np.isfinite(costs), gamma * ks - costs, -np.inf)
    best = net.max()
    # ties go to the smallest coalition (Riker's size principle); exact comparison keeps the
    # choice monotone in gamma (a tolerance could reverse it for nearby gammas)
    k = int(np.flatnonzero(net == best)[0])
    x = sets[k]
    by_size = pd.DataFrame({"size": ks[1:], "cost": costs[1:], "net_value": net[1:]})
    return RikerChoice(members=tuple(nm for nm, s in zip(names, x, strict=True) if s), size=k,
                       weight=float(w[x].sum()), cost=float(costs[k]), net_value=float(net[k]), by_size=by_size)
