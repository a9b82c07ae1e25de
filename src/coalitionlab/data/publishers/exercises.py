"""Military exercises by Vito D'Orazio: Multinational Military Exercises v7 (names) and Joint
Military Exercises v3 (ISO3), mapped to COW through the crosswalk. Quirks:
``docs/data/sources_named.md``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from coalitionlab.data import schemas_named
from coalitionlab.data.countries import to_ccode
from coalitionlab.data.publishers._readers import int_column, read_csv, text_column
from coalitionlab.data.registry import Source, register
from coalitionlab.errors import DataFileError

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
    participant = text_column(raw, "participant")
    empty = participant.isna()
    if empty.any():
        raise DataFileError("empty participant", path=path, column="participant",
                            row=int(np.flatnonzero(empty.to_numpy())[0]) + 2)
    keep = ~participant.isin(MME_NON_STATES).to_numpy()
    out = pd.DataFrame({
        "exercise_id": text_column(raw, "MMEID"),
        "exercise_name": text_column(raw, "Ex_Name"),
        "series_name": text_column(raw, "Series_Name"),
        "start_year": int_column(raw, "s.year", path=path),
        "end_year": int_column(raw, "e.year", path=path),
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
    reader=_read_mme, schema=schemas_named.MILITARY_EXERCISES, key=("exercise_id", "ccode"), urls={},
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
        "exercise_name": text_column(raw, "Exercise Name").mask(lambda s: s.eq("-9")),
        "start_year": start_year.astype("Int64"),
        "start_date": start_date.astype("datetime64[ns]"),
        "end_date": end_date.astype("datetime64[ns]"),
        "jme_type": text_column(raw, "JME Type"),
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
    host_text = text_column(raw, "Which state hosted the exercise?")
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
    reader=_read_jme, schema=schemas_named.JOINT_MILITARY_EXERCISES, key=("exercise_id", "ccode"), urls={},
))
