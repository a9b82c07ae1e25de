"""{manytreaties} parties and agreements: the real files, read independently with plain pandas and regexes."""

from __future__ import annotations

import gzip
import re

import pandas as pd
import pytest

from coalitionlab.data import load, to_ccode
from coalitionlab.data.publishers import manytreaties as mt
from coalitionlab.errors import DataFileError

FILES = {"GGO": "parties_GGO.csv.gz", "IEADB": "parties_IEADB.csv.gz", "TFDD": "parties_TFDD.csv.gz",
         "GPTAD": "parties_GPTAD.csv", "DESTA": "parties_DESTA.csv.gz"}
AGREEMENTS = {"GGO": "agreements_GGO.csv.gz", "IEADB": "agreements_IEADB.csv.gz", "TFDD": "agreements_TFDD.csv.gz",
              "GPTAD": "agreements_GPTAD.csv", "DESTA": "agreements_DESTA.csv"}
# rows of each file, from the folder's README.md
README_PARTY_ROWS = {"GGO": 98_320, "IEADB": 15_463, "DESTA": 7_466, "GPTAD": 2_192, "TFDD": 1_832}
README_AGREEMENT_ROWS = {"GGO": 4_532, "IEADB": 3_583, "TFDD": 953, "GPTAD": 340, "DESTA": 987}


