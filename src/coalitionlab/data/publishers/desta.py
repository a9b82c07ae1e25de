"""DESTA 02_02 trade agreements (Dür, Baccini & Elsig): treaties, members, dyads and withdrawals,
ISO numeric codes mapped to COW through the crosswalk. Quirks: ``docs/data/sources_named.md``.

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

from coalitionlab.data import schemas_named
from coalitionlab.data.countries import to_ccode
from coalitionlab.data.publishers._readers import int_column, order_dyads, read_csv, text_column
from coalitionlab.data.registry import Source, register
from coalitionlab.errors import DataFileError

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
        "number": text_column(raw, "number"),
        "base_treaty": int_column(raw, "base_treaty", path=path),
        "name": text_column(raw, "name"),
        "consolidated": int_column(raw, "consolidated", path=path),
        "entry_force_year": int_column(raw, "entryforceyear", path=path, nullable=True),
        "language": text_column(raw, "language"),
        "typememb": int_column(raw, "typememb", path=path, nullable=True),
        "regioncon": text_column(raw, "regioncon"),
        "wto_listed": int_column(raw, "wto_listed", path=path, nullable=True),
        "wto_name": text_column(raw, "wto_name"),
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
        "entry_type": text_column(raw, "entry_type"),
        "signature_year": int_column(raw, "year", path=path, nullable=True),
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
    iso1 = int_column(raw, "iso1", path=path)
    iso2 = int_column(raw, "iso2", path=path)
    year = int_column(raw, "year", path=path)
    keep = ~(iso1.isin(list(DESTA_NON_STATES)) | iso2.isin(list(DESTA_NON_STATES))).to_numpy()
    where = f"desta, file {path.name}"
    lines = np.flatnonzero(keep) + 2  # the file's line numbers (header = line 1)
    c1 = _desta_ccode(iso1[keep], year[keep], where=where, rows=lines)
    c2 = _desta_ccode(iso2[keep], year[keep], where=where, rows=lines)
    out = pd.DataFrame({
        **{k: v[keep].reset_index(drop=True) for k, v in _desta_common(raw, path=path).items()},
        "entry_type": text_column(raw, "entry_type")[keep].reset_index(drop=True),
        year_column: year[keep].reset_index(drop=True),
    })
    if directed:  # withdrawals: country1 is the state that withdraws, country2 its former partner
        out.insert(0, "ccode2", c2)
        out.insert(0, "ccode1", c1)
        return out
    return order_dyads(out, c1, c2, path=path)


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
    _read_desta_treaties, schemas_named.DESTA_TREATIES, ("number",))

DESTA_MEMBERS = _desta_source(
    "desta_members", ("desta_list_of_treaties_02_02.csv.gz",),
    "DESTA trade agreements, one row per treaty event x member state (COW ccode) with DESTA's membership "
    "role code (0 member of bilateral/plurilateral or third country, 1 plurilateral side / accessing "
    "country, 2/3 member of regional agreement A/B).",
    _read_desta_members, schemas_named.DESTA_MEMBERS, ("number", "ccode"))

DESTA_DYADS = _desta_source(
    "desta_dyads", ("desta_list_of_treaties_02_02_dyads.csv.gz",),
    "DESTA trade agreements, one row per undirected state dyad (ccode1 < ccode2) per treaty event "
    "(base treaty, accession, consolidated version), with signature and entry-into-force years.",
    _read_desta_dyads, schemas_named.DESTA_DYADS, ("ccode1", "ccode2", "number"))

DESTA_WITHDRAWALS = _desta_source(
    "desta_withdrawals", ("desta_dyadic_withdrawal_02_02.csv.gz",),
    "DESTA dyads dissolved by a withdrawal event, 1973-2020, directed: ccode1 is the state that "
    "withdraws, ccode2 a former partner (both directions appear when both withdraw in one event).",
    _read_desta_withdrawals, schemas_named.DESTA_WITHDRAWALS, ("ccode1", "ccode2", "number"))
