"""Regression tables in the field's format: models side by side, SEs in parentheses, stars, fit rows.

:func:`regression_table` lays one or more :class:`~coalitionlab.models.participation.ParticipationResult`
out as the tables of political-science journals (stargazer, esttab, modelsummary): a column per
model; for each term the coefficient with significance stars and, on the row beneath, its
standard error in parentheses; then the number of observations, coalitions and clusters,
pseudo-R², log-likelihood, the estimator and the kind of standard errors. Every number comes from
the result's ``tidy()`` and ``fit_stats``; nothing is recomputed here.

The HTML is rendered by great-tables; the LaTeX is written here in the booktabs layout
(``\\toprule``/``\\midrule``/``\\bottomrule`` in a plain ``tabular``), which journals' templates
expect and great-tables' ``as_latex`` (a ``tabular*`` with a font-size command) does not give.
"""

from __future__ import annotations

import difflib
import math
import numbers
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from coalitionlab.errors import EstimationError, UnknownOptionError
from coalitionlab.models.participation import ParticipationResult

METHOD_LABELS: dict[str, str] = {
    "logit": "Logit",
    "probit": "Probit",
    "firth": "Firth logit",
    "clogit": "Conditional logit",
    "lpm": "LPM (OLS)",
}

#: The statistic rows, in order: (fit_stats key, label). ``r2`` is shown only when some model has it.
STAT_ROWS: tuple[tuple[str, str], ...] = (
    ("n_obs", "N"),
    ("n_coalitions", "Coalitions"),
    ("n_clusters", "Clusters"),
    ("pseudo_r2", "Pseudo R²"),
    ("r2", "R²"),
    ("loglik", "Log-likelihood"),
)

_FE_TERM = re.compile(r"^C\((?P<col>[^)]+)\)\[")


@dataclass
class RegressionTable:
    """A side-by-side regression table. Build it with :func:`regression_table`.

    Attributes
    ----------
    coefficients
        Long frame of the numbers shown: ``model, term, estimate, std_error, p_value, stars``
        (one row per model and term present in that model).
    statistics
        The bottom rows: index the statistic keys (``n_obs, n_coalitions, n_clusters, pseudo_r2,
        loglik, ..., fixed_effects, method, se_type``), a column per model.
    notes
        Lines printed under the table (what the parentheses and stars mean, the outcome).
    """

    coefficients: pd.DataFrame
    statistics: pd.DataFrame
    notes: list[str]
    _frame: pd.DataFrame = field(repr=False)
    _models: list[str] = field(repr=False)

    def to_frame(self) -> pd.DataFrame:
        """The table as displayed: ``section`` (coefficients/statistics), ``key`` (term or statistic),
        ``row`` (estimate/std_error/statistic), ``label`` (the row's printed label; empty beneath a
        coefficient), then one string column per model."""
        return self._frame.copy()

    # --- renderers -------------------------------------------------------------------------
    def to_markdown(self) -> str:
        """A GitHub/CommonMark pipe table (stars escaped so they print as stars), notes beneath."""
        cols = ["label", *self._models]
        lines = ["| " + " | ".join(_md_escape(c) for c in ["", *self._models]) + " |",
                 "|" + "|".join([":---"] + [":---:"] * len(self._models)) + "|"]
        for _, r in self._frame.iterrows():
            lines.append("| " + " | ".join(_md_escape(str(r[c])) for c in cols) + " |")
        return "\n".join(lines) + "\n\n" + "  \n".join(_md_escape(n) for n in self.notes) + "\n"

    def to_latex(self, *, caption: str | None = None, label: str | None = None, float_env: bool = True) -> str:
        """A booktabs ``tabular`` (needs ``\\usepackage{booktabs}``), in a ``table`` float unless
        ``float_env=False``; stars as superscripts, the notes in a spanning row under ``\\bottomrule``."""
        k = len(self._models)
        body = [f"\\begin{{tabular}}{{l{'c' * k}}}", "\\toprule",
                " & ".join(["", *(_tex_escape(m) for m in self._models)]) + " \\\\", "\\midrule"]
        first_stat = True
        for _, r in self._frame.iterrows():
            if r["section"] == "statistics" and first_stat:
                body.append("\\midrule")
                first_stat = False
            cells = [_tex_label(str(r["label"]))] + [_tex_cell(str(r[m])) for m in self._models]
            body.append(" & ".join(cells) + " \\\\")
        body.append("\\bottomrule")
        for note in self.notes:
            body.append(f"\\multicolumn{{{k + 1}}}{{l}}{{\\footnotesize {_tex_note(note)}}} \\\\")
        body.append("\\end{tabular}")
        if not float_env:
            return "\n".join(body) + "\n"
        head = ["\\begin{table}[!htbp]", "\\centering"]
        if caption:
            head.append(f"\\caption{{{_tex_escape(caption)}}}")
        if label:
            head.append(f"\\label{{{label}}}")
        return "\n".join(head + body + ["\\end{table}"]) + "\n"

    def to_html(self, *, title: str | None = None, table_id: str = "regression-table", full_page: bool = False) -> str:
        """HTML rendered by great-tables (a fragment with its own scoped CSS; ``full_page`` for a document)."""
        gt = self.to_gt(title=title, table_id=table_id)
        return gt.as_raw_html(make_page=full_page)

    def to_gt(self, *, title: str | None = None, table_id: str = "regression-table"):  # noqa: ANN201
        """The table as a ``great_tables.GT`` object, for further styling."""
        import great_tables as gt

        shown = self._frame[["label", *self._models]].rename(columns={"label": " "})
        table = gt.GT(shown.reset_index(drop=True), rowname_col=" ", id=table_id)
        table = table.cols_align("center", columns=self._models)
        stat_rows = [i for i, s in enumerate(self._frame["section"]) if s == "statistics"]
        if stat_rows:
            table = table.tab_style(gt.style.borders(sides="top", color="#333", weight="1px"),
                                    gt.loc.body(rows=[stat_rows[0]]))
            table = table.tab_style(gt.style.borders(sides="top", color="#333", weight="1px"),
                                    gt.loc.stub(rows=[stat_rows[0]]))
        if title:
            table = table.tab_header(title)
        for note in self.notes:
            table = table.tab_source_note(note)
        return table

    def save(self, path: str | os.PathLike) -> Path:
        """Write the table, choosing the format by the suffix: ``.html`` (a page), ``.tex``, ``.md``."""
        path = Path(path)
        writers = {".html": lambda: self.to_html(full_page=True), ".tex": self.to_latex, ".md": self.to_markdown}
        suffix = path.suffix.lower()
        if suffix not in writers:
            raise UnknownOptionError(f"cannot write a regression table to {path.name!r}: the suffix must be "
                                     ".html, .tex or .md")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(writers[suffix](), encoding="utf-8")
        return path

    def __str__(self) -> str:
        return self.to_markdown()


