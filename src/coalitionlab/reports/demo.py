"""The main job: the whole pipeline on the embedded default (or a data directory), one HTML report.

Stages, in the direction data flows: data -> embeddedness -> coalitions -> who joins (fit,
robustness, cross-validation, prediction) -> bargaining (simulated side-payments, prices
calibrated to the participation model). With
``data_dir=None`` every number comes from the embedded seed and the coalition dataset that ship
with coalitionlab: no network, no files.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from coalitionlab.errors import MissingValueWarning, SeedDataWarning
from coalitionlab.reports import plots
from coalitionlab.reports.html import Section, write_report
from coalitionlab.reports.models import robustness_section

Progress = Callable[[str], None]

DEMO_LEAD = "USA"
DEMO_DATE = "2003-03-20"  # the invasion of Iraq, Henke's central US case
PREDICT_DATE = "2014-08-08"  # the first US air strikes against ISIL
PREDICT_TRAIN_UNTIL = 2013


def data_section(data_dir: str | os.PathLike | None) -> Section:
    """What data the run used: the registry, and the seed tables or each source's check."""
    from coalitionlab.data import seed, sources
    from coalitionlab.data.check import check_sources

    registry = sources()[["name", "version", "first_year", "last_year", "code_scheme", "publisher"]]
    section = Section("Data", tables=[("Registered sources (read from a data directory when present)", registry)])
    if data_dir is None:
        section.paragraphs.append(
            "No data directory was given: every result below uses the embedded seed data that ships with "
            "coalitionlab (UN membership, the spells of 25 major IGOs and alliances, US defence treaties; "
            "authored from public facts, sources in docs/data/seed.md). Pass --data-dir (or set "
            "COALITIONLAB_DATA) to use the full sources.")
        section.tables.append(("Embedded seed tables", seed.describe()))
        section.is_seed = True
    else:
        checked = check_sources(data_dir).drop(columns="detail")
        section.paragraphs.append(f"Sources found and validated in {data_dir}.")
        section.tables.append(("What was loaded", checked))
    return section


def embeddedness_section(data_dir, source: str) -> Section:
    """Embeddedness of every state with the USA on the day the Iraq war began."""
    from coalitionlab.measures import embeddedness

    emb = embeddedness(DEMO_LEAD, DEMO_DATE, data_dir=data_dir, source=source)
    comps = list(emb.attrs["components"])
    return Section(
        f"Diplomatic embeddedness with the {DEMO_LEAD} on {DEMO_DATE}",
        paragraphs=[f"Components: {', '.join(comps)} (read at years {emb.attrs['years_used']}). "
                    "Embeddedness is the count of the lead's institutional ties with each state (Henke 2019)."],
        tables=[("Most embedded states", emb.head(20))],
        figures=[("Top 20 by embeddedness", plots.bar_top(emb, "embeddedness", n=20)),
                 ("Distribution over all states", plots.histogram(emb["embeddedness"], xlabel="embeddedness"))],
        is_seed=bool(emb.attrs.get("is_seed")),
    )


def coalitions_section() -> Section:
    """The authored coalition dataset at a glance."""
    from coalitionlab.coalitions import coalitions, memberships

    coal, mem = coalitions(), memberships()
    size = mem[mem["role"] != "financial"].groupby("coalition_id").size().rename("states")
    table = coal.set_index("coalition_id").join(size)[["name", "start_date", "lead", "kind", "un_authorisation", "states"]]
    by_lead = coal.groupby("lead").size().sort_values(ascending=False).rename("coalitions").reset_index()
    return Section(
        "The coalition dataset",
        paragraphs=[f"{len(coal)} multilateral military coalitions and {len(mem)} memberships, 1950-2024, authored "
                    "by the project from public sources (docs/data/coalitions.md)."],
        tables=[("Coalitions by pivotal state", by_lead), ("All coalitions", table.reset_index())],
    )


