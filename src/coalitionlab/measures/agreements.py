"""Trade (DESTA) and investment (UNCTAD IIA) agreements in force between two states, per year.

Both sources become one long table of (pair, treaty, first year in force, first year no longer in
force); counts per dyad-year come from +1/-1 events summed over years into a dense (year x state x
state) array and are then pulled out for the panel's dyads by index: no loop over dyad-years.

Rules (also in docs/measures/agreements.md):

* DESTA 02_02: a pair is tied by a base treaty from the earliest entry-into-force year of any of its
  dyad rows for that treaty (base treaty, accession or consolidated version), until the year of a
  dyadic withdrawal (from ``desta_withdrawals``); an entry in force after a withdrawal (a re-accession,
  the UK's 2021 rollovers of EU agreements) ties the pair again. Rows with no entry-into-force year are signed but
  not known to be in force, and do not count. Bilateral = the treaty is coded ``typememb == 1``. DESTA files
  Czechoslovakia's treaties under its successors' codes: before 1993 they tie Czechoslovakia (:data:`SUCCESSORS`).
* UNCTAD IIA: a treaty ties every pair of its state parties from the year it entered into force
  until the year it was terminated. Bilateral = exactly two state parties after mapping names to
  ccodes (a BIT signed by e.g. the EU counts as plurilateral only if it has more state parties);
  a BLEU treaty has BLEU as one side, so it ties Belgium and Luxembourg to the partner, not to each other.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from coalitionlab.measures._common import (
    CcodeIndex,
    check_panel,
    coverage,
    cube_years,
    dyad_lookup,
    finish,
    interval_cube,
    load_source,
    new_attrs,
    pick_column,
    stamp,
    year_of,
)

__all__ = ["AGREEMENT_COLUMNS", "add_agreements", "desta_pairs", "unctad_pairs"]

AGREEMENT_COLUMNS = ("desta_pta", "desta_pta_bilateral", "desta_pta_plurilateral",
                     "unctad_iia", "unctad_iia_bilateral", "unctad_iia_plurilateral")


def desta_pairs(dyads: pd.DataFrame, withdrawals: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per (pair, DESTA base treaty, spell): ``ccode1 < ccode2, base_treaty, start, end, is_bilateral``.

    ``start`` is the first year in force, ``end`` the first year no longer in force (NaN: still in
    force at the end of the data). Each entry of the pair (base treaty, accession, consolidated
    version) runs until the first dyadic withdrawal in or after its entry-into-force year; entries
    ending at the same withdrawal make one spell, so a pair that withdrew and later re-entered has two.
    """
    src = "desta_dyads"
    eif = pick_column(dyads, ["entry_force_year", "entry_into_force_year", "entryforceyear"], source=src)
    d = pd.DataFrame({
        "a": dyads["ccode1"].to_numpy().astype("int64"), "b": dyads["ccode2"].to_numpy().astype("int64"),
        "base_treaty": dyads[pick_column(dyads, ["base_treaty"], source=src)].to_numpy(),
        "start": year_of(dyads[eif]),
        "is_bilateral": pd.to_numeric(dyads[pick_column(dyads, ["typememb"], source=src)],
                                      errors="coerce").to_numpy() == 1,
    })
    if "entry_type" in dyads.columns:  # negotiations and withdrawals are not ties
        d = d[dyads["entry_type"].astype(str).isin(["base_treaty", "accession", "consolidated"]).to_numpy()]
    d = d[d["a"] != d["b"]]
    d["ccode1"], d["ccode2"] = np.minimum(d["a"], d["b"]), np.maximum(d["a"], d["b"])
    keys = ["ccode1", "ccode2", "base_treaty"]
    rows = d.dropna(subset=["start"])[[*keys, "start", "is_bilateral"]].reset_index(drop=True)
    rows["end"] = np.nan
    if withdrawals is not None and len(withdrawals):
        wsrc = "desta_withdrawals"
        wy = pick_column(withdrawals, ["withdrawal_year", "year"], source=wsrc)
        a = withdrawals["ccode1"].to_numpy().astype("int64")
        b = withdrawals["ccode2"].to_numpy().astype("int64")
        w = pd.DataFrame({"ccode1": np.minimum(a, b), "ccode2": np.maximum(a, b),
                          "base_treaty": withdrawals[pick_column(withdrawals, ["base_treaty"], source=wsrc)].to_numpy(),
                          "wyear": year_of(withdrawals[wy])}).dropna(subset=["wyear"])
        # each entry ends at the first withdrawal in or after its year; a withdrawal before a later
        # entry (a re-accession, the UK's post-Brexit rollovers) does not cancel that entry
        m = rows[keys + ["start"]].reset_index().merge(w, on=keys)
        m = m[m["wyear"] >= m["start"]]
        rows["end"] = m.groupby("index")["wyear"].min().reindex(rows.index).to_numpy()
    rows = _split_successors(rows)
    # entries ending at the same withdrawal (or all still in force) form one spell from the earliest
    pairs = rows.groupby([*keys, "end"], as_index=False, dropna=False).agg(start=("start", "min"),
                                                                           is_bilateral=("is_bilateral", "max"))
    return pairs


