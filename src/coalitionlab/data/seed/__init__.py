"""The embedded seed dataset: UN membership, IGO membership spells and US defence treaties.

coalitionlab runs offline, with no data directory, on these small tables. They are **authored
by the project from public facts** (treaty texts, the organisations' own member lists, UN
press releases, depositary records, encyclopaedic references), one row per membership spell
or treaty, each with a short ``source`` note. They are never computed from the real data
files; the test suite cross-checks them against COW IGO v3 and ATOP v4 instead
(``docs/data/seed.md`` reports the agreement).

Tables (CSV files in this package, see ``README.md`` beside them):

* ``un_membership.csv`` - UN admission (and ending) date of every member state, past and present.
* ``igo_spells.csv`` - membership spells in NATO, OAS, the Rio Treaty, ANZUS, SEATO, CENTO,
  the Warsaw Pact, OEEC/OECD, EEC/EU, CSCE/OSCE, ASEAN, GCC, the Arab League, ECOWAS,
  OAU/AU, the Commonwealth, the Francophonie, GATT/WTO, the IMF and the Council of Europe;
  the UN spells are added from ``un_membership.csv``.
* ``igo_list.csv`` - one row per organisation: dates, security flag and COW-style
  political / economic / social issue-area flags.
* ``us_defence_treaties.csv`` - US bilateral defence treaties and major defence agreements,
  plus the multilateral treaties the US belongs to (expanded to one row per partner).

Conventions: COW ``ccode``; ``start_date`` is the day membership began, ``end_date`` the
**last day** of membership (empty: still a member on :data:`REFERENCE_DATE`); a suspension
from all of an organisation's activities is a gap between two spells. A state counts as a
member in year *t* if it is a member on 31 December of *t* (:func:`igo_membership_long`).

Examples
--------
>>> from coalitionlab.data import seed
>>> un = seed.un_membership()
>>> int(un["end_date"].isna().sum())
193
>>> spells = seed.igo_spells()
>>> int(((spells["org"] == "nato") & (spells["start_date"] == "1949-08-24")).sum())
12
>>> long = seed.igo_membership_long(years=2024)
>>> int((long["ioname"] == "nato").sum())
32
>>> long.attrs["is_seed"], long.attrs["source"]
(True, 'seed')
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from importlib import resources
from typing import Literal

import numpy as np
import pandas as pd

from coalitionlab._validation import check_option
from coalitionlab.errors import CoverageError, DataFileError

__all__ = [
    "FIRST_YEAR",
    "LAST_YEAR",
    "REFERENCE_DATE",
    "SEED_VERSION",
    "STATUS_CODES",
    "agreements_long",
    "describe",
    "igo_list",
    "igo_membership_long",
    "igo_spells",
    "un_membership",
    "us_defence_treaties",
]

YearRule = Literal["dec31", "any"]
YEAR_RULES: tuple[str, ...] = ("dec31", "any")

#: Version of the seed tables (year.month of the last revision).
SEED_VERSION = "2026.11"
#: The facts are complete up to this date; an empty ``end_date`` means "member on this day".
REFERENCE_DATE = pd.Timestamp("2025-06-30")
#: Year-level expansions run from the earliest spell to the last year whose 31 December is
#: on or before :data:`REFERENCE_DATE` (later years would assume facts the seed does not know).
LAST_YEAR = 2024
#: Year-level coverage starts with the UN; the few earlier spells (the Commonwealth from 1931,
#: the Arab League from March 1945) stay in :func:`igo_spells` but are not expanded to years.
FIRST_YEAR = 1945
#: Membership status codes, as in COW IGO (1 full, 2 associate, 3 observer).
STATUS_CODES = {"full": 1, "associate": 2, "observer": 3}
CITATION = (
    f"coalitionlab seed dataset, version {SEED_VERSION} (facts to {REFERENCE_DATE.date()}): "
    "UN membership, IGO membership spells and US defence treaties authored from public sources; "
    "see coalitionlab/data/seed/README.md."
)

_COLUMNS = {
    "un_membership.csv": ["ccode", "country", "admission_date", "end_date", "source"],
    "igo_spells.csv": ["org", "ccode", "country", "status", "start_date", "end_date", "source"],
    "igo_list.csv": ["org", "name", "founded_date", "dissolved_date", "is_security", "political", "economic",
                     "social", "cow_ioname", "source"],
    "us_defence_treaties.csv": ["treaty", "kind", "org", "ccode", "country", "signed_date", "in_force_date",
                                "end_date", "is_defence_pact", "source"],
}
_DATES = {
    "un_membership.csv": ["admission_date", "end_date"],
    "igo_spells.csv": ["start_date", "end_date"],
    "igo_list.csv": ["founded_date", "dissolved_date"],
    "us_defence_treaties.csv": ["signed_date", "in_force_date", "end_date"],
}
_REQUIRED_DATES = {"admission_date", "start_date", "founded_date", "signed_date", "in_force_date"}


# ---------------------------------------------------------------- reading


def _stamp(df: pd.DataFrame, table: str) -> pd.DataFrame:
    df.attrs = {
        "source": "seed",
        "table": table,
        "version": SEED_VERSION,
        "reference_date": str(REFERENCE_DATE.date()),
        "citation": CITATION,
        "is_seed": True,
    }
    return df


@lru_cache(maxsize=None)
def _read(name: str) -> pd.DataFrame:
    """Read one packaged CSV with typed columns; a malformed file names the column and row."""
    path = resources.files(__name__).joinpath(name)
    with resources.as_file(path) as real:
        try:
            raw = pd.read_csv(real, dtype=str, keep_default_na=False, encoding="utf-8")
        except (OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
            raise DataFileError(f"cannot read seed table ({exc})", path=f"seed/{name}") from None
    return _parse(raw, name)


def _parse(raw: pd.DataFrame, name: str) -> pd.DataFrame:
    """Type the text columns of seed table ``name``; a bad cell is an error naming column and row."""
    expected = _COLUMNS[name]
    if list(raw.columns) != expected:
        raise DataFileError(f"seed table has columns {list(raw.columns)}, expected {expected}",
                            path=f"seed/{name}")
    out = pd.DataFrame(index=raw.index)
    for column in expected:
        text = raw[column].str.strip()
        if column in _DATES[name]:
            values = pd.to_datetime(text.mask(text.eq("")), format="%Y-%m-%d", errors="coerce")
            bad = values.isna() & text.ne("")
            if column in _REQUIRED_DATES:
                bad |= text.eq("")
            if bad.any():
                pos = int(np.flatnonzero(bad.to_numpy())[0])
                raise DataFileError(f"not a YYYY-MM-DD date: {text.iloc[pos]!r}", path=f"seed/{name}",
                                    column=column, row=pos + 2)
            out[column] = values.astype("datetime64[ns]")
        elif column == "ccode" or column in {"is_security", "political", "economic", "social", "is_defence_pact"}:
            values = pd.to_numeric(text.mask(text.eq("")), errors="coerce")
            bad = values.isna() & text.ne("")
            if column != "ccode" or name != "us_defence_treaties.csv":
                bad |= text.eq("")
            if bad.any():
                pos = int(np.flatnonzero(bad.to_numpy())[0])
                raise DataFileError(f"not an integer: {text.iloc[pos]!r}", path=f"seed/{name}", column=column,
                                    row=pos + 2)
            out[column] = values.astype("Int64") if values.isna().any() else values.astype("int64")
        else:
            out[column] = text.mask(text.eq("")).astype("str")
    return out


def _years(years: int | Iterable[int] | None) -> np.ndarray | None:
    """Normalise ``years`` to a sorted int array inside the seed's coverage (``None`` = all)."""
    if years is None:
        return None
    arr = np.atleast_1d(np.asarray(list(years) if not np.isscalar(years) else years))
    if arr.size == 0:
        raise CoverageError("years is empty; pass a year, a list of years or None for all")
    if not np.issubdtype(arr.dtype, np.integer):
        raise CoverageError(f"years must be integers, got {arr.tolist()[:5]}")
    bad = (arr < FIRST_YEAR) | (arr > LAST_YEAR)
    if bad.any():
        raise CoverageError(
            f"year {int(arr[bad][0])} outside the seed's coverage {FIRST_YEAR}-{LAST_YEAR} "
            f"(facts to {REFERENCE_DATE.date()}); load the full sources with --data-dir for other years"
        )
    return np.unique(arr.astype(np.int64))


