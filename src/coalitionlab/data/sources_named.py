"""Sources coded by country name or ISO code: their definitions and readers.

Each ``register(Source(...))`` below adds one dataset to the registry. The readers map the
source's names or ISO codes to COW ``ccode`` through the date-aware crosswalk
(:func:`coalitionlab.data.countries.to_ccode`, with ``where="<source>, file <name>"``), so a
value that cannot be mapped fails with the count of such rows and the closest known names.
Parties that are not states (the EU, EFTA, Hong Kong, ...) are dropped only where they are
listed in an explicit, documented constant of this module (``*_NON_STATES``); that is a
decision, not a silent drop. Output: tidy frames keyed to COW ``ccode`` (undirected dyads as
``ccode1 < ccode2``), dates as ``datetime64[ns]`` ``*_date`` columns, validated by the schemas
in :mod:`coalitionlab.data.schemas_named`. Quirks and decisions: ``docs/data/sources_named.md``.

Examples
--------
>>> from coalitionlab.data import get_source
>>> get_source("desta_dyads").code_scheme
'isonum'
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from coalitionlab.data import schemas_named as schemas
from coalitionlab.data.countries import to_ccode
from coalitionlab.data.registry import Source, read_csv, register, to_date, to_integer
from coalitionlab.errors import DataFileError

# ---------------------------------------------------------------- helpers


def _text(raw: pd.DataFrame, column: str) -> pd.Series:
    """A text column as pandas ``str`` with blanks stripped; empty text is NA."""
    values = raw[column].astype("str").str.strip()
    return values.mask(values.eq("") | raw[column].isna())


def _int(raw: pd.DataFrame, column: str, *, path: Path, nullable: bool = False) -> pd.Series:
    values = to_integer(raw, column, path=path, nullable=nullable)
    return values.astype("Int64") if nullable else values


def _order_dyads(out: pd.DataFrame, a: np.ndarray, b: np.ndarray, *, path: Path) -> pd.DataFrame:
    """Store undirected dyads once, lower ccode first; a state paired with itself is an error."""
    same = a == b
    if same.any():
        pos = int(np.flatnonzero(same)[0])
        raise DataFileError(f"dyad of a state with itself (ccode {a[pos]})", path=path, row=pos + 2)
    out.insert(0, "ccode2", np.maximum(a, b))
    out.insert(0, "ccode1", np.minimum(a, b))
    return out


# ---------------------------------------------------------------- DESTA

DESTA_CITATION = (
    "Dür, Andreas, Leonardo Baccini, and Manfred Elsig. 2014. \"The Design of International Trade "
    "Agreements: Introducing a New Dataset.\" Review of International Organizations 9(3): 353-375. "
    "DESTA version 02_02, https://www.designoftradeagreements.org."
)
DESTA_TERMS = "Free for academic use with citation (DESTA website)."

#: ISO 3166 numeric codes in DESTA that are not COW states (territories, autonomous or
#: disputed areas). Treaties keep them in ``n_parties``; they never get a ccode.
DESTA_NON_STATES: dict[int, str] = {
    184: "Cook Islands",
    234: "Faroe Islands",
    248: "Aland Islands",
    275: "Palestinian Territories",
    304: "Greenland",
    344: "Hong Kong SAR China",
    446: "Macao SAR China",
    500: "Montserrat",
    530: "Netherlands Antilles",
    570: "Niue",
    732: "Western Sahara",
}
#: DESTA's own code for Kosovo (ISO has assigned none).
DESTA_EXTRA_CODES = {900: 347}


def _desta_ccode(iso: pd.Series, year: pd.Series, *, where: str, rows: np.ndarray) -> np.ndarray:
    """DESTA ISO numeric codes -> COW ccodes on the signature year.

    DESTA codes Germany 276 in every year (West Germany before 1990; the GDR is not coded),
    which the date-aware crosswalk maps to 260 before 1990. DESTA also codes Yemen 887 in
    every year; before unification (1990) that is taken as the Yemen Arab Republic (678), the
    state that held ISO's ``YEM`` then (one treaty: the 1981 Inter-Arab Trade Agreement).
    """
    undated = year.isna().to_numpy()
    dates = year.astype("float").to_numpy()
    out = to_ccode(iso.to_numpy(), scheme="isonum", date=np.where(undated, np.nan, dates), where=where,
                   extra=DESTA_EXTRA_CODES, rows=rows)
    yemen_before = (iso.to_numpy() == 887) & ~undated & (dates < 1990)
    out[yemen_before] = 678
    return out


def _desta_common(raw: pd.DataFrame, *, path: Path) -> dict[str, pd.Series]:
    return {
        "number": _text(raw, "number"),
        "base_treaty": _int(raw, "base_treaty", path=path),
        "name": _text(raw, "name"),
        "consolidated": _int(raw, "consolidated", path=path),
        "entry_force_year": _int(raw, "entryforceyear", path=path, nullable=True),
        "language": _text(raw, "language"),
        "typememb": _int(raw, "typememb", path=path, nullable=True),
        "regioncon": _text(raw, "regioncon"),
        "wto_listed": _int(raw, "wto_listed", path=path, nullable=True),
        "wto_name": _text(raw, "wto_name"),
    }


_DESTA_COMMON_RAW = ["number", "base_treaty", "name", "entry_type", "consolidated", "year", "entryforceyear",
                     "language", "typememb", "regioncon", "wto_listed", "wto_name"]


def _desta_member_matrix(raw: pd.DataFrame, *, path: Path) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """The ``c1..c91`` member codes and ``mc1..mc91`` roles as (n_treaties x k) float arrays."""
    k = 1
    while f"c{k + 1}" in raw.columns:
        k += 1
    members = [f"c{i}" for i in range(1, k + 1)]
    roles = [f"mc{i}" for i in range(1, k + 1)]
    missing = [c for c in roles if c not in raw.columns]
    if missing:
        raise DataFileError(f"missing column(s) {', '.join(missing)}", path=path, column=missing[0])
    codes = raw[members].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    role = raw[roles].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    bad = np.isnan(codes) & raw[members].notna().to_numpy()
    if bad.any():
        r, c = (int(x[0]) for x in np.nonzero(bad))
        raise DataFileError(f"non-numeric member code {raw[members[c]].iloc[r]!r}", path=path,
                            column=members[c], row=r + 2)
    return codes, role, members


def _read_desta_list(path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Treaty-level frame and the long treaty x member-state frame of the DESTA list file."""
    raw = read_csv(path, required=_DESTA_COMMON_RAW + ["c1", "mc1"])
    treaties = pd.DataFrame({
        **_desta_common(raw, path=path),
        "entry_type": _text(raw, "entry_type"),
        "signature_year": _int(raw, "year", path=path, nullable=True),
    })
    codes, role, _ = _desta_member_matrix(raw, path=path)
    present = ~np.isnan(codes)
    row, col = np.nonzero(present)
    iso = codes[row, col].astype(np.int64)
    nonstate = np.isin(iso, list(DESTA_NON_STATES))
    treaties["n_parties"] = pd.array(present.sum(axis=1), dtype="Int64")
    n_nonstate = np.bincount(row[nonstate], minlength=len(raw))
    treaties["n_state_parties"] = pd.array(present.sum(axis=1) - n_nonstate, dtype="Int64")
    treaties["has_nonstate_party"] = n_nonstate > 0
    keep = ~nonstate
    ccodes = _desta_ccode(pd.Series(iso[keep]), treaties["signature_year"].iloc[row[keep]].reset_index(drop=True),
                          where=f"desta, file {path.name}", rows=row[keep] + 2)
    members = pd.DataFrame({
        "number": treaties["number"].iloc[row[keep]].to_numpy(),
        "ccode": ccodes,
        "member_role": pd.array(np.where(np.isnan(role[row[keep], col[keep]]), None, role[row[keep], col[keep]]),
                                dtype="Int64"),
    })
    members["number"] = members["number"].astype("str")
    # a state listed twice in one treaty event (e.g. under its old and new ISO code) counts once
    members = members.drop_duplicates(["number", "ccode"], ignore_index=True)
    return treaties, members


