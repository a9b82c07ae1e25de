"""Model 7: many partners -- procuring a coalition that meets a requirement.

Three modes share one covering problem. Partner :math:`i` brings :math:`q_{ij}` of each requirement
:math:`j` (troops, capability, or one flag each) and must be paid :math:`c_i`. The cheapest
coalition solves the 0-1 programme

.. math::

    C(R) = \\min_{x \\in \\{0,1\\}^n} \\sum_i c_i x_i \\quad\\text{s.t.}\\quad
    \\sum_i q_{ij} x_i \\ge R_j \\ \\forall j,

solved as a MILP with HiGHS (``highspy``, called directly) and cross-checked against
exhaustive enumeration (:func:`enumerate_coalition`) for :math:`n \\le 12`.

*Private prices.* When each :math:`c_i` is private, drawn from :math:`F_i` on
:math:`[\\underline c_i, \\bar c_i]`, the lead's optimal (cost-minimising, incentive-compatible)
procurement rule (Myerson 1981, in its procurement form) replaces prices by *virtual costs*

.. math::

    \\psi_i(c) = c + \\frac{F_i(c)}{f_i(c)},

selects the coalition minimising :math:`\\sum_i \\psi_i(c_i) x_i` subject to the requirement (and
only if that total does not exceed the lead's value :math:`W` of the coalition), and pays each
member its *critical cost*, the highest cost at which it would still have been chosen. The rule is
optimal when every :math:`\\psi_i` is increasing ("regular"); :class:`PriceDistribution` checks
that numerically and reports whether :math:`F/f` is monotone (the monotone-hazard condition).

*Sequential offers with hold-outs.* The lead offers each member of the cheapest coalition its
price. Ordinary partners accept; hold-outs refuse, wait, and in the second round demand their price
plus their marginal contribution -- the extra cost of completing the coalition without them --
capped by the lead's remaining surplus when they are indispensable. The lead then re-optimises
over the remaining partners at these demands (:func:`sequential_offers`).

References
----------
Myerson, R. B. (1981). Optimal auction design. *Mathematics of Operations Research* 6(1): 58-73.
Henke, M. E. (2019). *Constructing Allied Cooperation*. Cornell University Press.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator, validate_call
from scipy import stats
from scipy.optimize import brentq
from scipy.sparse import csc_matrix

from coalitionlab._validation import check_memory, check_option
from coalitionlab.errors import InfeasibleError, UnknownOptionError

__all__ = [
    "CoalitionChoice",
    "HoldoutGame",
    "PriceDistribution",
    "cheapest_coalition",
    "enumerate_coalition",
    "holdout_game",
    "optimal_procurement",
    "procurement_bytes",
    "sequential_offers",
    "simulate_procurement",
    "solve_milp",
]

DistributionKind = Literal["uniform", "truncnorm", "beta"]
_MAX_ENUMERATE = 20
#: Memory of one draw of :func:`simulate_procurement`, in bytes: its prices (8 per partner, twice while
#: they are stacked) and its result row (about 600 bytes; 430 to 730 per draw measured with
#: tracemalloc on 3,000 draws). More draws than the memory limit allows are refused before any.
DRAW_BYTES_PER_PARTNER = 16
DRAW_BYTES = 600
_ARBITRARY = ConfigDict(arbitrary_types_allowed=True)
Level = Annotated[float, Field(ge=0, allow_inf_nan=False)]
LeadValue = Annotated[float, Field(ge=0)]


@dataclass(frozen=True)
class CoalitionChoice:
    """A chosen coalition.

    Attributes
    ----------
    members : tuple of str
        Partners in the coalition, in input order.
    cost : float
        Total price paid, :math:`\\sum_i c_i x_i`.
    totals : dict
        What the coalition brings of each requirement.
    selected : numpy.ndarray
        Boolean mask over the input rows.
    """

    members: tuple[str, ...]
    cost: float
    totals: dict[str, float] = field(default_factory=dict)
    selected: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool), repr=False)


# --------------------------------------------------------------------------- covering problem


def _requirement_matrix(partners: pd.DataFrame, requirements: Mapping[str, Level]) -> tuple[np.ndarray, np.ndarray]:
    """Contribution matrix Q (n x m) and levels R (m) for the named requirements."""
    if not requirements:
        raise ValueError("requirements must name at least one of troops, capability, flags ... with a level")
    cols, levels = [], []
    for name, level in requirements.items():
        if not (isinstance(level, int | float) and math.isfinite(level) and level >= 0):
            raise ValueError(f"requirement {name!r} must be a finite number >= 0, got {level!r}")
        if name in partners.columns:
            q = pd.to_numeric(partners[name], errors="coerce").to_numpy(dtype=float)
            if np.any(~np.isfinite(q)) or np.any(q < 0):
                raise ValueError(f"column {name!r} of partners must be finite and >= 0")
        elif name == "flags":
            q = np.ones(len(partners))  # every partner is one flag
        else:
            allowed = [c for c in partners.columns if c not in ("partner", "price", "is_holdout")] + ["flags"]
            raise UnknownOptionError(f"unknown requirement {name!r}: not a column of partners; allowed: "
                                     + ", ".join(map(repr, dict.fromkeys(allowed))))
        cols.append(q)
        levels.append(float(level))
    return np.column_stack(cols), np.asarray(levels)


def _check_partners(partners: pd.DataFrame, price: str) -> tuple[list[str], np.ndarray]:
    if "partner" not in partners.columns:
        raise ValueError("partners needs a 'partner' column naming each partner")
    names = partners["partner"].astype(str).tolist()
    if len(set(names)) != len(names):
        raise ValueError("partner names must be unique")
    if price not in partners.columns:
        raise ValueError(f"partners needs a {price!r} column (the price each partner must be paid)")
    c = pd.to_numeric(partners[price], errors="coerce").to_numpy(dtype=float)
    if np.any(~np.isfinite(c)) or np.any(c < 0):
        raise ValueError(f"column {price!r} must be finite and >= 0 (row {int(np.flatnonzero(~(c >= 0) | ~np.isfinite(c))[0])})")
    return names, c


def _shortfall_message(Q: np.ndarray, R: np.ndarray, names: Sequence[str], req_names: Sequence[str],
                       available: np.ndarray) -> str:
    have = Q[available].sum(axis=0)
    parts = [f"{r}: need {lvl:g}, all {int(available.sum())} available partners bring {h:g} (short {lvl - h:g})"
             for r, lvl, h in zip(req_names, R, have, strict=True) if h < lvl - 1e-9]
    return "requirement is infeasible: " + "; ".join(parts)


def _highs() -> Any:
    """A silent HiGHS instance (the public ``highspy.Highs`` prints a banner to stdout once)."""
    import highspy

    core = getattr(highspy, "_core", None)
    h = core._Highs() if core is not None and hasattr(core, "_Highs") else highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("mip_rel_gap", 1e-9)
    h.setOptionValue("threads", 1)
    return h


def solve_milp(c: np.ndarray, A: np.ndarray, row_lower: np.ndarray, row_upper: np.ndarray,
               col_lower: np.ndarray, col_upper: np.ndarray) -> np.ndarray | None:
    """Solve ``min c'x, row_lower <= A x <= row_upper, col_lower <= x <= col_upper, x integer`` with HiGHS.

    Returns the solution, or ``None`` if the problem is infeasible. Used by models 7 and 8.
    """
    import highspy

    n = len(c)
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n, A.shape[0]
    lp.col_cost_ = np.asarray(c, dtype=float)
    lp.col_lower_, lp.col_upper_ = np.asarray(col_lower, dtype=float), np.asarray(col_upper, dtype=float)
    lp.row_lower_ = np.asarray(row_lower, dtype=float)
    lp.row_upper_ = np.where(np.isinf(row_upper), highspy.kHighsInf, row_upper).astype(float)
    m = csc_matrix(np.asarray(A, dtype=float))
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = m.indptr, m.indices, m.data
    lp.integrality_ = [highspy.HighsVarType.kInteger] * n
    h = _highs()
    h.passModel(lp)
    h.run()
    status = h.getModelStatus()
    if status == highspy.HighsModelStatus.kInfeasible:
        return None
    if status != highspy.HighsModelStatus.kOptimal:  # pragma: no cover - bounded 0-1 problems
        raise InfeasibleError(f"HiGHS could not solve the coalition MILP: {h.modelStatusToString(status)}")
    return np.asarray(h.getSolution().col_value, dtype=float)


def _min_cost(c: np.ndarray, Q: np.ndarray, R: np.ndarray, *, forced: int | None = None,
              forbidden: np.ndarray | None = None) -> tuple[float, np.ndarray | None]:
    """Cheapest cover; ``(inf, None)`` if infeasible. ``forced`` is in, ``forbidden`` rows are out."""
    n = len(c)
    lb, ub = np.zeros(n), np.ones(n)
    if forbidden is not None:
        ub[forbidden] = 0.0
    if forced is not None:
        lb[forced] = 1.0
    if np.any(Q[ub > 0].sum(axis=0) < R - 1e-9):
        return math.inf, None
    if n == 0 or np.all(R <= 0):
        x = lb.copy()
        return float(c @ x), x.astype(bool)
    sol = solve_milp(c, Q.T, R, np.full(len(R), np.inf), lb, ub)
    if sol is None:
        return math.inf, None
    x = np.round(sol).astype(bool)
    return float(c[x].sum()), x


@validate_call(config=_ARBITRARY)
def cheapest_coalition(partners: pd.DataFrame, *, requirements: Mapping[str, Level],
                       price: str = "price") -> CoalitionChoice:
    """The cheapest set of partners meeting every requirement (MILP, HiGHS).

    Parameters
    ----------
    partners : pandas.DataFrame
        One row per candidate: ``partner`` (name), the ``price`` column, and one column per
        requirement (``troops``, ``capability`` ...). ``flags`` needs no column: each partner is one.
    requirements : mapping of str to float
        Level of each requirement, e.g. ``{"troops": 5000, "flags": 3}``.
    price : str
        Column holding what each partner must be paid.

    Returns
    -------
    CoalitionChoice

    Raises
    ------
    InfeasibleError
        If all partners together fall short of a requirement (the message gives each shortfall).
    UnknownOptionError
        If a requirement is neither a column of ``partners`` nor ``flags``.

    Examples
    --------
    >>> partners = pd.DataFrame({"partner": ["GBR", "AUS", "POL", "ESP"],
    ...                          "troops": [45000, 2000, 200, 1300], "price": [5.0, 1.0, 0.2, 0.8]})
    >>> choice = cheapest_coalition(partners, requirements={"troops": 3000, "flags": 2})
    >>> choice.members, choice.cost
    (('AUS', 'ESP'), 1.8)
    """
    names, c = _check_partners(partners, price)
    Q, R = _requirement_matrix(partners, requirements)
    cost, x = _min_cost(c, Q, R)
    if x is None:
        raise InfeasibleError(_shortfall_message(Q, R, names, list(requirements), np.ones(len(c), bool)))
    return _choice(names, c, Q, x, list(requirements))


def _choice(names: Sequence[str], c: np.ndarray, Q: np.ndarray, x: np.ndarray, req: list[str]) -> CoalitionChoice:
    return CoalitionChoice(members=tuple(n for n, s in zip(names, x, strict=True) if s), cost=float(c[x].sum()),
                           totals={r: float(v) for r, v in zip(req, Q[x].sum(axis=0), strict=True)},
                           selected=x.copy())


@validate_call(config=_ARBITRARY)
def enumerate_coalition(partners: pd.DataFrame, *, requirements: Mapping[str, Level],
                        price: str = "price") -> CoalitionChoice:
    """The cheapest coalition by exhaustive, vectorised enumeration of all :math:`2^n` subsets.

    A reference for :func:`cheapest_coalition`; ties go to the subset with the fewest members, then
    the smallest bitmask. Limited to 20 partners.

    Examples
    --------
    >>> partners = pd.DataFrame({"partner": ["GBR", "AUS", "POL"], "troops": [45000, 2000, 200],
    ...                          "price": [5.0, 1.0, 0.2]})
    >>> enumerate_coalition(partners, requirements={"troops": 2100}).members
    ('AUS', 'POL')
    """
    names, c = _check_partners(partners, price)
    n = len(names)
    if n > _MAX_ENUMERATE:
        raise ValueError(f"enumeration is limited to {_MAX_ENUMERATE} partners, got {n}; use cheapest_coalition()")
    Q, R = _requirement_matrix(partners, requirements)
    masks = ((np.arange(2**n, dtype=np.int64)[:, None] >> np.arange(n)) & 1).astype(bool)
    feasible = np.all(masks @ Q >= R - 1e-9, axis=1)
    if not feasible.any():
        raise InfeasibleError(_shortfall_message(Q, R, names, list(requirements), np.ones(n, bool)))
    cost = np.where(feasible, masks @ c, np.inf)
    best = np.flatnonzero(cost <= cost.min() + 1e-12)
    pick = best[np.argmin(masks[best].sum(axis=1))]  # first minimum: smallest bitmask
    return _choice(names, c, Q, masks[pick], list(requirements))


# --------------------------------------------------------------------------- private prices


class PriceDistribution(BaseModel):
    """Prior over a partner's private price, with its virtual cost.

    Parameters
    ----------
    kind : {"uniform", "truncnorm", "beta"}
        Family; all live on ``[low, high]``.
    low, high : float
        Support, ``0 <= low < high``.
    mean, sd : float
        Location and scale of the normal before truncation (``truncnorm`` only).
    a, b : float
        Shape parameters (``beta`` only), scaled to ``[low, high]``.

    Attributes
    ----------
    has_monotone_hazard : bool
        Whether :math:`F(c)/f(c)` is non-decreasing on a fine grid (sufficient for regularity).

    Raises
    ------
    pydantic.ValidationError
        If a parameter is out of domain, or the virtual cost is not increasing (Myerson's ironing
        would be needed); the message names the field.

    Examples
    --------
    >>> d = PriceDistribution(kind="uniform", low=1.0, high=3.0)
    >>> float(d.virtual_cost(2.0)), d.has_monotone_hazard
    (3.0, True)
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: DistributionKind = "uniform"
    low: float = Field(default=0.0, ge=0, allow_inf_nan=False)
    high: float = Field(default=1.0, gt=0, allow_inf_nan=False)
    mean: float = Field(default=0.5, allow_inf_nan=False)
    sd: float = Field(default=0.25, gt=0, allow_inf_nan=False)
    a: float = Field(default=2.0, gt=0, allow_inf_nan=False)
    b: float = Field(default=2.0, gt=0, allow_inf_nan=False)

    @model_validator(mode="after")
    def _check(self) -> PriceDistribution:
        if not self.low < self.high:
            raise ValueError(f"high must exceed low (low={self.low}, high={self.high})")
        grid = np.linspace(self.low, self.high, 2001)[1:-1]
        psi = self.virtual_cost(grid)
        if np.any(np.diff(psi) < -1e-9 * max(1.0, self.high)):
            at = float(grid[1:][np.diff(psi) < 0][0])
            raise ValueError(f"virtual cost c + F(c)/f(c) of this {self.kind} prior decreases near c={at:.4g}; "
                             "the distribution is not regular (ironing is not implemented)")
        return self

    @property
    def frozen(self) -> stats.rv_continuous:
        """The scipy frozen distribution."""
        width = self.high - self.low
        if self.kind == "uniform":
            return stats.uniform(loc=self.low, scale=width)
        if self.kind == "truncnorm":
            return stats.truncnorm((self.low - self.mean) / self.sd, (self.high - self.mean) / self.sd,
                                   loc=self.mean, scale=self.sd)
        return stats.beta(self.a, self.b, loc=self.low, scale=width)

    def virtual_cost(self, c: np.ndarray | float) -> np.ndarray:
        """:math:`\\psi(c) = c + F(c)/f(c)` (vectorised)."""
        c = np.asarray(c, dtype=float)
        if self.kind == "uniform":
            return 2 * c - self.low
        d = self.frozen
        with np.errstate(divide="ignore", invalid="ignore"):
            return c + np.exp(d.logcdf(c) - d.logpdf(c))

    @property
    def has_monotone_hazard(self) -> bool:
        grid = np.linspace(self.low, self.high, 2001)[1:-1]
        ratio = self.virtual_cost(grid) - grid
        return bool(np.all(np.diff(ratio) >= -1e-9 * max(1.0, self.high)))

    def inverse_virtual_cost(self, psi: float) -> float:
        """The cost whose virtual cost is ``psi``, clipped to ``[low, high]``."""
        lo, hi = self.low, self.high
        f = lambda c: float(self.virtual_cost(c)) - psi  # noqa: E731
        if f(lo) >= 0:
            return lo
        if f(hi - 1e-12 * (hi - lo)) <= 0:
            return hi
        return float(brentq(f, lo, hi - 1e-12 * (hi - lo), xtol=1e-12))

    def sample(self, size: int, *, seed: int | np.random.Generator | None = None) -> np.ndarray:
        """Draw ``size`` prices with a numpy Generator."""
        rng = np.random.default_rng(seed)
        return np.asarray(self.frozen.ppf(rng.random(size)), dtype=float)


