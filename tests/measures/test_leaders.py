"""leaders_on() and add_leader_ties() on the real Archigos file, and their errors.

Oracles: dates stated by hand from the Archigos file (Bush from 2001-01-21, Blair from 1997-05-02 ...)
with day counts from the standard library's ``datetime.date``, and a brute-force loop over the raw
CSV read with plain pandas, never the loader or the code under test.
"""

from __future__ import annotations

import datetime as dt
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from coalitionlab.errors import CoverageError, MissingValueWarning, PanelTypeError, StaleDataWarning
from coalitionlab.measures import add_leader_ties, leaders_on

COLS = ["leader_overlap_years", "leader_tenure_candidate", "lead_leader_tenure"]


def years(later: dt.date, earlier: dt.date) -> float:
    return (later - earlier).days / 365.25


def panel(rows: list[tuple[int, int, str | None]]) -> pd.DataFrame:
    """(lead, candidate, day) rows as a coalition x candidate panel."""
    return pd.DataFrame({"coalition_id": [f"c{i}" for i in range(len(rows))],
                         "lead_ccode": [r[0] for r in rows], "ccode": [r[1] for r in rows],
                         "start_date": pd.to_datetime([r[2] for r in rows])})


def quiet(df: pd.DataFrame, data_dir: Path, **kw) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # these panels are inside coverage: no warning expected
        return add_leader_ties(df, data_dir=data_dir, **kw)


# ---------------------------------------------------------------- leaders_on


def test_leaders_on_iraq_war_start(shared_data: Path) -> None:
    df = leaders_on("2003-03-20", shared_data)
    assert list(df.columns) == ["ccode", "leader_id", "leader", "in_office_since"]
    got = df.set_index("ccode")
    assert got.loc[2, "leader"] == "G.W. Bush" and got.loc[2, "in_office_since"] == pd.Timestamp("2001-01-21")
    assert got.loc[200, "leader"] == "Blair" and got.loc[200, "in_office_since"] == pd.Timestamp("1997-05-02")
    assert got.loc[255, "leader"] == "Schroder"  # unified Germany: GW 260 in the file, COW 255
    assert got.loc[220, "leader"] == "Chirac"
    assert not df["ccode"].duplicated().any()
    assert 260 not in got.index and 221 not in got.index  # West Germany gone; Monaco not in Archigos


def test_leaders_on_hand_overs(shared_data: Path) -> None:
    def leader(day: str, ccode: int) -> str:
        return leaders_on(day, shared_data).set_index("ccode").loc[ccode, "leader"]

    assert leader("1989-01-20", 2) == "G.H.W. Bush"  # Reagan ends and Bush starts that day: the later-entering one
    assert leader("1989-01-19", 2) == "Reagan"
    assert leader("2001-01-20", 2) == "Clinton"  # Archigos starts G.W. Bush the day after
    assert leader("1997-05-02", 200) == "Blair"
    assert leader("1941-10-09", 95) == "Guardia, R."  # two spells start that day; the one-day interim is first
    assert leader("1995-06-01", 255) == "Kohl" and leader("1989-06-01", 260) == "Kohl"


def test_leaders_on_errors(shared_data: Path) -> None:
    for bad in ("2003-13-45", "yesterday"):
        with pytest.raises(CoverageError, match="cannot read date") as info:
            leaders_on(bad, shared_data)
        assert "\n" not in str(info.value)
    for outside in ("2016-01-01", "1874-12-31"):
        with pytest.raises(CoverageError, match="outside Archigos") as info:
            leaders_on(outside, shared_data)
        assert "\n" not in str(info.value)


# ---------------------------------------------------------------- add_leader_ties


def test_hand_computed_overlap_us_uk(shared_data: Path) -> None:
    out = quiet(panel([(2, 200, "2003-03-20"), (200, 2, "2003-03-20")]), shared_data)
    day = dt.date(2003, 3, 20)
    bush, blair = dt.date(2001, 1, 21), dt.date(1997, 5, 2)
    assert (day - bush).days == 788
    assert out["leader_overlap_years"].tolist() == pytest.approx([788 / 365.25] * 2, abs=1e-12)
    assert out["leader_tenure_candidate"].tolist() == pytest.approx([years(day, blair), years(day, bush)], abs=1e-12)
    assert out["lead_leader_tenure"].tolist() == pytest.approx([years(day, bush), years(day, blair)], abs=1e-12)