def _read_desta_treaties(paths: dict[str, Path]) -> pd.DataFrame:
    treaties, _ = _read_desta_list(paths["desta_list_of_treaties_02_02.csv.gz"])
    return treaties


def _read_desta_members(paths: dict[str, Path]) -> pd.DataFrame:
    _, members = _read_desta_list(paths["desta_list_of_treaties_02_02.csv.gz"])
    return members.sort_values(["number", "ccode"], ignore_index=True)


def _read_desta_dyadic(path: Path, *, year_column: str, directed: bool = False) -> pd.DataFrame:
    raw = read_csv(path, required=["country1", "country2", "iso1", "iso2"] + _DESTA_COMMON_RAW)
    iso1 = _int(raw, "iso1", path=path)
    iso2 = _int(raw, "iso2", path=path)
    year = _int(raw, "year", path=path)
    keep = ~(iso1.isin(list(DESTA_NON_STATES)) | iso2.isin(list(DESTA_NON_STATES))).to_numpy()
    where = f"desta, file {path.name}"
    lines = np.flatnonzero(keep) + 2  # the file's line numbers (header = line 1)
    c1 = _desta_ccode(iso1[keep], year[keep], where=where, rows=lines)
    c2 = _desta_ccode(iso2[keep], year[keep], where=where, rows=lines)
    out = pd.DataFrame({
        **{k: v[keep].reset_index(drop=True) for k, v in _desta_common(raw, path=path).items()},
        "entry_type": _text(raw, "entry_type")[keep].reset_index(drop=True),
        year_column: year[keep].reset_index(drop=True),
    })
    if directed:  # withdrawals: country1 is the state that withdraws, country2 its former partner
        out.insert(0, "ccode2", c2)
        out.insert(0, "ccode1", c1)
        return out
    return _order_dyads(out, c1, c2, path=path)


def _read_desta_dyads(paths: dict[str, Path]) -> pd.DataFrame:
    out = _read_desta_dyadic(paths["desta_list_of_treaties_02_02_dyads.csv.gz"], year_column="signature_year")
    return out.sort_values(["ccode1", "ccode2", "signature_year", "number"], ignore_index=True)


def _read_desta_withdrawals(paths: dict[str, Path]) -> pd.DataFrame:
    out = _read_desta_dyadic(paths["desta_dyadic_withdrawal_02_02.csv.gz"], year_column="withdrawal_year",
                             directed=True)
    return out.sort_values(["ccode1", "ccode2", "withdrawal_year", "number"], ignore_index=True)


def _desta_source(name: str, files: tuple[str, ...], description: str, reader, schema, key) -> Source:
    return register(Source(
        name=name, folder="desta", files=files, version="02_02", publisher="DESTA project (Dür, Baccini & Elsig)",
        citation=DESTA_CITATION, terms=DESTA_TERMS, first_year=1948, last_year=2023, code_scheme="isonum",
        description=description, reader=reader, schema=schema, key=key,
        urls={},
    ))