def _expand_years(start: pd.Series, end: pd.Series, rule: str = "dec31") -> tuple[np.ndarray, np.ndarray]:
    """Row positions and years in which each spell counts (vectorised).

    With ``rule="dec31"`` a spell counts in year *t* if ``start <= t-12-31 <= end``; with
    ``rule="any"`` if it overlaps year *t* at all (``end`` is the last day of membership; an
    open spell runs to :data:`LAST_YEAR`).
    """
    first = start.dt.year.to_numpy(dtype=np.int64)
    end_year = end.dt.year.to_numpy(dtype=np.float64)
    covers_dec31 = (end.dt.month.eq(12) & end.dt.day.eq(31)).to_numpy() | (rule == "any")
    last = np.where(np.isnan(end_year), LAST_YEAR, end_year - (~covers_dec31).astype(np.int64))
    last = np.minimum(last, LAST_YEAR).astype(np.int64)
    counts = np.clip(last - first + 1, 0, None)
    rows = np.repeat(np.arange(len(first)), counts)
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    return rows, first[rows] + offsets


# ---------------------------------------------------------------- the tables


def un_membership() -> pd.DataFrame:
    """UN membership of every state that has been a member: one row per spell.

    Returns
    -------
    pandas.DataFrame
        ``ccode, country, admission_date, end_date, source``; ``end_date`` is the last day
        of membership (NaT: still a member on :data:`REFERENCE_DATE`). Stamped
        ``attrs["is_seed"] = True``, ``attrs["source"] = "seed"``, ``attrs["version"]``.

    Notes
    -----
    Successor states continue a membership on the predecessor's row where the UN treats it
    so (Russia for the USSR, unified Germany for the FRG, Yemen, Tanzania); China's seat is
    split between the Republic of China government (ccode 710 to 1949, 713 to 1971-10-25) and
    the People's Republic (710 from 1971-10-25, GA resolution 2758).

    References
    ----------
    United Nations, "Member States" (https://www.un.org/en/about-us/member-states) and the
    UN press releases on admissions.

    Examples
    --------
    >>> un = un_membership()
    >>> un.query("ccode == 225")["admission_date"].dt.date.astype(str).tolist()
    ['2002-09-10']
    """
    return _stamp(_read("un_membership.csv").copy(), "un_membership")