@validate_call(config=_ARBITRARY)
def optimal_procurement(partners: pd.DataFrame, priors: Sequence[PriceDistribution] | PriceDistribution, *,
                        requirements: Mapping[str, Level], value: LeadValue = math.inf,
                        price: str = "price") -> pd.DataFrame:
    """Myerson's optimal procurement rule for a coalition with private prices.

    Parameters
    ----------
    partners : pandas.DataFrame
        As in :func:`cheapest_coalition`; ``price`` holds the realised (privately known) prices.
    priors : PriceDistribution or sequence of them
        The lead's prior over each partner's price (one for all, or one per row).
    requirements : mapping of str to float
        Levels to meet.
    value : float
        The lead's value :math:`W` of a coalition meeting the requirement (reserve); default: no limit.
    price : str
        Column of realised prices.

    Returns
    -------
    pandas.DataFrame
        One row per partner: ``partner, price, virtual_cost, is_selected, payment, rent``. ``attrs``
        holds ``is_procured``, ``total_payment``, ``information_rent`` (payments minus prices of the
        members), ``full_information_cost`` (:math:`C(R)` at true prices) and ``efficiency_loss``
        (true cost of the chosen coalition minus :math:`C(R)`, or the forgone surplus
        :math:`W - C(R)` when nothing is procured though it was worth it).

    Raises
    ------
    InfeasibleError
        If all partners together fall short of a requirement.

    Examples
    --------
    >>> partners = pd.DataFrame({"partner": ["A", "B", "C"], "flags": [1, 1, 1], "price": [0.2, 0.5, 0.9]})
    >>> out = optimal_procurement(partners, PriceDistribution(low=0, high=1), requirements={"flags": 2})
    >>> out[["partner", "is_selected", "payment"]]
      partner  is_selected  payment
    0       A         True      0.9
    1       B         True      0.9
    2       C        False      0.0
    """
    names, c = _check_partners(partners, price)
    n = len(names)
    priors = [priors] * n if isinstance(priors, PriceDistribution) else list(priors)
    if len(priors) != n:
        raise ValueError(f"give one prior or one per partner ({n}), got {len(priors)}")
    for i, (ci, d) in enumerate(zip(c, priors, strict=True)):
        if not d.low <= ci <= d.high:
            raise ValueError(f"price of {names[i]!r} ({ci:g}) lies outside its prior's support [{d.low:g}, {d.high:g}]")
    if not value >= 0:
        raise ValueError(f"value must be >= 0, got {value!r}")
    Q, R = _requirement_matrix(partners, requirements)
    psi = np.array([float(d.virtual_cost(ci)) for ci, d in zip(c, priors, strict=True)])
    vcost, x = _min_cost(psi, Q, R)
    if x is None:
        raise InfeasibleError(_shortfall_message(Q, R, names, list(requirements), np.ones(n, bool)))
    full_cost, _ = _min_cost(c, Q, R)
    procured = vcost <= value
    payment = np.zeros(n)
    if procured:
        for i in np.flatnonzero(x):
            without, _ = _min_cost(psi, Q, R, forbidden=np.array([i]))
            rest, _ = _min_cost(np.where(np.arange(n) == i, 0.0, psi), Q, R, forced=i)
            critical_psi = min(without, value) - rest
            payment[i] = priors[i].inverse_virtual_cost(critical_psi)
    else:
        x = np.zeros(n, dtype=bool)
    out = pd.DataFrame({"partner": names, "price": c, "virtual_cost": psi, "is_selected": x,
                        "payment": payment, "rent": np.where(x, payment - c, 0.0)})
    chosen_cost = float(c[x].sum())
    loss = chosen_cost - full_cost if procured else max(0.0, value - full_cost) if math.isfinite(value) else math.inf
    out.attrs = {"model": "optimal_procurement", "is_procured": bool(procured),
                 "total_payment": float(payment.sum()), "information_rent": float(out["rent"].sum()),
                 "full_information_cost": float(full_cost), "efficiency_loss": float(loss)}
    return out


