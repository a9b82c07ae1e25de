"""Model 1's concession at its two edges (gaps mutation testing found in bargaining/one_partner.py): the
concession is a share of the spoils, so never above 1, and nothing is paid where nothing is owed."""

from __future__ import annotations

import pytest

from coalitionlab.bargaining import OnePartnerParams, solve_one_partner


def test_a_shortfall_a_hair_above_the_whole_spoils_is_bought_with_exactly_the_whole() -> None:
    # p1 = 0.7; shortfall = c - a delta = 0.7 (1 + 1e-13): within the buyable tolerance (1e-12), so the partner
    # is bought, at s = 1 exactly (the share cannot exceed the spoils), not at shortfall / p1 = 1 + 1e-13
    p0, delta = 0.5, 0.2
    c = 0.7 * (1 + 1e-13)
    sol = solve_one_partner(OnePartnerParams(p0=p0, delta=delta, omega=1, sigma=0.5, c=c, eta=10, a=0.0))
    assert c / (p0 + delta) > 1.0
    assert sol.concession == 1.0
    assert sol.recruits
    assert sol.gain == pytest.approx(delta * 1.5 - c / 10, abs=1e-15)  # delta (1 + omega sigma) - shortfall / eta


def test_no_win_probability_and_no_cost_means_no_concession() -> None:
    # p0 = delta = 0 (the war is lost with or without the partner) and c = 0: the partner joins for nothing,
    # so the concession is 0, the gain 0 (delta stake - 0), and the lead recruits at no cost
    sol = solve_one_partner(OnePartnerParams(p0=0.0, delta=0.0, omega=1, sigma=0.5, c=0.0, eta=1, a=0.3))
    assert sol.concession == 0.0
    assert sol.gain == 0.0
    assert sol.recruits
    assert sol.lead_utility == 0.0