DESTA_TREATIES = _desta_source(
    "desta_treaties", ("desta_list_of_treaties_02_02.csv.gz",),
    "DESTA trade agreements, one row per treaty event (base treaty, accession, withdrawal, negotiation, "
    "protocol, consolidated): number, name, entry type, signature and entry-into-force years, membership "
    "type, region, WTO listing, and the number of parties (all, and COW states only).",
    _read_desta_treaties, schemas.DESTA_TREATIES, ("number",))

DESTA_MEMBERS = _desta_source(
    "desta_members", ("desta_list_of_treaties_02_02.csv.gz",),
    "DESTA trade agreements, one row per treaty event x member state (COW ccode) with DESTA's membership "
    "role code (0 member of bilateral/plurilateral or third country, 1 plurilateral side / accessing "
    "country, 2/3 member of regional agreement A/B).",
    _read_desta_members, schemas.DESTA_MEMBERS, ("number", "ccode"))

DESTA_DYADS = _desta_source(
    "desta_dyads", ("desta_list_of_treaties_02_02_dyads.csv.gz",),
    "DESTA trade agreements, one row per undirected state dyad (ccode1 < ccode2) per treaty event "
    "(base treaty, accession, consolidated version), with signature and entry-into-force years.",
    _read_desta_dyads, schemas.DESTA_DYADS, ("ccode1", "ccode2", "number"))

DESTA_WITHDRAWALS = _desta_source(
    "desta_withdrawals", ("desta_dyadic_withdrawal_02_02.csv.gz",),
    "DESTA dyads dissolved by a withdrawal event, 1973-2020, directed: ccode1 is the state that "
    "withdraws, ccode2 a former partner (both directions appear when both withdraw in one event).",
    _read_desta_withdrawals, schemas.DESTA_WITHDRAWALS, ("ccode1", "ccode2", "number"))


# ---------------------------------------------------------------- UNCTAD IIA Navigator

UNCTAD_CITATION = "UNCTAD. International Investment Agreements Navigator. Investment Policy Hub, " \
    "https://investmentpolicy.unctad.org/international-investment-agreements (scraped early 2025)."

#: Parties in the UNCTAD list that are organisations, not states: kept out of ``ccode`` and
#: flagged by ``has_org_party`` on every row of their treaty.
UNCTAD_ORGANISATIONS: frozenset[str] = frozenset({
    "ACP (African, Caribbean and Pacific Group of States)", "ANCOM (Andean Community)",
    "ASEAN (Association of South-East Asian Nations)", "AU (African Union)",
    "BIMSTEC (Bay of Bengal Initiative for Multi-Sectoral Technical and Economic Cooperation)",
    "CACM (Central American Common Market)", "CARICOM (Caribbean Community)",
    "CEFTA (Central European Free Trade Agreement)", "CEMAC (Economic and Monetary Community of Central Africa)",
    "CEPGL (Economic Community of the Great Lakes Countries)",
    "COMESA (Common Market for Eastern and Southern Africa)", "EAC (East African Community)",
    "ECCAS (Economic Community of Central African States)", "ECO (Economic Cooperation Organization)",
    "ECOWAS (Economic Community of West African States)", "EFTA (European Free Trade Association)",
    "EU (European Union)", "European Union", "Energy Charter Treaty members", "Eurasian Economic Union",
    "GCC (Gulf Cooperation Council)", "LAIA (Latin American Integration Association)", "League of Arab States",
    "MERCOSUR (Mercado Común Sudamericano)", "OCT (Overseas Countries and Territories)",
    "OIC Investment Agreement members", "SACU (Southern African Customs Union)",
    "SADC (Southern African Development Community)", "SAFTA (South Asian Free Trade Area Accord)",
    "SPARTECA (South Pacific Regional Trade and Economic Cooperation Agreement)", "UMA (Arab Maghreb Union)",
    "WAEMU (West African Economic and Monetary Union)",
})
#: Parties that are territories or entities outside the COW state system: kept out of
#: ``ccode`` and counted by ``has_nonstate_party``.
UNCTAD_NON_STATES: frozenset[str] = frozenset({
    "Hong Kong SAR (China)", "Macao SAR (China)", "Channel Islands (Guernsey, Jersey)", "Cook Islands", "Niue",
    "State of Palestine",
})
#: The Belgium-Luxembourg Economic Union signs BITs for both its states: one row for each.
UNCTAD_BLEU = ("BLEU (Belgium-Luxembourg Economic Union)", (211, 212))
#: UNCTAD names states by their current name also for treaties signed by a predecessor; on a
#: signature date before the given day, the name means the COW state given here.
UNCTAD_PREDECESSORS: tuple[tuple[str, str, int], ...] = (
    ("Czechia", "1993-01-01", 315),              # Czechoslovakia
    ("Slovakia", "1993-01-01", 315),             # Czechoslovakia
    ("Germany", "1990-10-03", 260),              # German Federal Republic (no GDR treaties are listed)
    ("Yemen", "1990-05-22", 678),                # Yemen Arab Republic (the pre-1990 BITs are the YAR's)
    ("Montenegro", "2006-06-03", 345),           # Yugoslavia / Serbia and Montenegro
    ("Croatia", "1992-01-15", 345), ("Slovenia", "1992-01-15", 345),
    ("Bosnia and Herzegovina", "1992-04-07", 345), ("North Macedonia", "1993-04-08", 345),
    *((soviet, "1991-12-26", 365) for soviet in (  # the USSR
        "Armenia", "Azerbaijan", "Belarus", "Georgia", "Kazakhstan", "Kyrgyzstan", "Republic of Moldova",
        "Tajikistan", "Turkmenistan", "Ukraine", "Uzbekistan")),
)
_INVERTED = r"([^,]+?),\s*([^,()]*?\bof(?: the)?)(?=\s*,|\s*$)"   # "Korea, Republic of" -> "Republic of Korea"


