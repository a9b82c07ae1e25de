"""Treaties in force between two states, from the full treaty record, each agreement counted once.

The record joins five sources: GGO/HUGGO (all domains, per-state dates), IEADB (environment) and
TFDD (water) from ``{manytreaties}``, DESTA 02_02 (trade) and the UNCTAD IIA Navigator
(investment). :func:`treaty_instruments` lists every source instrument and the agreement it was
matched to; :func:`treaty_ties` turns them into one dated tie per (state pair, agreement, spell);
:func:`add_treaties` counts those in force on 31 December of each panel year (or on the last day
both states were COW members, for a state that left the system during the year). The rules, with the
figures they produce (``python examples/treaty_record.py --data-dir DIR``), are in
docs/measures/treaties.md. In short:

* **A tie** is a pair of state parties of one agreement, in force from the later of the two
  states' own entries into force to the earlier of their own ends (``end`` NaT: still in force).
  A party with no entry-into-force date (signed only, TFDD's signature-only records, placeholder
  dates) makes no tie; an entry into force known only as the treaty's counts for a bilateral
  instrument (both parties are bound on that day) but not for a multilateral one (a late ratifier
  is bound later). Amendments (manydata type letter ``E``) are changes to an agreement, not new
  agreements, and are left out.
* **Each agreement once.** Instruments of different sources are one agreement when they share
  the manydata treaty ID (``same_id``), when they were signed within 31 days by overlapping
  parties under nearly the same title (``same_text``), when two multilateral conventions carry the
  same title and are dated up to two years apart (``same_title``), when a GGO or IEADB title is a
  DESTA treaty's name in its signature year (``desta_name``), or when an UNCTAD treaty with
  investment provisions has exactly the state parties and signature year of one DESTA or GGO trade
  agreement (``trade_investment``). Two instruments of one source with the same normalised title,
  signature day and state parties are one too (``same_record``). A pair listed by several sources
  takes its dates from the first of :data:`PRIORITY`, and its end is the earliest end after its
  start that any instrument of the agreement records for the pair or either state.
* **Successors.** A predecessor's tie still in force when it leaves the system continues for its
  successors (:data:`SUCCESSION`: the Federal Republic -> Germany, the Yemens -> Yemen,
  Czechoslovakia -> the Czech Republic and Slovakia).
* **No alliance twice.** An agreement that is an ATOP alliance (:func:`atop_matches`: a title or
  domain that can be an alliance's, nearly the same states, signed within 31 days of the
  alliance's first day) counts under alliances only: its ties between members of the alliance are
  dropped.
* **No look-ahead.** Imprecise starts are the latest day they can mean, imprecise ends the
  earliest (the loaders); DESTA's years start on 31 December and end on 1 January.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterable

import numpy as np
import pandas as pd

from coalitionlab.data.publishers.manytreaties import FIRST_DAY
from coalitionlab.measures._common import check_panel, finish, load_source, new_attrs, stamp
from coalitionlab.measures.ties import _days, count_own_ties, count_ties, year_end, year_start

__all__ = [
    "DOMAINS",
    "PRIORITY",
    "SOURCES",
    "TREATY_COLUMNS",
    "TREATY_DYAD_COLUMNS",
    "TREATY_STATE_COLUMNS",
    "add_treaties",
    "atop_matches",
    "count_own_agreements",
    "count_own_ties",
    "count_ties",
    "record_coverage",
    "record_report",
    "treaty_instruments",
    "treaty_ties",
]

#: The sources of the record, by their option names (``sources=``), and their dataset labels.
SOURCES: tuple[str, ...] = ("ggo", "ieadb", "tfdd", "desta", "unctad")
_LABEL = {"ggo": "GGO", "ieadb": "IEADB", "tfdd": "TFDD", "desta": "DESTA", "unctad": "UNCTAD"}
#: When several sources list the same pair of the same agreement, the pair's dates come from the
#: first of these that lists it (GGO's per-state days before IEADB's, exact days before DESTA's years).
PRIORITY: tuple[str, ...] = ("GGO", "IEADB", "UNCTAD", "DESTA", "TFDD")

#: The columns of :func:`treaty_ties`.
TREATY_COLUMNS = ("ccode1", "ccode2", "agreement_id", "sources", "title", "is_bilateral", "domain", "is_security",
                  "start", "end", "start_precision")

#: Harmonised domains: GGO's ``TypeDomain`` mapped as below; IEADB agreements are environmental,
#: TFDD agreements water, DESTA agreements trade, UNCTAD BITs investment and UNCTAD TIPs (trade
#: agreements with investment provisions, framework agreements) trade. ``security`` overrides all
#: (:data:`SECURITY_TITLE`).
GGO_DOMAINS = {"Environment": "environment", "Trade": "trade", "Health": "health", "Human Rights": "human rights",
               "Security": "security", "Labour": "labour", "Trade,Environment": "trade"}
DOMAINS = ("security", "water", "trade", "investment", "environment", "health", "human rights", "labour", "other")

#: A title that makes an agreement a security agreement (case-insensitive): arms control, the laws
#: of war, peace treaties, defence and military cooperation, alliances. "Social security", "food
#: security", "energy security", "nuclear security"/"security control" of nuclear materials and a
#: "military government" (the signatory, not the subject) do not count.
SECURITY_TITLE = re.compile(
    r"\b(?:alliance|allied|defen[cs]e|military|armed forces|armaments?|disarmament|arms|weapons?|"
    r"non-?proliferation|test ban|peace treaty|treaty of peace|protocol of peace|peaceful agreement|"
    r"mutual assistance pact|non-?aggression|neutrality|security treaty|mutual cooperation and security|"
    r"collective security|war|warfare|armed conflicts?|booby-traps|anti-personnel mines)\b", re.IGNORECASE)
_NOT_SECURITY = re.compile(r"\b(?:social|food|energy|nuclear|radiation) security\b|security control|"
                           r"military government|pacific alliance|war cripples", re.IGNORECASE)
#: A title that can name an alliance treaty, for :func:`atop_matches` (with :data:`SECURITY_TITLE`).
ALLIANCE_TITLE = re.compile(r"\b(?:friendship|pact|guarantee|mutual assistance|security|cooperation and "
                            r"security|consultation)\b", re.IGNORECASE)

#: The words that let an agreement of the ``security`` or an unknown domain be an alliance treaty.
TREATY_TITLE = re.compile(r"\b(?:treaty|charter|pact)\b", re.IGNORECASE)

#: Days between two signature dates that still allow ``same_text`` (and an ATOP match).
WINDOW_DAYS = 31
#: The least overlap (Jaccard index of the two sets of states) between an agreement's state parties
#: and an ATOP alliance's members for :func:`atop_matches`.
MIN_JACCARD = 0.5
#: Title similarity (inverse-frequency weighted Jaccard of the title words) needed by ``same_text``:
#: signed the same day / signed on different days within the window.
SIM_SAME_DAY, SIM_OTHER_DAY = 0.6, 0.8
#: ``same_title``: a multilateral instrument's title similarity and the days its two dates may differ.
SIM_TITLE, MULTI_WINDOW_DAYS = 0.95, 731

#: First and last year each source covers (years present in the data, see the docs). Before 1816
#: there are no COW states; GGO's signatures run to 2023 and it codes environmental agreements too
#: after IEADB's last year (2021); DESTA 02_02 runs 1948-2023; UNCTAD lists every BIT since the first
#: (1959), to 2025. TFDD has no entry-into-force dates and so no ties of its own.
SOURCE_COVERAGE: dict[str, tuple[int, int]] = {"ggo": (1816, 2023), "ieadb": (1816, 2021), "tfdd": (1816, 2007),
                                               "desta": (1948, 2023), "unctad": (1816, 2025)}

_STOP = frozenset("the of and to on in for a an between with by at concerning relating regarding its their de "
                  "la le et des du".split())
_NEVER = np.iinfo("int64").max  # what ties._days gives NaT: never


# ---------------------------------------------------------------- options and coverage


def _check_sources(sources: str | Iterable[str]) -> tuple[str, ...]:
    from coalitionlab._validation import check_option

    if isinstance(sources, str):
        sources = [s.strip() for s in sources.split(",") if s.strip()]
    out = tuple(dict.fromkeys(check_option(str(s).lower(), SOURCES, name="treaty source") for s in sources))
    if not out:
        from coalitionlab.errors import UnknownOptionError

        raise UnknownOptionError(f"no treaty source given; allowed: {', '.join(SOURCES)}")
    return out


def record_coverage(sources: str | Iterable[str] = SOURCES) -> tuple[int, int]:
    """First and last year the treaty record covers with the given sources.

    The first year is the earliest first year of the sources (1816 with GGO, IEADB or UNCTAD; 1948
    with DESTA alone). The last year is the latest year every source with ties is current, except
    that IEADB's end (2021) does not bind when GGO, which codes environmental agreements to 2023, is
    included. Outside these years the counts are NaN.

    Examples
    --------
    >>> record_coverage()
    (1816, 2023)
    >>> record_coverage(("desta",))
    (1948, 2023)
    """
    chosen = _check_sources(sources)
    first = min(SOURCE_COVERAGE[s][0] for s in chosen)
    binding = [s for s in chosen if s != "tfdd" and not (s == "ieadb" and "ggo" in chosen)] or list(chosen)
    last = min(SOURCE_COVERAGE[s][1] for s in binding)
    return first, last


# ---------------------------------------------------------------- helpers


def _norm_title(values: pd.Series) -> pd.Series:
    return values.fillna("").astype("str").str.lower().str.replace(r"[^a-z0-9]+", " ", regex=True).str.strip()


def _letter(treaty_ids: pd.Series) -> pd.Series:
    """The manydata instrument type letter (A, P, E, N, S, R, O) of the instrument's own ID."""
    return treaty_ids.astype("str").str.split(":").str[0].str.extract(r"_\d{4}([A-Z])", expand=False).fillna("?")