def igo_list() -> pd.DataFrame:
    """One row per organisation in the seed.

    Returns
    -------
    pandas.DataFrame
        ``org`` (short id), ``name``, ``founded_date``, ``dissolved_date`` (last day; NaT if
        it still exists), ``is_security`` (1 for alliances and defence organisations),
        ``political``, ``economic``, ``social`` (COW IGO-style issue-area flags: the main
        purpose of the organisation), ``cow_ioname`` (the matching COW IGO v3 ``ioname``,
        missing where COW has none) and ``source``.

    Examples
    --------
    >>> igo_list().query("is_security == 1")["org"].tolist()
    ['nato', 'anzus', 'seato', 'cento', 'warsaw', 'rio']
    """
    return _stamp(_read("igo_list.csv").copy(), "igo_list")


def igo_spells() -> pd.DataFrame:
    """Membership spells of states in the seed's organisations (the UN included).

    Returns
    -------
    pandas.DataFrame
        ``org, ccode, country, status`` (full / associate / observer), ``start_date``,
        ``end_date`` (last day of membership; NaT: member on :data:`REFERENCE_DATE`) and
        ``source``, sorted by org, ccode and start. Suspensions from all of an
        organisation's activities are gaps between spells. The ``un`` rows mirror
        :func:`un_membership`.

    Examples
    --------
    >>> s = igo_spells()
    >>> s.query("org == 'eu' and ccode == 200")["end_date"].dt.date.astype(str).tolist()
    ['2020-01-31']
    """
    spells = _read("igo_spells.csv")
    un = _read("un_membership.csv")
    un_spells = pd.DataFrame({
        "org": "un",
        "ccode": un["ccode"],
        "country": un["country"],
        "status": "full",
        "start_date": un["admission_date"],
        "end_date": un["end_date"],
        "source": un["source"],
    })
    out = pd.concat([spells, un_spells], ignore_index=True)
    out = out.sort_values(["org", "ccode", "start_date"], ignore_index=True)
    return _stamp(out, "igo_spells")


