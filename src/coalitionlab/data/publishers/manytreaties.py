"""{manytreaties} 1.0.0 (Global Governance Observatory): treaties and their state parties.

Two sources read the ``parties_*`` and ``agreements_*`` files of five of the package's datasets
(GGO, IEADB, TFDD, GPTAD, DESTA):

- ``manytreaties_parties``: one row per (dataset, treaty, state party, record), the party's
  signature, ratification, entry-into-force and end dates, and its COW ``ccode``;
- ``manytreaties_agreements``: one row per (dataset, treaty), the treaty's dates and types.

Dates are ``messydates`` strings. :func:`parse_messydates` reads every format the files hold
without look-ahead: an imprecise *start* (signature, ratification, entry into force, begin)
becomes the latest day it can mean, an imprecise *end* the earliest; placeholders for "never" or
"no end" (years from 2500 on: 9999-12-31, IEADB's 2599/2699/2899/2999-01-01) become NaT, and a
string of an unknown format is a :class:`~coalitionlab.errors.DataFileError`.

``stateID`` codes ({manystates}' ISO 3166 alpha-3 codes, extended for historical states) are
mapped to COW through the crosswalk (``to_ccode(scheme="iso3")``) on the party's own date. Parties
that are not states keep an NA ``ccode`` and ``is_state = False`` only when
:data:`MANYTREATIES_NON_STATES` lists them; the source-specific codes of
:data:`MANYTREATIES_CODES` are mapped as listed there (and CZE before 1993 to Czechoslovakia,
:data:`MANYTREATIES_PREDECESSORS`); any other code that maps to no state is a
``DataFileError`` naming the code, the file and the count. Findings, row counts and decisions:
``docs/data/sources_named.md``.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from coalitionlab._validation import check_option
from coalitionlab.data import schemas_named
from coalitionlab.data.countries import to_ccode
from coalitionlab.data.publishers._readers import read_csv
from coalitionlab.data.registry import Source, register
from coalitionlab.errors import DataFileError

DATASETS = ("GGO", "IEADB", "TFDD", "GPTAD", "DESTA")
PARTY_FILES = {"GGO": "parties_GGO.csv.gz", "IEADB": "parties_IEADB.csv.gz", "TFDD": "parties_TFDD.csv.gz",
               "GPTAD": "parties_GPTAD.csv", "DESTA": "parties_DESTA.csv.gz"}
AGREEMENT_FILES = {"GGO": "agreements_GGO.csv.gz", "IEADB": "agreements_IEADB.csv.gz",
                   "TFDD": "agreements_TFDD.csv.gz", "GPTAD": "agreements_GPTAD.csv",
                   "DESTA": "agreements_DESTA.csv"}

MANYTREATIES_VERSION = "manytreaties 1.0.0 (commit 4bf79f9, 2025-10-05)"
MANYTREATIES_CITATION = (
    "Hollway, James, Henrique Sposito, et al. 2025. {manytreaties}, R package version 1.0.0 (Global "
    "Governance Observatory, Geneva Graduate Institute), https://github.com/globalgov/manytreaties, commit "
    "4bf79f9. Cite each dataset too: GGO/HUGGO (Hollway & Tan 2025); IEADB (Mitchell et al. 2020, Global "
    "Environmental Politics 20(1)); TFDD (Oregon State University 2021); GPTAD (World Bank 2014); DESTA "
    "(Dür, Baccini & Elsig 2014, Review of International Organizations 9(3))."
)
MANYTREATIES_TERMS = ("Data CC BY 4.0 (package DESCRIPTION; the repository's AGPL licence covers the code); "
                      "cite the package and each source dataset.")

# ---------------------------------------------------------------- messydates

#: Precision labels of a parsed date: a plain day; a day the source marks uncertain (``?``) or
#: approximate (``~``); a month; a year (also a year with unknown month and day, ``2010-XX-XX`` or
#: ``2020-99-99``); a range.
PRECISIONS = ("day", "unknown", "month", "year", "range")
#: The first whole day ``datetime64[ns]`` holds: dates before 1678 (five GGO treaties of
#: 1351-1656) become this day, which keeps every comparison with a later date unchanged.
FIRST_DAY = pd.Timestamp("1677-09-22")
#: Years from here on are placeholders for "never" / "no end", not dates (9999-12-31 in GGO,
#: 2599/2699/2899/2999-01-01 in IEADB): NaT.
SENTINEL_FROM_YEAR = 2500
#: Years below this are placeholders or garbled (0001-01-01, 0004, 0014-022005): NaT.
PLACEHOLDER_BEFORE_YEAR = 1000

_FORMATS = (  # (format label, full-match pattern), the first match wins
    ("year", r"\d{4}-(?:XX|99)-(?:\d{2}|XX|99)-?"),   # month unknown: 2010-XX-XX-, 1964-XX-16, 2020-99-99
    ("day", r"\d{4}-\d{2}-\d{2}"),
    ("unknown", r"\d{4}-\d{2}-\d{2}[?~]"),
    ("month", r"\d{4}-\d{2}"),
    ("year", r"\d{4}"),
    ("range", r"\d{4}(?:-\d{2}){0,2}\.\.\d{4}(?:-\d{2}){0,2}"),
)
_POINT = re.compile(r"^(?P<y>\d{4})(?:-(?P<m>\d{2}|XX))?(?:-(?P<d>\d{2}|XX))?")


def _base_format(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """The stripped text and its written format (``empty``, a precision label, or ``other``)."""
    text = values.astype("str").str.strip().mask(values.isna(), "")
    label = pd.Series("other", index=values.index, dtype="str")
    for name, pattern in _FORMATS:
        label = label.mask(label.eq("other") & text.str.fullmatch(pattern), name)
    return text, label.mask(text.eq(""), "empty")


def messydate_format(values: pd.Series) -> pd.Series:
    """Label each ``messydates`` string with its format.

    ``empty``, ``day``, ``unknown`` (a day marked ``?`` or ``~``), ``month``, ``year``, ``range``,
    ``sentinel`` (a year from :data:`SENTINEL_FROM_YEAR` on), ``placeholder`` (a year below
    :data:`PLACEHOLDER_BEFORE_YEAR`, or a garbled string starting with one), ``before1678``, or
    ``other`` (a format this module does not know).

    Examples
    --------
    >>> messydate_format(pd.Series(["2003", "2003-06", "1981-09..1981-10", "9999-12-31", ""])).tolist()
    ['year', 'month', 'range', 'sentinel', 'empty']
    """
    text, label = _base_format(values)
    first = pd.to_numeric(text.str.extract(r"^(\d{4})", expand=False), errors="coerce")
    last = pd.to_numeric(text.str.extract(r"(\d{4})(?:-\d{2}){0,2}[?~-]?$", expand=False), errors="coerce")
    label = label.mask(first.lt(PLACEHOLDER_BEFORE_YEAR), "placeholder")
    known = ~label.isin(["empty", "other", "placeholder"])
    label = label.mask(known & first.lt(1678), "before1678")
    label = label.mask(known & (first.ge(SENTINEL_FROM_YEAR) | last.ge(SENTINEL_FROM_YEAR)), "sentinel")
    return label


def _line(values: pd.Series, pos: int) -> int:
    """File line (header = 1) of ``values``' row at position ``pos``: readers keep file row positions as index."""
    label = values.index[pos]
    return int(label) + 2 if isinstance(label, (int, np.integer)) else pos + 2