def procurement_bytes(n_partners: int, draws: int) -> float:
    """Estimated memory (bytes) of :func:`simulate_procurement` with ``draws`` draws for ``n_partners`` partners.

    Examples
    --------
    >>> procurement_bytes(10, 1000)
    760000.0
    """
    return float(draws) * (DRAW_BYTES_PER_PARTNER * n_partners + DRAW_BYTES)


@validate_call(config=_ARBITRARY)
def simulate_procurement(partners: pd.DataFrame, priors: Sequence[PriceDistribution] | PriceDistribution, *,
                         requirements: Mapping[str, Level], value: LeadValue = math.inf, draws: Annotated[int, Field(ge=1)] = 100,
                         seed: int | np.random.Generator | None = None) -> pd.DataFrame:
    """Monte Carlo of :func:`optimal_procurement` over private prices drawn from the priors.

    Parameters
    ----------
    partners : pandas.DataFrame
        ``partner`` and the requirement columns (any ``price`` column is ignored).
    priors, requirements, value
        As in :func:`optimal_procurement`.
    draws : int
        Number of price draws.
    seed : int or numpy.random.Generator
        Randomness.

    Returns
    -------
    pandas.DataFrame
        One row per draw: ``draw, is_procured, n_members, total_payment, information_rent,
        full_information_cost, efficiency_loss``.

    Raises
    ------
    InfeasibleError
        The draws would need more memory than :func:`coalitionlab._validation.memory_limit`
        (estimate: :func:`procurement_bytes`), before any is drawn.

    Examples
    --------
    >>> partners = pd.DataFrame({"partner": list("ABCD"), "flags": 1})
    >>> sim = simulate_procurement(partners, PriceDistribution(), requirements={"flags": 2}, draws=50, seed=1)
    >>> bool((sim.total_payment >= sim.full_information_cost).all())
    True
    """
    if draws < 1:
        raise ValueError(f"draws must be >= 1, got {draws}")
    n = len(partners)
    check_memory(f"simulate_procurement(draws={draws:,}) with {n} partners", procurement_bytes(n, draws))
    rng = np.random.default_rng(seed)
    priors_l = [priors] * n if isinstance(priors, PriceDistribution) else list(priors)
    prices = np.column_stack([d.sample(draws, seed=rng) for d in priors_l]) if n else np.zeros((draws, 0))
    rows = []
    for k in range(draws):  # each draw is one MILP per member; the draws are independent
        frame = partners.assign(price=prices[k])
        out = optimal_procurement(frame, priors_l, requirements=requirements, value=value)
        a = out.attrs
        rows.append((k, a["is_procured"], int(out["is_selected"].sum()), a["total_payment"],
                     a["information_rent"], a["full_information_cost"], a["efficiency_loss"]))
    return pd.DataFrame(rows, columns=["draw", "is_procured", "n_members", "total_payment", "information_rent",
                                       "full_information_cost", "efficiency_loss"])