def us_defence_treaties() -> pd.DataFrame:
    """US defence treaties and major defence agreements, one row per (treaty, partner).

    Bilateral instruments are rows of ``us_defence_treaties.csv``. A multilateral treaty the
    US belongs to (Rio, NATO, ANZUS, SEATO) is one template row there and is expanded here to
    every co-member in :func:`igo_spells`: the partner's ``in_force_date`` is the later of the
    treaty's and the partner's accession, its ``end_date`` the earlier of the treaty's end
    and the partner's exit. A multilateral row that names a partner overrides that partner's
    expanded dates (the US suspension of ANZUS obligations to New Zealand in 1986).

    Returns
    -------
    pandas.DataFrame
        ``treaty, kind`` (bilateral / multilateral), ``org`` (multilateral only), ``ccode``,
        ``country``, ``signed_date``, ``in_force_date``, ``end_date`` (last day in force),
        ``is_defence_pact`` (1 if the US undertakes to act against an armed attack on the
        partner), ``source``.

    Examples
    --------
    >>> t = us_defence_treaties()
    >>> t.query("kind == 'bilateral' and is_defence_pact == 1")["ccode"].nunique() >= 8
    True
    """
    raw = _read("us_defence_treaties.csv")
    bilateral = raw[raw["kind"].eq("bilateral")]
    multi = raw[raw["kind"].eq("multilateral")]
    templates, overrides = multi[multi["ccode"].isna()], multi[multi["ccode"].notna()]
    spells = _read("igo_spells.csv")
    spells = spells[spells["org"].isin(templates["org"])]
    us = spells[spells["ccode"].eq(2)][["org", "start_date", "end_date"]]
    partners = spells[spells["ccode"].ne(2)]
    expanded = (templates.drop(columns=["ccode", "country"])
                .merge(us, on="org", suffixes=("", "_us"))
                .merge(partners[["org", "ccode", "country", "start_date", "end_date"]], on="org",
                       suffixes=("", "_partner")))
    never = pd.Timestamp.max.normalize()
    starts = np.maximum.reduce([expanded["in_force_date"].to_numpy(), expanded["start_date"].to_numpy(),
                                expanded["start_date_partner"].to_numpy()])
    ends = np.minimum.reduce([expanded[c].fillna(never).to_numpy()
                              for c in ("end_date", "end_date_us", "end_date_partner")])
    expanded["in_force_date"] = starts
    expanded["end_date"] = pd.Series(ends, index=expanded.index).where(lambda e: e < never)
    expanded = expanded[expanded["end_date"].isna() | (expanded["end_date"] >= expanded["in_force_date"])]
    keyed = expanded.set_index(["org", "ccode"])
    override = overrides.set_index(["org", "ccode"])
    common = keyed.index.intersection(override.index)
    for column in ("end_date", "source"):
        keyed.loc[common, column] = override.loc[common, column]
    expanded = keyed.reset_index()[list(raw.columns)]
    out = pd.concat([bilateral, expanded], ignore_index=True)
    out["ccode"] = out["ccode"].astype("int64")
    out["end_date"] = out["end_date"].astype("datetime64[ns]")
    out["in_force_date"] = out["in_force_date"].astype("datetime64[ns]")
    out = out.sort_values(["ccode", "in_force_date", "treaty"], ignore_index=True)
    return _stamp(out, "us_defence_treaties")


