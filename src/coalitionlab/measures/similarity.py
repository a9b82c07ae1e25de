"""Alliance-portfolio similarity: Signorino and Ritter's S from ATOP, by sparse products per year.

Each state's portfolio in a year is its row of the 0/1 alliance matrix ``A`` over the system
members (a state is allied with itself). With binary ties and unweighted S,

``S_ij = 1 - 2 * sum_k |a_ik - a_jk| / n``,  and  ``sum_k |a_ik - a_jk| = deg_i + deg_j - 2 (A A')_ij``,

so all pairs of a year come from one sparse product ``A @ A.T``: no loop over dyads.
"""

from __future__ import annotations

import os
from typing import Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp

from coalitionlab._validation import check_option
from coalitionlab.measures._common import (
    CcodeIndex,
    check_panel,
    finish,
    load_source,
    new_attrs,
    stamp,
    year_coverage,
)
from coalitionlab.measures.alliances import ATOP_FLAGS

__all__ = ["add_alliance_similarity", "s_score_matrix"]


def s_score_matrix(adjacency: sp.spmatrix) -> np.ndarray:
    """Unweighted binary S-scores of every pair of rows of a 0/1 portfolio matrix (diagonal = 1 added).

    Parameters
    ----------
    adjacency
        n x n symmetric 0/1 alliance matrix of the n system members (diagonal ignored).

    Returns
    -------
    numpy.ndarray
        n x n matrix of S in [-1, 1]; ``S[i, i] == 1``.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> A = sp.csr_matrix([[0, 1, 0], [1, 0, 0], [0, 0, 0]])
    >>> s_score_matrix(A).round(3).tolist()
    [[1.0, 1.0, -1.0], [1.0, 1.0, -1.0], [-1.0, -1.0, 1.0]]

    References
    ----------
    Signorino, C. S. and J. M. Ritter. 1999. "Tau-b or Not Tau-b: Measuring the Similarity of Foreign
    Policy Positions." *International Studies Quarterly* 43(1): 115-144.
    """
    n = adjacency.shape[0]
    A = sp.csr_matrix(adjacency, dtype="float64")
    A = A - sp.diags(A.diagonal()) + sp.identity(n, format="csr")
    A.data = (A.data > 0).astype("float64")
    deg = np.asarray(A.sum(axis=1)).ravel()
    common = (A @ A.T).toarray()
    dist = deg[:, None] + deg[None, :] - 2 * common
    return 1 - 2 * dist / n


def add_alliance_similarity(panel: pd.DataFrame, *, data_dir: str | os.PathLike | None = None,
                            ties: Literal["any", "defense"] = "any") -> pd.DataFrame:
    """Add the unweighted binary S of the two states' ATOP 5.1 alliance portfolios.

    With ``ties="any"`` (column ``atop_sscore``) a tie is any ATOP obligation in either direction,
    including the broad consultation pacts (CSCE/OSCE-era) that tie e.g. the USA and Russia to most
    of Europe; ``ties="defense"`` (column ``atop_sscore_defense``) counts defence obligations only.
    The portfolio runs over the COW system members of the year. Symmetric; NaN outside ATOP 5.1
    (1815-2018).

    Raises
    ------
    PanelTypeError

    References
    ----------
    Signorino and Ritter (1999); Leeds et al. (2002), ATOP 5.1.
    """
    from coalitionlab.data import get_source
    from coalitionlab.measures.panel import create_stateyears

    check_panel(panel, "dyad_year", step="add_alliance_similarity()")
    check_option(ties, ["any", "defense"], name="ties")
    col = "atop_sscore" if ties == "any" else "atop_sscore_defense"
    attrs = new_attrs(panel)
    first, last = get_source("atop_dyads").first_year, get_source("atop_dyads").last_year
    years = panel["year"].to_numpy().astype("int64")
    inside = (years >= max(first, 1816)) & (years <= last)
    out = np.full(len(panel), np.nan)
    wanted = np.unique(years[inside])
    if len(wanted):
        sy = create_stateyears(years=wanted, data_dir=data_dir)
        dy = load_source("atop_dyads", data_dir)
        wanted = wanted[year_coverage("atop_dyads", dy).inside(wanted)]  # a year the file lacks stays NaN
    if len(wanted):
        flags = list(ATOP_FLAGS) if ties == "any" else ["atop_defense"]
        tied = dy[dy["year"].isin(wanted) & (dy[flags].fillna(0).sum(axis=1) > 0)]
        c1, c2 = panel["ccode1"].to_numpy(), panel["ccode2"].to_numpy()
        order = np.argsort(years, kind="stable")
        lo, hi = np.searchsorted(years[order], wanted, "left"), np.searchsorted(years[order], wanted, "right")
        sy_by_year = dict(tuple(sy.groupby("year")["ccode"]))
        tie_by_year = dict(tuple(tied.groupby("year")))
        for k, t in enumerate(wanted):  # one sparse product per year
            members = sy_by_year[t].to_numpy()
            idx = CcodeIndex(members)
            tt = tie_by_year.get(t)
            i = idx(tt["ccode1"].to_numpy()) if tt is not None else np.empty(0, "int64")
            j = idx(tt["ccode2"].to_numpy()) if tt is not None else np.empty(0, "int64")
            ok = (i >= 0) & (j >= 0)
            n = len(idx)
            A = sp.csr_matrix((np.ones(ok.sum()), (i[ok], j[ok])), shape=(n, n))
            A = ((A + A.T) > 0).astype("float64")
            S = s_score_matrix(A)
            rows = order[lo[k]:hi[k]]
            a, b = idx(c1[rows]), idx(c2[rows])
            good = (a >= 0) & (b >= 0)
            out[rows[good]] = S[a[good], b[good]]
        stamp(attrs, "atop_dyads", str(dy.attrs.get("version", "5.1")), [col], coverage=(first, last))
    else:
        stamp(attrs, "atop_dyads", get_source("atop_dyads").version, [col], coverage=(first, last))
    return finish(panel, {col: out}, attrs, data_dir=data_dir)