#: Successor states that DESTA also uses for their predecessor's treaties before they existed (ISO 203
#: and 703 for Czechoslovakia's 1974-1992 agreements): successor ccode -> (predecessor ccode, first year).
SUCCESSORS = {316: (315, 1993), 317: (315, 1993)}


def _split_successors(rows: pd.DataFrame) -> pd.DataFrame:
    """Give a successor's tie the predecessor's code for the years before the successor existed.

    A row of the Czech Republic (316) in force from 1974 ties Czechoslovakia (315) until 1992 and the
    Czech Republic from 1993; a pair of two successors (the 1992 Czech-Slovak customs union, if in
    force before 1993) becomes the predecessor with itself and is dropped for those years.
    """
    out = rows
    for successor, (predecessor, first) in SUCCESSORS.items():
        hit = ((out["ccode1"] == successor) | (out["ccode2"] == successor)).to_numpy() & (out["start"] < first).to_numpy()
        if not hit.any():
            continue
        early = out[hit]
        before = early.replace({"ccode1": {successor: predecessor}, "ccode2": {successor: predecessor}})
        before["end"] = np.fmin(before["end"].to_numpy(), first)  # NaN (still in force) ends at the split
        after = early[early["end"].isna() | (early["end"] > first)].assign(start=first)
        out = pd.concat([out[~hit], before, after], ignore_index=True)
    out = out[out["ccode1"] != out["ccode2"]]
    lo, hi = np.minimum(out["ccode1"], out["ccode2"]), np.maximum(out["ccode1"], out["ccode2"])
    # spells of one predecessor pair from both successors' rows are merged by the caller's groupby
    return out.assign(ccode1=lo, ccode2=hi).reset_index(drop=True)


def unctad_pairs(parties: pd.DataFrame) -> pd.DataFrame:
    """One row per (pair, UNCTAD treaty): ``ccode1 < ccode2, treaty_id, start, end, is_bilateral, type``.

    A treaty signed by the Belgium-Luxembourg Economic Union (short title naming BLEU) has BLEU as one
    side: it ties Belgium and Luxembourg each to the other parties, not to each other, and is
    bilateral when BLEU has one partner.
    """
    from coalitionlab.data.publishers.unctad import UNCTAD_BLEU

    src = "unctad_iia"
    tid = pick_column(parties, ["treaty_id"], source=src)
    sig = pick_column(parties, ["signature_date", "date_of_signature"], source=src)
    eif = pick_column(parties, ["entry_force_date", "entry_into_force_date", "date_of_entry_into_force"], source=src)
    term = pick_column(parties, ["termination_date", "date_of_termination", "termination_year"], source=src)
    p = pd.DataFrame({
        "treaty_id": parties[tid].to_numpy(),
        "ccode": pd.to_numeric(parties["ccode"], errors="coerce").to_numpy(dtype="float64"),
        "start": year_of(parties[eif]),
        "end": year_of(parties[term]),
        "signed": parties[sig].astype(str).to_numpy(),
        "type": parties["type"].astype(str).to_numpy() if "type" in parties.columns else "",
    }).dropna(subset=["ccode"]).drop_duplicates(["treaty_id", "ccode"])
    p["ccode"] = p["ccode"].astype("int64")
    # the loader lists Belgium and Luxembourg as parties of a treaty signed by their economic union
    # (BLEU): the union is one side, so it does not tie its two members to each other
    title = parties[pick_column(parties, ["short_title"], source=src)].astype(str)
    bleu_ids = set(parties.loc[title.str.contains(UNCTAD_BLEU[0], regex=False).to_numpy(), tid])
    p["is_bleu"] = p["treaty_id"].isin(bleu_ids).to_numpy()
    n_sides = p.groupby("treaty_id")["ccode"].transform("size").to_numpy() - p["is_bleu"].to_numpy()
    p["is_bilateral"] = n_sides == 2
    p = p.dropna(subset=["start"])
    # pairs of parties of the same treaty (treaties have at most a few dozen parties)
    m = p.merge(p[["treaty_id", "ccode"]], on="treaty_id", suffixes=("1", "2"))
    m = m[(m["ccode1"] < m["ccode2"])
          & ~(m["is_bleu"] & m["ccode1"].isin(UNCTAD_BLEU[1]) & m["ccode2"].isin(UNCTAD_BLEU[1]))]
    # a predecessor's treaty listed once per successor (the 1990 Spain-USSR BIT under Russia, Georgia,
    # Armenia ...) maps to one pair several times with the same dates: it is one treaty
    m = m.drop_duplicates(["ccode1", "ccode2", "signed", "start", "end", "type"])
    return pd.DataFrame({"ccode1": m["ccode1"].to_numpy(), "ccode2": m["ccode2"].to_numpy(),
                         "treaty_id": m["treaty_id"].to_numpy(), "start": m["start"].to_numpy(),
                         "end": m["end"].to_numpy(), "is_bilateral": m["is_bilateral"].to_numpy(),
                         "type": m["type"].to_numpy()})