# --------------------------------------------------------------------------- sequential offers


@validate_call(config=_ARBITRARY)
def sequential_offers(partners: pd.DataFrame, *, requirements: Mapping[str, Level], value: LeadValue = math.inf,
                      holdout: str = "is_holdout", price: str = "price") -> pd.DataFrame:
    """Two-round sequential offers in which hold-outs wait for a better offer.

    Round 1: the lead offers each member of the cheapest coalition its price; ordinary partners
    accept, hold-outs refuse. Round 2: each remaining hold-out :math:`h` demands
    :math:`c_h + \\max(0, C_{-h} - C)`, where :math:`C` is the cheapest completion of the
    coalition over the remaining partners and :math:`C_{-h}` the cheapest without :math:`h`; an
    indispensable hold-out (:math:`C_{-h} = \\infty`) demands :math:`c_h` plus the lead's whole
    remaining surplus :math:`W - \\text{paid} - C` (ties between a hold-out and its replacement go
    to the hold-out; with :math:`W = \\infty`, the surplus is
    undefined and the call raises). The lead completes the coalition at these demands; if the total
    exceeds :math:`W` it abandons the coalition (the round-1 payments are already sunk) -- as happens
    when two or more indispensable hold-outs each ask for the whole surplus.

    Parameters
    ----------
    partners : pandas.DataFrame
        As in :func:`cheapest_coalition`, plus a boolean ``holdout`` column.
    requirements : mapping of str to float
        Levels to meet.
    value : float
        The lead's value :math:`W` of the coalition.
    holdout, price : str
        Column names.

    Returns
    -------
    pandas.DataFrame
        One row per partner: ``partner, price, is_holdout, round, payment`` (``round`` 0 if not
        recruited). ``attrs``: ``total_payment``, ``milp_cost`` (the cost with no hold-outs),
        ``holdout_premium`` (their difference), ``is_complete``.

    Examples
    --------
    >>> partners = pd.DataFrame({"partner": list("ABC"), "flags": 1, "price": [1.0, 2.0, 4.0],
    ...                          "is_holdout": [False, True, False]})
    >>> out = sequential_offers(partners, requirements={"flags": 2}, value=10.0)
    >>> out[["partner", "round", "payment"]]
      partner  round  payment
    0       A      1      1.0
    1       B      2      4.0
    2       C      0      0.0
    >>> out.attrs["holdout_premium"]
    2.0
    """
    names, c = _check_partners(partners, price)
    n = len(names)
    if holdout not in partners.columns:
        raise ValueError(f"partners needs a boolean {holdout!r} column")
    hold = partners[holdout].astype(bool).to_numpy()
    if not value >= 0:
        raise ValueError(f"value must be >= 0, got {value!r}")
    Q, R = _requirement_matrix(partners, requirements)
    milp_cost, x = _min_cost(c, Q, R)
    if x is None:
        raise InfeasibleError(_shortfall_message(Q, R, names, list(requirements), np.ones(n, bool)))
    rnd = np.zeros(n, dtype=int)
    pay = np.zeros(n)
    first = x & ~hold
    rnd[first], pay[first] = 1, c[first]
    R2 = np.maximum(R - Q[first].sum(axis=0), 0.0)
    pool = ~first
    complete = True
    if np.any(R2 > 1e-12):
        idx = np.flatnonzero(pool)
        c_pool, Q_pool = c[idx], Q[idx]
        base, _ = _min_cost(c_pool, Q_pool, R2)
        demand = c_pool.copy()
        for j in np.flatnonzero(hold[idx]):
            without, _ = _min_cost(c_pool, Q_pool, R2, forbidden=np.array([j]))
            if math.isinf(without):
                if math.isinf(value):
                    raise ValueError(f"hold-out {names[idx[j]]!r} is indispensable and the lead's value is "
                                     "unbounded: give value= so its demand is defined")
                surplus = value - pay.sum() - base
                demand[j] = c_pool[j] + max(0.0, surplus)
            else:
                demand[j] = c_pool[j] + max(0.0, without - base)
        # a hold-out asks exactly its replacement cost; the lead's tie goes to the hold-out
        nudge = np.where(hold[idx], 1e-6 * max(1.0, float(demand.max())), 0.0)
        _, x2 = _min_cost(demand - nudge, Q_pool, R2)
        total2 = float(demand[x2].sum()) if x2 is not None else math.inf
        if x2 is None or pay.sum() + total2 > value + 1e-9:
            complete = False
        else:
            rnd[idx[x2]], pay[idx[x2]] = 2, demand[x2]
    out = pd.DataFrame({"partner": names, "price": c, "is_holdout": hold, "round": rnd, "payment": pay})
    out.attrs = {"model": "sequential_offers", "total_payment": float(pay.sum()), "milp_cost": float(milp_cost),
                 "holdout_premium": float(pay.sum() - milp_cost), "is_complete": bool(complete)}
    return out


