"""The model figures by their contents: panels, which designs on which axis, lines and bands."""

from __future__ import annotations

from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import PolyCollection  # noqa: E402
from matplotlib.patches import Polygon, Rectangle  # noqa: E402

from coalitionlab.errors import EstimationError  # noqa: E402
from coalitionlab.models import fit_participation  # noqa: E402
from coalitionlab.models.effects import first_difference, predicted_probabilities  # noqa: E402
from coalitionlab.reports import plots  # noqa: E402
from coalitionlab.reports.models import robustness_section, write_robustness_report  # noqa: E402


def _battery() -> pd.DataFrame:
    """A table shaped like models.robustness: log-odds designs, the LPM, the permutation, one not run."""
    rows = [("baseline", 2.2, 1.3, 3.1, "logit"), ("lag_1", 2.0, 1.1, 2.9, "logit"),
            ("coalition_fe", 2.5, 1.8, 3.3, "clogit"), ("firth", 2.19, 1.8, 2.6, "firth"),
            ("lpm", 0.13, 0.09, 0.18, "lpm"), ("permutation", 2.2, np.nan, np.nan, "logit"),
            ("bootstrap", 2.2, 1.6, 2.8, "logit"), ("contact", np.nan, np.nan, np.nan, "")]
    return pd.DataFrame(rows, columns=["design", "estimate", "ci_low", "ci_high", "method"]).assign(
        std_error=0.3, p_value=0.01, description="", term="embeddedness_log1p", n_obs=100, note="")


def _ticks(ax) -> list[str]:
    return [t.get_text() for t in ax.get_yticklabels()]


def test_coefplot_puts_each_scale_on_its_own_panel() -> None:
    draws = np.random.default_rng(0).normal(0.2, 0.1, size=500)
    fig = plots.coefplot(_battery(), permutation_draws=draws)
    axes = fig.axes
    assert len(axes) == 3
    assert _ticks(axes[0]) == ["baseline", "lag_1", "coalition_fe", "firth", "bootstrap", "contact (not run)"]
    assert _ticks(axes[1]) == ["lpm"]
    assert _ticks(axes[2]) == ["permutation"]
    assert "log-odds" in axes[0].get_xlabel() and "linear probability" in axes[1].get_xlabel()
    # the LPM's axis is on the probability scale: the logit estimates (about 2) are not on it
    assert axes[1].get_xlim()[1] < 1
    # the band of permuted coefficients (central 95%) is drawn only on the permutation panel
    spans = [p for p in axes[2].patches if isinstance(p, (Rectangle, Polygon))]
    assert len(spans) == 1
    xs = spans[0].get_xy()[:, 0] if isinstance(spans[0], Polygon) else [spans[0].get_x(), spans[0].get_x() + spans[0].get_width()]
    assert min(xs) == pytest.approx(np.quantile(draws, 0.025)) and max(xs) == pytest.approx(np.quantile(draws, 0.975))
    assert not [p for p in axes[0].patches if isinstance(p, (Rectangle, Polygon))]
    # each estimate with an interval is plotted on its panel: the errorbar points hold its designs' estimates
    pts = np.concatenate([line.get_xdata() for line in axes[0].lines if line.get_marker() == "o"])
    assert sorted(np.round(pts, 3)) == sorted([2.2, 2.0, 2.5, 2.19, 2.2])
    perm_pts = [line.get_xdata() for line in axes[2].lines if line.get_marker() == "D"]
    assert len(perm_pts) == 1 and perm_pts[0][0] == pytest.approx(2.2)
    plt.close(fig)


def test_coefplot_panel_heights_follow_rows_and_single_scale_uses_ax() -> None:
    fig = plots.coefplot(_battery())
    heights = [ax.get_position().height for ax in fig.axes]
    assert heights[0] > 3 * heights[1]  # six rows against one
    plt.close(fig)
    logit_only = _battery().query("method in ('logit', 'clogit', 'firth') and design != 'permutation'")
    fig, ax = plt.subplots()
    assert plots.coefplot(logit_only, ax=ax) is fig and len(fig.axes) == 1
    plt.close(fig)
    fig, ax = plt.subplots()
    with pytest.raises(EstimationError, match="3 scales"):
        plots.coefplot(_battery(), ax=ax)
    plt.close(fig)
    no_method = _battery().drop(columns="method")  # a generic table: one axis
    fig = plots.coefplot(no_method)
    assert len(fig.axes) == 1 and len(_ticks(fig.axes[0])) == len(no_method)
    plt.close(fig)