def split_parties(parties: pd.Series) -> pd.Series:
    """Split UNCTAD's comma-separated party lists into one name per row (index kept).

    Commas inside parentheses and inverted names ("Korea, Republic of") are not separators;
    "Hong Kong, China SAR" becomes "Hong Kong SAR (China)".

    Examples
    --------
    >>> split_parties(pd.Series(["Korea, Republic of, Hong Kong, China SAR"])).tolist()
    ['Republic of Korea', 'Hong Kong SAR (China)']
    """
    text = parties.str.replace(r"(Hong Kong|Macao), China SAR", r"\1 SAR (China)", regex=True)
    text = text.str.replace(_INVERTED, lambda m: f"{m.group(2).strip()} {m.group(1).strip()}", regex=True)
    return text.str.split(r",\s*(?![^()]*\))", regex=True).explode().str.strip()


def _read_unctad_iia(paths: dict[str, Path]) -> pd.DataFrame:
    path = paths["unctad_iia_treaties_scraped.csv.gz"]
    raw = read_csv(path, required=["treaty_id", "short_title", "type", "status", "parties", "date_of_signature",
                                   "date_of_entry_into_force", "termination_date"])
    treaties = pd.DataFrame({
        "treaty_id": _int(raw, "treaty_id", path=path),
        "short_title": _text(raw, "short_title"),
        "type": _text(raw, "type").str.removesuffix("s"),
        "status": _text(raw, "status"),
        "signature_date": to_date(raw, "date_of_signature", path=path),
        "entry_force_date": to_date(raw, "date_of_entry_into_force", path=path),
        "termination_date": to_date(raw, "termination_date", path=path),
    })
    empty = raw["parties"].isna()
    if empty.any():
        raise DataFileError("treaty without parties", path=path, column="parties",
                            row=int(np.flatnonzero(empty.to_numpy())[0]) + 2)
    party = split_parties(_text(raw, "parties"))
    row = party.index.to_numpy()
    is_org = party.isin(UNCTAD_ORGANISATIONS).to_numpy()
    is_nonstate = party.isin(UNCTAD_NON_STATES).to_numpy()
    is_bleu = (party == UNCTAD_BLEU[0]).to_numpy()
    treaties["has_org_party"] = np.bincount(row[is_org], minlength=len(raw)) > 0
    treaties["has_nonstate_party"] = np.bincount(row[is_nonstate], minlength=len(raw)) > 0

    named = ~(is_org | is_nonstate | is_bleu)
    names = party[named].reset_index(drop=True)
    signed = treaties["signature_date"].to_numpy()[row[named]]
    ccode = np.zeros(len(names), dtype=np.int64)
    by_predecessor = np.zeros(len(names), dtype=bool)
    for name, before, predecessor in UNCTAD_PREDECESSORS:
        hit = (names.to_numpy() == name) & (signed < np.datetime64(before))
        ccode[hit] = predecessor
        by_predecessor |= hit
    ccode[~by_predecessor] = to_ccode(names[~by_predecessor].to_numpy(), scheme="name",
                                      date=pd.Series(signed[~by_predecessor]),
                                      where=f"unctad_iia, file {path.name}", extra={"Yugoslavia (former)": 345},
                                      rows=row[named][~by_predecessor] + 2)
    bleu_rows = np.repeat(row[is_bleu], len(UNCTAD_BLEU[1]))
    bleu_codes = np.tile(UNCTAD_BLEU[1], int(is_bleu.sum()))
    long = pd.DataFrame({"row": np.concatenate([row[named], bleu_rows]),
                         "ccode": np.concatenate([ccode, bleu_codes]).astype(np.int64)})
    # a state named twice in one treaty (e.g. Belgium beside BLEU, or Czechia and Slovakia for
    # one Czechoslovak treaty) is one party
    long = long.drop_duplicates(ignore_index=True)
    treaties["n_state_parties"] = pd.array(np.bincount(long["row"], minlength=len(raw)), dtype="Int64")
    out = treaties.iloc[long["row"].to_numpy()].reset_index(drop=True)
    out.insert(4, "ccode", long["ccode"].to_numpy())
    return out.sort_values(["treaty_id", "ccode"], ignore_index=True)


UNCTAD_IIA = register(Source(
    name="unctad_iia", folder="unctad_iia", files=("unctad_iia_treaties_scraped.csv.gz",), version="scraped 2025",
    publisher="UNCTAD Investment Policy Hub", citation=UNCTAD_CITATION,
    terms="UNCTAD website data; no licence stated by the scraper's repository; research use with attribution.",
    first_year=1957, last_year=2025, code_scheme="name",
    description="International investment agreements (3,425 BITs, 500 TIPs), one row per treaty x state party "
                "(COW ccode), with type (BIT/TIP), status, signature / entry-into-force / termination dates, the "
                "number of state parties and flags for organisation (EU, EFTA ...) and non-state parties.",
    reader=_read_unctad_iia, schema=schemas.UNCTAD_IIA, key=("treaty_id", "ccode"), urls={},
))


# ---------------------------------------------------------------- military exercises (MME v7, JME v3)

MME_CITATION = ("D'Orazio, Vito, and Kevin Galambos. 2021. \"Multinational Military Exercises, 1980-2010.\" "
                "Harvard Dataverse, doi:10.7910/DVN/KHFODX. Via the R package troopdata (Flynn).")