def parse_messydates(values: pd.Series, *, bound: str, path: object = None,
                     column: str | None = None) -> tuple[pd.Series, pd.Series]:
    """Parse ``messydates`` strings to ``(datetime64[ns] dates, precision)`` without look-ahead.

    Parameters
    ----------
    values
        The strings (NA or empty = no date).
    bound
        ``"start"`` for a date from which something holds (signature, ratification, entry into
        force, begin): an imprecise value becomes the *latest* day it can mean (``2003`` ->
        2003-12-31, ``2003-06`` -> 2003-06-30, a range -> its last day, ``1964-XX-16`` ->
        1964-12-16). ``"end"`` for a date after which it no longer holds: the *earliest* day.
    path, column
        Named in errors.

    Returns
    -------
    tuple of pandas.Series
        The dates (NaT when absent, a placeholder or a sentinel; :data:`FIRST_DAY` before 1678)
        and their precision (one of :data:`PRECISIONS`, NA where the date is NaT). A day the
        source marks ``?`` or ``~`` keeps the day as written (precision ``"unknown"``); a day
        that does not exist in its month (``1972-06-31?``) is read as its month.

    Raises
    ------
    DataFileError
        A string of no known format, or a year between 2262 and 2499 (neither a date
        ``datetime64[ns]`` can hold nor a placeholder).
    UnknownOptionError
        A ``bound`` other than ``"start"`` or ``"end"``.

    Examples
    --------
    >>> s = pd.Series(["2003", "2003-06", "1981-09..1981-10", "2011-01-01~", "9999-12-31"])
    >>> parse_messydates(s, bound="start")[0].dt.strftime("%Y-%m-%d").tolist()
    ['2003-12-31', '2003-06-30', '1981-10-31', '2011-01-01', nan]
    >>> parse_messydates(s, bound="end")[0].dt.strftime("%Y-%m-%d").tolist()
    ['2003-01-01', '2003-06-01', '1981-09-01', '2011-01-01', nan]
    """
    check_option(bound, ("start", "end"), name="date bound")
    label = messydate_format(values)
    other = label.eq("other")
    if other.any():
        pos = int(np.flatnonzero(other.to_numpy())[0])
        raise DataFileError(f"{int(other.sum())} value(s) in no known messydates format, first {values.iloc[pos]!r}",
                            path=path, column=column, row=_line(values, pos))
    dates = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    precision = label.where(label.isin(PRECISIONS))
    early = label.eq("before1678")
    dates[early] = FIRST_DAY
    precision[early] = _base_format(values[early])[1]   # the precision written, before clipping
    ok = label.isin(PRECISIONS)
    if ok.any():
        text = values[ok].astype("str").str.strip()
        # the side of a range that bounds the value: its end for a start, its start for an end
        side = text.str.split("..", regex=False).str[-1 if bound == "start" else 0]
        parts = side.str.extract(_POINT)
        year = parts["y"].astype("int64")
        too_late = year.ge(2262)
        if too_late.any():
            pos = int(np.flatnonzero(ok.to_numpy())[int(np.flatnonzero(too_late.to_numpy())[0])])
            raise DataFileError(f"year beyond 2261 that is no known placeholder: {values.iloc[pos]!r}",
                                path=path, column=column, row=_line(values, pos))
        month = pd.to_numeric(parts["m"], errors="coerce")  # XX or absent -> NaN
        month = month.mask(month.eq(99) & label[ok].eq("year"))  # 2020-99-99: month unknown
        day = pd.to_numeric(parts["d"], errors="coerce")
        bad_month = month.notna() & ~month.between(1, 12)
        if bad_month.any():
            pos = int(np.flatnonzero(ok.to_numpy())[int(np.flatnonzero(bad_month.to_numpy())[0])])
            raise DataFileError(f"no such month: {values.iloc[pos]!r}", path=path, column=column,
                                row=_line(values, pos))
        latest = bound == "start"
        month = month.fillna(12 if latest else 1).astype("int64")
        first_of_month = pd.to_datetime(pd.DataFrame({"year": year, "month": month, "day": 1}))
        length = first_of_month.dt.days_in_month
        impossible = day.notna() & ~day.between(1, length)   # e.g. 1972-06-31?: read as the month
        day = day.mask(impossible)
        day = day.fillna(length if latest else 1).astype("int64")
        dates[ok] = (first_of_month + pd.to_timedelta(day - 1, unit="D")).astype("datetime64[ns]")
        fixed = precision[ok].mask(impossible & precision[ok].isin(["day", "unknown"]), "month")
        precision[ok] = fixed
    precision = precision.mask(dates.isna())
    return dates, precision