@dataclass(frozen=True)
class HoldoutGame:
    """The 2 x 2 game between two partners deciding whether to hold out.

    Attributes
    ----------
    players : tuple of str
        The two partners (row player first).
    row, col : numpy.ndarray
        2 x 2 payoffs (rents) of the row and column partner; strategies ``(accept, hold_out)``.
    """

    players: tuple[str, str]
    row: np.ndarray
    col: np.ndarray

    def equilibria(self) -> list[tuple[float, float]]:
        """All Nash equilibria of a non-degenerate 2 x 2 game, as (P(row holds out), P(col holds out)).

        Pure equilibria by checking best responses, the mixed one (if any) by indifference.
        """
        A, B = self.row, self.col
        found = [(float(i), float(j)) for i in (0, 1) for j in (0, 1)
                 if A[i, j] >= A[1 - i, j] and B[i, j] >= B[i, 1 - j]]
        da = A[0, 0] - A[1, 0] - A[0, 1] + A[1, 1]  # row indifferent when q makes its two rows equal
        db = B[0, 0] - B[0, 1] - B[1, 0] + B[1, 1]
        if da != 0 and db != 0:
            q = (A[0, 0] - A[1, 0]) / da
            p = (B[0, 0] - B[0, 1]) / db
            if 0 < p < 1 and 0 < q < 1:
                found.append((float(p), float(q)))
        return found