#: Sources that list every instrument of their kind ever signed: before the first one, the count in
#: force is 0 by construction, not unknown. UNCTAD lists every BIT since the first (Germany-Pakistan,
#: 1959), so its counts start at 0 in the first system year; DESTA lists PTAs from 1948 only (earlier
#: commercial treaties exist but are not coded), so its years before 1948 stay NaN.
EXHAUSTIVE_FROM_START = {"unctad_iia": 1816}


def _coverage(name: str) -> tuple[int, int]:
    """The source's years, starting earlier for a source in :data:`EXHAUSTIVE_FROM_START`."""
    first, last = coverage(name)
    return min(first, EXHAUSTIVE_FROM_START.get(name, first)), last


def _counts(pairs: pd.DataFrame, c1, c2, look, first, last, prefix, index_codes) -> dict[str, np.ndarray]:
    index = CcodeIndex(index_codes)  # only the panel's states are looked up
    span = cube_years(look, first, last)
    out = {}
    for suffix, sel in (("", slice(None)), ("_bilateral", pairs["is_bilateral"]),
                        ("_plurilateral", ~pairs["is_bilateral"])):
        if span is None:
            out[prefix + suffix] = np.full(len(look), np.nan)
            continue
        p = pairs[sel]
        cube = interval_cube(p["ccode1"].to_numpy(), p["ccode2"].to_numpy(), p["start"].to_numpy(),
                             p["end"].to_numpy(), index, *span)
        out[prefix + suffix] = dyad_lookup(cube, span[0], index, c1, c2, look)
    return out


def add_agreements(panel: pd.DataFrame, *, data_dir: str | os.PathLike | None = None, mry: bool = False,
                   sources: str | tuple[str, ...] = ("desta", "unctad")) -> pd.DataFrame:
    """Add counts of trade (DESTA) and investment (UNCTAD) agreements in force between the two states.

    Parameters
    ----------
    panel
        A dyad-year panel (:func:`create_dyadyears`).
    data_dir
        Data directory.
    mry
        Carry each source's last year forward to later panel years (recorded in ``attrs["mry"]``).
    sources
        Which of ``"desta"`` and ``"unctad"`` to add (one name or a tuple).

    Returns
    -------
    pandas.DataFrame
        A copy with ``desta_pta`` (PTAs in force), ``desta_pta_bilateral``, ``desta_pta_plurilateral``,
        ``unctad_iia`` (BITs and TIPs in force), ``unctad_iia_bilateral``, ``unctad_iia_plurilateral``.
        Symmetric; 0 inside each source's coverage, NaN outside, and NaN where either state was not
        a COW system member that year (``attrs["existence"]``; absence from a treaty list means "no tie").

    Raises
    ------
    PanelTypeError, UnknownOptionError

    References
    ----------
    Dür, A., L. Baccini and M. Elsig. 2014. "The Design of International Trade Agreements: Introducing
    a New Dataset." *Review of International Organizations* 9(3): 353-375.
    UNCTAD. International Investment Agreements Navigator (accessed 2025).
    """
    from coalitionlab._validation import check_option

    check_panel(panel, "dyad_year", step="add_agreements()")
    if isinstance(sources, str):
        sources = (sources,)
    for s in sources:
        check_option(s, ["desta", "unctad"], name="agreement source")
    attrs = new_attrs(panel)
    c1, c2 = panel["ccode1"].to_numpy(), panel["ccode2"].to_numpy()
    years = panel["year"].to_numpy().astype("int64")
    codes = np.concatenate([pd.unique(c1), pd.unique(c2)])
    new: dict[str, np.ndarray] = {}
    if "desta" in sources:
        dyads = load_source("desta_dyads", data_dir)
        withdrawals = load_source("desta_withdrawals", data_dir)
        first, last = _coverage("desta_dyads")
        look = np.minimum(years, last) if mry else years
        cols = _counts(desta_pairs(dyads, withdrawals), c1, c2, look, first, last, "desta_pta", codes)
        new.update(cols)
        stamp(attrs, "desta_dyads", str(dyads.attrs.get("version", "02_02")), cols, coverage=(first, last), mry=mry)
        attrs["sources"]["desta_withdrawals"] = str(withdrawals.attrs.get("version", "02_02"))
    if "unctad" in sources:
        parties = load_source("unctad_iia", data_dir)
        first, last = _coverage("unctad_iia")
        look = np.minimum(years, last) if mry else years
        cols = _counts(unctad_pairs(parties), c1, c2, look, first, last, "unctad_iia", codes)
        new.update(cols)
        stamp(attrs, "unctad_iia", str(parties.attrs.get("version", "2025")), cols, coverage=(first, last), mry=mry)
    return finish(panel, new, attrs, data_dir=data_dir)