def test_coef_scale() -> None:
    assert plots.coef_scale("firth", "firth") == "log_odds"
    assert plots.coef_scale("coalition_fe", "clogit") == "log_odds"
    assert plots.coef_scale("lpm", "") == "lpm"  # not run: by its name
    assert plots.coef_scale("permutation", "logit") == "permutation"
    assert plots.coef_scale("x", "probit") == "probit"


@pytest.fixture(scope="module")
def effects():
    rng = np.random.default_rng(3)
    df = pd.DataFrame({"x": rng.normal(size=600), "coalition_id": np.repeat(np.arange(30), 20)})
    df["joined"] = (rng.random(600) < 1 / (1 + np.exp(-(df.x - 1)))).astype(int)
    res = fit_participation("joined ~ x", df)
    pp = predicted_probabilities(res, df, "x", n=25, interval="delta")
    fd = first_difference(res, df, "x", interval="delta")
    return df, res, pp, fd


def test_predicted_probability_curve_and_band(effects) -> None:
    df, _, pp, _ = effects
    fig = plots.predicted_probability_plot(pp, rug=df["x"])
    ax = fig.axes[0]
    curve = [line for line in ax.lines if len(line.get_xdata()) == len(pp) and line.get_linestyle() == "-"]
    assert len(curve) == 1
    np.testing.assert_allclose(curve[0].get_ydata(), pp["estimate"])
    bands = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert len(bands) == 1
    ys = bands[0].get_paths()[0].vertices[:, 1]
    assert ys.min() == pytest.approx(pp["ci_low"].min()) and ys.max() == pytest.approx(pp["ci_high"].max())
    assert ax.get_ylabel() == "average predicted P(join)" and ax.get_xlabel() == "x"
    rug = [line for line in ax.lines if line.get_marker() == "|"]
    assert len(rug) == 1 and len(rug[0].get_xdata()) == len(df)
    plt.close(fig)


def test_first_difference_point_and_interval(effects) -> None:
    _, _, _, fd = effects
    fig = plots.first_difference_plot(fd)
    ax = fig.axes[0]
    pts = [line for line in ax.lines if line.get_marker() == "o"]
    assert len(pts) == 1 and pts[0].get_xdata()[0] == pytest.approx(fd["difference"].iloc[0])
    segs = [c for c in ax.collections if c.get_segments()]
    ends = np.concatenate([np.asarray(s)[:, 0] for c in segs for s in c.get_segments()])
    assert ends.min() == pytest.approx(fd["ci_low"].iloc[0]) and ends.max() == pytest.approx(fd["ci_high"].iloc[0])
    assert "x" in _ticks(ax)[0] and "\u2192" in _ticks(ax)[0]
    plt.close(fig)


def test_effects_plot_has_both_panels_and_marks_the_two_values(effects) -> None:
    df, _, pp, fd = effects
    fig = plots.effects_plot(pp, fd, rug=df["x"], title="t")
    left, right = fig.axes
    marks = sorted(line.get_xdata()[0] for line in left.lines if line.get_linestyle() == ":")
    assert marks == pytest.approx([fd["low"].iloc[0], fd["high"].iloc[0]])
    assert [c for c in left.collections if isinstance(c, PolyCollection)]
    assert [line for line in right.lines if line.get_marker() == "o"]
    plt.close(fig)


def test_robustness_report_with_fitted_designs(effects, tmp_path) -> None:
    df, res, _, _ = effects
    lpm = fit_participation("joined ~ x", df, method="lpm")
    result = SimpleNamespace(table=_battery(), sensitivity={}, permutation_draws=np.linspace(-0.3, 0.3, 50),
                             treatment="x", fits={"baseline": res, "lpm": lpm})
    section = robustness_section(result)
    fig = section.figures[0][1]
    assert len(fig.axes) == 3
    captions = [c for c, _ in section.tables]
    assert any("side by side" in c for c in captions)
    reg = dict(section.tables)[next(c for c in captions if "side by side" in c)]
    assert list(reg.columns) == ["", "baseline", "lpm"]
    assert f"{res.params['x']:.3f}" in reg["baseline"].iloc[0]
    page = write_robustness_report(result, tmp_path / "rep").read_text(encoding="utf-8")
    assert "side by side" in page and page.count("data:image/png;base64,") == 1
    without = robustness_section(SimpleNamespace(table=_battery(), sensitivity={}, permutation_draws=None))
    assert len(without.tables) == 1  # nothing fitted to tabulate
    plt.close("all")
