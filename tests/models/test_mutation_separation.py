"""Separation detection: cases that mutation testing showed the other tests let through
(docs/development/mutation.md). Each design is small enough to solve the separation LP by hand."""

from __future__ import annotations

import numpy as np

from coalitionlab.models.separation import SeparationReport, detect_separation


def test_complete_separation_on_one_regressor_by_hand():
    # no intercept; x < 0 exactly when y = 0: b = 1 gives every row s_i x_i b > 0 (margins .5, 1, .5, 1
    # after scaling the column by its largest |x|), so all four rows are perfectly predicted
    x = np.array([[-1.0], [-2.0], [1.0], [2.0]])
    rep = detect_separation(x, np.array([0, 0, 1, 1]))  # default names
    assert rep.is_separated is True and rep.variables == ["x0"] and rep.n_separated_rows == 4
    assert str(rep) == "separation along x0 (4 rows perfectly predicted)"


def test_separation_on_a_tiny_scale_regressor_is_found():
    # the same pattern in a regressor measured in units of 1e-9, next to an intercept: each column is
    # rescaled to a largest |value| of 1 before the LP, so the size of the units does not matter
    X = np.column_stack([np.ones(4), np.array([-1.0, -2.0, 1.0, 2.0]) * 1e-9])
    rep = detect_separation(X, np.array([0, 0, 1, 1]), ["const", "x"])
    assert rep.is_separated is True and "x" in rep.variables


def test_no_separation_report():
    # y = 1 and y = 0 at both x values: no direction separates (hand check: any b != 0 fails a row)
    X = np.column_stack([np.ones(4), [0.0, 0.0, 1.0, 1.0]])
    rep = detect_separation(X, np.array([0, 1, 0, 1]), ["const", "x"])
    assert rep.is_separated is False and rep.variables == [] and rep.n_separated_rows == 0
    assert str(rep) == "no separation"
    assert str(SeparationReport(True, ["a", "b"], 3)) == "separation along a, b (3 rows perfectly predicted)"