# ---------------------------------------------------------------- year-level panels


def igo_membership_long(years: int | Iterable[int] | None = None, *, system_only: bool = True,
                        rule: YearRule = "dec31") -> pd.DataFrame:
    """The IGO spells as a state-year-IGO table shaped like ``load("cow_igo")``.

    By default a state counts in year *t* if it is a member on 31 December of *t* (so a
    state that joins during *t* counts from *t*, one that leaves during *t* does not count
    in *t*).

    Parameters
    ----------
    years
        A year or years to keep (inside ``FIRST_YEAR``-``LAST_YEAR``); ``None`` for all.
    rule
        ``"dec31"`` (member on 31 December) or ``"any"`` (member on any day of the year,
        closer to COW IGO, which also counts the year a membership or an IGO ends).
    system_only
        Keep only state-years in which the state is a member of the COW state system on
        31 December (as COW IGO does: it has rows only for system members). With ``False``
        memberships before a state's system entry (India 1945-1946, the Pacific microstates
        before their UN admission ...) are kept.

    Returns
    -------
    pandas.DataFrame
        ``ccode, year, ioname, status`` (1 full, 2 associate, 3 observer), ``ioname`` being
        the seed's ``org`` id; one row per state-year-organisation, sorted like the COW
        loader. ``attrs`` as for every seed table.

    Raises
    ------
    CoverageError
        A year outside the seed's coverage (``FIRST_YEAR``-``LAST_YEAR``).
    UnknownOptionError
        An unknown ``rule``.

    References
    ----------
    Pevehouse, J. C. W., T. Nordstrom, R. W. McManus and A. S. Jamison. 2020. "Tracking
    Organizations in the World: The Correlates of War IGO Version 3.0 Datasets." *Journal of
    Peace Research* 57(3): 492-503 (the layout reproduced here).

    Examples
    --------
    >>> m = igo_membership_long(years=[1981, 1982])
    >>> m.query("ioname == 'nato' and ccode == 230")["year"].tolist()
    [1982]
    """
    check_option(rule, YEAR_RULES, name="rule")
    wanted = _years(years)
    spells = igo_spells()
    rows, year = _expand_years(spells["start_date"], spells["end_date"], rule)
    out = pd.DataFrame({
        "ccode": spells["ccode"].to_numpy(dtype=np.int64)[rows],
        "year": year,
        "ioname": spells["org"].to_numpy()[rows],
        "status": spells["status"].map(STATUS_CODES).to_numpy(dtype=np.int64)[rows],
    })
    out = out[out["year"].to_numpy() >= FIRST_YEAR]
    if wanted is not None:
        out = out[np.isin(out["year"].to_numpy(), wanted)]
    if system_only:
        out = out[_in_system(out["ccode"].to_numpy(), out["year"].to_numpy())]
    out["ioname"] = out["ioname"].astype("str")
    out = out.sort_values(["ccode", "year", "ioname"], ignore_index=True)
    return _stamp(out, "igo_membership_long")


def _in_system(ccode: np.ndarray, year: np.ndarray) -> np.ndarray:
    """True where state ``ccode`` is a COW system member on 31 December of ``year``."""
    from coalitionlab.data.countries import cow_system  # same stage; imported late to keep import cheap

    system = cow_system()
    sys_end = system["end_date"].where(system["end_date"] < pd.Timestamp("2024-12-31"))
    rows, sys_year = _expand_years(system["start_date"], sys_end)
    keys = pd.MultiIndex.from_arrays([system["ccode"].to_numpy(dtype=np.int64)[rows], sys_year])
    return pd.MultiIndex.from_arrays([ccode, year]).isin(keys)


