"""UN General Assembly voting: the ideal points of Bailey, Strezhnev and Voeten (COW-coded) and the
roll calls and votes of {unvotes} (ISO alpha-2, mapped through the crosswalk). Quirks:
``docs/data/sources.md`` (ideal points) and ``docs/data/sources_named.md`` (votes).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from coalitionlab.data import schemas, schemas_named
from coalitionlab.data.countries import to_ccode
from coalitionlab.data.publishers._readers import floats, int_column, integers, read_csv, text_column, texts
from coalitionlab.data.registry import Source, register, to_date
from coalitionlab.errors import DataFileError

# ---------------------------------------------------------------- UN General Assembly ideal points

_UN_QUANTILES = {"QO%All": "ideal_point_q00", "Q5%All": "ideal_point_q05", "Q10%All": "ideal_point_q10",
                 "Q50%All": "ideal_point_q50", "Q90%All": "ideal_point_q90", "Q95%All": "ideal_point_q95",
                 "Q100%All": "ideal_point_q100"}
_UN_AGREE = {"USAgree": "us_agree", "RUSSAgree": "russia_agree", "BrazilAgree": "brazil_agree",
             "ChinaAgree": "china_agree", "IndiaAgree": "india_agree", "IsraelAgree": "israel_agree"}


def _read_un_ideal_points(paths: dict[str, Path]) -> pd.DataFrame:
    path = paths["IdealpointestimatesAll_Jun2024.csv.gz"]
    raw = read_csv(path, required=["ccode", "session", "NVotesAll", "IdealPointAll", "iso3c", "Countryname",
                                   *_UN_QUANTILES, *_UN_AGREE])
    n = integers(raw, ["ccode", "session", "NVotesAll"], path=path)
    quantiles = floats(raw, list(_UN_QUANTILES), path=path)
    agree = floats(raw, list(_UN_AGREE), path=path)
    out = pd.DataFrame({
        "ccode": n["ccode"],
        "year": n["session"] + 1945,  # session n opens in September of 1945 + n
        "session": n["session"],
        **texts(raw, ["iso3c"]),
        "country_name": texts(raw, ["Countryname"])["Countryname"],
        "n_votes": n["NVotesAll"],
        "ideal_point": floats(raw, ["IdealPointAll"], path=path)["IdealPointAll"],
        **{_UN_QUANTILES[c]: v for c, v in quantiles.items()},
        **{_UN_AGREE[c]: v for c, v in agree.items()},
    })
    return out.sort_values(["ccode", "session"], kind="stable")


register(Source(
    name="un_ideal_points",
    folder="un_voting",
    files=("IdealpointestimatesAll_Jun2024.csv.gz",),
    version="June 2024",
    publisher="Erik Voeten, Anton Strezhnev and Michael Bailey (Harvard Dataverse)",
    citation="Bailey, Michael A., Anton Strezhnev, and Erik Voeten. 2017. \"Estimating Dynamic State "
             "Preferences from United Nations Voting Data.\" Journal of Conflict Resolution 61(2): 430-456; "
             "Voeten, Strezhnev and Bailey, \"United Nations General Assembly Voting Data\", Harvard Dataverse, "
             "hdl:1902.1/12379 (June 2024 release).",
    terms="CC0 (public domain); cite Bailey, Strezhnev and Voeten 2017.",
    first_year=1946,
    last_year=2023,
    code_scheme="cow",
    description="UNGA ideal points (all votes) by state-session 1-78 (year = 1945 + session), with the "
                "reported quantiles and the share of votes agreeing with the USA, Russia, Brazil, China, India "
                "and Israel.",
    reader=_read_un_ideal_points,
    schema=schemas.UN_IDEAL_POINTS,
    key=("ccode", "session"),
    urls={},
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
        "rcid": int_column(raw, "rcid", path=path),
        "session": int_column(raw, "session", path=path),
        "is_important": int_column(raw, "importantvote", path=path, nullable=True),
        "vote_date": to_date(raw, "date", path=path),
        "unres": text_column(raw, "unres"),
        "is_amendment": int_column(raw, "amend", path=path, nullable=True),
        "is_paragraph": int_column(raw, "para", path=path, nullable=True),
        "short": text_column(raw, "short"),
        "descr": text_column(raw, "descr"),
    })


def _read_un_roll_calls(paths: dict[str, Path]) -> pd.DataFrame:
    return _roll_call_dates(paths["un_roll_calls.csv.gz"]).sort_values("rcid", ignore_index=True)


def _read_un_votes(paths: dict[str, Path]) -> pd.DataFrame:
    path = paths["un_votes.csv.gz"]
    # "NA" is Namibia's ISO code, not a missing value: read the codes as written
    raw = read_csv(path, required=["rcid", "country", "country_code", "vote"], keep_default_na=False,
                   na_values={"rcid": [""], "vote": [""], "country": [""]})
    rcid = int_column(raw, "rcid", path=path)
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
    out = pd.DataFrame({"rcid": rcid, "ccode": ccode, "vote": text_column(raw, "vote"), "vote_date": when.to_numpy()})
    return out.sort_values(["rcid", "ccode"], ignore_index=True)


UN_ROLL_CALLS = register(Source(
    name="un_roll_calls", folder="un_voting", files=("un_roll_calls.csv.gz",), version="unvotes 0.3.0",
    publisher="Erik Voeten (Harvard Dataverse) via unvotes", citation=UNVOTES_CITATION, terms=UNVOTES_TERMS,
    first_year=1946, last_year=2020, code_scheme="none",
    description="UN General Assembly roll calls 1946-2020: id, session, US State Department 'important vote' "
                "flag, date, resolution number, amendment / paragraph flags, short and long descriptions.",
    reader=_read_un_roll_calls, schema=schemas_named.UN_ROLL_CALLS, key=("rcid",), urls={},
))

UN_VOTES = register(Source(
    name="un_votes", folder="un_voting", files=("un_votes.csv.gz", "un_roll_calls.csv.gz"), version="unvotes 0.3.0",
    publisher="Erik Voeten (Harvard Dataverse) via unvotes", citation=UNVOTES_CITATION, terms=UNVOTES_TERMS,
    first_year=1946, last_year=2020, code_scheme="iso2",
    description="UN General Assembly roll-call votes 1946-2020, one row per roll call x voting state (COW ccode, "
                "from ISO alpha-2 on the vote's date): vote yes / no / abstain (absences are not recorded).",
    reader=_read_un_votes, schema=schemas_named.UN_VOTES, key=("rcid", "ccode"), urls={},
))