def regression_table(
    results: Mapping[str, ParticipationResult] | Sequence[ParticipationResult],
    *,
    terms: Sequence[str] | None = None,
    labels: Mapping[str, str] | None = None,
    stars: Sequence[float] = (0.1, 0.05, 0.01),
    digits: int = 3,
) -> RegressionTable:
    """Lay fitted participation models side by side in the field's format.

    Parameters
    ----------
    results
        The models: a mapping ``{column title: result}``, or a sequence (columns titled ``(1)``,
        ``(2)``, ...).
    terms
        Terms to show, in this order (default: every term of every model in order of first
        appearance, the intercept last, fixed-effect dummies summarised in a "Fixed effects" row).
    labels
        Printed labels for terms (default: the term itself; the intercept prints as "Constant").
    stars
        p-value thresholds, one star for each one the p-value falls below (default: * p < 0.1,
        ** p < 0.05, *** p < 0.01). The p-values are the results' own (``tidy()["p_value"]``;
        penalised likelihood-ratio p-values for a Firth logit). ``()`` prints no stars.
    digits
        Decimal places of coefficients, standard errors, R² and log-likelihood.

    Returns
    -------
    RegressionTable
        ``.to_frame()``, ``.to_html()``, ``.to_latex()``, ``.to_markdown()``, ``.save(path)``.

    Raises
    ------
    EstimationError
        No models, an object that is not a fitted participation model, a term in no model, a label
        for a term not shown, bad ``stars`` or ``digits``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from coalitionlab.models import fit_participation
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame({"x": rng.normal(size=300), "coalition_id": np.repeat(np.arange(15), 20)})
    >>> df["joined"] = (rng.random(300) < 1 / (1 + np.exp(-df.x))).astype(int)
    >>> tab = regression_table({"logit": fit_participation("joined ~ x", df, cluster="coalition_id"),
    ...                         "LPM": fit_participation("joined ~ x", df, method="lpm")})
    >>> list(tab.to_frame()["label"])[:4]
    ['x', '', 'Constant', '']
    >>> tab.statistics.loc["n_coalitions"].tolist()
    [15, 15]
    """
    models, fits = _models(results)
    if isinstance(digits, bool) or not isinstance(digits, int) or not 0 <= digits <= 10:
        raise EstimationError(f"digits must be a whole number from 0 to 10, got {digits!r}")
    thresholds = _check_stars(stars)
    labels = dict(labels or {})

    tidies = {m: r.tidy() for m, r in zip(models, fits)}
    fixed = {m: _fixed_effect_columns(r) for m, r in zip(models, fits)}
    all_terms = list(dict.fromkeys(t for m in models for t in tidies[m].index))
    if terms is None:
        shown = [t for t in all_terms if t != "Intercept"
                 and not all(_is_fixed_effect(t, fixed[m]) for m in models if t in tidies[m].index)]
        shown += ["Intercept"] if "Intercept" in all_terms else []
    else:
        if isinstance(terms, str):
            terms = [terms]
        shown = list(dict.fromkeys(terms))
        for t in shown:
            if t not in all_terms:
                close = difflib.get_close_matches(t, all_terms, n=3, cutoff=0.5)
                raise EstimationError(f"term {t!r} is in none of the models" +
                                      (f"; closest: {', '.join(close)}" if close else f"; terms: {', '.join(all_terms)}"))
    stray = [t for t in labels if t not in shown]
    if stray:
        raise EstimationError(f"labels given for terms not in the table: {', '.join(map(repr, stray))}")

    coef_rows, frame_rows = [], []
    for t in shown:
        est_row = {"section": "coefficients", "key": t, "row": "estimate",
                   "label": labels.get(t, "Constant" if t == "Intercept" else t)}
        se_row = {"section": "coefficients", "key": t, "row": "std_error", "label": ""}
        for m in models:
            tid = tidies[m]
            if t not in tid.index:
                est_row[m] = se_row[m] = ""
                continue
            est, se, p = (float(tid.loc[t, c]) for c in ("estimate", "std_error", "p_value"))
            s = _stars(p, thresholds)
            coef_rows.append({"model": m, "term": t, "estimate": est, "std_error": se, "p_value": p, "stars": s})
            est_row[m] = _num(est, digits) + s
            se_row[m] = f"({_num(se, digits)})"
        frame_rows += [est_row, se_row]

    stats: dict[str, dict[str, object]] = {}
    for key, _label in STAT_ROWS:
        stats[key] = {m: r.fit_stats.get(key) for m, r in zip(models, fits)}
    if all(v is None for v in stats["r2"].values()):
        del stats["r2"]
    if any(fixed[m] for m in models):
        stats["fixed_effects"] = {m: ", ".join(fixed[m]) for m in models}
    stats["method"] = {m: METHOD_LABELS.get(r.method, r.method) for m, r in zip(models, fits)}
    stats["se_type"] = {m: _se_label(r.vcov_type) for m, r in zip(models, fits)}
    stat_labels = dict(STAT_ROWS) | {"fixed_effects": "Fixed effects", "method": "Method", "se_type": "SE type"}
    for key, vals in stats.items():
        row = {"section": "statistics", "key": key, "row": "statistic", "label": stat_labels[key]}
        for m in models:
            row[m] = _stat(vals[m], digits)
        frame_rows.append(row)

    frame = pd.DataFrame(frame_rows, columns=["section", "key", "row", "label", *models])
    coefficients = pd.DataFrame(coef_rows, columns=["model", "term", "estimate", "std_error", "p_value", "stars"])
    statistics = pd.DataFrame.from_dict(stats, orient="index", dtype=object).reindex(columns=models)
    statistics = statistics.where(statistics.notna(), np.nan)  # a statistic a model does not have is NaN
    statistics.index.name = "statistic"
    return RegressionTable(coefficients=coefficients, statistics=statistics,
                           notes=_notes(fits, thresholds), _frame=frame, _models=models)