def test_overlap_is_the_shorter_tenure_and_zero_on_the_first_day(shared_data: Path) -> None:
    out = quiet(panel([(2, 200, "1989-01-20"), (2, 255, "1995-06-01"), (2, 260, "1989-06-01")]), shared_data)
    # G.H.W. Bush's first day: overlap and his tenure 0, Thatcher's tenure since 1979-05-04
    assert out.loc[0, "leader_overlap_years"] == 0.0 and out.loc[0, "lead_leader_tenure"] == 0.0
    assert out.loc[0, "leader_tenure_candidate"] == pytest.approx(years(dt.date(1989, 1, 20), dt.date(1979, 5, 4)))
    # Kohl (from 1982-10-01) across the code change: his tenure runs on in COW 255
    kohl = dt.date(1982, 10, 1)
    assert out.loc[1, "leader_tenure_candidate"] == pytest.approx(years(dt.date(1995, 6, 1), kohl))
    assert out.loc[1, "leader_overlap_years"] == pytest.approx(years(dt.date(1995, 6, 1), dt.date(1993, 1, 20)))
    assert out.loc[2, "leader_tenure_candidate"] == pytest.approx(years(dt.date(1989, 6, 1), kohl))
    # the overlap is never longer than either tenure
    assert (out["leader_overlap_years"] <= out[["leader_tenure_candidate", "lead_leader_tenure"]].min(axis=1)).all()


def test_states_that_did_not_exist_are_nan(shared_data: Path) -> None:
    out = quiet(panel([
        (2, 255, "1970-06-01"),   # Germany (255) did not exist in 1970
        (2, 260, "1995-06-01"),   # West Germany (260) did not exist after 1990
        (2, 260, "1950-06-01"),   # Adenauer is in Archigos, but COW's 260 joins the system in 1955
        (2, 317, "1990-06-01"),   # Slovakia before 1993
        (2, 221, "2003-03-20"),   # Monaco existed but has no leader in Archigos
        (2, 2, "2003-03-20"),     # the lead itself: no overlap with itself
    ]), shared_data)
    assert out["leader_overlap_years"].isna().all()
    assert out["leader_tenure_candidate"].iloc[:5].isna().all()
    assert out["leader_tenure_candidate"].iloc[5] == pytest.approx(years(dt.date(2003, 3, 20), dt.date(2001, 1, 21)))
    assert out["lead_leader_tenure"].notna().all()  # the lead's leader is known on every one of these days


def test_outside_coverage_is_nan_with_a_warning(shared_data: Path) -> None:
    df = panel([(2, 200, "2016-06-01"), (2, 200, "1870-06-01"), (2, 200, "2015-12-31"), (2, 200, "1875-01-01")])
    with pytest.warns(StaleDataWarning) as record:
        out = add_leader_ties(df, data_dir=shared_data)
    messages = " | ".join(str(w.message) for w in record)
    assert "after its end" in messages and "before its start" in messages
    assert out.loc[:1, COLS].isna().all().all()
    assert out.loc[2:, "lead_leader_tenure"].notna().all()  # the coverage's first and last days count
    assert out.loc[2, "leader_overlap_years"] == pytest.approx(years(dt.date(2015, 12, 31), dt.date(2010, 5, 11)))
    assert out.attrs["leaders"]["rows_outside_coverage"] == 2


