"""Pandera schemas of the name- and ISO-coded sources (read by the ``desta``, ``unctad``,
``exercises``, ``us_military_presence``, ``un_voting``, ``fbic`` and ``manytreaties`` modules of
:mod:`coalitionlab.data.publishers`).

Same conventions as :mod:`coalitionlab.data.schemas`: COW ``ccode`` (dyadic ``ccode1 < ccode2``),
``int64``/``Int64`` years, ``datetime64[ns]`` ``*_date`` columns, pandas ``str`` text; each
schema is strict and enforces the source's key as unique.
"""

from __future__ import annotations

try:  # pandera >= 0.24 splits the pandas API out
    import pandera.pandas as pa
except ImportError:  # pragma: no cover - older pandera
    import pandera as pa

from coalitionlab.data.schemas import (
    NOT_EMPTY,
    UN_NO_VOTES,
    Check,
    Column,
    Years,
    _frame,
    ccode,
    count,
    date,
    flag,
    meta,
    text,
    year,
)

DESTA_FIRST, DESTA_LAST = 1948, 2023


def _dyad_order(df):
    """Undirected dyads are stored once, lower ccode first."""
    return df["ccode1"] < df["ccode2"]


_DESTA_COMMON = {
    "number": text(),
    "base_treaty": Column(int, Check.ge(1)),
    "name": text(),
    "consolidated": Column(int, Check.isin([-1, 0, 1])),
    "entry_force_year": year(DESTA_FIRST, DESTA_LAST, nullable=True),
    "language": text(nullable=True),
    "typememb": Column("Int64", Check.between(1, 7), nullable=True),
    "regioncon": text(nullable=True),
    "wto_listed": flag(nullable=True),
    "wto_name": text(nullable=True),
}

DESTA_TREATIES = _frame(
    {
        **_DESTA_COMMON,
        "number": text(unique=True),
        "entry_type": Column(str, Check.isin(["base_treaty", "accession", "withdrawal", "negotiation",
                                              "protocol or amendment", "consolidated"])),
        "signature_year": year(DESTA_FIRST, DESTA_LAST, nullable=True),
        "n_parties": count(),
        "n_state_parties": count(),
        "has_nonstate_party": Column(bool),
    },
    ["number"],
    name="desta_treaties",
    years=Years("spells", "signature_year"),
    codes="known",
    note="No country codes; a treaty counts from its signature year on (withdrawals are a separate source).",
)

DESTA_MEMBERS = _frame(
    {
        "number": text(),
        "ccode": ccode(),
        "member_role": Column("Int64", Check.isin([0, 1, 2, 3]), nullable=True),
    },
    ["number", "ccode"],
    name="desta_members",
    years=Years("none"),
    codes="known",
    note="No time column: membership of a treaty.",
)

DESTA_DYADS = pa.DataFrameSchema(
    {
        **_DESTA_COMMON,
        "ccode1": ccode(),
        "ccode2": ccode(),
        "entry_type": Column(str, Check.isin(["base_treaty", "accession", "consolidated"])),
        "signature_year": year(DESTA_FIRST, DESTA_LAST),
    },
    unique=["ccode1", "ccode2", "number"], strict=True, name="desta_dyads",
    checks=[NOT_EMPTY, pa.Check(_dyad_order, error="ccode1 < ccode2")],
    **meta(Years("spells", "signature_year"), "known",
           "A pair is tied from the signature year on; DESTA codes treaties of territories before independence and "
           "files a predecessor's treaties under its successors' codes (Czechoslovakia's under 316 and 317)."),
)

DESTA_WITHDRAWALS = pa.DataFrameSchema(
    {
        **_DESTA_COMMON,
        "ccode1": ccode(),
        "ccode2": ccode(),
        "entry_type": Column(str, Check.eq("withdrawal")),
        "withdrawal_year": year(DESTA_FIRST, DESTA_LAST),
    },
    unique=["ccode1", "ccode2", "number"], strict=True, name="desta_withdrawals",
    checks=[NOT_EMPTY, pa.Check(lambda df: df["ccode1"] != df["ccode2"], error="ccode1 != ccode2")],
    **meta(Years("events", "withdrawal_year"), "known",
           "ISO numeric codes are mapped to ccodes on the row's year by the crosswalk."),
)