def _raw(shared_data, name: str) -> pd.DataFrame:
    return pd.read_csv(shared_data / "manytreaties" / name, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def parties(shared_data):
    return load("manytreaties_parties", shared_data)


@pytest.fixture(scope="module")
def agreements(shared_data):
    return load("manytreaties_agreements", shared_data)


def _row(df: pd.DataFrame, dataset: str, treaty: str, state: str, record: int | None = None) -> pd.Series:
    hit = df[(df.dataset == dataset) & (df.treaty_id == treaty) & (df.state_id == state)]
    if record is not None:
        hit = hit[hit.record == record]
    assert len(hit) == 1, hit
    return hit.iloc[0]


# ---------------------------------------------------------------- row counts


def _expected_party_rows(raw: pd.DataFrame, dataset: str) -> int:
    """The documented rules, on the raw strings: exact duplicate rows and empty stateIDs drop, and
    rows that agree in every output column are one (placeholders read as empty; ``?``/``~`` only
    survive as the precision of force and end dates)."""
    raw = raw.drop_duplicates()
    raw = raw[raw.stateID.str.strip() != ""]

    def col(name):
        return raw[name] if name in raw else pd.Series("", index=raw.index)

    def pick(own, treaty):
        return col(own).where(col(own) != "", col(treaty)) if own else col(treaty)

    def clean(s, keep_flag):
        year = pd.to_numeric(s.str[:4], errors="coerce")
        s = s.mask((year >= 2500) | (year < 1000), "")   # placeholders are no date
        return s if keep_flag else s.str.rstrip("?~")

    spec = {"GGO": (("StateSignature", "Signature"), "StateRatification", ("StateForce", "Force"), ("StateEnd", "End")),
            "IEADB": (("stateSignature", "Signature"), "Rat", ("Force", None), (None, "End")),
            "TFDD": ((None, "Signature"), None, (None, None), (None, None)),
            "GPTAD": ((None, "Signature"), None, (None, "Force"), (None, None)),
            "DESTA": ((None, "Signature"), None, ("Force", None), (None, None))}[dataset]
    sig, rat, force, end = spec
    force_own = col(force[0]) if force[0] else pd.Series("", index=raw.index)
    force_treaty = col(force[1]) if force[1] else pd.Series("", index=raw.index)
    key = pd.DataFrame({
        "t": raw.treatyID, "s": raw.stateID, "title": raw.Title,
        "sig": clean(pick(*sig), False), "rat": clean(col(rat) if rat else pd.Series("", index=raw.index), False),
        "force": clean(force_own.where(force_own != "", force_treaty), True),
        "from_treaty": (force_own == "") & (force_treaty != ""),
        "end": clean(pick(*end) if end[1] else pd.Series("", index=raw.index), True),
        "treaty_sig": clean(raw.Signature, False),
        "id": col({"IEADB": "ieadbID", "TFDD": "tfddID", "DESTA": "destaID"}.get(dataset, "_none")),
    })
    return len(key.drop_duplicates())


def test_party_rows_per_dataset(shared_data, parties):
    counts = parties.groupby("dataset").size().to_dict()
    for dataset, name in FILES.items():
        raw = _raw(shared_data, name)
        assert len(raw) == README_PARTY_ROWS[dataset], dataset
        assert counts[dataset] == _expected_party_rows(raw, dataset), dataset
    # the figures documented in docs/data/sources_named.md
    assert counts == {"GGO": 96_578, "IEADB": 15_463, "TFDD": 1_827, "GPTAD": 2_135, "DESTA": 7_455}
    assert list(parties.columns) == [
        "dataset", "treaty_id", "state_id", "ccode", "is_state", "title", "signature_date", "ratification_date",
        "force_date", "end_date", "force_precision", "end_precision", "force_from_treaty", "treaty_signature_date",
        "source_id", "record"]


def test_dropped_and_duplicate_party_rows(shared_data, parties):
    empty = {d: int((_raw(shared_data, f).drop_duplicates().stateID.str.strip() == "").sum()) for d, f in FILES.items()}
    assert empty == {"GGO": 0, "IEADB": 0, "TFDD": 1, "GPTAD": 53, "DESTA": 11}
    exact = {d: int(_raw(shared_data, f).duplicated().sum()) for d, f in FILES.items()}
    assert exact == {"GGO": 1_001, "IEADB": 0, "TFDD": 4, "GPTAD": 4, "DESTA": 0}
    # (dataset, treaty, state) is not unique in the files; record numbers the rows of one key
    assert not parties.duplicated(["dataset", "treaty_id", "state_id", "record"]).any()
    ggo = _raw(shared_data, "parties_GGO.csv.gz")
    assert ggo.drop_duplicates().duplicated(["treatyID", "stateID"]).sum() == 12_048
    first = parties.groupby(["dataset", "treaty_id", "state_id"]).record.agg(["min", "max", "size"])
    assert (first["min"] == 1).all() and (first["max"] == first["size"]).all()


def test_usa_in_ggo(shared_data, parties):
    raw = _raw(shared_data, "parties_GGO.csv.gz")
    assert (raw.stateID == "USA").sum() == 1_012  # README
    usa = parties[(parties.dataset == "GGO") & (parties.state_id == "USA")]
    assert len(usa) == _expected_party_rows(raw[raw.stateID == "USA"], "GGO") == 999
    assert (usa.ccode == 2).all() and usa.is_state.all()
    assert usa.treaty_id.nunique() == raw[raw.stateID == "USA"].treatyID.nunique()


def test_agreement_rows_per_dataset(shared_data, agreements):
    counts = agreements.groupby("dataset").size().to_dict()
    for dataset, name in AGREEMENTS.items():
        raw = _raw(shared_data, name)
        assert len(raw) == README_AGREEMENT_ROWS[dataset], dataset
        assert counts[dataset] == raw.treatyID.nunique(), dataset
        merged = agreements[agreements.dataset == dataset].set_index("treaty_id").n_records
        assert merged.sum() == len(raw) and (merged == raw.treatyID.value_counts().reindex(merged.index)).all()
    assert counts == {"GGO": 4_301, "IEADB": 3_583, "TFDD": 604, "GPTAD": 278, "DESTA": 932}
    assert list(agreements.columns) == [
        "dataset", "treaty_id", "title", "begin_date", "signature_date", "force_date", "end_date", "domain",
        "agreement_type", "ambit", "subject", "source_id", "n_records"]


# ---------------------------------------------------------------- known treaties, by hand


def test_known_party_rows(parties):
    # parties_GGO.csv.gz line 800:
    # USA,CAN-USA_1925A,Agreement Between The United States Of America And Canada To Regulate The Level Of Lake
    # Of The Woods,1925-02-24,9999-12-31,1925-02-24,1925-02-24,,1925-07-17,1925-07-17,,9999-12-31,Moral,...
    r = _row(parties, "GGO", "CAN-USA_1925A", "USA")
    assert r.ccode == 2 and r.is_state and not r.force_from_treaty
    assert r.signature_date == pd.Timestamp("1925-02-24") and r.force_date == pd.Timestamp("1925-07-17")
    assert pd.isna(r.end_date) and pd.isna(r.end_precision) and r.force_precision == "day"  # 9999-12-31: open end
    assert pd.isna(r.ratification_date)
    # line 5093: DEU,IRCJMC_1952A,...,1952-05-10,9999-12-31,1952-05-10,1952-05-10,1972-10-06,1955-09-14,1973-04-06,,,
    # -> the Federal Republic (260) on its own entry into force 1973-04-06; no StateEnd, treaty End 9999 -> open
    r = _row(parties, "GGO", "IRCJMC_1952A", "DEU")
    assert r.ccode == 260 and r.force_date == pd.Timestamp("1973-04-06") and not r.force_from_treaty
    assert r.ratification_date == pd.Timestamp("1972-10-06") and pd.isna(r.end_date)
    # lines 5939-5942 are four rows of DEU in EEMPPO_1955E:EEMPPO_1951A (records 1-4 in file order); line 5940:
    # DEU,EEMPPO_1955E:EEMPPO_1951A,...,1955-04-27,1992-12-31,1955-04-27,1982-09-23,,1955-04-27,1982-09-23,,1992-12-31
    # -> the Federal Republic (260); line 5942: ...,1955-04-27,1999-09-15,1955-04-27,1999-09-15,,1955-04-27,1999-09-15,,
    # 1999-09-15 -> unified Germany (255)
    r = _row(parties, "GGO", "EEMPPO_1955E:EEMPPO_1951A", "DEU", record=2)
    assert r.ccode == 260 and r.signature_date == pd.Timestamp("1982-09-23")
    r = _row(parties, "GGO", "EEMPPO_1955E:EEMPPO_1951A", "DEU", record=4)
    assert r.ccode == 255 and r.end_date == pd.Timestamp("1999-09-15")
    # line 2444: DEU,GATT_1947O,GATT471947,1947-10-30,1996-01-01,1947-10-30,1951-10-01,,1948-01-01,,,1996-01-01,...
    # no StateForce: force falls back to the treaty's 1948-01-01; the state is read on its own signature (1951): 260
    r = _row(parties, "GGO", "GATT_1947O", "DEU")
    assert r.force_from_treaty and r.force_date == pd.Timestamp("1948-01-01") and r.ccode == 260
    # line 26351: AGO,WM04CP_1981R,...,1981-09..1981-10,2018-10,1981-09..1981-10,,,,,,2018-10,Tan,
    # a range signature starts on its last day; a month end ends on its first day
    r = _row(parties, "GGO", "WM04CP_1981R", "AGO")
    assert r.signature_date == pd.Timestamp("1981-10-31")
    assert r.end_date == pd.Timestamp("2018-10-01") and r.end_precision == "month"
    assert pd.isna(r.force_date) and pd.isna(r.force_precision) and not r.force_from_treaty
    # line 2: ESP,ESP-GBR_1351A,Treaty Between England And Castile,1351-08-01,1371-07-31,... before 1678 -> 1677-09-22
    r = _row(parties, "GGO", "ESP-GBR_1351A", "ESP")
    assert r.force_date == r.end_date == r.signature_date == mt.FIRST_DAY and r.force_precision == "day"
    # line 5093 above: the party signed when the treaty did (1952-05-10); GATT line 2444: treaty 1947-10-30
    assert _row(parties, "GGO", "IRCJMC_1952A", "DEU").treaty_signature_date == pd.Timestamp("1952-05-10")
    gatt = _row(parties, "GGO", "GATT_1947O", "DEU")
    assert gatt.treaty_signature_date == pd.Timestamp("1947-10-30") and gatt.signature_date == pd.Timestamp("1951-10-01")
    # parties_IEADB.csv.gz line 3: DNK,GD15FI_1901A,1901-06-24,,Convention ...,1901-06-24,1901-06-24,,2899-01-01,33
    r = _row(parties, "IEADB", "GD15FI_1901A", "DNK")
    assert r.ccode == 390 and r.signature_date == pd.Timestamp("1901-06-24") and pd.isna(r.force_date)
    assert r.source_id == "33"
    # parties_DESTA.csv.gz line 2: ZAF,ZAF-ZWE[RCU]_1948O,1948,South Africa Southern Rhodesia Customs Union,1948,1949,
    # South Africa,663 -> years start on their last day
    r = _row(parties, "DESTA", "ZAF-ZWE[RCU]_1948O", "ZAF")
    assert r.signature_date == pd.Timestamp("1948-12-31") and r.force_date == pd.Timestamp("1949-12-31")
    assert r.force_precision == "year" and r.ccode == 560 and r.source_id == "663"


def test_non_states_and_special_codes(parties):
    # parties_GGO.csv.gz line 1689: EUE,CFAOUN_1945A,Constitution Of The Food And Agriculture Organization ...
    r = _row(parties, "GGO", "CFAOUN_1945A", "EUE")
    assert pd.isna(r.ccode) and not r.is_state
    assert set(parties.loc[~parties.is_state, "state_id"]) <= set(mt.MANYTREATIES_NON_STATES)
    assert parties.loc[parties.is_state, "ccode"].notna().all()
    # composite codes and variants: hand-checked facts (South Sudan acceded to the UNFCCC, CBD and UNCCD
    # on 17 February 2014; the DPRK acceded to the Antarctic Treaty on 21 January 1987)
    assert _row(parties, "IEADB", "CD05DA_2014A", "SDN - SSD").ccode == 626
    assert _row(parties, "IEADB", "ANTRCT_1987A", "KOR - PRK").ccode == 731
    assert _row(parties, "GPTAD", "CEMAC_1994O", "GIN - GNQ").ccode == 411
    # Czechoslovakia under CZE: parties_GGO.csv.gz, AUT-CZE_1921A (1921)
    cze = parties[(parties.state_id == "CZE") & (parties.signature_date < "1993-01-01") & parties.force_date.isna()]
    assert len(cze) and (cze.ccode == 315).all()
    assert (parties[(parties.treaty_id == "AUT-CZE_1921A") & (parties.state_id == "CZE")].ccode == 315).all()
    # a code listed nowhere else in the crosswalk that names a historical state: the GDR
    assert _row(parties, "GGO", "INPPSO_1954A", "GDR").ccode == 265


def test_force_from_treaty_only_where_the_file_says(shared_data, parties):
    ieadb = parties[parties.dataset == "IEADB"]
    raw = _raw(shared_data, "parties_IEADB.csv.gz")
    # IEADB: every Force is present; the 1,159 placeholders (2899-/2999-01-01) are no date
    assert raw.Force.str.match(r"^(2899|2999)-01-01$").sum() == 1_159 == ieadb.force_date.isna().sum()
    assert not ieadb.force_from_treaty.any()
    assert not parties[parties.dataset.isin(["TFDD", "DESTA"])].force_from_treaty.any()
    assert parties.loc[parties.dataset == "TFDD", "force_date"].isna().all()  # TFDD has no force date
    gptad = parties[parties.dataset == "GPTAD"]
    assert (gptad.force_from_treaty == gptad.force_date.notna()).all()


# ---------------------------------------------------------------- messydates


def test_imprecise_dates_no_look_ahead():
    values = pd.Series(["2003", "2003-06", "2004-02", "1981-09..1981-10", "1964-XX-16", "2010-XX-XX-", "2020-99-99",
                        "1978-02-17?", "2011-01-01~", "1972-06-31?", "1976-06-31", "1351-08-01", "9999-12-31",
                        "2899-01-01", "0001-01-01", "0014-022005", "", "2026-12-12"])
    start, start_p = mt.parse_messydates(values, bound="start")
    end, end_p = mt.parse_messydates(values, bound="end")
    fmt = "%Y-%m-%d"
    assert start.dt.strftime(fmt).fillna("NaT").tolist() == [
        "2003-12-31", "2003-06-30", "2004-02-29", "1981-10-31", "1964-12-16", "2010-12-31", "2020-12-31",
        "1978-02-17", "2011-01-01", "1972-06-30", "1976-06-30", "1677-09-22", "NaT", "NaT", "NaT", "NaT", "NaT",
        "2026-12-12"]
    assert end.dt.strftime(fmt).fillna("NaT").tolist() == [
        "2003-01-01", "2003-06-01", "2004-02-01", "1981-09-01", "1964-01-16", "2010-01-01", "2020-01-01",
        "1978-02-17", "2011-01-01", "1972-06-01", "1976-06-01", "1677-09-22", "NaT", "NaT", "NaT", "NaT", "NaT",
        "2026-12-12"]
    assert start_p.fillna("NA").tolist() == end_p.fillna("NA").tolist() == [
        "year", "month", "month", "range", "year", "year", "year", "unknown", "unknown", "month", "month", "day",
        "NA", "NA", "NA", "NA", "NA", "day"]
    with pytest.raises(DataFileError, match="no known messydates format"):
        mt.parse_messydates(pd.Series(["2001-01-01", "{2001,2002}"]), bound="start", path="x.csv", column="Force")
    with pytest.raises(DataFileError, match="beyond 2261"):
        mt.parse_messydates(pd.Series(["2300-01-01"]), bound="end")


# every format in the date columns the loaders read, counted with plain regexes on the raw files
_PLAIN = [
    ("empty", r"^$"),
    ("placeholder", r"^0\d{3}"),                       # years below 1000 (0001-01-01, 0004, 0014-022005)
    ("sentinel", r"^(?:2[5-9]|[3-9]\d)\d\d-"),         # years 2500-9999
    ("before1678", r"^1(?:[0-5]\d\d|6[0-6]\d|67[0-7])-"),
    ("year", r"^\d{4}(?:-(?:XX|99)-(?:\d\d|XX|99)-?)?$"),
    ("unknown", r"^\d{4}-\d\d-\d\d[?~]$"),
    ("day", r"^\d{4}-\d\d-\d\d$"),
    ("month", r"^\d{4}-\d\d$"),
    ("range", r"^\d{4}(?:-\d\d){0,2}\.\.\d{4}(?:-\d\d){0,2}$"),
]
# (file, column) -> counts, as in the findings table of docs/data/sources_named.md
FORMAT_COUNTS = {
    ("parties_GGO.csv.gz", "Signature"): {"day": 96_330, "month": 1_653, "year": 211, "range": 116, "before1678": 10},
    ("parties_GGO.csv.gz", "StateSignature"): {"day": 78_994, "unknown": 50, "month": 814, "year": 266,
                                               "before1678": 10, "sentinel": 3, "empty": 18_183},
    ("parties_GGO.csv.gz", "StateRatification"): {"day": 28_759, "unknown": 81, "month": 13, "year": 15,
                                                  "sentinel": 137, "placeholder": 8, "empty": 69_307},
    ("parties_GGO.csv.gz", "Force"): {"day": 63_689, "before1678": 8, "sentinel": 3, "empty": 34_620},
    ("parties_GGO.csv.gz", "StateForce"): {"day": 61_472, "before1678": 8, "sentinel": 1_094, "empty": 35_746},
    ("parties_GGO.csv.gz", "End"): {"day": 18_330, "month": 232, "year": 21, "before1678": 4, "sentinel": 49_815,
                                    "empty": 29_918},
    ("parties_GGO.csv.gz", "StateEnd"): {"day": 16_612, "unknown": 2, "month": 234, "year": 27, "before1678": 4,
                                         "sentinel": 45_016, "empty": 36_425},
    ("parties_IEADB.csv.gz", "stateSignature"): {"day": 9_664, "sentinel": 2, "empty": 5_797},
    ("parties_IEADB.csv.gz", "Rat"): {"day": 9_978, "empty": 5_485},
    ("parties_IEADB.csv.gz", "Force"): {"day": 14_304, "sentinel": 1_159},
    ("parties_IEADB.csv.gz", "End"): {"day": 870, "empty": 14_593},
    ("parties_TFDD.csv.gz", "Signature"): {"day": 1_730, "empty": 102},
    ("parties_GPTAD.csv", "Force"): {"day": 1_907, "empty": 285},
    ("parties_DESTA.csv.gz", "Signature"): {"year": 6_836, "empty": 630},
    ("parties_DESTA.csv.gz", "Force"): {"year": 4_602, "empty": 2_864},
    ("agreements_GGO.csv.gz", "Force"): {"day": 2_916, "unknown": 16, "year": 9, "before1678": 4, "sentinel": 3,
                                         "placeholder": 1, "empty": 1_583},
    ("agreements_GGO.csv.gz", "End"): {"day": 770, "unknown": 8, "month": 3, "year": 3, "before1678": 2,
                                       "sentinel": 872, "empty": 2_874},
    ("agreements_IEADB.csv.gz", "Force"): {"day": 2_622, "sentinel": 20, "empty": 941},
    ("agreements_TFDD.csv.gz", "Signature"): {"day": 947, "placeholder": 1, "empty": 5},
}


def _plain_formats(values: pd.Series) -> dict[str, int]:
    out: dict[str, int] = {}
    for value in values:
        for name, pattern in _PLAIN:
            if re.search(pattern, value):
                out[name] = out.get(name, 0) + 1
                break
        else:
            out["other"] = out.get("other", 0) + 1
    return out


def test_every_date_format_is_known_and_counted(shared_data):
    for (name, column), expected in FORMAT_COUNTS.items():
        raw = _raw(shared_data, name)
        assert _plain_formats(raw[column].str.strip()) == expected, (name, column)
        # the loader's own classification agrees with the plain regexes
        assert mt.messydate_format(raw[column]).value_counts().to_dict() == expected, (name, column)


def test_placeholders_never_become_dates(shared_data, parties):
    ggo = parties[parties.dataset == "GGO"]
    assert ggo.end_date.dropna().dt.year.max() < 2100 and ggo.force_date.dropna().dt.year.max() < 2100
    # imprecise END dates sit on the first day of their period, imprecise STARTS on the last
    month_end = ggo[ggo.end_precision == "month"].end_date
    assert len(month_end) and (month_end.dt.day == 1).all()
    desta = parties[parties.dataset == "DESTA"]
    assert ((desta.force_date.dropna().dt.month == 12) & (desta.force_date.dropna().dt.day == 31)).all()


# ---------------------------------------------------------------- codes


def test_unknown_code_names_code_file_and_count(tmp_path):
    folder = tmp_path / "manytreaties"
    folder.mkdir()
    headers = {
        "GGO": "stateID,treatyID,Title,Begin,End,Signature,StateSignature,StateRatification,Force,StateForce,Term,"
               "StateEnd,Coder,Comments",
        "IEADB": "stateID,treatyID,Begin,End,Title,stateSignature,Signature,Rat,Force,ieadbID",
        "TFDD": "stateID,treatyID,Begin,Title,Signature,tfddID",
        "GPTAD": "stateID,treatyID,Begin,Title,Signature,Force",
        "DESTA": "stateID,treatyID,Begin,Title,Signature,Force,StateName,destaID",
    }
    rows = {
        "GGO": ["USA,CAN-USA_1925A,Lake Of The Woods,1925-02-24,,1925-02-24,1925-02-24,,1925-07-17,1925-07-17,,,x,",
                "ZZQ,CAN-USA_1925A,Lake Of The Woods,1925-02-24,,1925-02-24,1925-02-24,,1925-07-17,1925-07-17,,,x,",
                "ZZQ,USA_1930A,Other,1930-01-01,,1930-01-01,1930-01-01,,,,,,x,",
                "EUE,USA_1930A,Other,1930-01-01,,1930-01-01,1930-01-01,,,,,,x,"],
        "IEADB": ["ROU,ROU-RUS_1901A,1901-02-22,,Fishing,1901-02-22,1901-02-22,,1902-03-15,32"],
        "TFDD": ["PAK,IND-PAK_1960O,1960-09-19,Indus,1960-09-19,235"],
        "GPTAD": ["AUT,EC_1957A,1957-03-25,EC,1957-03-25,1958-01-01"],
        "DESTA": ["ZAF,ZAF-ZWE_1948O,1948,Customs Union,1948,1949,South Africa,663"],
    }
    for dataset, name in FILES.items():
        text = "\n".join([headers[dataset], *rows[dataset]]) + "\n"
        if name.endswith(".gz"):
            (folder / name).write_bytes(gzip.compress(text.encode()))
        else:
            (folder / name).write_text(text, encoding="utf-8")
    with pytest.raises(DataFileError) as info:
        load("manytreaties_parties", tmp_path, cache=False)
    message = str(info.value)
    assert "'ZZQ' (2)" in message and "parties_GGO.csv.gz" in message and "2 party row(s)" in message
    assert info.value.column == "stateID" and info.value.row == 3
    # listed as a non-state instead, the same file loads, with ZZQ's neighbour EUE at NA
    ggo = folder / "parties_GGO.csv.gz"
    ggo.write_bytes(gzip.compress(gzip.decompress(ggo.read_bytes()).replace(b"ZZQ", b"TKL")))
    out = load("manytreaties_parties", tmp_path, cache=False)
    assert out[out.state_id.isin(["TKL", "EUE"])].ccode.isna().all()
    assert _row(out, "GGO", "CAN-USA_1925A", "USA").ccode == 2


def test_crosswalk_additions_against_cow_states(shared_data):
    cow = pd.read_csv(shared_data / "cow_states" / "statelist2024.csv")
    abb = cow.groupby("ccode").stateabb.first()
    # code -> (ccode, a date inside the state's spell, COW abbreviation of that ccode)
    added = {"AUH": (300, 1900, "AUH"), "GDR": (265, 1970, "GDR"), "HSG": (275, 1850, "HSG"),
             "PRU": (255, 1850, "GMY"), "KOS": (347, 2010, "KOS"), "USR": (365, 1970, "RUS"),
             "YAR": (678, 1970, "YAR"), "YPR": (680, 1980, "YPR")}
    for code, (ccode, year, cow_abb) in added.items():
        assert int(to_ccode(code, scheme="iso3", date=year)) == ccode, code
        assert abb[ccode] == cow_abb, code
        spells = cow[cow.ccode == ccode]
        assert ((spells.styear <= year) & (spells.endyear >= year)).any(), code  # a system member that year
        if code == cow_abb:  # the code is COW's own abbreviation of the state
            assert code in set(cow.stateabb)
    # the source-specific codes point at COW states
    for code, (ccode, _why) in mt.MANYTREATIES_CODES.items():
        assert ccode in set(cow.ccode), code
    assert not set(mt.MANYTREATIES_CODES) & set(mt.MANYTREATIES_NON_STATES)


def test_agreements_known_rows(shared_data, agreements):
    # agreements_GGO.csv.gz: ESP-GBR_1351A,Treaty Between England And Castile,1351-08-01,1371-07-31,... Security,
    # Agreement,Bilateral,Europe,Peace
    r = agreements[(agreements.dataset == "GGO") & (agreements.treaty_id == "ESP-GBR_1351A")].iloc[0]
    assert (r.domain, r.agreement_type, r.ambit, r.subject) == ("Security", "Agreement", "Bilateral", "Peace")
    assert r.end_date == mt.FIRST_DAY and r.n_records == 1
    # TFDD: one row per basin in the file, one per treaty here; AFCNNR_2003A has 3 basin rows
    raw = _raw(shared_data, "agreements_TFDD.csv.gz")
    assert (raw.treatyID == "AFCNNR_2003A").sum() == 3
    r = agreements[(agreements.dataset == "TFDD") & (agreements.treaty_id == "AFCNNR_2003A")].iloc[0]
    assert r.n_records == 3 and r.signature_date == pd.Timestamp("2003-07-11") and pd.isna(r.force_date)
    # a colliding ID keeps the latest start and the earliest end of its rows (no look-ahead)
    gptad = _raw(shared_data, "agreements_GPTAD.csv")
    rows = gptad[gptad.treatyID == "ALB_2002O"]
    r = agreements[(agreements.dataset == "GPTAD") & (agreements.treaty_id == "ALB_2002O")].iloc[0]
    assert r.n_records == len(rows) == 2
    assert r.force_date == pd.to_datetime(rows.Force[rows.Force != ""]).max()
    # GPTAD has no type columns; DESTA no subject
    assert agreements.loc[agreements.dataset == "GPTAD", ["agreement_type", "ambit", "subject"]].isna().all().all()
    assert agreements.loc[agreements.dataset == "DESTA", "subject"].isna().all()
    assert agreements.loc[agreements.dataset != "GGO", "domain"].isna().all()
