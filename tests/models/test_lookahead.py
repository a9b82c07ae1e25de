"""No look-ahead in forecasts: predict and the temporal cv split train only on what was known then.

The oracle for the late joins is recomputed here from the shipped membership CSVs and the COW
state list, read with plain pandas (not through coalitionlab's readers or panel).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import coalitionlab.coalitions
from coalitionlab.cli.main import app
from coalitionlab.coalitions import coalition_panel
from coalitionlab.errors import CoverageError, MissingValueWarning
from coalitionlab.models import fit_participation
from coalitionlab.models.data import DEFAULT_FORMULA, participation_data
from coalitionlab.models.predict import predict_participation
from coalitionlab.models.validation import ParticipationClassifier, cross_validate

CSV_DIR = Path(coalitionlab.coalitions.__file__).parent / "data"
SENDING_ROLES = {"lead", "combat", "non_combat", "token", "medical", "gendarmerie"}  # the panel's default joined roles


def late_joins_from_the_files(cutoff: str, data_dir: Path) -> set[tuple[str, int]]:
    """(coalition, state) memberships of coalitions started by ``cutoff`` whose join date is after it,
    restricted to the rows a coalition x candidate panel holds: a sending role, joined before the
    coalition ended, not the lead, and a COW system member on the coalition's start date."""
    coal = pd.concat([pd.read_csv(f) for f in sorted(CSV_DIR.glob("coalitions_*.csv"))], ignore_index=True)
    mem = pd.concat([pd.read_csv(f) for f in sorted(CSV_DIR.glob("memberships_*.csv"))], ignore_index=True)
    m = mem.merge(coal[["coalition_id", "start_date", "end_date", "lead_ccode"]], on="coalition_id")
    for col in ("start_date", "end_date", "join_date"):
        m[col] = pd.to_datetime(m[col])
    m["join_date"] = m["join_date"].fillna(m["start_date"])
    cut = pd.Timestamp(cutoff)
    m = m[(m["start_date"] <= cut) & (m["join_date"] > cut) & m["role"].isin(SENDING_ROLES)
          & (m["ccode"] != m["lead_ccode"]) & (m["end_date"].isna() | (m["join_date"] <= m["end_date"]))]
    states = pd.read_csv(data_dir / "cow_states" / "statelist2024.csv")
    states["st"] = pd.to_datetime(dict(year=states["styear"], month=states["stmonth"], day=states["stday"]))
    states["en"] = pd.to_datetime(dict(year=states["endyear"], month=states["endmonth"], day=states["endday"]))
    spells = m[["coalition_id", "ccode", "start_date"]].merge(states[["ccode", "st", "en"]], on="ccode")
    inside = spells[(spells["st"] <= spells["start_date"]) & (spells["start_date"] <= spells["en"])]
    return {(str(c), int(k)) for c, k in zip(inside["coalition_id"], inside["ccode"])}


@pytest.fixture(scope="module")
def rows(shared_data: Path) -> pd.DataFrame:
    """The real coalition x candidate rows (labels and dates only)."""
    return coalition_panel(data_dir=shared_data)


@pytest.fixture(scope="module")
def features(shared_data: Path) -> pd.DataFrame:
    return participation_data(data_dir=shared_data, lags=(), contact=False)


def test_the_oracle_finds_the_issue_s_eleven_late_joins(shared_data: Path) -> None:
    late = late_joins_from_the_files("2013-12-31", shared_data)
    assert len(late) == 11  # the issue's count
    assert {("ctf150_2002", 698), ("ctf150_2002", 501)} <= late  # Oman and Kenya joined CTF-150 in 2024
    assert ("kfor_1999", 341) not in late  # Montenegro joined KFOR in 2015 but was no state in 1999


def test_predict_relabels_exactly_the_late_joins(features: pd.DataFrame, shared_data: Path) -> None:
    out = predict_participation("USA", "2014-08-08", train_until=2013, data_dir=shared_data, panel=features)
    expected = late_joins_from_the_files("2013-12-31", shared_data)
    assert set(out.attrs["late_joins"]) == expected
    assert out.attrs["late_joins_relabelled"] == len(expected) == 11
    assert out.attrs["labels_as_of"] == "2013-12-31"
    # the model was fitted on the relabelled sample: refit it here on labels set by the oracle
    train = features[pd.to_datetime(features["start_date"]).dt.year <= 2013].copy()
    pair = pd.Series(list(zip(train["coalition_id"], train["ccode"])), index=train.index)
    assert int(train.loc[pair.isin(expected), "joined"].sum()) == 11  # they are joiners in the full panel
    train.loc[pair.isin(expected), "joined"] = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MissingValueWarning)
        honest = fit_participation(DEFAULT_FORMULA, train, cluster="coalition_id").params
        leaky = fit_participation(DEFAULT_FORMULA, features[pd.to_datetime(features["start_date"]).dt.year <= 2013],
                                  cluster="coalition_id").params
    used = pd.Series({term: row["estimate"] for term, row in out.attrs["coefficients"].items()})
    np.testing.assert_allclose(used[honest.index].to_numpy(), honest.to_numpy(), rtol=1e-8)
    assert not np.allclose(used[leaky.index].to_numpy(), leaky.to_numpy(), rtol=1e-8)


