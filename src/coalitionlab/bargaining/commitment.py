"""Model 6: credible commitment -- promised payments are worth what the partner believes of them.

The lead can pay a partner now (up-front, :math:`u`, at most :math:`U`) or promise a payment
:math:`m` delivered later. The partner discounts a promise by the lead's credibility
:math:`\\rho(e) \\in [0, 1]`, which grows with embeddedness :math:`e`:

.. math::

    \\rho(e) = 1 - (1 - \\rho_0)\\, e^{-\\kappa e},

with :math:`\\rho_0` the credibility of a lead with no ties and :math:`\\kappa \\ge 0` the rate at
which ties build it (Henke 2019: embeddedness makes promises believable). Paying later costs the
lead :math:`\\beta m` today (:math:`\\beta \\in [0, 1]`, the lead's discount factor). The lead solves

.. math::

    \\min_{u, m} u + \\beta m \\quad \\text{s.t.}\\quad u + \\rho m \\ge r,\\ 0 \\le u \\le U,\\ m \\ge 0 .

A unit of partner value costs :math:`1` up-front and :math:`\\beta/\\rho` by promise, so

* if :math:`\\rho > \\beta`: promise everything, :math:`m = r/\\rho`, cost :math:`\\beta r/\\rho`;
* if :math:`\\rho \\le \\beta`: pay :math:`u=\\min(r, U)` up-front and promise the rest,
  cost :math:`u + \\beta (r-u)/\\rho`.

By construction, the cost is continuous and non-increasing in :math:`\\rho`, hence in :math:`e` (:math:`\\rho` rises with :math:`e` by its
functional form); the hypothesis properties check only the code's fidelity to that. The closed form
itself is tested against an LP (HiGHS), a brute-force search over up-front payments and, for
:math:`\\rho(e)`, a numerical integration of :math:`d\\rho/de = \\kappa (1 - \\rho)`. The lead recruits
when the cost does not exceed the partner's value to it.

References
----------
Henke, M. E. (2019). *Constructing Allied Cooperation*. Cornell University Press, ch. 2.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from pydantic import BaseModel, ConfigDict, Field
from pydantic_core import ValidationError

from coalitionlab.errors import InfeasibleError

__all__ = ["CommitmentParams", "credibility", "recruitment_cost"]


class CommitmentParams(BaseModel):
    """Parameters of the credible-commitment model.

    Parameters
    ----------
    rho0 : float
        Credibility of promises with zero embeddedness, in [0, 1].
    kappa : float
        Rate at which embeddedness builds credibility (>= 0).
    beta : float
        Lead's discount factor on deferred payments, in [0, 1].
    upfront_cap : float
        Most the lead can pay up-front (>= 0; ``inf`` for no cap).

    Examples
    --------
    >>> CommitmentParams(rho0=0.3, kappa=0.05, beta=0.9, upfront_cap=1.0).beta
    0.9
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    rho0: float = Field(default=0.3, ge=0, le=1)
    kappa: float = Field(default=0.05, ge=0, allow_inf_nan=False)
    beta: float = Field(default=0.9, ge=0, le=1)
    upfront_cap: float = Field(default=1.0, ge=0)


def check_array(values: ArrayLike, *, name: str, where: str, ge: float | None = None, gt: float | None = None,
                le: float | None = None) -> np.ndarray:
    """Float array with every element finite and within bounds, else a pydantic ValidationError.

    The error names the argument and the first offending position (``reservation.3``), like the
    errors of the pydantic parameter models.
    """
    arr = np.asarray(values, dtype=float)
    flat = arr.reshape(-1)
    checks = [("finite_number", ~np.isfinite(flat), {})]
    if ge is not None:
        checks.append(("greater_than_equal", ~(flat >= ge), {"ge": ge}))
    if gt is not None:
        checks.append(("greater_than", ~(flat > gt), {"gt": gt}))
    if le is not None:
        checks.append(("less_than_equal", ~(flat <= le), {"le": le}))
    for kind, bad, ctx in checks:
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            loc = (name,) if arr.ndim == 0 else (name, i)
            raise ValidationError.from_exception_data(
                where, [{"type": kind, "loc": loc, "input": float(flat[i]), **({"ctx": ctx} if ctx else {})}])
    return arr


