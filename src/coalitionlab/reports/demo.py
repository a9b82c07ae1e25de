"""The main job: the whole pipeline on the embedded default (or a data directory), one HTML report.

Stages, in the direction data flows (:data:`STAGES`): data -> embeddedness -> tie network ->
coalitions -> who joins (panel, fit, robustness, cross-validation, prediction) -> bargaining
(simulated side-payments, prices calibrated to the participation model) -> the report. With
``data_dir=None`` every number comes from the embedded seed and the coalition dataset that ship
with coalitionlab: no network, no files.

The report opens with a summary whose sentences are computed in the run, then a table of
contents, the sections (figures first, then complete sortable tables), and ends with the data
actually read in the run (:func:`record_reads` watches the loaders) and the source registry.
"""

from __future__ import annotations

import contextlib
import functools
import os
import threading
import warnings
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from coalitionlab.errors import MissingValueWarning, SeedDataWarning, StaleDataWarning
from coalitionlab.reports import figures
from coalitionlab.reports.html import Section, write_report

Progress = Callable[[str], None]

DEMO_LEAD = "USA"
DEMO_DATE = "2003-03-20"  # the invasion of Iraq, Henke's central US case
PREDICT_DATE = "2014-08-08"  # the first US air strikes against ISIL
PREDICT_TRAIN_UNTIL = 2013
TOP_PARTNERS = 20  # partners in the component chart
NETWORK_PARTNERS = 16  # partners in the network figure
EPISODES = 20_000

#: The stages :func:`run_demo` reports through ``progress``, in order.
STAGES: tuple[str, ...] = ("data", "embeddedness", "tie network", "coalitions", "participation panel", "fitting",
                           "robustness battery", "cross-validation", "prediction", "bargaining", "writing the report")


# ------------------------------------------------------------------------------ what the run reads


@dataclass
class ReadLog:
    """The data a run read: one entry per (kind, name), in the order first read.

    ``kind`` is ``"full"`` (a registered source, through :func:`coalitionlab.data.load`),
    ``"seed"`` (a table of the embedded seed) or ``"shipped"`` (the coalition dataset).
    """

    entries: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)

    def note(self, kind: str, name: str, version: str | None, citation: str | None,
             files: dict[str, str] | None = None) -> None:
        """Record one read (repeated reads of the same source count once)."""
        key = (kind, name)
        if key not in self.entries:
            self.entries[key] = {"kind": kind, "name": name, "version": version or "", "citation": citation or "",
                                 "files": dict(files or {})}

    def names(self, kind: str | None = None) -> list[str]:
        """Names read, of one kind or all."""
        return [n for (k, n) in self.entries if kind is None or k == kind]

    def frame(self) -> pd.DataFrame:
        """``kind, name, version, citation, files`` (file names with the first 12 hex digits of their SHA-256;
        a citation already given on an earlier row reads "(as above)")."""
        rows, seen = [], set()
        for e in self.entries.values():
            cite = e["citation"] if e["citation"] not in seen else "(as above)"
            seen.add(e["citation"])
            rows.append({**e, "citation": cite, "files": ", ".join(f"{f} ({h[:12]})" for f, h in e["files"].items())})
        return pd.DataFrame(rows, columns=["kind", "name", "version", "citation", "files"])


_ACTIVE: ContextVar[ReadLog | None] = ContextVar("coalitionlab_read_log", default=None)
_HOOK_LOCK = threading.Lock()


def _note(kind: str, name: str, version: Any, citation: Any, files: Any = None) -> None:
    log = _ACTIVE.get()
    if log is not None:
        log.note(kind, str(name), None if version is None else str(version), None if citation is None else str(citation),
                 files if isinstance(files, dict) else None)