JME_CITATION = ("D'Orazio, Vito. 2013. \"International Military Cooperation: From Concepts to Constructs.\" "
                "PhD dissertation, Pennsylvania State University (Joint Military Exercises v3). "
                "Via the R package troopdata (Flynn).")
EXERCISE_TERMS = "Research use with citation; the troopdata package is GPL (>= 3)."

#: Participant entries of MME v7 that are not COW states ("-9" is MME's missing-value code).
MME_NON_STATES: frozenset[str] = frozenset({
    "-9", "Baltic States", "Bermuda", "Hong Kong SAR China", "NATO", "Netherlands Antilles", "New Caledonia",
})
#: Participant entries of JME v3 (ISO3 codes) that are not COW states.
JME_NON_STATES: frozenset[str] = frozenset({"-9", "8 NATO members", "NATO", "BMU"})


def _day_date(year: pd.Series, month: pd.Series, day: pd.Series) -> pd.Series:
    """A date from year/month/day text where all three are whole numbers forming a real day, else NaT."""
    parts = pd.DataFrame({"year": pd.to_numeric(year, errors="coerce"),
                          "month": pd.to_numeric(month, errors="coerce"),
                          "day": pd.to_numeric(day, errors="coerce")})
    ok = parts.notna().all(axis=1) & parts.gt(0).all(axis=1)
    out = pd.Series(pd.NaT, index=year.index, dtype="datetime64[ns]")
    if ok.any():
        out[ok] = pd.to_datetime(parts[ok].astype("int64"), errors="coerce").astype("datetime64[ns]")
    return out


def _read_mme(paths: dict[str, Path]) -> pd.DataFrame:
    path = paths["mme_v7_participants_long.csv.gz"]
    raw = read_csv(path, required=["MMEID", "Ex_Name", "Series_Name", "s.year", "e.year", "participant"])
    wide_path = paths["mme_v7_wide.csv.gz"]
    wide = read_csv(wide_path, required=["MMEID", "s.year", "s.month", "s.day"])
    # the exact start day, where the wide file gives one and its MMEID is not repeated there
    wide = wide[~wide["MMEID"].duplicated(keep=False)]
    start_day = pd.Series(_day_date(wide["s.year"], wide["s.month"], wide["s.day"]).to_numpy(),
                          index=wide["MMEID"].astype("str").to_numpy())
    participant = _text(raw, "participant")
    empty = participant.isna()
    if empty.any():
        raise DataFileError("empty participant", path=path, column="participant",
                            row=int(np.flatnonzero(empty.to_numpy())[0]) + 2)
    keep = ~participant.isin(MME_NON_STATES).to_numpy()
    out = pd.DataFrame({
        "exercise_id": _text(raw, "MMEID"),
        "exercise_name": _text(raw, "Ex_Name"),
        "series_name": _text(raw, "Series_Name"),
        "start_year": _int(raw, "s.year", path=path),
        "end_year": _int(raw, "e.year", path=path),
    })[keep].reset_index(drop=True)
    out["start_date"] = start_day.reindex(out["exercise_id"].to_numpy()).to_numpy().astype("datetime64[ns]")
    when = out["start_date"].where(out["start_date"].notna(), pd.to_datetime(out["start_year"].astype(str) + "-07-01"))
    # a participant is resolved on the exercise's start day (mid-year if only the year is known)
    out["ccode"] = to_ccode(participant[keep].to_numpy(), scheme="name", date=when,
                            where=f"military_exercises, file {path.name}", rows=np.flatnonzero(keep) + 2)
    # a state listed twice for one exercise (23 repeated rows in the file) is one participant
    out = out.drop_duplicates(["exercise_id", "ccode"], ignore_index=True)
    return out.sort_values(["start_year", "exercise_id", "ccode"], ignore_index=True)


MILITARY_EXERCISES = register(Source(
    name="military_exercises", folder="military_exercises",
    files=("mme_v7_participants_long.csv.gz", "mme_v7_wide.csv.gz"), version="7",
    publisher="D'Orazio & Galambos (Harvard Dataverse)", citation=MME_CITATION, terms=EXERCISE_TERMS,
    first_year=1980, last_year=2010, code_scheme="name",
    description="Multinational Military Exercises v7, one row per exercise x participating state (COW ccode): "
                "MME id, exercise and series names, start and end years, start day where known.",
    reader=_read_mme, schema=schemas.MILITARY_EXERCISES, key=("exercise_id", "ccode"), urls={},
))