def test_a_targeted_forecast_trains_on_the_same_relabelled_sample(features: pd.DataFrame, shared_data: Path) -> None:
    """The forecast model (with --target) keeps the cut-off: the same late joins are non-joins, and the
    candidates' record counts no join dated on or after the forecast date (CTF-150's 2024 joins)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = predict_participation("USA", "2014-08-08", train_until=2013, data_dir=shared_data, panel=features,
                                    target="Iraq")
    assert set(out.attrs["late_joins"]) == late_joins_from_the_files("2013-12-31", shared_data)
    oman = out.set_index("ccode").loc[698, "past_joins_lead_decayed_log1p"]
    mem = pd.concat([pd.read_csv(f) for f in sorted(CSV_DIR.glob("memberships_*.csv"))], ignore_index=True)
    coal = pd.concat([pd.read_csv(f) for f in sorted(CSV_DIR.glob("coalitions_*.csv"))], ignore_index=True)
    m = mem[(mem["ccode"] == 698) & mem["role"].isin(SENDING_ROLES)].merge(coal, on="coalition_id")
    m = m[m["lead_ccode"] == 2]
    joined_on = pd.to_datetime(m["join_date"]).fillna(pd.to_datetime(m["start_date"]))
    t0 = pd.Timestamp("2014-08-08")
    expected = sum(2.0 ** (-((t0 - d).days / 365.25) / 10) for d in joined_on[joined_on < t0])
    assert (joined_on >= t0).any()  # the late CTF-150 join exists in the files and is left out
    assert oman == pytest.approx(np.log1p(expected), rel=1e-12)


@pytest.mark.parametrize("train_until", [2014, 2015])
def test_a_forecast_may_not_train_on_its_own_year(rows: pd.DataFrame, shared_data: Path, train_until: int) -> None:
    with pytest.raises(CoverageError, match=f"train_until {train_until} .*2014-08-08") as info:
        predict_participation("USA", "2014-08-08", train_until=train_until, data_dir=shared_data, panel=rows)
    assert "\n" not in str(info.value)


def test_the_cli_refuses_look_ahead_in_one_line(shared_data: Path) -> None:
    out = CliRunner().invoke(app, ["predict", "--lead", "USA", "--date", "2014-08-08", "--train-until", "2014",
                                   "--data-dir", str(shared_data), "--format", "csv"])
    assert out.exit_code == 1 and out.stdout == ""
    err = [ln for ln in out.stderr.strip().splitlines() if not ln.startswith("warning: ")]
    assert len(err) == 1 and err[0].startswith("error:") and "train_until 2014" in err[0], out.stderr


@pytest.mark.parametrize("split_year", [2005, 2014])
def test_temporal_cv_trains_on_the_labels_known_before_the_split(rows: pd.DataFrame, shared_data: Path,
                                                                 split_year: int, monkeypatch) -> None:
    seen: list[pd.DataFrame] = []
    original = ParticipationClassifier.fit

    def spy(self, data, y=None):
        seen.append(data.copy())
        return original(self, data, y)

    monkeypatch.setattr(ParticipationClassifier, "fit", spy)
    panel = rows.assign(x=np.log1p(rows["ccode"].to_numpy(float)))
    res = cross_validate(panel, formula="joined ~ x", scheme="temporal", split_year=split_year)
    (train,) = seen
    boundary = pd.Timestamp(f"{split_year}-01-01")
    assert (pd.to_datetime(train["start_date"]) < boundary).all()
    joined_on = pd.to_datetime(train["join_date"]).fillna(pd.to_datetime(train["start_date"]))
    assert not ((train["joined"] == 1) & (joined_on >= boundary)).any()  # no join dated in or after the split year
    expected = late_joins_from_the_files(f"{split_year - 1}-12-31", shared_data)
    both = train.merge(panel, on=["coalition_id", "ccode"], suffixes=("", "_full"), validate="one_to_one")
    changed = both[both["joined"] != both["joined_full"]]
    assert (changed["joined_full"] == 1).all()  # labels only go from 1 to 0
    relabelled = set(zip(changed["coalition_id"], changed["ccode"].astype(int)))
    assert relabelled == expected and len(expected) > 0
    assert res.late_joins_relabelled == len(expected) == res.summary()["late_joins_relabelled"]
    # the test coalitions keep every join they eventually had
    test = panel[pd.to_datetime(panel["start_date"]) >= boundary]
    assert res.predictions["joined"].sum() == test["joined"].sum()