def credibility(embeddedness: ArrayLike, *, params: CommitmentParams | None = None) -> np.ndarray:
    """Credibility :math:`\\rho(e) = 1 - (1-\\rho_0) e^{-\\kappa e}` of the lead's promises.

    Parameters
    ----------
    embeddedness : array_like
        Embeddedness (>= 0).
    params : CommitmentParams, optional
        Model parameters (defaults if omitted).

    Returns
    -------
    numpy.ndarray
        Values in :math:`[\\rho_0, 1]`, non-decreasing in embeddedness (by construction: the
        functional form).

    Examples
    --------
    >>> credibility([0.0, 20.0], params=CommitmentParams(rho0=0.3, kappa=0.05)).round(4).tolist()
    [0.3, 0.7425]
    """
    p = params or CommitmentParams()
    e = check_array(embeddedness, name="embeddedness", where="credibility", ge=0)
    return 1.0 - (1.0 - p.rho0) * np.exp(-p.kappa * e)


def recruitment_cost(reservation: ArrayLike, *, embeddedness: ArrayLike | None = None,
                     rho: ArrayLike | None = None, params: CommitmentParams | None = None,
                     value: ArrayLike | None = None) -> pd.DataFrame:
    """Cheapest mix of up-front and promised payments that recruits each partner.

    Vectorised over partners: ``reservation``, ``embeddedness`` (or ``rho``) and ``value``
    broadcast against each other. By construction the cost is continuous and non-increasing in
    ``rho`` and in ``embeddedness`` (an identity of the closed form, not a finding).

    Parameters
    ----------
    reservation : array_like
        Partners' reservation values :math:`r \\ge 0`.
    embeddedness : array_like, optional
        Lead-partner embeddedness; credibility comes from :func:`credibility`.
    rho : array_like, optional
        Credibility given directly, in [0, 1] (instead of ``embeddedness``).
    params : CommitmentParams, optional
        Model parameters.
    value : array_like, optional
        Each partner's value to the lead; if given, ``is_recruited = cost <= value``.

    Returns
    -------
    pandas.DataFrame
        Columns ``reservation, rho, upfront, promised, cost`` (and ``value, is_recruited``).

    Raises
    ------
    InfeasibleError
        If a partner wants more than the up-front cap and promises are worthless (:math:`\\rho=0`).
    pydantic.ValidationError
        If a value is out of domain (negative or non-finite reservation, rho outside [0, 1] ...);
        the error names the argument and position.
    ValueError
        If neither or both of ``embeddedness`` and ``rho`` are given.

    Examples
    --------
    >>> p = CommitmentParams(rho0=0.3, kappa=0.05, beta=0.9, upfront_cap=1.0)
    >>> recruitment_cost([2.0, 2.0], rho=[0.5, 0.95], params=p).round(4)[["upfront", "promised", "cost"]]
       upfront  promised    cost
    0      1.0    2.0000  2.8000
    1      0.0    2.1053  1.8947
    """
    p = params or CommitmentParams()
    if (embeddedness is None) == (rho is None):
        raise ValueError("give exactly one of embeddedness= or rho=")
    r_vec = check_array(reservation, name="reservation", where="recruitment_cost", ge=0)
    if rho is None:
        rho_vec = credibility(embeddedness, params=p)
    else:
        rho_vec = check_array(rho, name="rho", where="recruitment_cost", ge=0, le=1)
    arrays = [r_vec, rho_vec]
    if value is not None:
        arrays.append(check_array(value, name="value", where="recruitment_cost", ge=0))
    arrays = np.broadcast_arrays(*[np.atleast_1d(a) for a in arrays])
    r, rh = arrays[0], arrays[1]
    bad = (rh == 0) & (r > p.upfront_cap)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InfeasibleError(
            f"{int(bad.sum())} partner(s) cannot be recruited: partner {i} wants {r[i]:g} but only "
            f"{p.upfront_cap:g} can be paid up-front and promises are worthless (rho = 0)")
    promise_cheaper = rh > p.beta
    upfront = np.where(promise_cheaper, 0.0, np.minimum(r, p.upfront_cap))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        promised = np.where(r - upfront > 0, (r - upfront) / np.where(rh > 0, rh, 1.0), 0.0)
    cost = upfront + (p.beta * promised if p.beta > 0 else 0.0)  # a free promise costs 0 even if huge
    out = pd.DataFrame({"reservation": r, "rho": rh, "upfront": upfront, "promised": promised, "cost": cost})
    if value is not None:
        out["value"] = arrays[2]
        out["is_recruited"] = out["cost"] <= out["value"]
    out.attrs = {"model": "credible_commitment", "params": p.model_dump()}
    return out
