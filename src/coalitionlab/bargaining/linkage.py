"""Model 5: issue linkage -- the cheapest package of side-payments that recruits one partner.

The lead can pay a partner through several *instruments* (cash, military aid, trade concessions,
policy concessions ...). Instrument :math:`k` costs the lead :math:`c_k` per unit, is worth
:math:`v_k` per unit to the partner and can be used up to :math:`\\bar x_k` units. The partner
joins if the package is worth at least its reservation value :math:`r`. The cheapest package solves
the linear programme

.. math::

    \\min_{x} \\sum_k c_k x_k \\quad \\text{s.t.} \\quad \\sum_k v_k x_k \\ge r,
    \\qquad 0 \\le x_k \\le \\bar x_k,\\ k \\in K(e),

where :math:`K(e) = \\{k : e_k \\le e\\}` is the set of instruments open to a lead whose diplomatic
embeddedness with the partner is :math:`e` (Henke 2019: embeddedness supplies the *channels*
through which to pay). The LP is solved with HiGHS through :func:`scipy.optimize.linprog`
(``method="highs"``).

Comparative statics, true by construction (the feasible set only grows): adding an instrument
never raises the cost; a higher embeddedness never raises the cost. The hypothesis properties that
check them test only the code's fidelity to these definitions; the LP itself is tested against a
greedy fractional knapsack, a brute-force enumeration of packages and finite differences of the cost
(for the shadow price).

References
----------
Henke, M. E. (2019). *Constructing Allied Cooperation: Diplomacy, Payments, and Power in
Multilateral Military Coalitions*. Cornell University Press.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, validate_call
from scipy.optimize import linprog

from coalitionlab.errors import InfeasibleError

__all__ = ["Instrument", "LinkagePackage", "cheapest_package", "default_instruments", "package_costs"]



class Instrument(BaseModel):
    """One channel through which the lead can pay a partner.

    Parameters
    ----------
    name : str
        Label, e.g. ``"cash"``.
    cost : float
        Cost to the lead of one unit (>= 0).
    value : float
        Value to the partner of one unit (>= 0).
    cap : float
        Most units the lead can offer (>= 0; ``inf`` for no cap).
    min_embeddedness : float
        Embeddedness the lead needs with the partner before this channel exists (>= 0).

    Examples
    --------
    >>> Instrument(name="cash", cost=1.0, value=1.0, cap=10.0).cap
    10.0
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1)
    cost: float = Field(ge=0, allow_inf_nan=False)
    value: float = Field(ge=0, allow_inf_nan=False)
    cap: float = Field(ge=0)
    min_embeddedness: float = Field(default=0.0, ge=0, allow_inf_nan=False)


@dataclass(frozen=True)
class LinkagePackage:
    """The cheapest package recruiting the partner.

    Attributes
    ----------
    amounts : pandas.Series
        Units of each available instrument in the package (indexed by name).
    cost : float
        Cost to the lead, :math:`\\sum_k c_k x_k`.
    value : float
        Value to the partner, :math:`\\sum_k v_k x_k` (equals the reservation value when it binds).
    shadow_price : float
        Marginal cost to the lead of one more unit of reservation value (LP dual of the
        participation constraint).
    available : tuple of str
        Names of the instruments open at this embeddedness.
    """

    amounts: pd.Series
    cost: float
    value: float
    shadow_price: float
    available: tuple[str, ...]

    def tidy(self) -> pd.DataFrame:
        """One row per available instrument: ``instrument, amount``."""
        return pd.DataFrame({"instrument": self.amounts.index, "amount": self.amounts.to_numpy()})