def _merge_spells(t: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Merge overlapping or touching spells (``start``, ``end``; NaT end = open) of the same key.

    Other columns are taken from the first spell of each merged group; ``start_precision`` from the
    spell that starts first. Vectorised gaps-and-islands over the sorted spells.
    """
    if t.empty:
        return t
    t = t.sort_values([*keys, "start"], kind="stable", ignore_index=True)
    end = _days(t["end"])
    same = np.ones(len(t), bool)
    for k in keys:
        v = t[k].to_numpy()
        same[1:] &= v[1:] == v[:-1]
    same[0] = False
    grp = np.cumsum(~same)
    running = pd.Series(end).groupby(grp).cummax().to_numpy()
    start = _days(t["start"])
    new = ~same
    new[1:] |= same[1:] & (start[1:] > running[:-1])
    spell = np.cumsum(new)
    first = t.groupby(spell, sort=False).head(1).reset_index(drop=True)
    last_end = pd.Series(end).groupby(spell, sort=False).max().to_numpy()
    first["end"] = np.where(last_end == _NEVER, np.datetime64("NaT"),
                            last_end.astype("datetime64[D]")).astype("datetime64[ns]")
    return first


def _pairs(spells: pd.DataFrame, by: str) -> pd.DataFrame:
    """Pairs of parties of the same ``by`` from per-party spells: later start, earlier end."""
    s = spells[[by, "ccode", "start", "end", "precision"]]
    m = s.merge(s, on=by, suffixes=("1", "2"))
    m = m[m["ccode1"].to_numpy() < m["ccode2"].to_numpy()]
    s1, s2 = m["start1"].to_numpy("datetime64[ns]"), m["start2"].to_numpy("datetime64[ns]")
    e1, e2 = m["end1"].to_numpy("datetime64[ns]"), m["end2"].to_numpy("datetime64[ns]")
    start = np.maximum(s1, s2)
    end = np.where(np.isnat(e1), e2, np.where(np.isnat(e2), e1, np.minimum(e1, e2)))
    precision = np.where(s1 >= s2, m["precision1"].to_numpy(object), m["precision2"].to_numpy(object))
    out = pd.DataFrame({by: m[by].to_numpy(), "ccode1": m["ccode1"].to_numpy("int64"),
                        "ccode2": m["ccode2"].to_numpy("int64"), "start": start, "end": end,
                        "start_precision": precision})
    return out[np.isnat(out["end"].to_numpy()) | (out["end"] > out["start"])]


# ---------------------------------------------------------------- instruments of each source


def _manytreaties(parties: pd.DataFrame, agreements: pd.DataFrame, datasets: list[str], stats: dict
                  ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Instruments, their state parties, their treaty IDs, their pair ties and the ends the party rows
    record (``key, ccode, end``), from ``{manytreaties}``.

    IEADB lists one treaty under several manydata IDs (the ID's year follows each state's own
    signature: the Stockholm POPs convention is PRSSOP_2001A ... PRSSOP_2013A), so IEADB instruments
    are its own treaty numbers (``source_id``); GGO and TFDD instruments are their IDs, split by
    title where one ID carries several. The signature date is the treaty's (``treaty_signature_date``).
    """
    p = parties[parties["dataset"].isin(datasets)]
    stats["party_rows"] = p.groupby("dataset").size().to_dict()
    p = p[p["is_state"].to_numpy(bool) & p["ccode"].notna().to_numpy()]
    p = p.assign(title=p["title"].fillna("").astype("str"), ccode=p["ccode"].astype("int64"))
    # one ID under several titles is several instruments (GGO files the Montreal Protocol's annex A
    # and annex B adjustments, or two Argentina-Paraguay agreements of one day, under one ID)
    u = p[["dataset", "treaty_id", "title"]].drop_duplicates().sort_values(["dataset", "treaty_id", "title"])
    u["n"] = u.groupby(["dataset", "treaty_id"]).cumcount() + 1
    several = u.groupby(["dataset", "treaty_id"])["n"].transform("size").to_numpy() > 1
    u["key"] = (u["dataset"] + ":" + u["treaty_id"]).where(~several, u["dataset"] + ":" + u["treaty_id"] + "#"
                                                            + u["n"].astype("str"))
    p = p.merge(u[["dataset", "treaty_id", "title", "key"]], on=["dataset", "treaty_id", "title"], how="left")
    ieadb = p["dataset"].eq("IEADB") & p["source_id"].notna()
    p["key"] = p["key"].where(~ieadb, "IEADB:#" + p["source_id"].astype("str"))
    sig = p["treaty_signature_date"].fillna(p["signature_date"]) if "treaty_signature_date" in p.columns \
        else p["signature_date"]
    g = p.assign(sig=sig).groupby("key", sort=True)
    inst = pd.DataFrame({
        "dataset": g["dataset"].first(), "treaty_id": g["treaty_id"].min(), "title": g["title"].first(),
        "signature_date": g["sig"].min(), "n_states": g["ccode"].nunique(),
    }).reset_index()
    inst["letter"] = _letter(inst["treaty_id"]).to_numpy()
    inst["is_bilateral"] = inst["n_states"].to_numpy() == 2
    # GGO's domain, by the agreement's ID (the parties file writes some IDs with a [code] the
    # agreements file leaves out)
    ga = agreements[agreements["dataset"].eq("GGO")]
    dom = ga.drop_duplicates("treaty_id").set_index("treaty_id")["domain"]
    stripped = ga.assign(t=ga["treaty_id"].str.replace(r"\[[^\]]*\]", "", regex=True)).drop_duplicates("t")
    dom2 = stripped.set_index("t")["domain"]
    d = inst["treaty_id"].map(dom)
    d = d.fillna(inst["treaty_id"].str.replace(r"\[[^\]]*\]", "", regex=True).map(dom2))
    inst["source_domain"] = np.select(
        [inst["dataset"].eq("GGO"), inst["dataset"].eq("IEADB"), inst["dataset"].eq("TFDD")],
        [d.map(GGO_DOMAINS).fillna("other"), "environment", "water"], "other")
    members = p[["key", "ccode"]].drop_duplicates()
    ids = p[["key", "treaty_id"]].drop_duplicates()
    # amendments change an agreement; they are not agreements of their own
    amend = set(inst.loc[inst["letter"].eq("E"), "key"])
    stats["amendments"] = inst[inst["letter"].eq("E")].groupby("dataset").size().to_dict()
    # per-party spells: the party's own entry into force (a treaty-level date only for a bilateral
    # instrument) to its own end
    n_states = p["key"].map(inst.set_index("key")["n_states"])
    has_force = p["force_date"].notna()
    own = has_force & (~p["force_from_treaty"].to_numpy(bool) | n_states.eq(2).to_numpy())
    start = p["force_date"]
    # an end on or before the party's own entry into force belongs to something else (an earlier
    # membership, the instrument an amendment replaced, a provisional application): it is ignored
    # and the party counts from its entry into force (an assumption; counted in the stats). An end
    # before 1678 is the loaders' first day (FIRST_DAY), like the start: a real end, not an early one
    # (England-Castile 1351-1371 ends there and is in force on no day the record covers).
    clipped = p["end_date"].eq(FIRST_DAY)
    early_end = p["end_date"].notna() & (p["end_date"] <= start) & ~clipped
    end = p["end_date"].mask(early_end)
    keep = own & ~p["key"].isin(amend)
    stats["ended_before_1678"] = p[keep & clipped].groupby("dataset").size().to_dict()
    # every end a state party row records (its own, else the treaty's), also of rows without an
    # entry into force, except ends that belong to something else (above): for _earliest_ends
    has_end = p["end_date"].notna() & ~early_end & ~p["key"].isin(amend)
    ends = pd.DataFrame({"key": p.loc[has_end, "key"].to_numpy(), "ccode": p.loc[has_end, "ccode"].to_numpy("int64"),
                         "end": p.loc[has_end, "end_date"].to_numpy("datetime64[ns]")}).drop_duplicates()
    stats["party_rows_state"] = p.groupby("dataset").size().to_dict()
    stats["no_force_date"] = p[~has_force].groupby("dataset").size().to_dict()
    stats["treaty_force_multilateral"] = p[has_force & ~own].groupby("dataset").size().to_dict()
    stats["end_ignored"] = p[keep & early_end].groupby("dataset").size().to_dict()
    stats["amendment_rows"] = p[own & p["key"].isin(amend)].groupby("dataset").size().to_dict()
    spells = pd.DataFrame({"key": p.loc[keep, "key"].to_numpy(), "ccode": p.loc[keep, "ccode"].to_numpy(),
                           "start": start[keep].to_numpy("datetime64[ns]"), "end": end[keep].to_numpy("datetime64[ns]"),
                           "precision": p.loc[keep, "force_precision"].astype(object).to_numpy()})
    ties = _pairs(spells, "key")
    inst = inst[~inst["key"].isin(amend)].reset_index(drop=True)
    members = members[~members["key"].isin(amend)]
    ids = ids[~ids["key"].isin(amend)]
    return inst, members, ids, ties, ends


def _desta(dyads: pd.DataFrame, withdrawals: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """DESTA 02_02 base treaties as instruments, their members and their pair ties (years as days)."""
    from coalitionlab.measures.agreements import desta_pairs

    pairs = desta_pairs(dyads, withdrawals)
    ties = pd.DataFrame({"key": "DESTA:" + pairs["base_treaty"].astype("int64").astype("str"),
                         "ccode1": pairs["ccode1"].to_numpy("int64"), "ccode2": pairs["ccode2"].to_numpy("int64"),
                         "start": year_end(pairs["start"]), "end": year_start(pairs["end"]),
                         "start_precision": "year", "is_bilateral": pairs["is_bilateral"].to_numpy(bool)})
    d = dyads.assign(key="DESTA:" + dyads["base_treaty"].astype("int64").astype("str"))
    base = d[d["entry_type"].astype("str").eq("base_treaty")] if "entry_type" in d.columns else d
    g = base.groupby("key")
    inst = pd.DataFrame({"treaty_id": g["base_treaty"].first().astype("int64").astype("str"),
                         "title": g["name"].first(), "sig_year": g["signature_year"].min().astype("float64")})
    inst = inst.reset_index()
    # the founding members (rows of the base treaty itself); accessions join later
    founding = pd.concat([base[["key", "ccode1"]].rename(columns={"ccode1": "ccode"}),
                          base[["key", "ccode2"]].rename(columns={"ccode2": "ccode"})]).drop_duplicates()
    inst["n_states"] = inst["key"].map(founding.groupby("key").size()).fillna(0).astype("int64").to_numpy()
    bil = ties.groupby("key")["is_bilateral"].max()
    typememb = pd.to_numeric(base.groupby("key")["typememb"].first(), errors="coerce")
    inst["is_bilateral"] = inst["key"].map(bil).fillna(inst["key"].map(typememb.eq(1))).astype(bool).to_numpy()
    inst = inst.assign(dataset="DESTA", signature_date=pd.NaT, letter="O", source_domain="trade")
    return inst, founding.astype({"ccode": "int64"}), ties.drop(columns="is_bilateral")


def _unctad(parties: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """UNCTAD treaties as instruments, their state parties, their pair ties (exact days) and their
    parties' ends (the treaty's termination, ``key, ccode, end``)."""
    from coalitionlab.measures.agreements import unctad_pairs

    pairs = unctad_pairs(parties)
    dates = parties.drop_duplicates("treaty_id").set_index("treaty_id")
    got = dates.reindex(pairs["treaty_id"].to_numpy())
    ties = pd.DataFrame({"key": "UNCTAD:" + pairs["treaty_id"].astype("str"),
                         "ccode1": pairs["ccode1"].to_numpy("int64"), "ccode2": pairs["ccode2"].to_numpy("int64"),
                         "start": got["entry_force_date"].to_numpy("datetime64[ns]"),
                         "end": got["termination_date"].to_numpy("datetime64[ns]"), "start_precision": "day"})
    ties = ties[ties["start"].notna().to_numpy() & (ties["end"].isna() | (ties["end"] > ties["start"])).to_numpy()]
    p = parties.assign(key="UNCTAD:" + parties["treaty_id"].astype("str"))
    g = p.groupby("key")
    inst = pd.DataFrame({"treaty_id": g["treaty_id"].first().astype("str"), "title": g["short_title"].first(),
                         "signature_date": g["signature_date"].min(), "type": g["type"].first().astype("str"),
                         "n_states": g["ccode"].nunique()}).reset_index()
    bil = pairs.assign(key="UNCTAD:" + pairs["treaty_id"].astype("str")).groupby("key")["is_bilateral"].max()
    inst["is_bilateral"] = inst["key"].map(bil).fillna(inst["n_states"].eq(2)).astype(bool).to_numpy()
    inst["source_domain"] = np.where(inst["type"].eq("BIT"), "investment", "trade")
    inst = inst.assign(dataset="UNCTAD", letter="A")
    members = p[["key", "ccode"]].dropna().drop_duplicates().astype({"ccode": "int64"})
    term = p[["key", "ccode", "termination_date"]].dropna().drop_duplicates()
    ends = pd.DataFrame({"key": term["key"].to_numpy(), "ccode": term["ccode"].to_numpy("int64"),
                         "end": term["termination_date"].to_numpy("datetime64[ns]")})
    return inst, members, ties, ends


# ---------------------------------------------------------------- matching


def _title_similarity(titles: pd.Series, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Inverse-frequency weighted Jaccard similarity of the word sets of ``titles[i]`` and ``titles[j]``."""
    from scipy import sparse

    words = _norm_title(titles).str.split(" ")
    long = words.explode()
    long = long[long.notna() & ~long.isin(_STOP) & long.ne("")]
    rows = long.index.to_numpy()
    codes, vocab = pd.factorize(long.to_numpy())
    x = sparse.csr_matrix((np.ones(len(codes)), (rows, codes)), shape=(len(titles), len(vocab)))
    x.data[:] = 1.0  # a word twice in a title counts once
    x.sum_duplicates()
    x.data[:] = 1.0
    df = np.asarray((x > 0).sum(axis=0)).ravel()
    idf = np.log(len(titles) / np.maximum(df, 1))
    w = x @ sparse.diags(idf)
    size = np.asarray(w.sum(axis=1)).ravel()
    inter = np.asarray(w[i].multiply(x[j]).sum(axis=1)).ravel()
    union = size[i] + size[j] - inter
    return np.where(union > 0, inter / np.where(union > 0, union, 1), 0.0)


def _match(inst: pd.DataFrame, members: pd.DataFrame, ids: pd.DataFrame) -> pd.DataFrame:
    """Edges (``i``, ``j``, ``rule``) between instruments that are one agreement: of different sources,
    or (``same_record``) of one source listing the same instrument twice."""
    idx = pd.Series(np.arange(len(inst)), index=inst["key"].to_numpy())
    ds = inst["dataset"].to_numpy()
    year = inst["sig_year"].to_numpy("float64")
    day = _days(inst["signature_date"])
    edges = []
    # same_record: one dataset lists an instrument twice (IEADB numbers 4902 and 4917 are the same
    # USA-Peru agreement of 2008-09-18): the same normalised title, the same signature day and
    # exactly the same state parties. Renewals are signed on other days and stay apart.
    m = members.drop_duplicates().sort_values(["key", "ccode"])
    parties = m.groupby("key", sort=False)["ccode"].agg(lambda c: " ".join(map(str, c)))
    rec = pd.DataFrame({"i": np.arange(len(inst)), "ds": ds, "t": _norm_title(inst["title"]).to_numpy(),
                        "day": day, "p": inst["key"].map(parties).to_numpy()})
    rec = rec[(day != _NEVER) & rec["p"].notna().to_numpy() & rec["t"].ne("").to_numpy()]
    rec["first"] = rec.groupby(["ds", "t", "day", "p"])["i"].transform("min")
    rec = rec[rec["i"] != rec["first"]]
    edges.append(pd.DataFrame({"i": rec["first"].to_numpy("int64"), "j": rec["i"].to_numpy("int64"),
                               "rule": "same_record"}))
    # same_id: the manydata treaty ID, signed in the same year or the next
    ii = ids.assign(i=idx.reindex(ids["key"].to_numpy()).to_numpy()).dropna(subset=["i"])
    m = ii.merge(ii, on="treaty_id", suffixes=("1", "2"))
    a, b = m["i1"].to_numpy("int64"), m["i2"].to_numpy("int64")
    ok = (ds[a] < ds[b]) & (np.abs(year[a] - year[b]) <= 1)
    edges.append(pd.DataFrame({"i": a[ok], "j": b[ok], "rule": "same_id"}))
    # candidates for the other rules: instruments of two sources with a common state party,
    # signed in the same year or a year apart
    mm = members.assign(i=idx.reindex(members["key"].to_numpy()).to_numpy()).dropna(subset=["i"])
    mm = mm.assign(i=mm["i"].astype("int64"))
    mm["y"] = year[mm["i"].to_numpy()]
    mm = mm.dropna(subset=["y"])[["i", "ccode", "y"]]
    # each instrument in its year and the next two: pairs signed up to two years apart meet
    both = pd.concat([mm, mm.assign(y=mm["y"] + 1), mm.assign(y=mm["y"] + 2)], ignore_index=True)
    c = both.merge(both, on=["ccode", "y"], suffixes=("1", "2"))
    c = c[ds[c["i1"].to_numpy()] < ds[c["i2"].to_numpy()]].drop_duplicates(["i1", "i2", "ccode"])
    shared = c.groupby(["i1", "i2"]).size().rename("shared").reset_index()
    a, b, n_shared = shared["i1"].to_numpy("int64"), shared["i2"].to_numpy("int64"), shared["shared"].to_numpy()
    n_states = inst["n_states"].to_numpy()
    bil = inst["is_bilateral"].to_numpy(bool)
    same_parties = np.where(bil[a] & bil[b], n_shared == 2, n_shared >= 1)
    sim = _title_similarity(inst["title"], a, b)
    # same_text: two sources with days and comparable titles (not UNCTAD's short titles)
    dated = (day[a] != _NEVER) & (day[b] != _NEVER)
    gap = np.where(dated, np.abs(day[a] - np.where(dated, day[b], 0)), _NEVER)
    letters = inst["letter"].to_numpy()
    la, lb = letters[a], letters[b]
    # an agreement, an exchange of notes constituting one and an "other" instrument can be one
    # instrument coded differently; protocols, strategies and resolutions only match their own kind
    compatible = (la == lb) | (np.isin(la, ["A", "N", "O"]) & np.isin(lb, ["A", "N", "O"]))
    text = ~np.isin(ds[a], ["UNCTAD", "DESTA"]) & ~np.isin(ds[b], ["UNCTAD", "DESTA"])
    ok = text & same_parties & compatible & (gap <= WINDOW_DAYS) & (sim >= np.where(gap == 0, SIM_SAME_DAY,
                                                                                    SIM_OTHER_DAY))
    edges.append(pd.DataFrame({"i": a[ok], "j": b[ok], "rule": "same_text"}))
    # same_title: a multilateral convention under the same title whose two sources date it up to two
    # years apart (adoption, opening for signature, entry into force: the World Heritage convention
    # is 1972 in IEADB, 1973 in GGO), each the other's nearest such candidate
    multi = (n_states[a] >= 3) & (n_states[b] >= 3)
    ok = text & multi & (gap <= MULTI_WINDOW_DAYS) & (sim >= SIM_TITLE)
    e = pd.DataFrame({"i": a[ok], "j": b[ok], "gap": gap[ok], "sim": -sim[ok]})
    near_i = e.sort_values(["i", "gap", "sim"]).drop_duplicates("i")[["i", "j"]]
    near_j = e.sort_values(["j", "gap", "sim"]).drop_duplicates("j")[["i", "j"]]
    e = near_i.merge(near_j, on=["i", "j"])
    edges.append(e.assign(rule="same_title"))
    # desta_name: a GGO/IEADB/TFDD title that is a DESTA name, in the DESTA treaty's signature year
    one_desta = (ds[a] == "DESTA") ^ (ds[b] == "DESTA")
    other_ok = ~np.isin(ds[a], ["UNCTAD"]) & ~np.isin(ds[b], ["UNCTAD"])
    ok = one_desta & other_ok & (year[a] == year[b]) & same_parties & (sim >= SIM_OTHER_DAY)
    edges.append(pd.DataFrame({"i": a[ok], "j": b[ok], "rule": "desta_name"}))
    # trade_investment: an UNCTAD treaty with investment provisions (TIP) and a DESTA or GGO trade
    # agreement with exactly the same state parties, signed the same year, one candidate each way
    dom = inst["source_domain"].to_numpy()
    tip = (ds == "UNCTAD") & (dom == "trade")
    trade = (ds == "DESTA") | ((ds == "GGO") & (dom == "trade"))
    exact = (n_shared == n_states[a]) & (n_shared == n_states[b]) & (n_shared >= 2) & (year[a] == year[b])
    ok = exact & ((tip[a] & trade[b]) | (tip[b] & trade[a]))
    e = pd.DataFrame({"i": a[ok], "j": b[ok]})
    e["u"] = np.where(tip[e["i"].to_numpy()], e["i"], e["j"])
    e["t"] = np.where(tip[e["i"].to_numpy()], e["j"], e["i"])
    e["tds"] = ds[e["t"].to_numpy()]
    # unique: one UNCTAD treaty per (trade source, agreement) and one agreement per source per UNCTAD treaty
    e = e[e.groupby(["u", "tds"])["t"].transform("size").eq(1) & e.groupby("t")["u"].transform("size").eq(1)]
    edges.append(pd.DataFrame({"i": e["i"].to_numpy(), "j": e["j"].to_numpy(), "rule": "trade_investment"}))
    return pd.concat(edges, ignore_index=True).drop_duplicates(["i", "j"])


def _components(n: int, edges: pd.DataFrame) -> np.ndarray:
    from scipy import sparse
    from scipy.sparse.csgraph import connected_components

    g = sparse.coo_matrix((np.ones(len(edges)), (edges["i"].to_numpy("int64"), edges["j"].to_numpy("int64"))),
                          shape=(n, n))
    return connected_components(g, directed=False)[1]


# ---------------------------------------------------------------- ATOP


def atop_matches(agreements: pd.DataFrame, members: pd.DataFrame, atop: pd.DataFrame) -> pd.DataFrame:
    """Record agreements that are ATOP alliances.

    An agreement is the alliance ``atopid`` when (1) it can be an alliance: its title names security
    or alliance matters (:data:`SECURITY_TITLE`, :data:`ALLIANCE_TITLE`), or its harmonised domain is
    ``security`` or unknown (``other``) and its title calls it a treaty, charter or pact
    (:data:`TREATY_TITLE`: "North Atlantic Treaty" names no subject); an environmental, water, trade,
    investment, health, labour or human-rights agreement without such words cannot; (2) it
    was signed within :data:`WINDOW_DAYS` days of the alliance's first day in ATOP (the earliest
    member entry, ATOP's signature date; an agreement known only by its year: the same year), and
    (3) its state parties and the alliance's members are nearly the same states: at least two in
    common and a Jaccard index of at least :data:`MIN_JACCARD` with the alliance's founding members
    (those in it within :data:`WINDOW_DAYS` days of its first day) or with all its members ever.
    Of several such alliances the closest (highest index, then nearest date) is taken: an agreement
    is one alliance.

    Parameters
    ----------
    agreements
        ``agreement_id, title, domain, is_bilateral, signature_date, sig_year``.
    members
        ``agreement_id, ccode``: the agreement's state parties.
    atop
        ``load("atop_members")``: ``atopid, ccode, start_date``.

    Returns
    -------
    pandas.DataFrame
        ``agreement_id, atopid, ccode`` for every member of the matched alliance that is a party of
        the agreement: their pair ties are alliance ties, not treaty ties.
    """
    title = agreements["title"].fillna("").astype("str")
    sec = (title.str.contains(SECURITY_TITLE) & ~title.str.contains(_NOT_SECURITY)) \
        | title.str.contains(ALLIANCE_TITLE) \
        | (agreements["domain"].isin(["security", "other"]) & title.str.contains(TREATY_TITLE))
    cand = agreements[sec.to_numpy()]
    a = atop[["atopid", "ccode", "start_date"]].dropna(subset=["start_date"])
    first = a.groupby("atopid")["start_date"].min().rename("alliance_start")
    a = a.join(first, on="atopid")
    founder = (_days(a["start_date"]) - _days(a["alliance_start"])) <= WINDOW_DAYS
    a = a.assign(founder=founder).groupby(["atopid", "ccode"], as_index=False)["founder"].max()
    size_all = a.groupby("atopid").size().rename("n_all")
    size_founders = a[a["founder"]].groupby("atopid").size().rename("n_founders")
    size_t = members.groupby("agreement_id")["ccode"].nunique().rename("n_agreement")
    m = members[members["agreement_id"].isin(cand["agreement_id"])].merge(a, on="ccode")
    n = m.groupby(["agreement_id", "atopid"]).agg(shared=("ccode", "size"), shared_founders=("founder", "sum"))
    n = n.reset_index().merge(cand[["agreement_id", "signature_date", "sig_year"]], on="agreement_id")
    n = n.join(first, on="atopid").join(size_all, on="atopid").join(size_founders, on="atopid")
    n = n.join(size_t, on="agreement_id")
    sig, begin = _days(n["signature_date"]), _days(n["alliance_start"])
    dated = sig != _NEVER
    gap = np.abs(np.where(dated, sig, 0) - begin)
    near = np.where(dated, gap <= WINDOW_DAYS, n["sig_year"].to_numpy() == n["alliance_start"].dt.year.to_numpy())
    # the alliance's members at its start (a treaty lists its signatories) or in any phase (a
    # treaty's party list brought up to date), whichever is closer
    j_all = n["shared"] / (n["n_all"] + n["n_agreement"] - n["shared"])
    j_first = n["shared_founders"] / (n["n_founders"].fillna(0) + n["n_agreement"] - n["shared_founders"])
    n["jaccard"] = np.fmax(j_all.to_numpy("float64"), j_first.to_numpy("float64"))
    n["gap"] = np.where(dated, gap, 0)
    ok = near & (n["shared"].to_numpy() >= 2) & (n["jaccard"].to_numpy() >= MIN_JACCARD)
    hit = n[ok].sort_values(["agreement_id", "jaccard", "gap"], ascending=[True, False, True])
    hit = hit.drop_duplicates("agreement_id")[["agreement_id", "atopid"]]
    m = m[["agreement_id", "atopid", "ccode"]]
    return m.merge(hit, on=["agreement_id", "atopid"])[["agreement_id", "atopid", "ccode"]].reset_index(drop=True)


# ---------------------------------------------------------------- the record


#: Domains read from the title when no source gives one (GGO instruments without a ``TypeDomain``),
#: the first pattern that matches.
TITLE_DOMAINS: tuple[tuple[str, str], ...] = (
    ("human rights", r"\b(?:discrimination|human rights|rights of|torture|genocide|refugees?)\b"),
    ("labour", r"\b(?:workers|labour|occupational|employment)\b"),
    ("health", r"\b(?:health|medical|disease)\b"),
    ("trade", r"\b(?:trade|customs|tariffs?|economic community|common market|lome|acp|economic partnership|"
              r"association agreement)\b|^ec \w+"),
)


def _domain_from_title(titles: pd.Series) -> pd.Series:
    t = titles.fillna("").astype("str")
    out = pd.Series("other", index=titles.index, dtype="str")
    for name, pattern in reversed(TITLE_DOMAINS):  # the first pattern wins
        out = out.mask(t.str.contains(pattern, case=False, regex=True), name)
    return out


def _security(title: pd.Series, domain: pd.Series) -> np.ndarray:
    t = title.fillna("").astype("str")
    return ((t.str.contains(SECURITY_TITLE) & ~t.str.contains(_NOT_SECURITY)) | domain.eq("security")).to_numpy()


#: States that continue a predecessor's treaties under a new COW code: predecessor -> (successors,
#: first day). The Federal Republic's treaties bind unified Germany (not the GDR's, which lapsed or
#: were renegotiated under the Unification Treaty); the Republic of Yemen continues both Yemens'
#: treaties; the Czech Republic and Slovakia each succeeded to Czechoslovakia's treaties from
#: 1993-01-01. The USSR/Russia and Yugoslavia/Serbia keep one COW code and need no entry.
SUCCESSION: dict[int, tuple[tuple[int, ...], str]] = {
    260: ((255,), "1990-10-03"), 678: ((679,), "1990-05-22"), 680: ((679,), "1990-05-22"),
    315: ((316, 317), "1993-01-01"),
}


def _continue(ties: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """Add, for every tie of a predecessor in force on its last day, the same tie for its successors.

    The copy runs from the successor's first day (or the tie's later start) to the tie's end. The
    sources file a treaty under the code the party had when it joined (the loaders map ``DEU``
    before 1990-10-03 to the Federal Republic), so without this unified Germany would lose every
    treaty the Federal Republic joined. Returns the ties with the copies and the number of copies.
    """
    add = []
    end = ties["end"].to_numpy("datetime64[ns]")
    for predecessor, (successors, first) in SUCCESSION.items():
        day = np.datetime64(first, "ns")
        live = np.isnat(end) | (end > day)
        for side, other in (("ccode1", "ccode2"), ("ccode2", "ccode1")):
            hit = live & (ties[side].to_numpy() == predecessor)
            if not hit.any():
                continue
            for successor in successors:
                c = ties[hit].copy()
                c[side] = successor
                c["start"] = np.maximum(c["start"].to_numpy("datetime64[ns]"), day)
                add.append(c)
    if not add:
        return ties, 0
    extra = pd.concat(add, ignore_index=True)
    lo = np.minimum(extra["ccode1"], extra["ccode2"]).to_numpy("int64")
    hi = np.maximum(extra["ccode1"], extra["ccode2"]).to_numpy("int64")
    extra = extra.assign(ccode1=lo, ccode2=hi, k=(extra["aid"].to_numpy("int64") * 1000 + lo) * 1000 + hi)
    extra = extra[extra["ccode1"] != extra["ccode2"]]
    return pd.concat([ties, extra], ignore_index=True), len(extra)


def _earliest_ends(ties: pd.DataFrame, pair_ends: pd.DataFrame, party_ends: pd.DataFrame
                   ) -> tuple[np.ndarray, int]:
    """Each tie's end: the earliest end after its start that any instrument of its agreement records.

    ``ties`` has ``k`` (agreement and pair), ``aid`` (agreement), ``ccode1, ccode2, start, end``;
    ``pair_ends`` the ends of every source's pair ties (``k, end``, also of the sources whose dates
    lost to a source first in :data:`PRIORITY`); ``party_ends`` every end a party row records
    (``aid, ccode, end``: a state's own or, where it has none, the treaty's; also of parties with no
    entry into force, which make no tie). Ends on or before the tie's start belong to an earlier
    spell and are ignored. Returns the new ends and the number of ties whose end moved earlier.
    """
    start = ties["start"].to_numpy("datetime64[ns]")
    end = ties["end"].to_numpy("datetime64[ns]")
    row = pd.DataFrame({"r": np.arange(len(ties)), "k": ties["k"].to_numpy("int64")})
    cand = [row.merge(pair_ends.drop_duplicates(), on="k")[["r", "end"]]]
    pe = party_ends.drop_duplicates()
    pe = pd.DataFrame({"ak": pe["aid"].to_numpy("int64") * 1000 + pe["ccode"].to_numpy("int64"),
                       "end": pe["end"].to_numpy("datetime64[ns]")})
    aid = ties["aid"].to_numpy("int64")
    for side in ("ccode1", "ccode2"):
        r = pd.DataFrame({"r": np.arange(len(ties)), "ak": aid * 1000 + ties[side].to_numpy("int64")})
        cand.append(r.merge(pe, on="ak")[["r", "end"]])
    c = pd.concat(cand, ignore_index=True)
    c = c[c["end"].to_numpy("datetime64[ns]") > start[c["r"].to_numpy()]]
    first = c.groupby("r")["end"].min()
    r = first.index.to_numpy()
    new = end.copy()
    e = first.to_numpy("datetime64[ns]")
    earlier = np.isnat(end[r]) | (e < end[r])
    new[r[earlier]] = e[earlier]
    return new, int(earlier.sum())


def _build(frames: dict[str, pd.DataFrame], sources: tuple[str, ...]) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """The instrument table and the tie table from loaded frames (see :func:`treaty_ties`)."""
    stats: dict = {"sources": list(sources)}
    insts, mems, tie_list, end_list = [], [], [], []
    ids = pd.DataFrame({"key": pd.Series(dtype="str"), "treaty_id": pd.Series(dtype="str")})
    many = [_LABEL[s] for s in sources if s in ("ggo", "ieadb", "tfdd")]
    if many:
        inst, members, ids, t, e = _manytreaties(frames["manytreaties_parties"], frames["manytreaties_agreements"],
                                                 many, stats)
        inst["sig_year"] = inst["signature_date"].dt.year.astype("float64")
        insts.append(inst)
        mems.append(members)
        tie_list.append(t)
        end_list.append(e)
    if "desta" in sources:
        inst, members, t = _desta(frames["desta_dyads"], frames["desta_withdrawals"])
        insts.append(inst)
        mems.append(members)
        tie_list.append(t)
    if "unctad" in sources:
        inst, members, t, e = _unctad(frames["unctad_iia"])
        inst["sig_year"] = inst["signature_date"].dt.year.astype("float64")
        insts.append(inst)
        mems.append(members)
        tie_list.append(t)
        end_list.append(e)
    cols = ["key", "dataset", "treaty_id", "title", "signature_date", "sig_year", "n_states", "is_bilateral",
            "letter", "source_domain"]
    inst = pd.concat([i[cols] for i in insts], ignore_index=True)
    inst["signature_date"] = inst["signature_date"].astype("datetime64[ns]")
    members = pd.concat(mems, ignore_index=True)
    ties = pd.concat(tie_list, ignore_index=True)
    # agreements: connected components of the matching edges
    edges = _match(inst, members, ids)
    comp = _components(len(inst), edges)
    rank = inst["dataset"].map({d: i for i, d in enumerate(PRIORITY)}).to_numpy()
    order = np.lexsort((np.arange(len(inst)), rank, comp))
    head = pd.Series(order).groupby(comp[order]).first()  # the representative instrument of each component
    rep = head.reindex(comp).to_numpy()
    # the agreement's ID: its representative's source and ID (IEADB: its number when two IEADB
    # treaties share the representative's manydata ID)
    label = (inst["dataset"] + ":" + inst["treaty_id"].astype("str")).to_numpy(object)
    heads = head.to_numpy()
    clash = pd.Series(label[heads]).duplicated(keep=False).to_numpy()
    label[heads[clash]] = inst["key"].to_numpy(object)[heads[clash]]
    inst["agreement_id"] = label[rep]
    rule = pd.concat([edges[["i", "rule"]], edges[["j", "rule"]].rename(columns={"j": "i"})])
    inst["matched_by"] = rule.groupby("i")["rule"].agg(lambda r: "+".join(sorted(set(r)))).reindex(
        np.arange(len(inst))).fillna("").to_numpy()
    stats["edges"] = edges["rule"].value_counts().to_dict()
    # agreement attributes from the representative (its first instrument in PRIORITY); the domain:
    # security, else water when TFDD lists an environmental one, else the first instrument's that
    # has one, else a title keyword
    agr = inst.iloc[head.to_numpy()][["agreement_id", "title", "is_bilateral", "signature_date", "sig_year",
                                      "source_domain"]].reset_index(drop=True)
    agr["signature_date"] = inst.groupby("agreement_id")["signature_date"].min().reindex(agr["agreement_id"]).to_numpy()
    # the domain of the first instrument (in PRIORITY) that has one
    known = inst.assign(_r=rank)[inst["source_domain"].ne("other").to_numpy()].sort_values("_r", kind="stable")
    first_domain = known.drop_duplicates("agreement_id").set_index("agreement_id")["source_domain"]
    mapped = agr["agreement_id"].map(first_domain)
    agr["source_domain"] = np.where(mapped.isna(), "other", mapped.astype(object))
    unknown = agr["source_domain"].eq("other").to_numpy()
    agr.loc[unknown, "source_domain"] = _domain_from_title(agr.loc[unknown, "title"]).to_numpy()
    water = inst.groupby("agreement_id")["dataset"].agg(lambda d: "TFDD" in set(d))
    titles = inst.groupby("agreement_id")["title"].agg(lambda t: " | ".join(sorted(set(t.dropna().astype(str)))))
    agr["domain"] = np.where(agr["agreement_id"].map(water).to_numpy(bool)
                             & np.isin(agr["source_domain"], ["environment", "other", "water"]),
                             "water", agr["source_domain"])
    sec = _security(agr["agreement_id"].map(titles), agr["domain"])
    agr["domain"] = np.where(sec, "security", agr["domain"])
    agr["is_security"] = sec
    a_of = inst.set_index("key")["agreement_id"]
    amem = members.assign(agreement_id=members["key"].map(a_of)).dropna(subset=["agreement_id"])
    amem = amem[["agreement_id", "ccode"]].drop_duplicates()
    # ties: one source per (agreement, pair), the first in PRIORITY; the others are duplicates.
    # Integer keys (agreement number, pair) keep the 2-3 million rows fast.
    iid = pd.Index(inst["key"]).get_indexer(ties["key"])
    t_rank = rank[iid]
    pair_key = (comp[iid].astype("int64") * 1000 + ties["ccode1"].to_numpy("int64")) * 1000 \
        + ties["ccode2"].to_numpy("int64")
    best = pd.Series(t_rank).groupby(pair_key).transform("min").to_numpy()
    bits = pd.DataFrame({"k": pair_key, "bit": 1 << t_rank}).drop_duplicates()
    mask = bits.groupby("k")["bit"].sum()
    names = {m: "+".join(d for i, d in enumerate(PRIORITY) if m >> i & 1) for m in np.unique(mask.to_numpy())}
    t_ds = np.asarray(PRIORITY, dtype=object)[t_rank]
    stats["ties_by_source"] = pd.Series(t_ds).value_counts().to_dict()
    dup = t_rank != best
    stats["duplicate_ties_removed"] = pd.Series(t_ds[dup]).value_counts().to_dict()
    stats["duplicate_ties_by_rule"] = pd.Series(inst["matched_by"].to_numpy()[iid[dup]]).replace(
        "", "none").value_counts().to_dict()
    keep = ~dup
    pair_ends = pd.DataFrame({"k": pair_key, "end": ties["end"].to_numpy("datetime64[ns]")}).dropna()
    ties = pd.DataFrame({"k": pair_key[keep], "ccode1": ties["ccode1"].to_numpy("int64")[keep],
                         "ccode2": ties["ccode2"].to_numpy("int64")[keep], "aid": comp[iid[keep]],
                         "start": ties["start"].to_numpy("datetime64[ns]")[keep],
                         "end": ties["end"].to_numpy("datetime64[ns]")[keep],
                         "start_precision": ties["start_precision"].to_numpy(object)[keep]})
    # the earliest end any instrument of the agreement records for the pair or either state
    party_ends = pd.concat(end_list, ignore_index=True) if end_list else \
        pd.DataFrame({"key": pd.Series(dtype="str"), "ccode": pd.Series(dtype="int64"),
                      "end": pd.Series(dtype="datetime64[ns]")})
    e_iid = pd.Index(inst["key"]).get_indexer(party_ends["key"])
    party_ends = pd.DataFrame({"aid": comp[e_iid[e_iid >= 0]],
                               "ccode": party_ends["ccode"].to_numpy("int64")[e_iid >= 0],
                               "end": party_ends["end"].to_numpy("datetime64[ns]")[e_iid >= 0]})
    ties["end"], stats["ends_from_matched_instruments"] = _earliest_ends(ties, pair_ends, party_ends)
    ties["mask"] = ties["k"].map(mask).to_numpy()
    ties, stats["successor_ties"] = _continue(ties)
    ties = _merge_spells(ties, ["k"])
    ties["sources"] = ties["mask"].map(names).to_numpy()
    # alliances are counted under alliances: drop the ties between members of the matched alliance
    agr["atopid"] = pd.array([pd.NA] * len(agr), dtype="Int64")
    if "atop_members" in frames:
        hits = atop_matches(agr, amem, frames["atop_members"])
        h = hits.assign(aid=pd.Index(agr["agreement_id"]).get_indexer(hits["agreement_id"]))
        pair_hits = h.merge(h, on=["aid", "atopid"], suffixes=("1", "2"))
        pair_hits = pair_hits[pair_hits["ccode1"] < pair_hits["ccode2"]]
        hit_keys = (pair_hits["aid"].to_numpy("int64") * 1000 + pair_hits["ccode1"].to_numpy("int64")) * 1000 \
            + pair_hits["ccode2"].to_numpy("int64")
        drop = np.isin(ties["k"].to_numpy(), hit_keys)
        found = hits.drop_duplicates(["agreement_id", "atopid"])
        stats["atop_agreements"] = sorted([a, int(b)] for a, b in zip(found["agreement_id"], found["atopid"]))
        stats["atop_ties_removed"] = int(drop.sum())
        ties = ties[~drop]
        agr["atopid"] = agr["agreement_id"].map(hits.groupby("agreement_id")["atopid"].min()).astype("Int64")
    aid = ties["aid"].to_numpy()
    for col in ("agreement_id", "title", "is_bilateral", "domain", "is_security"):
        ties[col] = agr[col].to_numpy()[aid]
    ties = ties[list(TREATY_COLUMNS)].sort_values(["ccode1", "ccode2", "start", "agreement_id"], ignore_index=True)
    # text columns repeat (1.5 million ties of 6,000 agreements): categorical, a tenth of the memory
    ties = ties.astype({"ccode1": "int64", "ccode2": "int64", "is_bilateral": bool, "is_security": bool,
                        **{c: "category" for c in ("agreement_id", "sources", "title", "domain", "start_precision")}})
    listed = members.sort_values(["key", "ccode"]).groupby("key")["ccode"].agg(
        lambda c: " ".join(map(str, c)))
    inst["ccodes"] = inst["key"].map(listed).fillna("").to_numpy()
    inst = inst.merge(agr[["agreement_id", "atopid", "domain", "is_security"]], on="agreement_id", how="left")
    n_ties = ties.groupby("agreement_id").size()
    inst["agreement_ties"] = inst["agreement_id"].map(n_ties).fillna(0).astype("int64")
    stats["instruments"] = inst.groupby("dataset").size().to_dict()
    stats["agreements"] = int(inst["agreement_id"].nunique())
    stats["agreements_with_ties"] = int(ties["agreement_id"].nunique())
    stats["ties"] = len(ties)
    stats["ties_by_sources"] = ties["sources"].value_counts().to_dict()
    return inst.drop(columns=["key"]), ties, stats


_CACHE: dict = {}


def _cached_build(frames: dict[str, pd.DataFrame], chosen: tuple[str, ...]) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """:func:`_build`, read back from the user cache when the same input files and the same code built it.

    The key hashes each input's file digests (``attrs["files"]``, set by ``coalitionlab.data.load``), the
    chosen sources, the package version and this module's code (and the tie rules it uses), so a changed
    file or rule never serves a stale record. A cache that cannot be read or written is skipped.
    """
    import hashlib
    import json
    from pathlib import Path

    from coalitionlab import __version__
    from coalitionlab.data.paths import resolve_cache_dir

    here = Path(__file__).parent
    code = b"".join((here / f).read_bytes() for f in ("treaties.py", "ties.py", "agreements.py"))
    key = hashlib.sha256(json.dumps([{n: f.attrs.get("files") for n, f in sorted(frames.items())}, list(chosen),
                                     __version__, hashlib.sha256(code).hexdigest()], sort_keys=True,
                                    default=str).encode()).hexdigest()[:20]
    try:
        base = resolve_cache_dir(None) / f"treaty_record-{key}"
        if all((base.with_suffix(s)).is_file() for s in (".ties.parquet", ".inst.parquet", ".json")):
            return (pd.read_parquet(base.with_suffix(".inst.parquet")), pd.read_parquet(base.with_suffix(".ties.parquet")),
                    json.loads(base.with_suffix(".json").read_text(encoding="utf-8")))
    except Exception:  # noqa: BLE001 - an unreadable cache is rebuilt, never trusted
        base = None
    inst, ties, stats = _build(frames, chosen)
    if base is not None and all(f.attrs.get("files") for f in frames.values()):
        try:
            for suffix, df in ((".inst.parquet", inst), (".ties.parquet", ties)):
                tmp = base.with_suffix(f"{suffix}.{os.getpid()}.{threading.get_ident()}.tmp")
                df.to_parquet(tmp, index=False)
                os.replace(tmp, base.with_suffix(suffix))
            tmp = base.with_suffix(f".json.{os.getpid()}.{threading.get_ident()}.tmp")
            tmp.write_text(json.dumps(stats, default=_jsonable), encoding="utf-8")
            os.replace(tmp, base.with_suffix(".json"))
        except OSError:
            pass
    return inst, ties, stats


def _jsonable(value):
    """Numbers and tuples of the record's figures as JSON (numpy integers, tuple keys)."""
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return str(value)


def _record(data_dir: str | os.PathLike | None, sources: str | Iterable[str], *, alliances: bool = True
            ) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    chosen = _check_sources(sources)
    from coalitionlab.data.paths import resolve_data_dir

    try:
        where = str(resolve_data_dir(data_dir))
    except Exception:  # noqa: BLE001 - the loaders raise the proper error below
        where = str(data_dir)
    key = (where, chosen, alliances)
    if key not in _CACHE:
        frames: dict[str, pd.DataFrame] = {}
        if set(chosen) & {"ggo", "ieadb", "tfdd"}:
            frames["manytreaties_parties"] = load_source("manytreaties_parties", data_dir)
            frames["manytreaties_agreements"] = load_source("manytreaties_agreements", data_dir)
        if "desta" in chosen:
            frames["desta_dyads"] = load_source("desta_dyads", data_dir)
            frames["desta_withdrawals"] = load_source("desta_withdrawals", data_dir)
        if "unctad" in chosen:
            frames["unctad_iia"] = load_source("unctad_iia", data_dir)
        if alliances:
            frames["atop_members"] = load_source("atop_members", data_dir)
        versions = {n: str(f.attrs.get("version", "unknown")) for n, f in frames.items()}
        inst, ties, stats = _cached_build(frames, chosen)
        stats["versions"] = versions
        read = {n: {k: f.attrs.get(k) for k in ("version", "citation", "files")} for n, f in frames.items()}
        _CACHE.clear()  # one record in memory at a time
        _CACHE[key] = (inst, ties, stats, read)
    else:  # served from memory: the sources are still what this record is made of
        from coalitionlab.data import registry

        for name, attrs in _CACHE[key][3].items():
            registry.note_memo_read(name, attrs)
    inst, ties, stats, _ = _CACHE[key]
    return inst.copy(), ties.copy(), dict(stats)


def treaty_instruments(data_dir: str | os.PathLike | None = None, *,
                       sources: str | Iterable[str] = SOURCES) -> pd.DataFrame:
    """Every instrument of the treaty record and the agreement it counts as.

    Parameters
    ----------
    data_dir
        Data directory (default: ``$COALITIONLAB_DATA``).
    sources
        Any of :data:`SOURCES`.

    Returns
    -------
    pandas.DataFrame
        One row per source instrument (a GGO or TFDD treaty ID, an IEADB treaty number, a DESTA base
        treaty, an UNCTAD treaty): ``dataset, treaty_id, title, signature_date, sig_year, n_states,
        is_bilateral, letter, source_domain, agreement_id, matched_by`` (the rules that linked it to
        instruments of other sources, empty when none), ``atopid`` (the ATOP alliance it is, else
        NA), ``ccodes`` (its state parties, space-separated), ``domain, is_security`` (of the
        agreement) and ``agreement_ties`` (the agreement's ties in :func:`treaty_ties`). Amendments
        are not listed.
    """
    return _record(data_dir, sources)[0]


def treaty_ties(data_dir: str | os.PathLike | None = None, *,
                sources: str | Iterable[str] = SOURCES) -> pd.DataFrame:
    """Dated ties from the treaty record: one row per (state pair, agreement, spell), each agreement once.

    Parameters
    ----------
    data_dir
        Data directory (default: ``$COALITIONLAB_DATA``).
    sources
        Any of :data:`SOURCES` (``"ggo", "ieadb", "tfdd", "desta", "unctad"``; a tuple or a
        comma-separated string).

    Returns
    -------
    pandas.DataFrame
        :data:`TREATY_COLUMNS` (text columns are categorical): ``ccode1 < ccode2`` (int64),
        ``agreement_id`` (one per
        de-duplicated agreement: its first source in :data:`PRIORITY` and that source's ID),
        ``sources`` (the sources listing this pair of this agreement, e.g. ``"GGO+DESTA"``; the dates
        come from the first), ``title``, ``is_bilateral`` (the agreement has exactly two state
        parties; DESTA: coded bilateral), ``domain`` (:data:`DOMAINS`), ``is_security``, ``start``
        and ``end`` (datetime64[ns]: the later of the two states' own entries into force, the earlier
        of their own ends, NaT while in force) and ``start_precision`` (``day``, ``unknown`` (a day
        marked uncertain), ``month``, ``year`` or ``range``). A tie is in force on day *d* when
        ``start <= d`` and (``end`` is NaT or ``d < end``): count with :func:`count_ties`.
        Agreements that are ATOP alliances are left out (:func:`atop_matches`). ``attrs["record"]``
        holds the counts behind the docs (ties per source, duplicates removed per rule, rows
        dropped per reason).

    Raises
    ------
    MissingDataError
        A source's files are not in the data directory.
    UnknownOptionError
        An unknown source name.

    Examples
    --------
    >>> t = treaty_ties("../shared/data")  # doctest: +SKIP
    >>> d = pd.Timestamp("2003-03-20")
    >>> t[(t.ccode1 == 2) & (t.ccode2 == 20) & (t.start <= d) & (t.end.isna() | (d < t.end))]  # doctest: +SKIP
    """
    inst, ties, stats = _record(data_dir, sources)
    ties.attrs["record"] = stats
    return ties


def count_own_agreements(ties: pd.DataFrame, ccode, dates) -> np.ndarray:
    """Number of agreements state ``ccode[i]`` shares with at least one other state on ``dates[i]``.

    A state's spell in an agreement runs from its first to its last day in force with any partner
    (the union of its pair ties, gaps closed only where they touch or overlap). This is the state's
    own total ("sociability"), each agreement once however many partners it has.

    Parameters
    ----------
    ties
        A tie table with ``ccode1, ccode2, agreement_id, start, end`` (:func:`treaty_ties`).
    ccode, dates
        The queried states and days (equal length); a missing day gives NaN.

    Returns
    -------
    numpy.ndarray
        Float counts.

    Examples
    --------
    >>> t = pd.DataFrame({"ccode1": [2, 2, 20], "ccode2": [20, 200, 200], "agreement_id": ["a", "a", "b"],
    ...                   "start": pd.to_datetime(["2000-01-01", "2001-01-01", "2002-01-01"]),
    ...                   "end": pd.to_datetime([None, None, None])})
    >>> count_own_agreements(t, [2, 2, 200], ["2000-06-01", "2003-01-01", "2003-01-01"]).tolist()
    [1.0, 1.0, 2.0]
    """
    long = pd.concat([
        ties[["ccode1", "agreement_id", "start", "end"]].rename(columns={"ccode1": "ccode"}),
        ties[["ccode2", "agreement_id", "start", "end"]].rename(columns={"ccode2": "ccode"}),
    ], ignore_index=True)
    own = _merge_spells(long, ["ccode", "agreement_id"])
    spells = pd.DataFrame({"ccode1": own["ccode"].to_numpy("int64"), "ccode2": -1,
                           "start": own["start"].to_numpy("datetime64[ns]"),
                           "end": own["end"].to_numpy("datetime64[ns]")})
    return count_own_ties(spells, ccode, dates)


# ---------------------------------------------------------------- the add_* step

TREATY_DYAD_COLUMNS = ("treaties_bilateral", "treaties_multilateral", "treaties_nonsecurity")
TREATY_STATE_COLUMNS = ("treaties_own", "treaties_own_bilateral", "treaties_own_multilateral",
                        "treaties_own_nonsecurity")


def _last_member_days(codes: tuple[np.ndarray, ...], years: np.ndarray,
                      data_dir: str | os.PathLike | None) -> np.ndarray:
    """The earliest of the states' last days as COW system members in ``years`` (NaT where a state
    was no member that year or is no COW state: the 31 December rule stays)."""
    from coalitionlab.errors import MissingDataError
    from coalitionlab.measures.panel import _state_year_days, system_spells

    try:
        spells = system_spells(data_dir, source="full")
    except MissingDataError:  # the crosswalk's copy of the same COW list (as the existence rule)
        spells = system_spells(source="seed")
    sy = _state_year_days(spells, sorted(set(years.tolist())))
    last = pd.Series(sy["last_day"].to_numpy("datetime64[ns]"),
                     index=pd.MultiIndex.from_arrays([sy["ccode"].to_numpy("int64"), sy["year"].to_numpy("int64")]))
    out = np.full(len(years), np.datetime64("NaT"), dtype="datetime64[ns]")
    for c in codes:
        d = last.reindex(pd.MultiIndex.from_arrays([c, years])).to_numpy("datetime64[ns]")
        out = np.where(np.isnat(out), d, np.where(np.isnat(d), out, np.minimum(out, d)))
    return out.astype("datetime64[ns]")


def add_treaties(panel: pd.DataFrame, *, data_dir: str | os.PathLike | None = None,
                 sources: str | Iterable[str] = SOURCES, mry: bool = False) -> pd.DataFrame:
    """Add counts of treaties in force on 31 December of each year, from the treaty record.

    A state that left the COW system during the year (the Federal Republic on 1990-10-02) is
    counted on its last day as a member instead: a dyad-year on the earlier of 31 December and the
    last day of that year both states were members, a state-year on the state's last member day.

    Parameters
    ----------
    panel
        A dyad-year panel (:func:`create_dyadyears`) or a state-year panel (:func:`create_stateyears`).
    data_dir
        Data directory.
    sources
        Any of :data:`SOURCES` (default: all five).
    mry
        Carry the record's last year forward to later panel years (recorded in ``attrs["mry"]``).

    Returns
    -------
    pandas.DataFrame
        A copy with, for a dyad-year panel, ``treaties_bilateral`` and ``treaties_multilateral``
        (agreements in force between the two states; each agreement once across sources; ATOP
        alliances left out) and ``treaties_nonsecurity`` (both, without security agreements); for a
        state-year panel, the state's own totals ("sociability"): ``treaties_own`` (agreements it
        shares with at least one state), ``treaties_own_bilateral``, ``treaties_own_multilateral``,
        ``treaties_own_nonsecurity``. NaN outside :func:`record_coverage` and where a state was not
        a COW system member that year (docs/measures/index.md, "Existence"), 0 inside where there
        is no tie.

    Raises
    ------
    PanelTypeError, UnknownOptionError, MissingDataError
    """
    unit = check_panel(panel, None, step="add_treaties()")
    chosen = _check_sources(sources)
    ties = treaty_ties(data_dir, sources=chosen)
    stats = ties.attrs.get("record", {})
    attrs = new_attrs(panel)
    first, last = record_coverage(chosen)
    years = panel["year"].to_numpy().astype("int64")
    look = np.minimum(years, last) if mry else years
    inside = (look >= first) & (look <= last)
    days = np.full(len(look), np.datetime64("NaT"), dtype="datetime64[ns]")
    days[inside] = year_end(look[inside])
    # a state that left the system during the year is counted on its last day as a member
    if unit == "dyad_year":
        codes = (panel["ccode1"].to_numpy("int64"), panel["ccode2"].to_numpy("int64"))
    else:
        codes = (panel["ccode"].to_numpy("int64"),)
    last_days = _last_member_days(codes, look, data_dir)
    days = np.where(inside & ~np.isnat(last_days) & (last_days < days), last_days, days).astype("datetime64[ns]")
    bil = ties["is_bilateral"].to_numpy(bool)
    nonsec = ~ties["is_security"].to_numpy(bool)
    new: dict[str, np.ndarray] = {}
    if unit == "dyad_year":
        c1, c2 = panel["ccode1"].to_numpy("int64"), panel["ccode2"].to_numpy("int64")
        new["treaties_bilateral"] = count_ties(ties[bil], c1, c2, days)
        new["treaties_multilateral"] = count_ties(ties[~bil], c1, c2, days)
        new["treaties_nonsecurity"] = count_ties(ties[nonsec], c1, c2, days)
    else:
        cc = panel["ccode"].to_numpy("int64")
        new["treaties_own"] = count_own_agreements(ties, cc, days)
        new["treaties_own_bilateral"] = count_own_agreements(ties[bil], cc, days)
        new["treaties_own_multilateral"] = count_own_agreements(ties[~bil], cc, days)
        new["treaties_own_nonsecurity"] = count_own_agreements(ties[nonsec], cc, days)
    version = "; ".join(f"{k}: {v}" for k, v in stats.get("versions", {}).items())
    stamp(attrs, "treaty_record", version or "unknown", new, coverage=(first, last), mry=mry,
          note=f"sources {'+'.join(_LABEL[s] for s in chosen)}; in force on 31 December (or the last day "
               "in the year both states were COW members); ATOP alliances left out")
    # a state that was not a COW system member in the panel's year is NaN (the rule of every step)
    return finish(panel, new, attrs, data_dir=data_dir)


# ---------------------------------------------------------------- the figures in the docs


def record_report(data_dir: str | os.PathLike | None = None) -> str:
    """The figures of the treaty record quoted in docs/measures/treaties.md, one per line
    (``python examples/treaty_record.py --data-dir DIR``)."""
    inst, ties, s = _record(data_dir, SOURCES)
    lines = [f"sources: {', '.join(s['sources'])}"]
    lines.append(f"party rows (all): {s['party_rows']}")
    lines.append(f"party rows of states: {s['party_rows_state']}")
    lines.append(f"dropped, no entry-into-force date: {s['no_force_date']}")
    lines.append(f"dropped, treaty-level date of a multilateral instrument: {s['treaty_force_multilateral']}")
    lines.append(f"kept with the end ignored (end on or before the party's own start): {s['end_ignored']}")
    lines.append(f"dropped, amendments (instruments): {s['amendments']}; (party rows in force): {s['amendment_rows']}")
    lines.append(f"instruments (without amendments): {s['instruments']}")
    lines.append(f"kept with an end before 1678 (in force on no day from 1678): {s.get('ended_before_1678', {})}")
    lines.append(f"matching edges by rule: {s['edges']}")
    lines.append(f"agreements: {s['agreements']}; with at least one tie: {s['agreements_with_ties']}")
    lines.append(f"pair ties per source before de-duplication: {s['ties_by_source']}")
    lines.append(f"duplicate pair ties removed, by the source that lost: {s['duplicate_ties_removed']}")
    lines.append(f"duplicate pair ties removed, by matching rule: {s['duplicate_ties_by_rule']}")
    lines.append(f"ATOP alliances found in the record: {s.get('atop_agreements', [])}; "
                 f"ties left to alliances: {s.get('atop_ties_removed', 0)}")
    lines.append(f"ties given an earlier end recorded by another instrument of the agreement: "
                 f"{s.get('ends_from_matched_instruments', 0)}")
    lines.append(f"ties copied to a successor (SUCCESSION): {s['successor_ties']}")
    lines.append(f"ties after de-duplication: {s['ties']}")
    lines.append(f"ties by listing sources: {s['ties_by_sources']}")
    agr = ties.drop_duplicates("agreement_id")
    lines.append(f"agreements with ties by domain: {agr['domain'].value_counts().to_dict()}")
    lines.append(f"ties by domain: {ties['domain'].value_counts().to_dict()}")
    lines.append(f"bilateral agreements with ties: {int(agr['is_bilateral'].sum())}; "
                 f"multilateral: {int((~agr['is_bilateral']).sum())}")
    tfdd = inst[inst["dataset"].eq("TFDD")]
    alone = tfdd["agreement_id"].str.startswith("TFDD:")
    lines.append(f"TFDD instruments: {len(tfdd)}; matched to a GGO/IEADB instrument: {int((~alone).sum())}; "
                 f"TFDD only (signature dates only, no ties): {int(alone.sum())}")
    us_bil = inst[inst["is_bilateral"] & inst["ccodes"].str.split(" ").apply(lambda c: "2" in c)]
    lines.append(f"USA bilateral instruments listed per source: {us_bil.groupby('dataset').size().to_dict()}; "
                 f"of them with a tie: {us_bil[us_bil['agreement_ties'] > 0].groupby('dataset').size().to_dict()}")
    usa = ties[(ties["ccode1"] == 2) & ties["is_bilateral"]]
    by = usa.drop_duplicates("agreement_id")["sources"].str.split("+").str[0].value_counts().to_dict()
    lines.append(f"USA bilateral agreements with ties, by source of the dates: {by}")
    d = np.datetime64("2003-03-20")
    live = ties[(ties["start"] <= d) & (ties["end"].isna() | (ties["end"] > d))]
    u = live[(live["ccode1"] == 2) | (live["ccode2"] == 2)]
    lines.append(f"USA on 2003-03-20: bilateral agreements in force {u[u['is_bilateral']]['agreement_id'].nunique()}, "
                 f"multilateral {u[~u['is_bilateral']]['agreement_id'].nunique()}")
    return "\n".join(lines)