# --- helpers ---------------------------------------------------------------------------------

def _models(results: object) -> tuple[list[str], list[ParticipationResult]]:
    if isinstance(results, ParticipationResult):
        results = [results]
    if isinstance(results, Mapping):
        models, fits = [str(k) for k in results], list(results.values())
        if len(set(models)) != len(models):
            raise EstimationError("model titles must be distinct")
    elif isinstance(results, Sequence) and not isinstance(results, str):
        fits = list(results)
        models = [f"({i + 1})" for i in range(len(fits))]
    else:
        raise EstimationError(f"results must be a mapping or a sequence of fitted participation models, "
                              f"got {type(results).__name__}")
    if not fits:
        raise EstimationError("no models to tabulate")
    for m, r in zip(models, fits):
        if not isinstance(r, ParticipationResult):
            raise EstimationError(f"model {m} is a {type(r).__name__}, not a fitted participation model "
                                  "(the result of fit_participation)")
    return models, fits


def _check_stars(stars: Sequence[float]) -> list[float]:
    try:
        thresholds = sorted((float(s) for s in stars), reverse=True)
    except (TypeError, ValueError):
        raise EstimationError(f"stars must be p-value thresholds between 0 and 1, got {stars!r}") from None
    if any(not 0 < s < 1 for s in thresholds) or len(set(thresholds)) != len(thresholds):
        raise EstimationError(f"stars must be distinct p-value thresholds between 0 and 1, got {tuple(stars)!r}")
    return thresholds