def default_instruments() -> list[Instrument]:
    """Four illustrative instruments (in a common payment unit; the scale is a user assumption).

    Cash is open to every partner; military aid, trade and policy concessions need growing
    embeddedness. The numbers are illustrative, not estimates.

    Examples
    --------
    >>> [i.name for i in default_instruments()]
    ['cash', 'military_aid', 'trade_concession', 'policy_concession']
    """
    return [
        Instrument(name="cash", cost=1.0, value=1.0, cap=math.inf, min_embeddedness=0.0),
        Instrument(name="military_aid", cost=0.8, value=1.2, cap=5.0, min_embeddedness=5.0),
        Instrument(name="trade_concession", cost=0.4, value=1.0, cap=3.0, min_embeddedness=15.0),
        Instrument(name="policy_concession", cost=0.2, value=0.9, cap=2.0, min_embeddedness=30.0),
    ]


@validate_call
def cheapest_package(instruments: Sequence[Instrument], *,
                     reservation: Annotated[float, Field(ge=0, allow_inf_nan=False)],
                     embeddedness: Annotated[float, Field(ge=0)] = math.inf) -> LinkagePackage:
    """Solve the issue-linkage LP: the cheapest package worth ``reservation`` to the partner.

    By construction, adding an instrument or raising ``embeddedness`` never raises the cost (the
    feasible set only grows).

    Parameters
    ----------
    instruments : sequence of Instrument
        Candidate channels (names must be unique).
    reservation : float
        The partner's reservation value :math:`r` (>= 0).
    embeddedness : float
        Lead-partner embeddedness; only instruments with ``min_embeddedness <= embeddedness``
        are available (default: all).

    Returns
    -------
    LinkagePackage

    Raises
    ------
    InfeasibleError
        If even every available instrument at its cap is worth less than ``reservation``; the
        message gives the shortfall.
    pydantic.ValidationError
        For a negative or non-finite ``reservation`` or a negative ``embeddedness`` (names the field).
    ValueError
        For duplicated instrument names.

    Examples
    --------
    >>> pkg = cheapest_package(default_instruments(), reservation=6.0, embeddedness=20.0)
    >>> round(pkg.cost, 4)
    3.2
    >>> pkg.amounts.round(4).to_dict()
    {'cash': 0.0, 'military_aid': 2.5, 'trade_concession': 3.0}
    """
    if not (math.isfinite(reservation) and reservation >= 0):
        raise ValueError(f"reservation must be a finite number >= 0, got {reservation!r}")
    names = [i.name for i in instruments]
    if len(set(names)) != len(names):
        raise ValueError(f"instrument names must be unique, got {names}")
    avail = [i for i in instruments if i.min_embeddedness <= embeddedness]
    avail_names = tuple(i.name for i in avail)
    if reservation == 0:
        zeros = pd.Series(0.0, index=pd.Index(avail_names, name="instrument"), name="amount")
        return LinkagePackage(zeros, 0.0, 0.0, 0.0, avail_names)
    cost = np.array([i.cost for i in avail], dtype=float)
    value = np.array([i.value for i in avail], dtype=float)
    cap = np.array([i.cap for i in avail], dtype=float)
    with np.errstate(invalid="ignore"):
        reach = float(np.sum(np.where(value > 0, value * cap, 0.0)))
    if reach < reservation * (1 - 1e-12):
        raise InfeasibleError(
            f"no package is worth the reservation value {reservation:g}: the {len(avail)} instruments open "
            f"at embeddedness {embeddedness:g} ({', '.join(avail_names) or 'none'}) are worth at most "
            f"{reach:g} at their caps (shortfall {reservation - reach:g}); raise a cap, add an instrument "
            "or raise embeddedness")
    res = linprog(cost, A_ub=-value[None, :], b_ub=[-reservation],
                  bounds=list(zip(np.zeros(len(avail)), np.where(np.isinf(cap), None, cap), strict=True)),
                  method="highs")
    if res.status != 0:  # pragma: no cover - feasibility is checked above
        raise InfeasibleError(f"the linkage LP failed: {res.message}")
    x = np.clip(res.x, 0.0, None)
    amounts = pd.Series(x, index=pd.Index(avail_names, name="instrument"), name="amount")
    return LinkagePackage(amounts=amounts, cost=float(cost @ x), value=float(value @ x),
                          shadow_price=float(-res.ineqlin.marginals[0]), available=avail_names)