@validate_call(config=_ARBITRARY)
def holdout_game(partners: pd.DataFrame, *, requirements: Mapping[str, Level], players: tuple[str, str],
                 value: LeadValue, waiting_cost: Annotated[float, Field(ge=0, allow_inf_nan=False)] = 0.0,
                 price: str = "price") -> HoldoutGame:
    """Two partners choose whether to hold out in :func:`sequential_offers`.

    Every other partner is ordinary. A partner's payoff is its rent (payment minus price) if it is
    recruited, else 0, minus ``waiting_cost`` if it held out (a round of delay).

    Parameters
    ----------
    partners : pandas.DataFrame
        As in :func:`cheapest_coalition`.
    requirements : mapping of str to float
        Levels to meet.
    players : (str, str)
        The two partners who choose.
    value : float
        The lead's value :math:`W` of the coalition (finite: an indispensable hold-out's demand).
    waiting_cost : float
        Cost to a partner of holding out (>= 0).

    Returns
    -------
    HoldoutGame

    Examples
    --------
    >>> partners = pd.DataFrame({"partner": list("ABC"), "flags": 1, "price": 1.0})
    >>> g = holdout_game(partners, requirements={"flags": 3}, players=("A", "B"), value=10.0, waiting_cost=1.0)
    >>> g.row.tolist()
    [[0.0, 0.0], [6.0, -1.0]]
    >>> [(round(p, 4), round(q, 4)) for p, q in g.equilibria()]
    [(0.0, 1.0), (1.0, 0.0), (0.8571, 0.8571)]
    """
    names = partners["partner"].astype(str).tolist() if "partner" in partners.columns else []
    for who in players:
        if who not in names:
            raise ValueError(f"player {who!r} is not a partner")
    if players[0] == players[1]:
        raise ValueError("the two players must differ")
    i, j = names.index(players[0]), names.index(players[1])
    row, col = np.zeros((2, 2)), np.zeros((2, 2))
    for a in (0, 1):
        for b in (0, 1):
            hold = np.zeros(len(names), dtype=bool)
            hold[i], hold[j] = bool(a), bool(b)
            out = sequential_offers(partners.assign(is_holdout=hold), requirements=requirements, value=value,
                                    price=price)
            rent = np.where(out["round"].to_numpy() > 0, out["payment"].to_numpy() - out["price"].to_numpy(), 0.0)
            row[a, b] = rent[i] - waiting_cost * a
            col[a, b] = rent[j] - waiting_cost * b
    return HoldoutGame(players=(players[0], players[1]), row=row, col=col)