# ---------------------------------------------------------------- party codes

#: ``stateID`` values that are not COW states: the EU and its predecessors, international
#: organisations, dependencies and other territories, sub-state units, and placeholders.
#: Their rows keep ``ccode`` NA and ``is_state = False``.
MANYTREATIES_NON_STATES: dict[str, str] = {
    # the EU, EC and other organisations
    "EUE": "European Union ({manystates})", "EUU": "European Union", "EC": "European Community",
    "EFTA": "European Free Trade Association",
    "EURATOM European Atomic Energy Community": "Euratom", "IO-European Atomic Energy Community": "Euratom",
    "IO-EAEC": "European Atomic Energy Community", "IO-EBRD": "European Bank for Reconstruction and Development",
    "IO-IBRD": "World Bank (IBRD)", "IO-IAEA": "International Atomic Energy Agency",
    "IAEA International Atomic Energy Agency": "International Atomic Energy Agency",
    "IO-NEFCO": "Nordic Environment Finance Corporation",
    "FAO Food and Agriculture Organization of the UN": "FAO", "IO-Un Food and Agriculture Organization": "FAO",
    "WHO World Health Organization": "WHO", "IO-World Health Organization": "WHO",
    "WMO World Metereological Organization": "WMO", "IO-World Meteorological Organization": "WMO",
    "ECE UN Economic Commission for Europe": "UN Economic Commission for Europe",
    # dependencies and territories (ISO 3166 codes of non-sovereign territories)
    "ABW": "Aruba", "AIA": "Anguilla", "ALA": "Aland Islands", "ANT": "Netherlands Antilles",
    "ATF": "French Southern Territories", "BES": "Bonaire, Sint Eustatius and Saba", "COK": "Cook Islands",
    "CUW": "Curacao", "CYM": "Cayman Islands", "FLK": "Falkland Islands", "FRO": "Faroe Islands",
    "GGY": "Guernsey", "GLP": "Guadeloupe", "GRL": "Greenland", "GUF": "French Guiana", "HKG": "Hong Kong",
    "IMN": "Isle of Man", "IOT": "British Indian Ocean Territory", "JEY": "Jersey", "MAC": "Macao",
    "MAF": "Saint Martin", "MSR": "Montserrat", "MYT": "Mayotte", "NCL": "New Caledonia", "NIU": "Niue",
    "PCN": "Pitcairn", "PYF": "French Polynesia", "SGS": "South Georgia and the South Sandwich Islands",
    "SHN": "Saint Helena", "SPM": "Saint Pierre and Miquelon", "TCA": "Turks and Caicos Islands",
    "TKL": "Tokelau", "VGB": "British Virgin Islands", "WLF": "Wallis and Futuna",
    # entities outside the COW state system
    "ESH": "Western Sahara", "PSE": "Palestine", "VAT": "Holy See (not a COW state)",
    "DZG": "Free City of Danzig", "PAL": "Palestine (British mandate; TFDD, 1920 mandates convention)",
    "SAR": "Sahrawi Arab Democratic Republic (GGO, two African Union treaties; {manystates} SAR is Sardinia)",
    "Bayern": "Bavaria, a German Land (1960 Lake Constance agreement)",
    "Baden-Württemberg": "Baden-Wuerttemberg, a German Land (1960 Lake Constance agreement)",
    # placeholders that name no party
    "Member countries not listed": "placeholder (GGO)", "UNK": "unidentified party (GGO, GEF instrument 1994)",
    "UKN": "unidentified party (TFDD)", "GNL": "no party listed (TFDD, multilateral conventions)",
}