def package_costs(instruments: Sequence[Instrument], reservation: ArrayLike, *,
                  embeddedness: ArrayLike = math.inf) -> pd.DataFrame:
    """Cheapest package cost for many partners at once (vectorised, no solver).

    With one participation constraint the LP is a fractional knapsack: the optimum uses the open
    instruments in increasing order of cost per unit of partner value :math:`c_k / v_k`, each up
    to its cap, until the reservation value is met. This evaluates that rule for every partner
    with numpy (cumulative sums over the instruments sorted once), for use in simulations; the
    tests check it against :func:`cheapest_package`.

    Parameters
    ----------
    instruments : sequence of Instrument
        Candidate channels.
    reservation : array_like
        Partners' reservation values (>= 0).
    embeddedness : array_like
        Lead-partner embeddedness, broadcast against ``reservation``.

    Returns
    -------
    pandas.DataFrame
        One row per partner: ``reservation, embeddedness, cost, marginal_cost, is_feasible``
        (``cost`` NaN where infeasible; ``marginal_cost`` is the shadow price, the cost per unit of
        value of the last instrument used).

    Examples
    --------
    >>> package_costs(default_instruments(), [6.0, 6.0], embeddedness=[0.0, 20.0])["cost"].round(4).tolist()
    [6.0, 3.2]
    """
    from coalitionlab.bargaining.commitment import check_array

    r, e = np.broadcast_arrays(np.atleast_1d(check_array(reservation, name="reservation", where="package_costs",
                                                         ge=0)),
                               np.atleast_1d(np.asarray(embeddedness, dtype=float)))
    missing, negative = int(np.isnan(e).sum()), int((e < 0).sum())
    if missing or negative:
        raise ValueError(f"embeddedness must be >= 0 for every partner; {missing} missing (NaN: outside a "
                         f"source's coverage; drop those partners first), {negative} negative")
    useful = [i for i in instruments if i.value > 0 and i.cap > 0]
    ratio = np.array([i.cost / i.value for i in useful])
    order = np.argsort(ratio, kind="stable")
    useful = [useful[k] for k in order]
    ratio = ratio[order]
    # a zero-cost, zero-value sentinel in front keeps every array non-empty
    ratio = np.concatenate([[0.0], ratio])
    thresholds = np.array([0.0] + [i.min_embeddedness for i in useful])
    caps_value = np.array([0.0] + [i.value * i.cap for i in useful])
    open_ = thresholds[None, :] <= e[:, None]                       # partners x instruments
    reach = np.where(open_, caps_value[None, :], 0.0)               # value each open instrument can give
    cum_value = np.cumsum(reach, axis=1)
    with np.errstate(invalid="ignore"):
        spent = np.where(np.isinf(reach), 0.0, reach * ratio[None, :])
    cum_cost = np.cumsum(spent, axis=1)
    # first open instrument at which the cumulative value reaches r (the sentinel only for r = 0)
    done = (cum_value >= r[:, None]) & open_
    feasible = done.any(axis=1)
    k = np.argmax(done, axis=1)
    rows = np.arange(len(r))
    before_value = np.where(k > 0, cum_value[rows, np.maximum(k - 1, 0)], 0.0)
    before_cost = np.where(k > 0, cum_cost[rows, np.maximum(k - 1, 0)], 0.0)
    last = ratio[k]
    cost = np.where(r <= 0, 0.0, before_cost + (r - before_value) * last)
    out = pd.DataFrame({"reservation": r, "embeddedness": e, "cost": np.where(feasible, cost, np.nan),
                        "marginal_cost": np.where(feasible & (r > 0), last, np.nan), "is_feasible": feasible})
    out.attrs = {"model": "issue_linkage"}
    return out