UNCTAD_IIA = _frame(
    {
        "treaty_id": Column(int, Check.ge(1)),
        "short_title": text(),
        "type": Column(str, Check.isin(["BIT", "TIP"])),
        "status": Column(str, Check.isin(["In force", "Signed (not in force)", "Terminated"])),
        "ccode": ccode(),
        "signature_date": date(1957, 2025, nullable=True),
        "entry_force_date": date(1957, 2025, nullable=True),
        "termination_date": date(1957, 2025, nullable=True),
        "n_state_parties": count(),
        "has_org_party": Column(bool),
        "has_nonstate_party": Column(bool),
    },
    ["treaty_id", "ccode"],
    name="unctad_iia",
    years=Years("spells", "signature_date", "termination_date"),
    codes="known",
    note="Parties are mapped from names; not checked against system years (a treaty's parties are the states of its signature or later successors).",
)

MILITARY_EXERCISES = _frame(
    {
        "exercise_id": Column(str, Check.str_matches(r"^mme\d+$")),
        "exercise_name": text(nullable=True),
        "series_name": text(nullable=True),
        "start_year": year(1980, 2010),
        "end_year": year(1980, 2011),
        "start_date": date(1980, 2010, nullable=True),
        "ccode": ccode(),
    },
    ["exercise_id", "ccode"],
    name="military_exercises",
    years=Years("rows", "start_year"),
    codes="known",
    note="Every year 1980-2010 has exercises; participants are coded before they enter the COW system (Tonga 955 before 1999).",
)

JOINT_MILITARY_EXERCISES = _frame(
    {
        "exercise_id": Column(int, Check.ge(1)),
        "exercise_name": text(nullable=True),
        "start_year": year(1970, 2010, nullable=True),
        "start_date": date(1970, 2010, nullable=True),
        "end_date": date(1970, 2011, nullable=True),
        "jme_type": text(nullable=True),
        "ccode": ccode(),
        "is_host": Column(bool),
    },
    ["exercise_id", "ccode"],
    name="joint_military_exercises",
    years=Years("events", "start_year"),
    codes="known",
    note="Participants are coded before they enter the COW system (Tonga 955 before 1999).",
)

DOD_VISITS = _frame(
    {
        "visit_id": Column(int, Check.ge(1), unique=True),
        "ccode": ccode(),
        "start_date": date(1990, 2013),
        "end_date": date(1990, 2013, nullable=True),
        "city": text(nullable=True),
        "title": text(),
        "name": text(),
    },
    ["visit_id"],
    name="dod_visits",
    years=Years("events", "start_date"),
    codes="known",
    note="Visits to Kosovo 347 before its 2008 independence.",
)

UN_VOTES = _frame(
    {
        "rcid": Column(int, Check.ge(1)),
        "ccode": ccode(),
        "vote": Column(str, Check.isin(["yes", "no", "abstain"])),
        "vote_date": date(1946, 2020),
    },
    ["rcid", "ccode"],
    name="un_votes",
    years=Years("rows", "vote_date", known_gaps=UN_NO_VOTES),
    codes="known",
    note="UN members that were not COW system members vote (Ukraine 369 and Belarus 370 from 1946).",
)

UN_ROLL_CALLS = _frame(
    {
        "rcid": Column(int, Check.ge(1), unique=True),
        "session": Column(int, Check.between(1, 80)),
        "is_important": flag(nullable=True),
        "vote_date": date(1946, 2020),
        "unres": text(nullable=True),
        "is_amendment": flag(nullable=True),
        "is_paragraph": flag(nullable=True),
        "short": text(nullable=True),
        "descr": text(nullable=True),
    },
    ["rcid"],
    name="un_roll_calls",
    years=Years("rows", "vote_date", known_gaps=UN_NO_VOTES),
    codes="known",
    note="No country codes.",
)