def _read_jme(paths: dict[str, Path]) -> pd.DataFrame:
    path = paths["jme_v3.csv.gz"]
    raw = read_csv(path, required=["Exercise Name", "Start Date", "s.year", "enddate", "JME Type",
                                   "Which state hosted the exercise?", "State A"])
    states = [c for c in raw.columns if c.startswith("State ")]
    start_text = raw["Start Date"].astype("str").str.strip()
    # the last block of the sheet (the rows marked in the stray AUS column) leaves s.year empty:
    # its year is the one written in "Start Date" (MM/DD/YYYY or MM/xx/YYYY)
    written_year = pd.to_numeric(start_text.str.extract(r"(\d{4})\s*$")[0], errors="coerce")
    # two of them are typos outside the data's years (11/08/2015 ending 11/15/2010; 03/05/3009
    # ending 03/14/2009): there the year written in "enddate" is used
    end_year_written = pd.to_numeric(raw["enddate"].astype("str").str.extract(r"(\d{4})\s*$")[0], errors="coerce")
    written_year = written_year.where(written_year.between(1970, 2010),
                                      end_year_written.where(end_year_written.between(1970, 2010)))
    # (a few rows give no date at all: their start_year stays NA, their states are mapped undated)
    start_year = pd.to_numeric(raw["s.year"], errors="coerce").fillna(written_year)
    start_date = pd.to_datetime(start_text, format="%m/%d/%Y", errors="coerce")
    end_date = pd.to_datetime(raw["enddate"].astype("str").str.strip(), format="%m/%d/%Y", errors="coerce")
    # coder typos such as 3/5/3009: a day outside the sheet's years, or a start day in another
    # year than s.year, is not a day we can trust and stays NaT (the year is kept)
    start_date = start_date.mask((start_date.dt.year != start_year) | ~start_date.dt.year.between(1970, 2010))
    end_date = end_date.mask(~end_date.dt.year.between(1970, 2011) | (end_date < start_date))
    frame = pd.DataFrame({
        "exercise_id": np.arange(1, len(raw) + 1),  # the data row in the coding sheet
        "exercise_name": _text(raw, "Exercise Name").mask(lambda s: s.eq("-9")),
        "start_year": start_year.astype("Int64"),
        "start_date": start_date.astype("datetime64[ns]"),
        "end_date": end_date.astype("datetime64[ns]"),
        "jme_type": _text(raw, "JME Type"),
    })
    codes = raw[states].astype("str").apply(lambda c: c.str.strip()).to_numpy()
    present = raw[states].notna().to_numpy() & (codes != "")
    row, _col = np.nonzero(present)
    code = codes[present]
    keep = ~np.isin(code, list(JME_NON_STATES))
    when = frame["start_date"].to_numpy()[row[keep]]
    mid_year = pd.to_datetime(frame["start_year"].astype("string") + "-07-01", errors="coerce")
    when = np.where(np.isnat(when), mid_year.to_numpy()[row[keep]], when)
    # participants are ISO3 codes, some in lower case or with blanks; the old ROM for Romania and
    # CSK for Czechoslovakia are in the crosswalk
    ccode = to_ccode(code[keep], scheme="iso3", date=pd.Series(when), where=f"joint_military_exercises, file {path.name}",
                     extra={"ROM": 360}, rows=row[keep] + 2)
    host_text = _text(raw, "Which state hosted the exercise?")
    hosts = host_text.dropna().str.split(r"\s*;\s*").explode()
    host_ccode = pd.Series(to_ccode(hosts.to_numpy(), scheme="auto", where=f"joint_military_exercises, file {path.name}, "
                                    "column 'Which state hosted the exercise?'", rows=hosts.index.to_numpy() + 2),
                           index=hosts.index)
    long = pd.DataFrame({"row": row[keep], "ccode": ccode}).drop_duplicates(ignore_index=True)
    host_pairs = pd.DataFrame({"row": host_ccode.index.to_numpy(), "ccode": host_ccode.to_numpy(), "is_host": True})
    long = long.merge(host_pairs.drop_duplicates(["row", "ccode"]), on=["row", "ccode"], how="left")
    long["is_host"] = long["is_host"].fillna(False).astype(bool)
    out = frame.iloc[long["row"].to_numpy()].reset_index(drop=True)
    out["ccode"] = long["ccode"].to_numpy()
    out["is_host"] = long["is_host"].to_numpy()
    return out.sort_values(["start_year", "exercise_id", "ccode"], ignore_index=True)


JOINT_MILITARY_EXERCISES = register(Source(
    name="joint_military_exercises", folder="military_exercises", files=("jme_v3.csv.gz",), version="3",
    publisher="Vito D'Orazio", citation=JME_CITATION, terms=EXERCISE_TERMS,
    first_year=1974, last_year=2010, code_scheme="iso3",
    description="Joint Military Exercises v3 (raw coding sheet), one row per exercise x participating state "
                "(COW ccode): sheet row as exercise id, name, start year and day, end day, type (FTX/CPX) and "
                "whether the state hosted.",
    reader=_read_jme, schema=schemas.JOINT_MILITARY_EXERCISES, key=("exercise_id", "ccode"), urls={},
))


# ---------------------------------------------------------------- visits of US defence officials

TROOPDATA_CITATION = ("Allen, Michael A., Michael E. Flynn, and Carla Martinez Machain. 2022. \"Global U.S. Military "
                      "Deployment Data: 1950-2020.\" Conflict Management and Peace Science 39(3): 351-370. Data "
                      "from the R package troopdata (Flynn), file data-raw/visits_dod_officials.csv.")

#: Visited places in the visits file that are not COW states: US territories (domestic travel),
#: other dependencies, and Antarctica. "GNL" is the file's code for Greenland (Narsarsuaq).
DOD_NON_STATES: frozenset[str] = frozenset({
    "GUM", "VIR", "Saint Thomas", "Wake Island", "GUF", "HKG", "GNL", "Antarctica",
})
#: Visited places the file names by city: Nassau is the capital of the Bahamas.
DOD_PLACES = {"Nassau": 31}