def _install_hooks() -> None:
    """Wrap the three readers of data (once per process) so reads are noted in the active log.

    The wrappers call the original readers unchanged; outside :func:`record_reads` they note
    nothing. A reader that has moved is an AttributeError here, never a silently empty log.
    """
    import coalitionlab.data as data_pkg
    from coalitionlab.coalitions import dataset
    from coalitionlab.data import registry, seed

    with _HOOK_LOCK:
        if getattr(registry.load, "_notes_reads", False):
            return
        load, read, shipped = registry.load, seed._read, dataset._shipped

        @functools.wraps(load)
        def noted_load(name, *args, **kwargs):
            df = load(name, *args, **kwargs)
            _note("full", name, df.attrs.get("version"), df.attrs.get("citation"), df.attrs.get("files"))
            return df

        @functools.wraps(read)
        def noted_read(name):
            out = read(name)
            _note("seed", str(name).removesuffix(".csv"), seed.SEED_VERSION, seed.CITATION)
            return out

        for attr in ("cache_clear", "cache_info"):
            if hasattr(read, attr):
                setattr(noted_read, attr, getattr(read, attr))

        @functools.wraps(shipped)
        def noted_shipped():
            c, m = shipped()
            _note("shipped", str(c.attrs.get("dataset", "coalitionlab_coalitions")), c.attrs.get("version"),
                  "coalitionlab coalition dataset, authored by the project from public sources "
                  "(docs/data/coalitions.md)", c.attrs.get("files"))
            return c, m

        def noted_memo(name, attrs):
            _note("full", name, attrs.get("version"), attrs.get("citation"), attrs.get("files"))

        noted_load._notes_reads = True  # type: ignore[attr-defined]
        registry.note_memo_read = noted_memo
        registry.load = noted_load
        data_pkg.load = noted_load
        seed._read = noted_read
        dataset._shipped = noted_shipped


@contextlib.contextmanager
def record_reads() -> Iterator[ReadLog]:
    """Note every data read made inside the block: full sources, seed tables, the coalition dataset.

    Examples
    --------
    >>> from coalitionlab.data import seed
    >>> with record_reads() as log:
    ...     _ = seed.un_membership()
    >>> log.names("seed"), log.names("full")
    (['un_membership'], [])
    """
    _install_hooks()
    log = ReadLog()
    token = _ACTIVE.set(log)
    try:
        yield log
    finally:
        _ACTIVE.reset(token)


# ------------------------------------------------------------------------------ helpers


def _names(codes: Any, date: Any) -> list[str]:
    from coalitionlab.data import country_name

    return list(country_name(list(map(int, codes)), date=date))


