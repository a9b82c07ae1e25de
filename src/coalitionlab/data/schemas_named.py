"""Pandera schemas of the name- and ISO-coded sources (:mod:`coalitionlab.data.sources_named`).

Same conventions as :mod:`coalitionlab.data.schemas`: COW ``ccode`` (dyadic ``ccode1 < ccode2``),
``int64``/``Int64`` years, ``datetime64[ns]`` ``*_date`` columns, pandas ``str`` text; each
schema is strict and enforces the source's key as unique.
"""

from __future__ import annotations

try:  # pandera >= 0.24 splits the pandas API out
    import pandera.pandas as pa
except ImportError:  # pragma: no cover - older pandera
    import pandera as pa

from coalitionlab.data.schemas import Check, Column, ccode, count, date, flag, text, year


def _frame(columns: dict[str, pa.Column], key: list[str], *, name: str) -> pa.DataFrameSchema:
    # strict: a reader that adds or loses a column fails loudly instead of drifting silently
    return pa.DataFrameSchema(columns, unique=key, strict=True, ordered=False, name=name)

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
)

DESTA_MEMBERS = _frame(
    {
        "number": text(),
        "ccode": ccode(),
        "member_role": Column("Int64", Check.isin([0, 1, 2, 3]), nullable=True),
    },
    ["number", "ccode"],
    name="desta_members",
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
    checks=[pa.Check(_dyad_order, error="ccode1 < ccode2")],
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
    checks=[pa.Check(lambda df: df["ccode1"] != df["ccode2"], error="ccode1 != ccode2")],
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
)