def _read_dod_visits(paths: dict[str, Path]) -> pd.DataFrame:
    path = paths["visits_dod_officials.csv"]
    cols = ["Title", "Name", "Start Day", "Start Month", "Start Year", "City Visited", "State Visit", "End Day",
            "End Month", "End Year"]
    raw = read_csv(path, required=cols)
    n = {c: _int(raw, c, path=path) for c in cols if c.startswith(("Start ", "End "))}
    start = pd.to_datetime(pd.DataFrame({"year": n["Start Year"], "month": n["Start Month"], "day": n["Start Day"]}),
                           errors="coerce")
    if start.isna().any():
        pos = int(np.flatnonzero(start.isna().to_numpy())[0])
        raise DataFileError("impossible start day", path=path, column="Start Day", row=pos + 2)
    end = pd.to_datetime(pd.DataFrame({"year": n["End Year"], "month": n["End Month"], "day": n["End Day"]}),
                         errors="coerce")
    # one trip (Nassau, 1994) ends before it starts: its end day is unknown, not negative
    end = end.mask(end < start)
    place = _text(raw, "State Visit")
    keep = ~place.isin(DOD_NON_STATES).to_numpy()
    out = pd.DataFrame({
        "visit_id": np.arange(1, len(raw) + 1),  # the data row of the file
        "start_date": start.astype("datetime64[ns]"),
        "end_date": end.astype("datetime64[ns]"),
        "city": _text(raw, "City Visited"),
        "title": _text(raw, "Title"),
        "name": _text(raw, "Name"),
    })[keep].reset_index(drop=True)
    # hosts are ISO3 codes, except a few written as names (Kosovo) - hence scheme "auto"
    out.insert(1, "ccode", to_ccode(place[keep].to_numpy(), scheme="auto", date=out["start_date"],
                                    where=f"dod_visits, file {path.name}", extra=DOD_PLACES,
                                    rows=np.flatnonzero(keep) + 2))
    return out


DOD_VISITS = register(Source(
    name="dod_visits", folder="us_military_presence", files=("visits_dod_officials.csv",), version="troopdata 1.0.4.9000",
    publisher="troopdata (Flynn)", citation=TROOPDATA_CITATION,
    terms="troopdata package GPL (>= 3); provenance of this file inside the package is undocumented (exploratory).",
    first_year=1992, last_year=2012, code_scheme="iso3",
    description="Foreign trips of senior US defence officials (service secretaries, Marine Corps commandant, "
                "PACOM/STRATCOM commanders), one row per official x visited state: COW ccode of the host, "
                "start and end dates, city, title and name.",
    reader=_read_dod_visits, schema=schemas.DOD_VISITS, key=("visit_id",), urls={},
))


# ---------------------------------------------------------------- UN General Assembly roll calls ({unvotes})

UNVOTES_CITATION = ("Voeten, Erik. 2013. \"Data and Analyses of Voting in the UN General Assembly.\" In Routledge "
                    "Handbook of International Organization, ed. Bob Reinalda. Data: Voeten, Strezhnev & Bailey, "
                    "\"United Nations General Assembly Voting Data\", Harvard Dataverse, hdl:1902.1/12379; via the R "
                    "package unvotes 0.3.0 (Robinson).")
UNVOTES_TERMS = "Dataverse data CC0; the unvotes package is MIT."
#: States whose name the file keeps after they merged: ccode -> (first day of the successor, its ccode).
UNVOTES_MERGED: dict[int, tuple[pd.Timestamp, int]] = {678: (pd.Timestamp("1990-05-22"), 679)}


def _roll_call_dates(path: Path) -> pd.DataFrame:
    raw = read_csv(path, required=["rcid", "session", "importantvote", "date", "unres", "amend", "para", "short",
                                   "descr"])
    return pd.DataFrame({
        "rcid": _int(raw, "rcid", path=path),
        "session": _int(raw, "session", path=path),
        "is_important": _int(raw, "importantvote", path=path, nullable=True),
        "vote_date": to_date(raw, "date", path=path),
        "unres": _text(raw, "unres"),
        "is_amendment": _int(raw, "amend", path=path, nullable=True),
        "is_paragraph": _int(raw, "para", path=path, nullable=True),
        "short": _text(raw, "short"),
        "descr": _text(raw, "descr"),
    })


def _read_un_roll_calls(paths: dict[str, Path]) -> pd.DataFrame:
    return _roll_call_dates(paths["un_roll_calls.csv.gz"]).sort_values("rcid", ignore_index=True)


def _read_un_votes(paths: dict[str, Path]) -> pd.DataFrame:
    path = paths["un_votes.csv.gz"]
    # "NA" is Namibia's ISO code, not a missing value: read the codes as written
    raw = read_csv(path, required=["rcid", "country", "country_code", "vote"], keep_default_na=False,
                   na_values={"rcid": [""], "vote": [""], "country": [""]})
    rcid = _int(raw, "rcid", path=path)
    calls = _roll_call_dates(paths["un_roll_calls.csv.gz"]).set_index("rcid")["vote_date"]
    unknown = ~rcid.isin(calls.index)
    if unknown.any():
        pos = int(np.flatnonzero(unknown.to_numpy())[0])
        raise DataFileError(f"roll call {rcid.iloc[pos]} is not in un_roll_calls.csv.gz", path=path, column="rcid",
                            row=pos + 2)
    when = pd.Series(calls.reindex(rcid.to_numpy()).to_numpy())
    code = raw["country_code"].astype("str").str.strip()
    # three states have no ISO 3166 alpha-2 code in the file (German Federal Republic, Yemen Arab
    # Republic, Zanzibar): for them the name is used
    by_name = code.eq("").to_numpy()
    where = f"un_votes, file {path.name}"
    ccode = np.zeros(len(raw), dtype=np.int64)
    lines = np.arange(2, len(raw) + 2)
    ccode[~by_name] = to_ccode(code[~by_name].to_numpy(), scheme="iso2", date=when[~by_name], where=where,
                               rows=lines[~by_name])
    if by_name.any():
        ccode[by_name] = to_ccode(raw["country"][by_name].to_numpy(), scheme="name", date=when[by_name], where=where,
                                  rows=lines[by_name])
    # the file keeps the name "Yemen Arab Republic" for unified Yemen in session 45 (84 votes after
    # unification): a vote cast after the merger is the successor's
    for merged, (day, successor) in UNVOTES_MERGED.items():
        ccode[(ccode == merged) & (when >= day).to_numpy()] = successor
    out = pd.DataFrame({"rcid": rcid, "ccode": ccode, "vote": _text(raw, "vote"), "vote_date": when.to_numpy()})
    return out.sort_values(["rcid", "ccode"], ignore_index=True)


