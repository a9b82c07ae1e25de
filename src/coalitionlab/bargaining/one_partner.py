"""Model 1: one partner, concessions and political insecurity (after Wolford & Ritter 2016).

The lead wins alone with probability ``p0``; with the partner, ``p0 + delta``. Winning is worth
1 (policy) plus the office value ``omega`` weighted by the leader's insecurity ``sigma``. The lead
buys the partner with a concession ``s`` delivered out of the spoils, i.e. only if the coalition
wins; a unit of concession costs the lead ``1/eta``. The partner values the lead's victory by
its affinity ``a`` and pays ``c`` to fight::

    U_partner(join)    = a (p0 + delta) + (p0 + delta) s - c      U_partner(stay out) = a p0
    U_lead(recruit, s) = (p0 + delta) (1 + omega sigma - s / eta)  U_lead(alone)       = p0 (1 + omega sigma)

The concession is a share of the spoils, so ``0 <= s <= 1``. The smallest concession that makes
the partner join is ``s_req = max(0, c - a delta) / (p0 + delta)``. When ``s_req <= 1`` the lead
offers ``s* = s_req`` and recruits iff its gain ``delta (1 + omega sigma) - max(0, c - a delta) / eta``
is >= 0. When ``s_req > 1`` no admissible concession buys the partner: even at the cap ``s = 1`` the
partner stays out, so the lead goes alone (``s* = 1`` is reported as the best it could offer, the
gain from recruiting is ``-inf``). Together: the lead recruits iff
``a >= a* = c / delta - min(eta (1 + omega sigma), (p0 + delta) / delta)``.
See ``docs/bargaining/one_partner.md``.

References
----------
Wolford, S. and Ritter, E. H. (2016). National leaders, political security, and the formation of
military coalitions. *International Studies Quarterly* 60(3), 540-551.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from coalitionlab.bargaining.params import OnePartnerParams


@dataclass(frozen=True)
class OnePartnerSolution:
    """Solution of model 1.

    Attributes
    ----------
    concession : float
        The smallest concession ``s*`` in [0, 1] that makes the partner join; 1 (the cap) when
        none does (``recruits`` is then False).
    gain : float
        The lead's gain from recruiting at ``s*`` over going alone (negative: not worth it;
        ``-inf``: the partner cannot be bought with a concession of at most 1).
    recruits : bool
        Whether the lead recruits (``gain >= 0``).
    a_threshold : float
        The affinity threshold ``a*``; the lead recruits iff ``a >= a*`` (with the cap:
        ``c/delta - min(eta (1 + omega sigma), (p0 + delta)/delta)``, ``OnePartnerParams.a_threshold()``).
    win_probability : float
        The lead's win probability in equilibrium.
    lead_utility : float
        The lead's equilibrium utility.
    """

    concession: float
    gain: float
    recruits: bool
    a_threshold: float
    win_probability: float
    lead_utility: float


def solve_one_partner(params: OnePartnerParams) -> OnePartnerSolution:
    """Solve model 1: the lead's optimal concession and whether it recruits.

    Parameters
    ----------
    params
        The model's parameters.

    Returns
    -------
    OnePartnerSolution

    Examples
    --------
    >>> sol = solve_one_partner(OnePartnerParams(p0=.5, delta=.2, omega=1, sigma=.5, c=.1, eta=1, a=.2))
    >>> round(sol.concession, 4), round(sol.gain, 4), sol.recruits, sol.a_threshold
    (0.0857, 0.24, True, -1.0)

    A partner that only a concession above the whole spoils would buy stays out:

    >>> sol = solve_one_partner(OnePartnerParams(p0=.5, delta=.2, omega=5, sigma=1, c=.1, eta=1, a=-5))
    >>> sol.concession, sol.recruits, sol.lead_utility, round(sol.a_threshold, 12)
    (1.0, False, 3.0, -3.0)
    """
    p1 = params.p0 + params.delta
    stake = 1.0 + params.omega * params.sigma
    shortfall = max(0.0, params.c - params.a * params.delta)  # what affinity leaves uncovered
    # the partner joins iff p1 s >= shortfall; s is a share of the spoils, so s <= 1
    buyable = shortfall <= p1 * (1.0 + 1e-12)
    if not buyable:  # even s = 1 leaves the partner out: the lead's payoff is p0 stake whatever it offers
        concession, gain = 1.0, -np.inf
    else:
        concession = min(shortfall / p1, 1.0) if p1 > 0 else 0.0
        gain = params.delta * stake - shortfall / params.eta
    recruits = gain >= 0
    win = p1 if recruits else params.p0
    alone = params.p0 * stake
    a_threshold = params.a_threshold()  # with the cap; delta = 0: recruited only when it costs nothing
    return OnePartnerSolution(
        concession=float(concession),
        gain=float(gain),
        recruits=bool(recruits),
        a_threshold=float(a_threshold),
        win_probability=float(win),
        lead_utility=float(alone + max(gain, 0.0)),
    )