def agreements_long(years: int | Iterable[int] | None = None, *,
                    defence_pacts_only: bool = False, rule: YearRule = "dec31") -> pd.DataFrame:
    """US bilateral defence agreements in force, one row per (partner, year, agreement).

    An agreement counts in year *t* if it is in force on 31 December of *t* (the rule of
    :func:`igo_membership_long`). Multilateral treaties are left out: they enter the
    embeddedness measures as joint IGO memberships.

    Parameters
    ----------
    years
        A year or years to keep; ``None`` for all.
    defence_pacts_only
        Keep only instruments with a US commitment to act against an attack on the partner.
    rule
        ``"dec31"`` (in force on 31 December) or ``"any"`` (in force on any day of the year).

    Returns
    -------
    pandas.DataFrame
        ``ccode1`` (2, the USA), ``ccode2`` (partner), ``year``, ``agreement`` (treaty name),
        ``kind`` ("bilateral"), ``is_defence_pact``.

    Examples
    --------
    >>> a = agreements_long(years=1975)
    >>> sorted(a.query("is_defence_pact == 1")["ccode2"])
    [395, 630, 640, 713, 732, 740, 770, 840]
    """
    check_option(rule, YEAR_RULES, name="rule")
    wanted = _years(years)
    treaties = us_defence_treaties()
    treaties = treaties[treaties["kind"].eq("bilateral")].reset_index(drop=True)
    if defence_pacts_only:
        treaties = treaties[treaties["is_defence_pact"].eq(1)].reset_index(drop=True)
    rows, year = _expand_years(treaties["in_force_date"], treaties["end_date"], rule)
    out = pd.DataFrame({
        "ccode1": np.full(len(rows), 2, dtype=np.int64),
        "ccode2": treaties["ccode"].to_numpy(dtype=np.int64)[rows],
        "year": year,
        "agreement": treaties["treaty"].to_numpy()[rows],
        "kind": treaties["kind"].to_numpy()[rows],
        "is_defence_pact": treaties["is_defence_pact"].to_numpy(dtype=np.int64)[rows],
    })
    if wanted is not None:
        out = out[np.isin(out["year"].to_numpy(), wanted)]
    out["agreement"] = out["agreement"].astype("str")
    out["kind"] = out["kind"].astype("str")
    out = out.sort_values(["ccode2", "year", "agreement"], ignore_index=True)
    return _stamp(out, "agreements_long")


def describe() -> pd.DataFrame:
    """One row per seed table: ``table, rows, first_year, last_year, version`` (for reports).

    Examples
    --------
    >>> describe()["table"].tolist()
    ['un_membership', 'igo_spells', 'igo_list', 'us_defence_treaties', 'igo_membership_long', 'agreements_long']
    """
    def span(start: pd.Series, end: pd.Series) -> tuple[int, int]:
        last = end.dt.year.max() if end.isna().sum() == 0 else LAST_YEAR
        return int(start.dt.year.min()), int(min(last, LAST_YEAR))

    un, spells, orgs, treaties = un_membership(), igo_spells(), igo_list(), us_defence_treaties()
    long, agreements = igo_membership_long(), agreements_long()
    rows = [
        ("un_membership", len(un), *span(un["admission_date"], un["end_date"])),
        ("igo_spells", len(spells), *span(spells["start_date"], spells["end_date"])),
        ("igo_list", len(orgs), *span(orgs["founded_date"], orgs["dissolved_date"])),
        ("us_defence_treaties", len(treaties), *span(treaties["in_force_date"], treaties["end_date"])),
        ("igo_membership_long", len(long), int(long["year"].min()), int(long["year"].max())),
        ("agreements_long", len(agreements), int(agreements["year"].min()), int(agreements["year"].max())),
    ]
    out = pd.DataFrame(rows, columns=["table", "rows", "first_year", "last_year"])
    out["version"] = SEED_VERSION
    return _stamp(out, "describe")