#: Source-specific ``stateID`` values mapped to a COW ccode, with the reason: typos and variants
#: of ISO codes, TFDD's own codes, and {manystates}' composite codes (two codes joined by " - ",
#: produced when a state's name matched two patterns), each resolved from the treaties it
#: appears in (see ``docs/data/sources_named.md``).
MANYTREATIES_CODES: dict[str, tuple[int, str]] = {
    "ALG": (615, "Algeria (IOC code; GGO, IEADB and GPTAD; DZA is not listed beside it)"),
    "BZL": (140, "Brazil (GGO, 1972 Biological Weapons Convention, beside BRA with the same dates)"),
    "LES": (570, "Lesotho (COW abbreviation; GGO, 1972 BWC, beside LSO with the same dates)"),
    "QAR": (694, "Qatar (GGO, 1969 Qatar-Abu Dhabi boundary agreement)"),
    "VAE": (696, "United Arab Emirates (GGO, 1976 Abu Dhabi-USA agreement)"),
    "Kosovo": (347, "Kosovo written as a name (GGO, Energy Community Treaty)"),
    "FNJ": (625, "Sudan ({manystates} Funj; GPTAD, in GSTP, AEC, COMESA, PAFTA and IGAD, whose member "
                 "Sudan is otherwise missing)"),
    "GRM": (90, "Guatemala (TFDD, 1989 CAPRE agreement of Central America, Panama and the Dominican Republic)"),
    "MFD": (343, "Macedonia (TFDD)"),
    "YGF": (345, "Yugoslavia (TFDD, Federal People's Republic)"),
    "CHN - TWN": (713, "Taiwan (GPTAD: Panama-Taiwan, El Salvador-Honduras-Taiwan and the 2006 "
                       "Nicaragua-Taiwan agreement)"),
    "GIN - GNQ": (411, "Equatorial Guinea (IEADB and GPTAD; GIN is listed beside it in 15 treaties; CEMAC and "
                       "ECCAS members)"),
    "KOR - PRK": (731, "North Korea (IEADB: 'Democratic People's Republic of Korea' matches both patterns; "
                       "KOR is listed beside it in 13 treaties)"),
    "SDN - SSD": (626, "South Sudan (IEADB: all 11 rows are 2012-2016 accessions, e.g. UNFCCC, CBD and UNCCD "
                       "on 2014-02-17; SDN is listed beside it in 4 treaties)"),
    "SRB - YUG": (345, "Serbia / Yugoslavia, one COW state (GPTAD)"),
    "SWA - SWZ": (572, "Swaziland (IEADB; SWA is COW's abbreviation of Swaziland)"),
}