def participation_sections(data_dir, source: str, say: Progress) -> tuple[list[Section], pd.DataFrame]:
    """Fit, robustness battery, cross-validation and a prediction for a new US coalition."""
    from coalitionlab.models import fit_participation
    from coalitionlab.models.data import DEFAULT_FORMULA, participation_data
    from coalitionlab.models.predict import SEED_FORMULA, predict_participation
    from coalitionlab.models.robustness import robustness
    from coalitionlab.models.validation import cross_validate

    say("participation panel")
    panel = participation_data(data_dir=data_dir, source=source, contact=source != "seed")
    is_seed = bool(panel.attrs.get("is_seed"))
    formula = SEED_FORMULA if is_seed else DEFAULT_FORMULA
    us = panel[panel["lead_ccode"] == 2]
    say("fitting")
    fit = fit_participation(formula, us, cluster="coalition_id")
    fit_section = Section(
        "Who joins US-led coalitions",
        paragraphs=[f"Logit of joining on embeddedness with the lead, {fit.fit_stats['n_obs']} coalition x candidate "
                    f"rows in {us['coalition_id'].nunique()} US-led coalitions; standard errors {fit.vcov_type}. "
                    + ("On the seed there are no controls: this is the raw association." if is_seed else "")],
        tables=[(f"logit: {formula}", fit.tidy().reset_index()),
                ("Average marginal effects", fit.marginal_effects().reset_index())],
        is_seed=is_seed,
    )
    say("robustness battery")
    controls = () if is_seed else ("atop_defense", "distance_log", "cinc", "democracy", "un_ideal_distance")
    rob = robustness(panel, controls=controls, n_permutations=200, seed=1, progress=say)
    rob_section = robustness_section(rob)
    rob_section.is_seed = is_seed
    say("cross-validation")
    cv = cross_validate(us, formula=formula)
    cv_section = Section(
        "Out of sample",
        paragraphs=[f"Leave-one-coalition-out over the US-led coalitions: AUC {cv.auc:.3f}, Brier score {cv.brier:.4f}."],
        tables=[("Calibration by decile of the prediction", cv.calibration)],
        figures=[("Calibration", plots.calibration_plot(cv.calibration))],
        is_seed=is_seed,
    )
    say("prediction")
    pred = predict_participation(DEMO_LEAD, PREDICT_DATE, train_until=PREDICT_TRAIN_UNTIL, data_dir=data_dir,
                                 source=source, panel=panel)
    pred_section = Section(
        f"Who would join a US coalition on {PREDICT_DATE}",
        paragraphs=[f"Trained on the {pred.attrs['n_train_coalitions']} coalitions that started by {PREDICT_TRAIN_UNTIL}."],
        tables=[("Most likely joiners", pred.head(25))],
        figures=[("P(join), top 20", plots.bar_top(pred, "p_join", n=20))],
        is_seed=is_seed,
    )
    return [fit_section, rob_section, cv_section, pred_section], pred


def bargaining_section(data_dir, source: str, *, episodes: int = 20_000, seed: int = 1) -> Section:
    """Simulated side-payment offers to every candidate, prices calibrated to the participation model."""
    from coalitionlab.bargaining import World, simulate
    from coalitionlab.planner import candidates_with_p_join

    frame = candidates_with_p_join(DEMO_LEAD, DEMO_DATE, data_dir=data_dir, source=source)
    world = World.from_frame(frame, lead=DEMO_LEAD, date=DEMO_DATE)
    result = simulate(world, episodes, seed=seed)
    partners = result.partners.sort_values(["join_rate", "ccode"], ascending=[False, True])
    prior = frame.attrs["prior_from"]
    return Section(
        f"Buying a coalition: simulated offers from the {DEMO_LEAD} on {DEMO_DATE}",
        paragraphs=[
            f"{episodes:,} episodes (seed {seed}). In each, every candidate draws a reservation price; the lead "
            "sees a signal whose precision rises with embeddedness and makes each a take-it-or-leave-it offer "
            "(model 4, docs/bargaining/offers.md). Mean prices are calibrated so that each state accepts with its "
            f"P(join) from the participation model ({prior['model']}, fitted on coalitions to {prior['train_until']}).",
            "Payments are in price units: the money value of one unit is an assumption that participation data "
            "cannot identify (docs/bargaining/identification.md gives public reference figures, e.g. about $1.5bn "
            "of US support to Iraq coalition partners 2003-07)."],
        tables=[("Per-episode outcomes", result.summary.reset_index()),
                ("Partners most likely to be bought in", partners.head(20))],
        is_seed=bool(frame.attrs.get("is_seed")),
    )


def run_demo(out_dir: str | os.PathLike = "report", *, data_dir: str | os.PathLike | None = None,
             progress: Progress | None = None) -> Path:
    """Run every stage on the chosen data and write ``out_dir/index.html``.

    With ``data_dir=None`` the run uses only the embedded seed and the shipped coalition dataset.
    """
    say = progress or (lambda _msg: None)
    source = "seed" if data_dir is None else "full"
    sections = []
    with warnings.catch_warnings():
        # the report labels seed results itself, and every model row states the rows it used
        warnings.simplefilter("ignore", SeedDataWarning)
        warnings.simplefilter("ignore", MissingValueWarning)
        say("data")
        sections.append(data_section(data_dir))
        say("embeddedness")
        sections.append(embeddedness_section(data_dir, source))
        say("coalitions")
        sections.append(coalitions_section())
        model_sections, _ = participation_sections(data_dir, source, say)
        sections.extend(model_sections)
        say("bargaining")
        sections.append(bargaining_section(data_dir, source))
    from coalitionlab.data import versions

    version_table = pd.DataFrame(sorted(versions().items()), columns=["source", "version"])
    return write_report(sections, out_dir, title="coalitionlab: how a lead state builds a coalition",
                        data_label=str(data_dir) if data_dir else "embedded seed", versions=version_table)