UN_ROLL_CALLS = register(Source(
    name="un_roll_calls", folder="un_voting", files=("un_roll_calls.csv.gz",), version="unvotes 0.3.0",
    publisher="Erik Voeten (Harvard Dataverse) via unvotes", citation=UNVOTES_CITATION, terms=UNVOTES_TERMS,
    first_year=1946, last_year=2020, code_scheme="none",
    description="UN General Assembly roll calls 1946-2020: id, session, US State Department 'important vote' "
                "flag, date, resolution number, amendment / paragraph flags, short and long descriptions.",
    reader=_read_un_roll_calls, schema=schemas.UN_ROLL_CALLS, key=("rcid",), urls={},
))

UN_VOTES = register(Source(
    name="un_votes", folder="un_voting", files=("un_votes.csv.gz", "un_roll_calls.csv.gz"), version="unvotes 0.3.0",
    publisher="Erik Voeten (Harvard Dataverse) via unvotes", citation=UNVOTES_CITATION, terms=UNVOTES_TERMS,
    first_year=1946, last_year=2020, code_scheme="iso2",
    description="UN General Assembly roll-call votes 1946-2020, one row per roll call x voting state (COW ccode, "
                "from ISO alpha-2 on the vote's date): vote yes / no / abstain (absences are not recorded).",
    reader=_read_un_votes, schema=schemas.UN_VOTES, key=("rcid", "ccode"), urls={},
))


# ---------------------------------------------------------------- FBIC (18-country subset)

FBIC_CITATION = ("Moyer, Jonathan D., Collin J. Meisel, Austin S. Matthews, David K. Bohl, and Mathew J. Burrows. "
                 "2021. \"China-US Competition: Measuring Global Influence.\" Atlantic Council / Frederick S. Pardee "
                 "Center for International Futures. FBIC data: https://korbel.du.edu/pardee/content/"
                 "formal-bilateral-influence-capacity-fbic (18-country subset from the Saptow/T5G1 repository).")
#: ISO3 codes in the FBIC subset that are not COW states.
FBIC_NON_STATES: frozenset[str] = frozenset({"HKG"})
FBIC_MEASURES = ("exportsallgoodatob_alldata", "importsallgoodafromb_alldata", "totaltradeawithb", "totaltradeabgdpb",
                 "fbic", "bandwidth", "dependence", "norm_lor_avg", "tradeagreementindex", "norm_allianceindex",
                 "securitybandwidth", "securitydependence", "maritime_connectivity")


def _read_fbic_subset(paths: dict[str, Path]) -> pd.DataFrame:
    path = paths["fbic_18country_subset_1999_2023.csv.gz"]
    raw = read_csv(path, required=["iso3a", "iso3b", "year", *FBIC_MEASURES])
    a, b = _text(raw, "iso3a"), _text(raw, "iso3b")
    keep = ~(a.isin(FBIC_NON_STATES) | b.isin(FBIC_NON_STATES)).to_numpy()
    year = _int(raw, "year", path=path)[keep].reset_index(drop=True)
    where = f"fbic_subset, file {path.name}"
    out = pd.DataFrame({
        "ccode1": to_ccode(a[keep].to_numpy(), scheme="iso3", date=year.to_numpy(), where=where,
                           rows=np.flatnonzero(keep) + 2),
        "ccode2": to_ccode(b[keep].to_numpy(), scheme="iso3", date=year.to_numpy(), where=where,
                           rows=np.flatnonzero(keep) + 2),
        "year": year,
    })
    for column in FBIC_MEASURES:
        values = pd.to_numeric(raw[column], errors="coerce")
        bad = values.isna() & raw[column].notna()
        if bad.any():
            pos = int(np.flatnonzero(bad.to_numpy())[0])
            raise DataFileError(f"non-numeric value {raw[column].iloc[pos]!r}", path=path, column=column, row=pos + 2)
        out[column] = values[keep].astype(float).reset_index(drop=True)
    return out.sort_values(["ccode1", "ccode2", "year"], ignore_index=True)


FBIC_SUBSET = register(Source(
    name="fbic_subset", folder="fbic", files=("fbic_18country_subset_1999_2023.csv.gz",), version="FBIC (2023 release)",
    publisher="Frederick S. Pardee Center for International Futures", citation=FBIC_CITATION,
    terms="No licence file in the source repository; research use with attribution to the Pardee Center.",
    first_year=1999, last_year=2023, code_scheme="iso3",
    description="Formal Bilateral Influence Capacity, directed dyad-years among 17 states (18 minus Hong Kong), "
                "1999-2023: ccode1 = influencer A, ccode2 = target B; trade, FBIC, bandwidth, dependence, "
                "diplomatic representation, trade-agreement and alliance indices (maritime_connectivity was added "
                "by the repository's authors, not FBIC). Not a full FBIC panel: a subset for exploration.",
    reader=_read_fbic_subset, schema=schemas.FBIC_SUBSET, key=("ccode1", "ccode2", "year"), urls={},
))