#: ``stateID`` values {manystates} also gives a predecessor state: before the given day the code
#: means the predecessor's ccode. Its CZE pattern matches "czechoslovakia" (105 party rows dated
#: before 1993, e.g. the 1921 Austria-Czechoslovakia agreement).
MANYTREATIES_PREDECESSORS: tuple[tuple[str, str, int], ...] = (("CZE", "1993-01-01", 315),)


def _party_ccodes(state_id: pd.Series, when: pd.Series, *, path: Path, rows: np.ndarray
                  ) -> tuple[pd.Series, pd.Series]:
    """``(ccode, is_state)`` of each party: NA / False for listed non-states, else mapped on ``when``."""
    nonstate = state_id.isin(list(MANYTREATIES_NON_STATES)).to_numpy()
    ccode = pd.Series(pd.NA, index=state_id.index, dtype="Int64")
    keep = ~nonstate
    mapped = to_ccode(state_id[keep].to_numpy(), scheme="iso3", date=when[keep].reset_index(drop=True),
                      extra={k: v[0] for k, v in MANYTREATIES_CODES.items()}, errors="coerce")
    unmapped = np.isnan(mapped)
    if unmapped.any():
        codes = state_id[keep][unmapped]
        counts = codes.value_counts()
        listed = ", ".join(f"{c!r} ({n})" for c, n in counts.head(8).items())
        first = int(rows[keep][unmapped][0])
        raise DataFileError(
            f"{int(unmapped.sum())} party row(s) with a stateID that maps to no COW state on its date and is not "
            f"listed in MANYTREATIES_NON_STATES: {listed}", path=path, column="stateID", row=first)
    ccode[keep] = mapped.astype("int64")
    for code, before, predecessor in MANYTREATIES_PREDECESSORS:
        ccode[state_id.eq(code) & when.lt(pd.Timestamp(before))] = predecessor
    return ccode, pd.Series(~nonstate, index=state_id.index)