def _list(items: list[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


#: Components as words.
_COMPONENT_WORDS = {"alliances": "alliances", "igos": "shared IGOs", "treaties_bilateral": "bilateral treaties",
                    "treaties_multilateral": "multilateral treaties", "trade_agreements": "trade agreements",
                    "investment_treaties": "investment treaties", "defense_pacts": "defence pacts",
                    "exercises": "joint exercises"}

#: Display names that read better in a sentence than the COW name.
_SHORT = {"United States": "the United States", "United Kingdom": "the United Kingdom",
          "Netherlands": "the Netherlands", "Philippines": "the Philippines", "Russia": "Russia"}


def _short(name: str) -> str:
    return _SHORT.get(name, name)


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _of(k: int, n: int) -> str:
    return f"all {n}" if k == n else f"{k} of the {n}"


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


# ------------------------------------------------------------------------------ sections


@dataclass
class _Run:
    lead: str
    lead_ccode: int
    date: str
    data_dir: Any
    source: str
    is_seed: bool = True
    summary: dict[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """The lead's name as it reads inside a sentence ("the United States")."""
        return _short(_names([self.lead_ccode], self.date)[0])


def embeddedness_section(run: _Run) -> tuple[Section, pd.DataFrame]:
    """Map, component mix and table of the lead's embeddedness with every state on the date."""
    from coalitionlab.measures import embeddedness

    emb = embeddedness(run.lead, run.date, data_dir=run.data_dir, source=run.source)
    run.is_seed = bool(emb.attrs.get("is_seed"))
    comps = list(emb.attrs["components"])
    year = int(run.date[:4])
    emb = emb.sort_values(["embeddedness", "country"], ascending=[False, True]).reset_index(drop=True)
    lead_name = run.name
    fig_map = figures.world_map(emb, "embeddedness", year=year)
    figures.highlight_states(fig_map, [run.lead_ccode], year=year, label="lead")
    n_states = int(emb["embeddedness"].notna().sum())
    n_pos = int((emb["embeddedness"] > 0).sum())
    top = emb.dropna(subset=["embeddedness"]).head(3)
    run.summary["ties"] = (
        f"On {run.date} {lead_name} had at least one institutional tie ("
        + ", ".join(_COMPONENT_WORDS.get(c, c.replace("_", " ")) for c in comps) + ") with "
        + (f"all {n_states} other states" if n_pos == n_states else f"{n_pos} of the {n_states} other states")
        + "; the most embedded were "
        + _list([f"{c} ({v:.0f} ties)" for c, v in zip(top['country'], top['embeddedness'])])
        + f", the median state had {emb['embeddedness'].median():.0f}.")
    sec_cols = [c for c in ("embeddedness_security", "embeddedness_nonsecurity") if c in emb.columns]
    labels = {"alliances": "alliances" + (" (US defence treaties)" if run.is_seed else ""),
              "igos": "joint IGO memberships", "treaties_bilateral": "bilateral treaties",
              "treaties_multilateral": "multilateral treaties", "trade_agreements": "trade agreements",
              "investment_treaties": "investment treaties", "defense_pacts": "defence pacts",
              "exercises": "joint exercises"}
    bars_from = emb.copy()
    mix = {c: labels.get(c, c.replace("_", " ")) for c in comps if c in bars_from.columns}
    split = ""
    if set(comps) == {"alliances", "igos"} and "embeddedness_security" in emb.columns:
        # security ties are the alliances plus the security organisations: split the IGO count in two
        sec_igos = emb["embeddedness_security"] - emb["alliances"]
        if bool((sec_igos.dropna() >= 0).all() and (sec_igos <= emb["igos"]).dropna().all()):
            bars_from["igos_security"] = sec_igos
            bars_from["igos_other"] = emb["igos"] - sec_igos
            mix = {"alliances": labels["alliances"], "igos_security": "joint security organisations",
                   "igos_other": "joint other organisations"}
            split = (" The IGO count is split into security organisations and the others (the measure's security "
                     "flag).")
    top_n = bars_from.dropna(subset=["embeddedness"]).head(TOP_PARTNERS)
    totals = {c: float(top_n[c].sum()) for c in mix}
    if "igos_security" in mix:
        mix_text = {"alliances": "alliances", "igos_security": "security organisations", "igos_other": "other organisations"}
    else:
        mix_text = mix
    all_ties = sum(totals.values())
    if all_ties > 0 and len(mix) > 1:
        run.summary["mix"] = (
            f"Among its {len(top_n)} most embedded partners, "
            + _list([f"{_pct(v / all_ties)}" + (" of the ties are " if k == 0 else " ") + mix_text[c]
                     for k, (c, v) in enumerate(totals.items())])
            + (f"; {_of(int((top_n['alliances'] > 0).sum()), len(top_n))} have an alliance with it."
               if "alliances" in top_n.columns else "."))
    fig_bars = figures.component_bars(bars_from, mix, n=TOP_PARTNERS)
    lo, hi = float(top_n["embeddedness"].min()), float(top_n["embeddedness"].max())
    spread = f"their totals run only from {lo:.0f} to {hi:.0f}, so the ranking alone says little; " if hi - lo <= 3 else ""
    table = emb[["country", "ccode", *[c for c in comps if c in emb.columns], "embeddedness", *sec_cols]]
    section = Section(
        f"Embeddedness with {lead_name} ({run.date})",
        id="embeddedness",
        paragraphs=[
            f"Embeddedness is the count of the lead's institutional ties with each state on the day (Henke 2019): "
            f"{_list([labels.get(c, c) for c in comps])}, read at "
            + ", ".join(f"{c} {y}" for c, y in emb.attrs["years_used"].items()) + ". "
            + ("On the embedded seed the alliances are the US defence treaties and the IGOs the seed's 25 "
               "organisations, so counts are small." if run.is_seed else "")],
        figures=[
            (f"Embeddedness with {lead_name} on {run.date} (darker = more ties; {lead_name} in red). Read the "
             "geography of the lead's ties: where its alliances and shared organisations are dense. Grey states have "
             f"no value: not a state in {year}, or a territory that is not a state.", fig_map),
            (f"The {TOP_PARTNERS} most embedded partners, split by component. Read the mix: {spread}the colours show "
             "whether a partner's ties are alliances or shared organisations." + split, fig_bars),
        ],
        tables=[(f"Embeddedness with {lead_name}, every state ({len(table)} rows; click a header to sort)", table)],
        is_seed=run.is_seed,
    )
    return section, emb


def network_figure(run: _Run, emb: pd.DataFrame, section: Section) -> None:
    """Add the network of ties among the lead's most embedded partners to ``section``."""
    from coalitionlab.measures.network import tie_matrix

    ties = tie_matrix(run.date, data_dir=run.data_dir, source=run.source)
    comps = list(ties.attrs["components"])
    partners = [int(c) for c in emb.dropna(subset=["embeddedness"])["ccode"].head(NETWORK_PARTNERS)]
    names = dict(zip(ties.index.astype(int), ties.attrs["countries"]))
    from coalitionlab.data import ccode_to

    fig = figures.tie_network(ties, run.lead_ccode, partners, names,
                              lead_label=ccode_to(run.lead_ccode, "stateabb", date=run.date))
    meta = fig.layout.meta
    sub = ties.loc[partners, partners].to_numpy(float)
    i, j = np.unravel_index(np.nanargmax(sub), sub.shape)
    run.summary["network"] = (
        f"Among its {len(partners)} most embedded partners, the two most tied to each other are "
        f"{names[partners[i]]} and {names[partners[j]]} "
        f"({sub[i, j]:.0f} ties: " + ", ".join(_COMPONENT_WORDS.get(c, c) for c in comps) + ").")
    seed_note = (" On the seed only shared IGO memberships are known for pairs that do not include the USA, so the "
                 "network counts IGOs alone." if ties.attrs.get("is_seed") else "")
    section.figures.append((
        f"Ties among the {len(partners)} partners most embedded with {run.name} ({', '.join(comps)}). The lead is in "
        "the centre; partners sit round the circle so that states tied to each other are neighbours. Read the "
        f"clusters: chords join the {meta['chords']} pairs of partners with at least {meta['threshold']:.0f} ties "
        "(the top quarter of pairs; thicker = more) and red spokes each partner's ties with the lead; a partner "
        "with no chord shares fewer ties with the other partners than the clustered ones do." + seed_note, fig))


def coalitions_section(run: _Run) -> Section:
    """The coalition dataset: a timeline by lead, counts by lead, and every coalition in date order."""
    from coalitionlab.coalitions import coalitions, memberships

    coal, mem = coalitions(), memberships()
    size = mem[mem["role"] != "financial"].groupby("coalition_id").size().rename("states")
    table = coal.set_index("coalition_id").join(size).reset_index()
    table["states"] = table["states"].fillna(0).astype(int)
    table = table.sort_values(["start_date", "coalition_id"], kind="stable").reset_index(drop=True)
    by_lead = (coal.groupby("lead").size().rename("coalitions").reset_index()
               .sort_values(["coalitions", "lead"], ascending=[False, True]).reset_index(drop=True))
    first, last = table["start_date"].min(), table["start_date"].max()
    lead_rows = coal[coal["lead_ccode"] == run.lead_ccode]
    others = by_lead[by_lead["lead"] != (lead_rows["lead"].iloc[0] if len(lead_rows) else "")]
    rank = "the most of any lead" if len(lead_rows) and len(others) and len(lead_rows) > others["coalitions"].iloc[0] else ""
    lead_name = run.name
    run.summary["coalitions"] = (
        f"The coalition dataset has {len(coal)} multilateral military coalitions started {first:%Y}-{last:%Y}; "
        f"{lead_name} led {len(lead_rows)}" + (f", {rank}" if rank else "")
        + (f" (next: {others['lead'].iloc[0]}, {others['coalitions'].iloc[0]})." if len(others) else "."))
    after = table["start_date"] >= pd.Timestamp("1990-01-01")
    busiest = table.assign(decade=table["start_date"].dt.year // 10 * 10).groupby("decade").size()
    leads_after = table.loc[after, "lead"].nunique()
    when = (f"{int(after.sum())} of the {len(table)} coalitions started in 1990 or later, led by {leads_after} "
            f"different states against {table.loc[~after, 'lead'].nunique()} before; the busiest decade was the "
            f"{busiest.idxmax()}s ({busiest.max()} coalitions).")
    shown = table[["start_date", "end_date", "name", "lead", "kind", "mission_type", "un_authorisation", "states",
                   "coalition_id"]]
    return Section(
        "Coalitions over time",
        id="coalitions",
        paragraphs=[f"{len(coal)} coalitions and {len(mem)} memberships, authored by the project from public "
                    "sources (docs/data/coalitions.md). The coalition data are the same in every run: they are not "
                    "part of the seed."],
        figures=[("Coalitions by lead state over time: a dot at each start (size = number of states taking part, "
                  f"colour = kind), a line to its end. Read who builds coalitions when: {when}",
                  figures.coalition_timeline(table))],
        tables=[("Coalitions by lead", by_lead),
                (f"All {len(table)} coalitions, in date order", shown)],
    )


def participation_sections(run: _Run, say: Progress) -> tuple[list[Section], pd.DataFrame]:
    """Fit, robustness battery, cross-validation and a prediction for a new coalition of the lead."""
    from coalitionlab.models import fit_participation
    from coalitionlab.models.data import DEFAULT_FORMULA, participation_data
    from coalitionlab.models.effects import first_difference, predicted_probabilities
    from coalitionlab.models.predict import SEED_FORMULA, predict_participation
    from coalitionlab.models.robustness import robustness
    from coalitionlab.models.validation import cross_validate
    from coalitionlab.reports.models import robustness_section

    say("participation panel")
    panel = participation_data(data_dir=run.data_dir, source=run.source, contact=run.source != "seed")
    is_seed = bool(panel.attrs.get("is_seed"))
    formula = SEED_FORMULA if is_seed else DEFAULT_FORMULA
    lead_name = run.name
    own = panel[panel["lead_ccode"] == run.lead_ccode]
    pooled = own["coalition_id"].nunique() < 10
    sample = panel if pooled else own
    who = "coalitions of every lead" if pooled else f"coalitions led by {lead_name}"
    say("fitting")
    fit = fit_participation(formula, sample, cluster="coalition_id")
    term = "embeddedness_log1p"
    fd = first_difference(fit, sample, term, interval="delta")
    pp = predicted_probabilities(fit, sample, term, n=40, interval="delta")
    tidy = fit.tidy().reset_index()
    coefs = tidy[tidy["term"] != "Intercept"].rename(columns={"term": "design"}).assign(method=fit.method)
    lo_ties, hi_ties = np.expm1(float(fd["low"].iloc[0])), np.expm1(float(fd["high"].iloc[0]))
    n_coal = sample["coalition_id"].nunique()
    run.summary["model"] = (
        f"In the {n_coal} {who} ({fit.fit_stats['n_obs']:,} state-coalition rows), states more embedded with the "
        f"lead joined more often: from the 10th to the 90th percentile of embeddedness ({lo_ties:.0f} to "
        f"{hi_ties:.0f} ties) the average predicted probability of joining goes from {_pct(fd['p_low'].iloc[0])} to "
        f"{_pct(fd['p_high'].iloc[0])} (difference {_pct(fd['difference'].iloc[0])}, 95% interval "
        f"{_pct(fd['ci_low'].iloc[0])} to {_pct(fd['ci_high'].iloc[0])})."
        if fd["difference"].iloc[0] > 0 else
        f"In the {n_coal} {who} ({fit.fit_stats['n_obs']:,} rows), joining did not rise with embeddedness: the "
        f"predicted probability goes from {_pct(fd['p_low'].iloc[0])} to {_pct(fd['p_high'].iloc[0])} between the "
        "10th and 90th percentiles.")
    fit_section = Section(
        f"Who joins {who}",
        id="who-joins",
        paragraphs=[f"Logit of joining on embeddedness with the lead (log of 1 + the count), {fit.fit_stats['n_obs']:,} "
                    f"coalition x candidate rows in {n_coal} {who}; standard errors {fit.vcov_type}. "
                    + ("On the seed there are no controls: this is the raw association." if is_seed else "")
                    + (f" {_cap(lead_name)} led fewer than 10 coalitions, so the model pools every lead." if pooled else "")],
        figures=[(f"Average predicted probability of joining as embeddedness varies (95% interval, delta method); "
                  "ticks on the axis are the observed values, dotted lines the 10th and 90th percentiles. Read the "
                  "slope: how much more likely a well-embedded state is to join.",
                  figures.probability_curve(pp, fd=fd, rug=sample[term], xlabel="embeddedness (log of 1 + ties)")),
                 (f"Coefficients of the main model ({fit.method}) with 95% intervals, the intercept left out. Each term "
                  "is in its own units: read each against zero, not against the others.",
                  figures.coefficient_panels(coefs))],
        tables=[(f"Logit: {formula}", tidy),
                ("Average marginal effects", fit.marginal_effects().reset_index()),
                ("First difference, 10th to 90th percentile of embeddedness", fd)],
        is_seed=is_seed,
    )
    say("robustness battery")
    controls = () if is_seed else ("atop_defense", "distance_log", "cinc", "democracy", "un_ideal_distance")
    rob = robustness(panel, controls=controls, n_permutations=200, seed=1)
    rob_section = robustness_section(rob)
    _close_figures(rob_section)
    rob_section.id = "robustness"
    rob_section.is_seed = is_seed
    rob_section.figures = [(
        "Coefficient of embeddedness and its 95% interval under each design. Log-odds designs share the top panel; "
        "the linear probability model (a change in probability) and the permutation test (the observed coefficient "
        "against the grey band of coefficients with embeddedness shuffled) have their own scales. Read whether the "
        "intervals stay clear of zero.",
        figures.coefficient_panels(rob.table, permutation_draws=getattr(rob, "permutation_draws", None)))]
    from coalitionlab.reports.plots import coef_scale

    t = rob.table
    ran = t[np.isfinite(t["estimate"].to_numpy(float))]
    logodds = ran[[coef_scale(d, m) == "log_odds" for d, m in zip(ran["design"], ran["method"].fillna(""))]]
    clear = int(((logodds["ci_low"] > 0) & (logodds["estimate"] > 0)).sum())
    run.summary["robustness"] = (
        f"The embeddedness coefficient is positive with a 95% interval above zero in {clear} of the {len(logodds)} "
        f"log-odds designs that ran; {len(t) - len(ran)} of {len(t)} designs could not run on these data (the "
        "table says which columns they lacked).")
    say("cross-validation")
    cv = cross_validate(sample, formula=formula)
    run.summary["cv"] = (
        f"Out of sample (leave one coalition out), the model ranks a joiner above a non-joiner "
        f"{_pct(cv.auc)} of the time (AUC {cv.auc:.3f}; Brier score {cv.brier:.4f}).")
    cv_section = Section(
        "Out of sample",
        id="out-of-sample",
        paragraphs=[f"Leave-one-coalition-out over the {who}: AUC {cv.auc:.3f}, Brier score {cv.brier:.4f}."],
        figures=[("Calibration: observed share joining against the mean prediction, by decile of the prediction. "
                  "Points on the dashed diagonal mean the predicted probabilities can be read as probabilities.",
                  figures.calibration_curve(cv.calibration))],
        tables=[("Calibration by decile of the prediction", cv.calibration)],
        is_seed=is_seed,
    )
    say("prediction")
    pred = predict_participation(run.lead, PREDICT_DATE, train_until=PREDICT_TRAIN_UNTIL, data_dir=run.data_dir,
                                 source=run.source, panel=panel)
    pred = pred.sort_values(["p_join", "country"], ascending=[False, True]).reset_index(drop=True)
    top = pred.head(3)
    run.summary["prediction"] = (
        f"For a new coalition led by {lead_name} on {PREDICT_DATE}, the model trained on the "
        f"{pred.attrs['n_train_coalitions']} coalitions that started by {PREDICT_TRAIN_UNTIL} ranks "
        + _list([f"{c} ({_pct(p)})" for c, p in zip(top["country"], top["p_join"])]) + " as the most likely to join.")
    year = int(PREDICT_DATE[:4])
    pmap = figures.world_map(pred, "p_join", year=year)
    figures.highlight_states(pmap, [run.lead_ccode], year=year, label="lead")
    pred_section = Section(
        f"Who would join a coalition led by {lead_name} on {PREDICT_DATE}",
        id="prediction",
        paragraphs=[f"Trained on the {pred.attrs['n_train_coalitions']} coalitions that started by "
                    f"{PREDICT_TRAIN_UNTIL}; nothing dated after then enters the features or the labels."],
        figures=[(f"Predicted probability of joining a coalition led by {lead_name} on {PREDICT_DATE} (darker = more "
                  f"likely; {lead_name} in red; grey = no prediction). Read where the likely partners are.", pmap)],
        tables=[(f"Predicted probability of joining, every candidate ({len(pred)} rows)", pred)],
        is_seed=is_seed,
    )
    return [fit_section, rob_section, cv_section, pred_section], pred


def _close_figures(section: Section) -> None:
    """Close the matplotlib figures a section built (the report replaces them with interactive ones)."""
    import matplotlib.pyplot as plt

    for _, fig in section.figures:
        if hasattr(fig, "savefig"):
            plt.close(fig)


def bargaining_section(run: _Run, *, episodes: int = EPISODES, seed: int = 1) -> Section:
    """Simulated side-payment offers to every candidate, prices calibrated to the participation model."""
    from coalitionlab.bargaining import World, simulate
    from coalitionlab.planner import candidates_with_p_join

    frame = candidates_with_p_join(run.lead, run.date, data_dir=run.data_dir, source=run.source)
    world = World.from_frame(frame, lead=run.lead, date=run.date)
    result = simulate(world, episodes, seed=seed)
    partners = result.partners.sort_values(["join_rate", "ccode"], ascending=[False, True]).reset_index(drop=True)
    prior = frame.attrs["prior_from"]
    s = result.summary
    lead_name = run.name
    run.summary["bargaining"] = (
        f"In {episodes:,} simulated offer episodes (seed {seed}) {lead_name} brings in {s.loc['coalition_size', 'mean']:.1f} "
        f"partners on average (90% of episodes between {s.loc['coalition_size', 'q05']:.0f} and "
        f"{s.loc['coalition_size', 'q95']:.0f}) at a mean cost of {s.loc['lead_cost', 'mean']:.1f} price units; "
        f"the most likely to be bought in is {partners['country'].iloc[0]} ({_pct(partners['join_rate'].iloc[0])} of episodes).")
    return Section(
        f"Buying a coalition: simulated offers from {lead_name} on {run.date}",
        id="bargaining",
        paragraphs=[
            f"{episodes:,} episodes (seed {seed}). In each, every candidate draws a reservation price; the lead "
            "sees a signal whose precision rises with embeddedness and makes each a take-it-or-leave-it offer "
            "(model 4, docs/bargaining/offers.md). Mean prices are calibrated so that each state accepts with its "
            f"P(join) from the participation model ({prior['model']}, fitted on coalitions to {prior['train_until']}).",
            "Payments are in price units: the money value of one unit is an assumption that participation data "
            "cannot identify (docs/bargaining/identification.md gives public reference figures, e.g. about $1.5bn "
            "of US support to Iraq coalition partners 2003-07)."],
        tables=[("Per-episode outcomes", s.reset_index()),
                (f"Every candidate, by how often it is bought in ({len(partners)} rows)", partners)],
        is_seed=bool(frame.attrs.get("is_seed")),
    )


def provenance_sections(log: ReadLog, *, is_seed: bool) -> list[Section]:
    """What the run read (last but one section) and the whole source registry (last, folded)."""
    from coalitionlab.data import sources

    read = log.frame()
    full = read[read["kind"] == "full"]
    paragraphs = []
    if full.empty:
        paragraphs.append("No full source was read: every result comes from the embedded seed tables listed "
                          "below and the coalition dataset that ships with coalitionlab." if is_seed else
                          "No full source was read.")
    else:
        paragraphs.append(f"{len(full)} full sources were read from the data directory, with the versions and "
                          "file checksums below.")
    paragraphs.append("Every run also uses the country crosswalk shipped with coalitionlab (COW state-system "
                      "membership v2024 with Gleditsch-Ward and ISO codes; data/crosswalk/README.md) and, for the "
                      "maps, Natural Earth 1:110m country shapes (public domain; reports/static/README.md).")
    registry = sources()[["name", "version", "first_year", "last_year", "code_scheme", "publisher", "citation"]].copy()
    registry.insert(1, "read in this run", registry["name"].isin(set(full["name"])).map({True: "yes", False: "no"}))
    return [
        Section("Data read in this run", id="provenance", paragraphs=paragraphs,
                tables=[("Sources read, with versions and citations", read)]),
        Section("Data registry", id="registry", collapsed=True,
                paragraphs=[f"All {len(registry)} registered sources, read from a data directory when one is given "
                            "(coalitionlab data check validates them). Only those marked read entered this report."],
                tables=[("Registered sources", registry)]),
    ]


def run_demo(out_dir: str | os.PathLike = "report", *, data_dir: str | os.PathLike | None = None,
             progress: Progress | None = None, lead: str = DEMO_LEAD, date: str = DEMO_DATE,
             mission: str | os.PathLike | None = None, diplomacy_years: list[int] | None = None,
             replays: bool = False) -> Path:
    """Run every stage on the chosen data and write ``out_dir/index.html``.

    With ``data_dir=None`` the run uses only the embedded seed and the shipped coalition dataset
    (the seed knows the alliances of the USA only: another ``lead`` is a MissingDataError).
    ``progress`` is called with the name of each stage of :data:`STAGES` as it starts, and of
    the optional planner stages (``plan``, ``value of diplomacy``, ``replays``) when asked for.
    ``mission`` (a mission TOML) adds the planner's plan for it, ``diplomacy_years`` the
    value-of-diplomacy curve of that mission's lead over those years, ``replays`` the case
    replays (all three need ``data_dir``: :mod:`coalitionlab.reports.planner`).
    """
    from coalitionlab.data import to_ccode

    say = progress or (lambda _msg: None)
    Path(out_dir).mkdir(parents=True, exist_ok=True)  # an unwritable place fails now, not after the run
    from coalitionlab.data.paths import data_dir_is_explicit

    source = "full" if data_dir_is_explicit(data_dir) else "seed"  # --data-dir or $COALITIONLAB_DATA: full
    if source == "seed" and (mission is not None or diplomacy_years or replays):
        from coalitionlab.errors import MissingDataError

        raise MissingDataError("the plan, the value of diplomacy and the replays need the full sources "
                               "(personnel, capabilities, treaties): pass --data-dir")
    if diplomacy_years and mission is None:
        from coalitionlab.errors import UnknownOptionError

        raise UnknownOptionError("the value-of-diplomacy curve re-plans a standard mission: give --mission too")
    spec = None
    if mission is not None:  # a bad mission file fails now, not after the whole run
        from coalitionlab.planner import load_mission

        spec = load_mission(mission)
    run = _Run(lead=lead, lead_ccode=int(to_ccode(lead, date=date)), date=date, data_dir=data_dir, source=source)
    if source == "seed" and run.lead_ccode != 2:
        from coalitionlab.errors import MissingDataError

        raise MissingDataError(f"the embedded seed records the alliances of the USA only, so a report for "
                               f"{_short(_names([run.lead_ccode], date)[0])} needs the full sources: pass --data-dir")
    with warnings.catch_warnings(), record_reads() as log:
        # the report labels seed results itself, and every model row states the rows it used
        warnings.simplefilter("ignore", SeedDataWarning)
        warnings.simplefilter("ignore", MissingValueWarning)
        warnings.simplefilter("ignore", StaleDataWarning)
        say("data")
        from coalitionlab.data import sources

        sources()
        say("embeddedness")
        emb_section, emb = embeddedness_section(run)
        say("tie network")
        network_figure(run, emb, emb_section)
        say("coalitions")
        coal_section = coalitions_section(run)
        model_sections, _ = participation_sections(run, say)
        say("bargaining")
        barg_section = bargaining_section(run)
        planner_sections = []
        if spec is not None:
            from coalitionlab.reports.planner import plan_sections

            say("plan" if not diplomacy_years else "plan and value of diplomacy")
            planner_sections += plan_sections(spec, data_dir=data_dir, years=diplomacy_years, summary=run.summary)
        if replays:
            from coalitionlab.reports.planner import replay_section

            say("replays")
            planner_sections.append(replay_section(data_dir=data_dir, summary=run.summary))
    say("writing the report")
    sections = [emb_section, coal_section, *model_sections, barg_section, *planner_sections,
                *provenance_sections(log, is_seed=run.is_seed)]
    summary = [run.summary[k] for k in ("ties", "mix", "network", "coalitions", "model", "robustness", "cv",
                                        "prediction", "bargaining", "plan", "diplomacy", "replays")
               if k in run.summary]
    banner = None
    if run.is_seed:
        from markupsafe import Markup, escape

        from coalitionlab.data import seed

        banner = Markup(
            "<b>Embedded default data &mdash; not the real sources.</b> This report was computed from the small seed "
            f"that ships with coalitionlab (version {escape(seed.SEED_VERSION)}: UN membership, 25 organisations and "
            "the US defence treaties, authored from public facts; <code>docs/data/seed.md</code>) and the shipped "
            "coalition dataset. Its numbers show what the pipeline does, not research results. Run "
            "<code>coalitionlab demo --data-dir DIR</code> with the full sources for those.")
    data_label = str(data_dir) if data_dir else "embedded seed (default data shipped with coalitionlab)"
    lead_name = run.name
    return write_report(sections, out_dir, title=f"coalitionlab: how {lead_name} builds a coalition",
                        data_label=data_label, summary=summary, banner=banner)
