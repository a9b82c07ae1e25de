"""Detect (quasi-)complete separation before fitting a logit, by linear programming.

A direction ``b`` with ``(2y - 1) x'b >= 0`` for every row and ``> 0`` for some rows exists iff
the ML estimate does not exist (Albert & Anderson 1984). Following Konis (2007), solve
``max sum_i s_i x_i'b  s.t.  s_i x_i'b >= 0,  -1 <= b <= 1`` with HiGHS; a positive optimum
means separation, and the non-zero entries of ``b`` name the variables involved.

References
----------
Albert, A. and Anderson, J. A. (1984). On the existence of maximum likelihood estimates in
logistic regression models. *Biometrika* 71(1), 1-10.
Konis, K. (2007). *Linear programming algorithms for detecting separated data in binary
logistic regression models*. DPhil thesis, University of Oxford.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class SeparationReport:
    """``is_separated``; ``variables``: the regressors along the separating direction;
    ``n_separated_rows``: rows whose fitted probability ML would push to exactly 0 or 1."""

    is_separated: bool
    variables: list[str] = field(default_factory=list)
    n_separated_rows: int = 0

    def __str__(self) -> str:
        if not self.is_separated:
            return "no separation"
        return (f"separation along {', '.join(self.variables)} "
                f"({self.n_separated_rows} rows perfectly predicted)")


def detect_separation(X: np.ndarray, y: np.ndarray, names: list[str] | None = None, *, tol: float = 1e-7) -> SeparationReport:
    """Return a :class:`SeparationReport` for design ``X`` (with intercept) and 0/1 outcome ``y``.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.column_stack([np.ones(6), [0, 0, 0, 1, 1, 1]])
    >>> detect_separation(X, np.array([0, 0, 1, 1, 1, 1]), ["const", "x"]).is_separated
    True
    """
    X = np.asarray(X, dtype=float)
    s = 2 * np.asarray(y, dtype=float) - 1
    A = X * s[:, None]
    scale = np.maximum(np.abs(A).max(axis=0), 1e-12)  # bounded b on comparable scales
    As = A / scale
    from scipy.optimize import linprog  # here, not at import: a cached fit's SeparationReport needs no solver

    res = linprog(-As.sum(axis=0), A_ub=-As, b_ub=np.zeros(len(s)), bounds=[(-1, 1)] * X.shape[1], method="highs")
    if res.status != 0 or -res.fun <= tol * len(s):
        return SeparationReport(False)
    b = res.x
    names = names or [f"x{j}" for j in range(X.shape[1])]
    involved = [n for n, v in zip(names, b) if abs(v) > 1e-6]
    margin = As @ b
    return SeparationReport(True, involved, int((margin > 1e-7).sum()))