# ---------------------------------------------------------------- readers

# per dataset: (state-level column, treaty-level fallback) for each date; None = absent
_PARTY_DATES: dict[str, dict[str, tuple[str | None, str | None]]] = {
    "GGO": {"signature": ("StateSignature", "Signature"), "ratification": ("StateRatification", None),
            "force": ("StateForce", "Force"), "end": ("StateEnd", "End")},
    # IEADB's Force varies between the parties of one treaty (1,196 treaties): the party's own
    "IEADB": {"signature": ("stateSignature", "Signature"), "ratification": ("Rat", None),
              "force": ("Force", None), "end": (None, "End")},
    "TFDD": {"signature": (None, "Signature"), "ratification": (None, None), "force": (None, None),
             "end": (None, None)},
    # GPTAD's Force is the treaty's (one value per treaty but one)
    "GPTAD": {"signature": (None, "Signature"), "ratification": (None, None), "force": (None, "Force"),
              "end": (None, None)},
    # DESTA's years differ between the members of one treaty (accessions): the member's own
    "DESTA": {"signature": (None, "Signature"), "ratification": (None, None), "force": ("Force", None),
              "end": (None, None)},
}
_PARTY_SOURCE_ID = {"GGO": None, "IEADB": "ieadbID", "TFDD": "tfddID", "GPTAD": None, "DESTA": "destaID"}
PARTY_COLUMNS = ["dataset", "treaty_id", "state_id", "ccode", "is_state", "title", "signature_date",
                 "ratification_date", "force_date", "end_date", "force_precision", "end_precision",
                 "force_from_treaty", "treaty_signature_date", "source_id", "record"]


def _raw(path: Path, required: list[str]) -> pd.DataFrame:
    """A manytreaties CSV as text, empty cells as ``""`` (``NA`` is Namibia's code, not a missing value)."""
    return read_csv(path, required=required, dtype=str, keep_default_na=False)


def _stripped(raw: pd.DataFrame, column: str | None) -> pd.Series:
    if column is None:
        return pd.Series("", index=raw.index, dtype="str")
    return raw[column].astype("str").str.strip()


def _text_or_na(values: pd.Series) -> pd.Series:
    return values.astype("str").mask(values.eq(""))