def test_brute_force_against_the_raw_file(shared_data: Path) -> None:
    """Random (lead, candidate, day) rows against a per-row loop over the raw CSV (states whose GW and COW
    codes agree and that were system members throughout 1960-2015)."""
    raw = pd.read_csv(shared_data / "peacesciencer" / "archigos.csv.gz")
    states = [2, 20, 200, 210, 220, 230, 325, 900]
    rng = np.random.default_rng(20240611)
    n = 300
    lead = rng.choice(states, n)
    cand = rng.choice(states, n)
    first, last = dt.date(1960, 1, 1).toordinal(), dt.date(2015, 12, 31).toordinal()
    days = [dt.date.fromordinal(int(d)) for d in rng.integers(first, last + 1, n)]
    out = quiet(panel([(int(a), int(b), d.isoformat()) for a, b, d in zip(lead, cand, days)]), shared_data)

    spells = {gw: [(dt.date.fromisoformat(s), dt.date.fromisoformat(e))
                   for s, e in zip(raw.loc[raw["gwcode"] == gw, "startdate"], raw.loc[raw["gwcode"] == gw, "enddate"])]
              for gw in states}

    def since(gw: int, day: dt.date) -> dt.date | None:
        best = None
        for s, e in spells[gw]:
            if s <= day <= e and (best is None or (s, e) > best):
                best = (s, e)
        return None if best is None else best[0]

    for i, (a, b, d) in enumerate(zip(lead, cand, days)):
        sa, sb = since(int(a), d), since(int(b), d)
        want_a = np.nan if sa is None else years(d, sa)
        want_b = np.nan if sb is None else years(d, sb)
        want_o = np.nan if sa is None or sb is None or a == b else years(d, max(sa, sb))
        assert out.loc[i, COLS].tolist() == pytest.approx([want_o, want_b, want_a], nan_ok=True, abs=1e-12), (a, b, d)


def test_year_column_means_first_of_january(shared_data: Path) -> None:
    df = pd.DataFrame({"lead_ccode": [2], "ccode": [200], "year": [2000]})
    out = quiet(df, shared_data, date_col="year")
    # 1 January 2000: Clinton since 1993-01-20, Blair since 1997-05-02
    assert out.loc[0, "leader_overlap_years"] == pytest.approx(years(dt.date(2000, 1, 1), dt.date(1997, 5, 2)))


def test_panel_errors_and_missing_values(shared_data: Path) -> None:
    df = panel([(2, 200, "2003-03-20")])
    with pytest.raises(PanelTypeError, match="lead_ccode") as info:
        add_leader_ties(df.drop(columns="lead_ccode"), data_dir=shared_data)
    assert "\n" not in str(info.value)
    bad = df.astype({"start_date": object})
    bad.loc[0, "start_date"] = "2003-02-30"
    with pytest.raises(PanelTypeError, match="not a date") as info:
        add_leader_ties(bad, data_dir=shared_data)
    assert "\n" not in str(info.value)
    text = df.astype({"ccode": object})
    text.loc[0, "ccode"] = "UK"
    with pytest.raises(PanelTypeError, match="COW ccodes"):
        add_leader_ties(text, data_dir=shared_data)
    with pytest.raises(PanelTypeError, match="DataFrame"):
        add_leader_ties([1, 2], data_dir=shared_data)  # type: ignore[arg-type]
    gap = panel([(2, 200, "2003-03-20"), (2, 200, None)])
    with pytest.warns(MissingValueWarning, match="1 row"):
        out = add_leader_ties(gap, data_dir=shared_data)
    assert out.loc[1, COLS].isna().all() and out.loc[0, COLS].notna().all()


def test_input_untouched_and_attrs(shared_data: Path) -> None:
    df = panel([(2, 200, "2003-03-20")])
    df.attrs = {"unit": "coalition_candidate", "sources": ["cow_states"]}
    before = df.copy()
    out = quiet(df, shared_data)
    pd.testing.assert_frame_equal(df, before)
    assert list(df.columns) == list(before.columns)
    assert out.attrs["unit"] == "coalition_candidate"
    assert out.attrs["sources"] == ["cow_states", "archigos_leaders"]
    meta = out.attrs["leaders"]
    assert meta["version"] == "4.1" and meta["coverage"] == ["1875-01-01", "2015-12-31"]
    assert "not a measure of personal ties" in meta["note"]