FBIC_SUBSET = _frame(
    {
        "ccode1": ccode(),
        "ccode2": ccode(),
        "year": year(1999, 2023),
        **{c: Column(float, Check.ge(0), nullable=True) for c in (
            "exportsallgoodatob_alldata", "importsallgoodafromb_alldata", "totaltradeawithb", "totaltradeabgdpb",
            "fbic", "bandwidth", "dependence", "tradeagreementindex", "norm_allianceindex", "securitybandwidth",
            "securitydependence", "maritime_connectivity")},
        "norm_lor_avg": Column(float, Check.between(0, 1), nullable=True),
    },
    ["ccode1", "ccode2", "year"],
    name="fbic_subset",
    years=Years("rows", "year"),
    codes="known",
    note="ISO3 codes are mapped to ccodes on the row's year by the crosswalk (so they are system members then).",
)


# ---------------------------------------------------------------- manytreaties

MANYTREATIES_DATASETS = ["GGO", "IEADB", "TFDD", "GPTAD", "DESTA"]
_PRECISION = ["day", "unknown", "month", "year", "range"]


def _mt_date(*, nullable: bool = True) -> pa.Column:
    # dates before 1678 are clipped to 1677-09-22; a few scheduled ends lie in the future
    return Column("datetime64[ns]", Check.between("1677-09-22", "2261-12-31"), nullable=nullable)


def _state_iff_ccode(df):
    """A party has a ccode exactly when it is a state."""
    return df["ccode"].notna() == df["is_state"]


def _precision_iff_date(df):
    """A precision is given exactly when the date is."""
    return (df["force_precision"].notna() == df["force_date"].notna()) & (
        df["end_precision"].notna() == df["end_date"].notna())


MANYTREATIES_PARTIES = pa.DataFrameSchema(
    {
        "dataset": Column(str, Check.isin(MANYTREATIES_DATASETS)),
        "treaty_id": text(),
        "state_id": text(),
        "ccode": ccode(nullable=True),
        "is_state": Column(bool),
        "title": text(nullable=True),
        "signature_date": _mt_date(),
        "ratification_date": _mt_date(),
        "force_date": _mt_date(),
        "end_date": _mt_date(),
        "force_precision": Column(str, Check.isin(_PRECISION), nullable=True),
        "end_precision": Column(str, Check.isin(_PRECISION), nullable=True),
        "force_from_treaty": Column(bool),
        "treaty_signature_date": _mt_date(),
        "source_id": text(nullable=True),
        "record": Column(int, Check.ge(1)),
    },
    unique=["dataset", "treaty_id", "state_id", "record"], strict=True, ordered=True, name="manytreaties_parties",
    checks=[NOT_EMPTY, pa.Check(_state_iff_ccode, error="ccode NA exactly for non-states"),
            pa.Check(_precision_iff_date, error="precision given exactly with the date")],
    **meta(Years("events", "signature_date"), "known",
           "Parties to treaties include states outside their COW system years (territories, states before "
           "independence)."),
)

MANYTREATIES_AGREEMENTS = _frame(
    {
        "dataset": Column(str, Check.isin(MANYTREATIES_DATASETS)),
        "treaty_id": text(),
        "title": text(nullable=True),
        "begin_date": _mt_date(),
        "signature_date": _mt_date(),
        "force_date": _mt_date(),
        "end_date": _mt_date(),
        "domain": text(nullable=True),
        "agreement_type": text(nullable=True),
        "ambit": text(nullable=True),
        "subject": text(nullable=True),
        "source_id": text(nullable=True),
        "n_records": Column(int, Check.ge(1)),
    },
    ["dataset", "treaty_id"],
    name="manytreaties_agreements",
    years=Years("events", "signature_date"),
    codes="known",
    note="No country codes.",
)