def _read_party_file(dataset: str, path: Path) -> pd.DataFrame:
    spec = _PARTY_DATES[dataset]
    columns = {c for pair in spec.values() for c in pair if c is not None}
    source_col = _PARTY_SOURCE_ID[dataset]
    raw = _raw(path, ["stateID", "treatyID", "Title", "Signature", *sorted(columns),
                      *([source_col] if source_col else [])])
    raw = raw.drop_duplicates()            # rows repeated in every column (GGO 1,001, TFDD 4, GPTAD 4)
    raw = raw[raw["stateID"].str.strip().ne("")]   # a party {manystates} could not code (documented counts)
    lines = raw.index.to_numpy() + 2       # file lines (header = line 1), for errors
    out = pd.DataFrame(index=raw.index)
    out["dataset"] = pd.Series(dataset, index=raw.index, dtype="str")
    out["treaty_id"] = _stripped(raw, "treatyID")
    out["state_id"] = _stripped(raw, "stateID")
    out["title"] = _text_or_na(_stripped(raw, "Title"))
    chosen: dict[str, pd.Series] = {}
    for event, (state_col, treaty_col) in spec.items():
        own, treaty = _stripped(raw, state_col), _stripped(raw, treaty_col)
        chosen[event] = own.where(own.ne(""), treaty)
        if event == "force":
            out["force_from_treaty"] = own.eq("") & treaty.ne("")
    for event in ("signature", "ratification", "force", "end"):
        dates, precision = parse_messydates(chosen[event], bound="end" if event == "end" else "start", path=path,
                                            column=spec[event][0] or spec[event][1])
        out[f"{event}_date"] = dates
        out[f"{event}_precision"] = precision
    # the party's own date decides which state a code meant (DEU before/after 1990-10-03): its own
    # entry into force, else its signature, else its ratification, else the treaty's entry into force
    own_force = out["force_date"].where(~out["force_from_treaty"])
    when = own_force.fillna(out["signature_date"]).fillna(out["ratification_date"]).fillna(out["force_date"])
    out["ccode"], out["is_state"] = _party_ccodes(out["state_id"], when, path=path, rows=lines)
    out["source_id"] = _text_or_na(_stripped(raw, source_col))
    # the treaty's own signature (every file has one), beside the party's
    out["treaty_signature_date"], _ = parse_messydates(_stripped(raw, "Signature"), bound="start", path=path,
                                                       column="Signature")
    out = out.drop(columns=["signature_precision", "ratification_precision"])
    # rows identical in every output column are one; the others sharing (treaty, state) are
    # numbered in file order (several instruments under one ID, or several membership spells)
    out = out.drop_duplicates([c for c in PARTY_COLUMNS if c != "record"])
    out["record"] = out.groupby(["treaty_id", "state_id"], sort=False).cumcount().astype("int64") + 1
    return out[PARTY_COLUMNS]


def _read_manytreaties_parties(paths: dict[str, Path]) -> pd.DataFrame:
    frames = [_read_party_file(ds, paths[PARTY_FILES[ds]]) for ds in DATASETS]
    out = pd.concat(frames, ignore_index=True)
    order = out["dataset"].map({ds: i for i, ds in enumerate(DATASETS)})
    out = out.assign(_order=order).sort_values(["_order", "treaty_id", "state_id", "record"], kind="stable")
    return out.drop(columns="_order").reset_index(drop=True)


# per dataset: the agreements file's columns for each output column (None = absent)
_AGREEMENT_COLUMNS: dict[str, dict[str, str | None]] = {
    "GGO": {"begin": "Begin", "signature": "Signature", "force": "Force", "end": "End", "domain": "TypeDomain",
            "agreement_type": "TypeAgree", "ambit": "TypeAmbit", "subject": "TypeSubject", "source_id": None},
    "IEADB": {"begin": "Begin", "signature": "Signature", "force": "Force", "end": "End", "domain": None,
              "agreement_type": "TypeAgree", "ambit": "TypeAmbit", "subject": "TypeSubject", "source_id": "mitchID"},
    "TFDD": {"begin": "Begin", "signature": "Signature", "force": None, "end": None, "domain": None,
             "agreement_type": "TypeAgree", "ambit": "TypeAmbit", "subject": "TypeSubject", "source_id": "tfddID"},
    "GPTAD": {"begin": "Begin", "signature": "Signature", "force": "Force", "end": None, "domain": None,
              "agreement_type": None, "ambit": None, "subject": None, "source_id": "gptadID"},
    "DESTA": {"begin": "Begin", "signature": "Signature", "force": "Force", "end": None, "domain": None,
              "agreement_type": "TypeAgree", "ambit": "TypeAmbit", "subject": None, "source_id": "destaID"},
}
AGREEMENT_COLUMNS = ["dataset", "treaty_id", "title", "begin_date", "signature_date", "force_date", "end_date",
                     "domain", "agreement_type", "ambit", "subject", "source_id", "n_records"]


