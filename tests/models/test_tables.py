"""Regression tables: every number against statsmodels fitted directly, stars against the thresholds,
the LaTeX's structure, the Markdown as a pipe table."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from markdown_it import MarkdownIt
from scipy import stats as scipy_stats

from coalitionlab.errors import EstimationError, MissingValueWarning, UnknownOptionError
from coalitionlab.models import fit_participation
from coalitionlab.models.tables import RegressionTable, regression_table


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    rng = np.random.default_rng(42)
    n_coal, per = 40, 25
    n = n_coal * per
    df = pd.DataFrame({"coalition_id": np.repeat(np.arange(n_coal), per), "ccode": np.tile(np.arange(per), n_coal),
                       "x": rng.normal(size=n), "z": rng.normal(size=n), "w": rng.normal(size=n)})
    eta = -1.2 + 0.8 * df["x"] + 0.12 * df["z"] + 0.0 * df["w"]
    df["joined"] = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(int)
    return df


def _oracle_stars(p: float) -> str:
    return "***" if p < 0.01 else "**" if p < 0.05 else "*" if p < 0.1 else ""


def _sm_logit(df: pd.DataFrame, cols: list[str], cluster: bool):
    X = sm.add_constant(df[cols]).rename(columns={"const": "Intercept"})
    kw = {"cov_type": "cluster", "cov_kwds": {"groups": df["coalition_id"].to_numpy()}} if cluster else {}
    return sm.Logit(df["joined"], X).fit(disp=0, **kw)


def _sm_lpm(df: pd.DataFrame, cols: list[str]):
    X = sm.add_constant(df[cols]).rename(columns={"const": "Intercept"})
    return sm.OLS(df["joined"], X).fit(cov_type="HC1")


def test_numbers_equal_statsmodels_fitted_directly(panel: pd.DataFrame) -> None:
    res = {"logit": fit_participation("joined ~ x + z + w", panel, cluster="coalition_id"),
           "lpm": fit_participation("joined ~ x + z", panel, method="lpm", cluster=None)}
    tab = regression_table(res)
    oracle = {"logit": _sm_logit(panel, ["x", "z", "w"], cluster=True), "lpm": _sm_lpm(panel, ["x", "z"])}
    frame = tab.to_frame().set_index(["key", "row"])
    checked = 0
    for model, o in oracle.items():
        coef = tab.coefficients[tab.coefficients["model"] == model].set_index("term")
        assert sorted(coef.index) == sorted(o.params.index)
        # the package reports the LPM's Wald tests against t(n - k); statsmodels' robust default is the normal
        pvalues = (pd.Series(2 * scipy_stats.t.sf(np.abs(o.tvalues), o.df_resid), index=o.params.index)
                   if model == "lpm" else o.pvalues)
        for term in o.params.index:
            assert coef.loc[term, "estimate"] == pytest.approx(o.params[term], rel=1e-6)
            assert coef.loc[term, "std_error"] == pytest.approx(o.bse[term], rel=1e-6)
            assert coef.loc[term, "p_value"] == pytest.approx(pvalues[term], rel=1e-5, abs=1e-12)
            assert frame.loc[(term, "estimate"), model] == f"{o.params[term]:.3f}{_oracle_stars(pvalues[term])}"
            assert frame.loc[(term, "std_error"), model] == f"({o.bse[term]:.3f})"
            checked += 1
    assert checked == 7
    # a term the LPM lacks is blank in its column, never 0
    assert frame.loc[("w", "estimate"), "lpm"] == "" and frame.loc[("w", "std_error"), "lpm"] == ""
    stats = tab.to_frame().set_index("key")
    assert stats.loc["n_obs", "logit"] == f"{len(panel):,}"
    assert stats.loc["n_coalitions", "logit"] == str(panel["coalition_id"].nunique())
    assert stats.loc["n_clusters", "logit"] == "40" and stats.loc["n_clusters", "lpm"] == ""
    assert stats.loc["pseudo_r2", "logit"] == f"{oracle['logit'].prsquared:.3f}"
    assert stats.loc["pseudo_r2", "lpm"] == ""  # no pseudo-R² for OLS
    assert stats.loc["r2", "lpm"] == f"{oracle['lpm'].rsquared:.3f}"
    assert stats.loc["loglik", "logit"] == f"{oracle['logit'].llf:.3f}"
    assert stats.loc["loglik", "lpm"] == f"{oracle['lpm'].llf:.3f}"
    assert stats.loc["method", "logit"] == "Logit" and stats.loc["method", "lpm"] == "LPM (OLS)"
    assert stats.loc["se_type", "logit"] == "Clustered (coalition_id)" and stats.loc["se_type", "lpm"] == "HC1"
    assert np.isnan(tab.statistics.loc["n_clusters", "lpm"])  # absent statistic: NaN, not 0


def test_stars_follow_the_thresholds(panel: pd.DataFrame) -> None:
    res = [fit_participation("joined ~ x + z + w", panel, cluster="coalition_id"),
           fit_participation("joined ~ z + w", panel)]
    for stars in [(0.1, 0.05, 0.01), (0.05,), (0.5, 0.2), ()]:
        tab = regression_table(res, stars=stars, digits=4)
        n_checked = 0
        for model, r in zip(["(1)", "(2)"], res):
            p = r.tidy()["p_value"]  # the result's own p-values, read independently of the table
            frame = tab.to_frame().set_index(["key", "row"])
            for term, pv in p.items():
                cell = frame.loc[(term, "estimate"), model]
                n_stars = len(cell) - len(cell.rstrip("*"))
                assert n_stars == sum(pv < t for t in stars), (stars, term, pv, cell)
                n_checked += 1
        assert n_checked == 7
    # the fitted p-values straddle the thresholds, so the check above is not vacuous
    p = res[0].tidy()["p_value"]
    assert p["x"] < 0.01 and p["w"] > 0.1


def test_digits_and_the_explicit_terms_and_labels(panel: pd.DataFrame) -> None:
    res = fit_participation("joined ~ x + z", panel)
    tab = regression_table([res], terms=["z", "x"], labels={"x": "Embeddedness"}, digits=2)
    frame = tab.to_frame()
    coef = frame[frame["section"] == "coefficients"]
    assert list(coef["key"]) == ["z", "z", "x", "x"]
    assert list(coef["label"]) == ["z", "", "Embeddedness", ""]
    assert coef.iloc[3]["(1)"] == f"({res.tidy().loc['x', 'std_error']:.2f})"
    default = regression_table([res]).to_frame()
    assert list(default.loc[default["row"] == "estimate", "key"]) == ["x", "z", "Intercept"]  # constant last
    assert default.loc[default["key"] == "Intercept", "label"].iloc[0] == "Constant"


def test_fixed_effect_dummies_are_one_row(panel: pd.DataFrame) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MissingValueWarning)
        fe = fit_participation("joined ~ x", panel, fe="ccode")
    plain = fit_participation("joined ~ x + C(ccode)", panel)  # written in the formula: shown as terms
    frame = regression_table({"fe": fe, "dummies": plain}).to_frame()
    keys = list(frame["key"])
    assert "fixed_effects" in keys
    assert frame.set_index("key").loc["fixed_effects", "fe"] == "ccode"
    assert frame.set_index("key").loc["fixed_effects", "dummies"] == ""
    shown = [k for k in keys if k.startswith("C(ccode)")]
    assert len(set(shown)) == len([t for t in plain.params.index if t.startswith("C(ccode)")])


def test_n_coalitions_counts_the_coalitions_used(panel: pd.DataFrame) -> None:
    df = panel.copy()
    df.loc[df["coalition_id"].isin([0, 1, 2]), "x"] = np.nan  # three coalitions lose every row
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MissingValueWarning)
        res = fit_participation("joined ~ x", df, cluster="coalition_id")
    assert res.fit_stats["n_coalitions"] == 37
    assert "n_coalitions" in res.fit_stats
    no_id = fit_participation("joined ~ x", panel.drop(columns="coalition_id"))
    assert no_id.fit_stats["n_coalitions"] is None
    assert regression_table([no_id]).to_frame().set_index("key").loc["n_coalitions", "(1)"] == ""


def _unescaped_amps(line: str) -> int:
    return len(re.findall(r"(?<!\\)&", line))


def test_latex_is_a_balanced_booktabs_tabular(panel: pd.DataFrame) -> None:
    res = {"A_1": fit_participation("joined ~ x + z", panel, cluster="coalition_id"),
           "B": fit_participation("joined ~ x", panel, method="lpm")}
    tab = regression_table(res)
    tex = tab.to_latex(caption="Who joins: 50% of it", label="tab:join")
    for env in ("table", "tabular"):
        assert tex.count(f"\\begin{{{env}}}") == tex.count(f"\\end{{{env}}}") == 1
    assert tex.index("\\begin{table}") < tex.index("\\begin{tabular}") < tex.index("\\end{tabular}") < tex.index("\\end{table}")
    spec = re.search(r"\\begin\{tabular\}\{([^}]*)\}", tex).group(1)
    assert spec == "lcc"
    lines = tex.splitlines()
    top, bottom = lines.index("\\toprule"), lines.index("\\bottomrule")
    assert tex.count("\\toprule") == 1 and tex.count("\\bottomrule") == 1
    mids = [i for i, line in enumerate(lines) if line == "\\midrule"]
    assert len(mids) == 2 and top < mids[0] < mids[1] < bottom
    rows = [line for line in lines[top + 1:bottom] if line != "\\midrule"]
    assert len(rows) == 1 + len(tab.to_frame())  # header + every row of the frame
    for line in rows:
        assert line.endswith("\\\\") and _unescaped_amps(line) == len(spec) - 1, line
    # every brace and math shift balanced; specials escaped
    assert tex.count("{") - tex.count("\\{") == tex.count("}") - tex.count("\\}")
    for line in lines:
        assert (line.count("$") - line.count("\\$")) % 2 == 0, line
    assert "A\\_1" in tex and "coalition\\_id" in tex and "50\\% of it" in tex
    assert not re.search(r"(?<!\\)_", tex.replace("\\_", ""))
    # a coefficient's number appears with a true minus and superscript stars
    est = res["A_1"].tidy().loc["Intercept"]
    assert f"$-${abs(est['estimate']):.3f}$^{{{_oracle_stars(est['p_value'])}}}$" in tex
    notes = [line for line in lines[bottom + 1:] if line.startswith("\\multicolumn")]
    assert len(notes) == len(tab.notes) and all(line.startswith("\\multicolumn{3}{l}") for line in notes)
    bare = tab.to_latex(float_env=False)
    assert bare.startswith("\\begin{tabular}") and "\\begin{table}" not in bare


def test_markdown_parses_as_a_pipe_table(panel: pd.DataFrame) -> None:
    res = [fit_participation("joined ~ x + z", panel), fit_participation("joined ~ x", panel, method="lpm")]
    tab = regression_table(res)
    md = tab.to_markdown()
    tokens = MarkdownIt("commonmark").enable("table").parse(md)
    types = [t.type for t in tokens]
    assert types.count("table_open") == 1 and types.count("table_close") == 1
    header = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "th_open"]
    assert header == ["", "(1)", "(2)"]
    cells = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "td_open"]
    frame = tab.to_frame()
    assert len(cells) == 3 * len(frame)
    expected = [str(v) for _, r in frame.iterrows() for v in (r["label"], r["(1)"], r["(2)"])]
    assert [c.replace("\\*", "*") for c in cells] == expected  # the source escapes the stars ...
    rendered = MarkdownIt("commonmark").enable("table").render(md)
    assert "<em>" not in rendered and "<strong>" not in rendered  # ... so they print as stars
    assert f"{res[0].tidy().loc['x', 'estimate']:.3f}***" in rendered


def test_html_by_great_tables_holds_the_cells(panel: pd.DataFrame) -> None:
    res = fit_participation("joined ~ x + z", panel, cluster="coalition_id")
    tab = regression_table({"Model A": res})
    html = tab.to_html(title="Who joins")
    assert "<table" in html and "Who joins" in html and "Model A" in html
    for cell in tab.to_frame()["Model A"]:
        if cell:
            assert cell in html
    assert html == tab.to_html(title="Who joins")  # deterministic (fixed table id)
    assert "Standard errors in parentheses" in html


def test_save_chooses_the_format_by_suffix(panel: pd.DataFrame, tmp_path) -> None:
    tab = regression_table([fit_participation("joined ~ x", panel)])
    assert tab.save(tmp_path / "t.md").read_text(encoding="utf-8") == tab.to_markdown()
    assert tab.save(tmp_path / "sub" / "t.tex").read_text(encoding="utf-8") == tab.to_latex()
    page = tab.save(tmp_path / "t.html").read_text(encoding="utf-8")
    assert page.lstrip().lower().startswith("<!doctype html") and "<table" in page
    with pytest.raises(UnknownOptionError, match=r"\.html, \.tex or \.md") as exc:
        tab.save(tmp_path / "t.csv")
    assert "\n" not in str(exc.value)
    assert not (tmp_path / "t.csv").exists()


def test_bad_input_is_one_line(panel: pd.DataFrame) -> None:
    res = fit_participation("joined ~ x + z", panel)
    cases = [
        (lambda: regression_table([]), "no models"),
        (lambda: regression_table([res, "not a model"]), "not a fitted participation model"),
        (lambda: regression_table(res.tidy()), "mapping or a sequence"),
        (lambda: regression_table([res], terms=["xx"]), "closest: x"),
        (lambda: regression_table([res], labels={"w": "W"}), "'w'"),
        (lambda: regression_table([res], stars=(0.1, 2)), "between 0 and 1"),
        (lambda: regression_table([res], stars=(0.1, 0.1)), "distinct"),
        (lambda: regression_table([res], digits=-1), "digits"),
        (lambda: regression_table([res], digits=2.5), "digits"),
    ]
    for call, text in cases:
        with pytest.raises(EstimationError) as exc:
            call()
        assert text in str(exc.value) and "\n" not in str(exc.value)


def test_a_single_result_is_one_column(panel: pd.DataFrame) -> None:
    tab = regression_table(fit_participation("joined ~ x", panel))
    assert isinstance(tab, RegressionTable)
    assert list(tab.statistics.columns) == ["(1)"]


def test_firth_note_and_clogit_without_constant(panel: pd.DataFrame) -> None:
    firth = fit_participation("joined ~ x", panel, method="firth")
    clogit = fit_participation("joined ~ x", panel, method="clogit", fe="coalition_id")
    tab = regression_table({"firth": firth, "clogit": clogit})
    frame = tab.to_frame().set_index(["key", "row"])
    assert frame.loc[("Intercept", "estimate"), "clogit"] == ""
    p_lr = firth.tidy().loc["x", "p_value"]  # the penalised LR p-value decides the stars
    cell = frame.loc[("x", "estimate"), "firth"]
    assert cell == f"{firth.params['x']:.3f}{_oracle_stars(p_lr)}"
    assert any("penalised likelihood-ratio" in n for n in tab.notes)
    assert frame.loc[("method", "statistic"), "clogit"] == "Conditional logit"


def test_se_type_label_reads_the_clustering_columns(panel: pd.DataFrame) -> None:
    from dataclasses import replace

    res = fit_participation("joined ~ x", panel, cluster=["coalition_id", "ccode"])
    assert regression_table([res]).to_frame().set_index("key").loc["se_type", "(1)"] == "Clustered (coalition_id, ccode)"
    longer = replace(res, vcov_type="clustered by coalition_id (sandwich of the modified score); Wald p-values")
    assert regression_table([longer]).to_frame().set_index("key").loc["se_type", "(1)"] == "Clustered (coalition_id)"