def _stars(p: float, thresholds: list[float]) -> str:
    """One star for each threshold the p-value is strictly below (none for a missing p-value)."""
    if not math.isfinite(p):
        return ""
    return "*" * sum(p < t for t in thresholds)


def _num(v: float, digits: int) -> str:
    return "" if not math.isfinite(v) else f"{v:.{digits}f}"


def _stat(v: object, digits: int) -> str:
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return ""
    if isinstance(v, (bool, str)):
        return str(v)
    if isinstance(v, numbers.Integral):
        return f"{int(v):,}"
    return f"{float(v):.{digits}f}"


def _se_label(vcov_type: str) -> str:
    """A short label of the standard errors: ``Clustered (coalition_id)``, ``Model-based``, ``HC1``."""
    if vcov_type.startswith("clustered by "):
        cols = re.split(r" \(|;", vcov_type.removeprefix("clustered by "))[0]
        return "Clustered (" + cols.strip().replace(" and ", ", ") + ")"
    if vcov_type.startswith("heteroskedasticity-robust"):
        return "HC1"
    if vcov_type.startswith("model-based"):
        return "Model-based"
    return vcov_type


def _fixed_effect_columns(result: ParticipationResult) -> list[str]:
    """Columns entered as fixed-effect dummies (``fe=``): ``C(col)[...]`` terms whose ``C(col)`` is not
    written in the model's own formula."""
    cols = []
    for t in result.params.index:
        m = _FE_TERM.match(t)
        if m and f"C({m['col']})" not in result.formula.replace(" ", ""):
            cols.append(m["col"])
    return list(dict.fromkeys(cols))


def _is_fixed_effect(term: str, fixed_columns: list[str]) -> bool:
    m = _FE_TERM.match(term)
    return bool(m) and m["col"] in fixed_columns


def _notes(fits: list[ParticipationResult], thresholds: list[float]) -> list[str]:
    star_note = ", ".join(f"{'*' * (i + 1)} p < {t:g}" for i, t in enumerate(thresholds))
    notes = ["Standard errors in parentheses." + (f" {star_note}." if star_note else "")]
    outcomes = {r.formula.split("~")[0].strip() for r in fits}
    if len(outcomes) == 1:
        notes.append(f"Dependent variable: {outcomes.pop()}.")
    if any(r.method == "firth" and r.pvalues_override is not None for r in fits):
        notes.append("Firth logit: p-values (and stars) from penalised likelihood-ratio tests.")
    return notes


_MD_SPECIAL = re.compile(r"([\\|*])")


def _md_escape(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", text)


_TEX_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
                "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}


def _tex_escape(text: str) -> str:
    out = "".join(_TEX_SPECIAL.get(ch, ch) for ch in text)
    return out.replace("²", "$^2$").replace("<", "$<$").replace(">", "$>$")


def _tex_label(text: str) -> str:
    return _tex_escape(text)


_CELL = re.compile(r"^(?P<open>\(?)(?P<minus>-?)(?P<num>[0-9.,]+)(?P<close>\)?)(?P<stars>\**)$")


def _tex_cell(text: str) -> str:
    """A number cell: a true minus sign, stars as a superscript; anything else escaped."""
    m = _CELL.match(text)
    if not m:
        return _tex_escape(text)
    out = m["open"] + ("$-$" if m["minus"] else "") + m["num"] + m["close"]
    return out + (f"$^{{{m['stars']}}}$" if m["stars"] else "")


def _tex_note(text: str) -> str:
    out = _tex_escape(text)
    return re.sub(r"(\*+) p \$<\$ ", lambda m: f"$^{{{m[1]}}}$ $p<$ ", out)