def _read_agreement_file(dataset: str, path: Path) -> pd.DataFrame:
    spec = _AGREEMENT_COLUMNS[dataset]
    raw = _raw(path, ["treatyID", "Title", *sorted(c for c in spec.values() if c is not None)])
    out = pd.DataFrame(index=raw.index)
    out["dataset"] = pd.Series(dataset, index=raw.index, dtype="str")
    out["treaty_id"] = _stripped(raw, "treatyID")
    out["title"] = _text_or_na(_stripped(raw, "Title"))
    for event in ("begin", "signature", "force", "end"):
        out[f"{event}_date"], _ = parse_messydates(_stripped(raw, spec[event]), bound="end" if event == "end" else
                                                   "start", path=path, column=spec[event])
    for column in ("domain", "agreement_type", "ambit", "subject", "source_id"):
        out[column] = _text_or_na(_stripped(raw, spec[column]))
    # several rows per treaty ID (TFDD: one per river basin; elsewhere instruments sharing an ID)
    # become one: text from the first row that has it, the latest start dates and the earliest
    # end date (no look-ahead), and the number of rows merged
    group = out.groupby("treaty_id", sort=False)
    first = group[["dataset", "title", "domain", "agreement_type", "ambit", "subject", "source_id"]].first()
    starts = group[["begin_date", "signature_date", "force_date"]].max()
    end = group[["end_date"]].min()
    merged = first.join(starts).join(end).reset_index()
    merged["n_records"] = group.size().to_numpy().astype("int64")
    return merged[AGREEMENT_COLUMNS]


def _read_manytreaties_agreements(paths: dict[str, Path]) -> pd.DataFrame:
    frames = [_read_agreement_file(ds, paths[AGREEMENT_FILES[ds]]) for ds in DATASETS]
    out = pd.concat(frames, ignore_index=True)
    order = out["dataset"].map({ds: i for i, ds in enumerate(DATASETS)})
    out = out.assign(_order=order).sort_values(["_order", "treaty_id"], kind="stable")
    return out.drop(columns="_order").reset_index(drop=True)


MANYTREATIES_PARTIES = register(Source(
    name="manytreaties_parties", folder="manytreaties", files=tuple(PARTY_FILES[ds] for ds in DATASETS),
    version=MANYTREATIES_VERSION, publisher="Global Governance Observatory (Hollway, Sposito et al.), {manytreaties}",
    citation=MANYTREATIES_CITATION, terms=MANYTREATIES_TERMS, first_year=1351, last_year=2023, code_scheme="iso3",
    description="State parties of treaties in five {manytreaties} datasets (GGO, IEADB, TFDD, GPTAD, DESTA), one "
                "row per dataset x treaty x party x record: COW ccode (NA for listed non-state parties), title, the "
                "party's signature, ratification, entry-into-force and end dates (imprecise starts at their latest "
                "day, ends at their earliest), their precision, whether the force date is the treaty's, the "
                "treaty's own signature date and the dataset's own treaty id.",
    reader=_read_manytreaties_parties, schema=schemas_named.MANYTREATIES_PARTIES,
    key=("dataset", "treaty_id", "state_id", "record"), urls={},
))

MANYTREATIES_AGREEMENTS = register(Source(
    name="manytreaties_agreements", folder="manytreaties", files=tuple(AGREEMENT_FILES[ds] for ds in DATASETS),
    version=MANYTREATIES_VERSION, publisher="Global Governance Observatory (Hollway, Sposito et al.), {manytreaties}",
    citation=MANYTREATIES_CITATION, terms=MANYTREATIES_TERMS, first_year=1351, last_year=2023, code_scheme="none",
    description="Treaties of five {manytreaties} datasets (GGO, IEADB, TFDD, GPTAD, DESTA), one row per dataset x "
                "treaty ID: title, begin, signature, entry-into-force and end dates, domain (GGO), agreement type, "
                "ambit (bilateral / multilateral ...) and subject, the dataset's own treaty id and the number of "
                "file rows merged.",
    reader=_read_manytreaties_agreements, schema=schemas_named.MANYTREATIES_AGREEMENTS,
    key=("dataset", "treaty_id"), urls={},
))
