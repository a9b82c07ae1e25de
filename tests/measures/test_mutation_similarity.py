"""add_alliance_similarity's provenance and messages (gaps mutation testing found in measures/similarity.py):
what it records in ``attrs`` is checked against the loaded source and the registry, the errors by their text."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from coalitionlab.data import get_source, load
from coalitionlab.errors import PanelTypeError, UnknownOptionError
from coalitionlab.measures import add_alliance_similarity, create_dyadyears, create_stateyears


def test_provenance_names_the_source_its_version_and_coverage(shared_data):
    src = get_source("atop_dyads")
    version = str(load("atop_dyads", shared_data).attrs.get("version"))
    nd = create_dyadyears(years="2017:2018", directed=False, data_dir=shared_data)
    for ties, col in (("any", "atop_sscore"), ("defense", "atop_sscore_defense")):
        out = add_alliance_similarity(nd, data_dir=shared_data, ties=ties)
        assert out.attrs["sources"]["atop_dyads"] == version
        assert out.attrs["columns"][col]["source"] == "atop_dyads"
        assert out.attrs["columns"][col]["coverage"] == [src.first_year, src.last_year]
    # no year inside ATOP's coverage: all NaN, and the registry's version is recorded
    late = create_dyadyears(years="2020:2020", directed=False, data_dir=shared_data)
    out = add_alliance_similarity(late, data_dir=shared_data)
    assert out["atop_sscore"].isna().all()
    assert out.attrs["sources"]["atop_dyads"] == src.version
    assert out.attrs["columns"]["atop_sscore"]["coverage"] == [src.first_year, src.last_year]


def test_errors_name_the_step_and_the_option(shared_data):
    nd = create_dyadyears(years="2018:2018", directed=False, data_dir=shared_data)
    with pytest.raises(UnknownOptionError, match=r"^unknown ties 'pacts'; allowed: 'any', 'defense'$"):
        add_alliance_similarity(nd, data_dir=shared_data, ties="pacts")
    sy = create_stateyears(years="2018:2018", data_dir=shared_data)
    with pytest.raises(PanelTypeError, match=r"^add_alliance_similarity\(\) needs a dyad_year panel, got "
                                             r"attrs\['unit'\]='state_year'; start with create_dyadyears\(\)$"):
        add_alliance_similarity(sy, data_dir=shared_data)


def test_rows_in_any_order_get_their_own_pairs_value(shared_data):
    """Rows of several years shuffled: each row keeps the value of its own pair and year."""
    nd = create_dyadyears(years="2016:2018", directed=False, data_dir=shared_data)
    ordered = add_alliance_similarity(nd, data_dir=shared_data).set_index(["ccode1", "ccode2", "year"])["atop_sscore"]
    shuffled = nd.sample(frac=1, random_state=3).reset_index(drop=True)
    shuffled.attrs = dict(nd.attrs)
    got = add_alliance_similarity(shuffled, data_dir=shared_data).set_index(["ccode1", "ccode2", "year"])["atop_sscore"]
    pd.testing.assert_series_equal(got.sort_index(), ordered.sort_index())


def test_s_score_ignores_a_given_diagonal_and_stored_zeros():
    """The portfolio is the row plus the state itself: a diagonal already set, or zeros stored explicitly
    in the sparse matrix, change nothing (the direct formula 1 - 2 |P_i xor P_j| / n, by hand)."""
    import numpy as np
    import scipy.sparse as sp

    from coalitionlab.measures import s_score_matrix

    dense = np.array([[1, 1, 0, 0], [1, 0, 0, 1], [0, 0, 1, 0], [0, 1, 0, 0]], dtype=float)  # diagonal 1, 0, 1, 0
    stored = sp.csr_matrix((np.array([1.0, 1.0, 0.0, 1.0, 1.0]), (np.array([0, 1, 2, 1, 3]), np.array([1, 0, 3, 3, 1]))),
                           shape=(4, 4))  # the same ties, plus an explicit 0 at (2, 3)
    P = ((dense + dense.T + np.eye(4)) > 0).astype(float)
    want = 1 - 2 * np.abs(P[:, None, :] - P[None, :, :]).sum(axis=2) / 4
    np.testing.assert_allclose(s_score_matrix(sp.csr_matrix(dense)), want)
    np.testing.assert_allclose(s_score_matrix(stored), want)


def test_the_first_year_of_the_state_system_is_measured(shared_data):
    """1816, the first COW year inside ATOP: a value (by hand from the raw ATOP dyads), not NaN."""
    nd = create_dyadyears(years="1816:1816", directed=False, data_dir=shared_data)
    got = add_alliance_similarity(nd, data_dir=shared_data).set_index(["ccode1", "ccode2"])["atop_sscore"]
    raw = pd.read_csv(shared_data / "peacesciencer" / "atop_alliance.csv.gz")
    raw = raw[raw["year"] == 1816]
    members = set(nd["ccode1"]) | set(nd["ccode2"])
    flags = ["atop_defense", "atop_offense", "atop_neutral", "atop_nonagg", "atop_consul"]
    tied = raw[raw[flags].fillna(0).sum(axis=1) > 0]

    def portfolio(c: int) -> set:
        return (set(tied.loc[tied["ccode1"] == c, "ccode2"]) | set(tied.loc[tied["ccode2"] == c, "ccode1"]) | {c}) & members

    assert got.notna().all()
    for a, b in list(got.index)[:15]:
        assert got.loc[(a, b)] == pytest.approx(1 - 2 * len(portfolio(a) ^ portfolio(b)) / len(members), abs=1e-12)


@pytest.mark.parametrize("ties", ["any", "defense"])
def test_a_year_without_any_tie_gives_every_pair_the_value_of_two_lone_states(shared_data, monkeypatch, ties):
    """No year of ATOP 5.1 is free of ties, so one is made: the real dyads with every flag of 2018 that
    the measure counts set to 0. Each portfolio is then the state alone, two distinct states differ in
    two places, and S = 1 - 2 * 2 / n for every pair of 2018 (n = the system members, by hand), while
    2017 keeps the values computed from the untouched file."""
    import importlib

    similarity = importlib.import_module("coalitionlab.measures.similarity")
    col = "atop_sscore" if ties == "any" else "atop_sscore_defense"
    flags = ["atop_defense", "atop_offense", "atop_neutral", "atop_nonagg", "atop_consul"] if ties == "any" \
        else ["atop_defense"]
    nd = create_dyadyears(years="2017:2018", directed=False, data_dir=shared_data)
    real = add_alliance_similarity(nd, data_dir=shared_data, ties=ties)

    original = similarity.load_source

    def without_2018_ties(name, data_dir=None):
        frame = original(name, data_dir)
        if name != "atop_dyads":
            return frame
        frame = frame.copy()
        frame.loc[frame["year"] == 2018, flags] = 0
        return frame

    monkeypatch.setattr(similarity, "load_source", without_2018_ties)
    got = add_alliance_similarity(nd, data_dir=shared_data, ties=ties)
    n = len(create_stateyears(years="2018:2018", data_dir=shared_data))
    in_2018 = got["year"] == 2018
    assert n > 190
    np.testing.assert_allclose(got.loc[in_2018, col], 1 - 4 / n, rtol=0, atol=1e-12)
    pd.testing.assert_series_equal(got.loc[~in_2018, col], real.loc[~in_2018, col])
    assert (real.loc[in_2018, col] != 1 - 4 / n).any()  # the real 2018 does have ties


def _patch_atop(monkeypatch, change) -> None:
    """Serve the real ATOP dyads through ``change`` (a function of the loaded frame)."""
    import importlib

    similarity = importlib.import_module("coalitionlab.measures.similarity")
    original = similarity.load_source
    monkeypatch.setattr(similarity, "load_source",
                        lambda name, data_dir=None: change(original(name, data_dir)) if name == "atop_dyads"
                        else original(name, data_dir))


def test_a_tie_listed_in_one_direction_only_counts_for_both_states(shared_data, monkeypatch):
    """ATOP lists each dyad in both directions; a file listing it once (here only ccode1 > ccode2, so the
    USA, COW code 2, the first state of the system, appears only as ccode2) must give the same S: the
    portfolio matrix is symmetric whatever the file's order."""
    nd = create_dyadyears(years="2018:2018", directed=False, data_dir=shared_data)
    real = add_alliance_similarity(nd, data_dir=shared_data)["atop_sscore"]

    def one_direction(frame):
        one = frame[frame["ccode1"] > frame["ccode2"]].copy()
        one.attrs = dict(frame.attrs)
        return one

    _patch_atop(monkeypatch, one_direction)
    got = add_alliance_similarity(nd, data_dir=shared_data)["atop_sscore"]
    pd.testing.assert_series_equal(got, real)


@pytest.mark.parametrize("version", ["5.1-test", None])
def test_the_version_recorded_is_the_loaded_files(shared_data, monkeypatch, version):
    """The provenance names the version the loaded file carries (here a made-up one), or the registry's
    when the file carries none."""
    def relabel(frame):
        frame = frame.copy()
        frame.attrs = {k: v for k, v in frame.attrs.items() if k != "version"}
        if version is not None:
            frame.attrs["version"] = version
        return frame

    _patch_atop(monkeypatch, relabel)
    nd = create_dyadyears(years="2018:2018", directed=False, data_dir=shared_data)
    out = add_alliance_similarity(nd, data_dir=shared_data)
    assert out.attrs["sources"]["atop_dyads"] == (version or get_source("atop_dyads").version)


def test_the_data_dir_given_is_the_one_read(shared_data, monkeypatch, tmp_path):
    """$COALITIONLAB_DATA pointing at an empty folder (a named location, so no fallback to the embedded
    seed): an explicit ``data_dir`` must still be the one every read uses, the state system included."""
    nd = create_dyadyears(years="2018:2018", directed=False, data_dir=shared_data)
    want = add_alliance_similarity(nd, data_dir=shared_data)
    monkeypatch.setenv("COALITIONLAB_DATA", str(tmp_path))
    got = add_alliance_similarity(nd, data_dir=shared_data)
    pd.testing.assert_series_equal(got["atop_sscore"], want["atop_sscore"])


def test_the_existence_rule_reads_the_state_system_of_the_data_dir_given(shared_data, state_system_reads):
    """The existence rule (which states were members in the year) must read ``cow_states`` from the given
    ``data_dir``, not from the default location or the embedded copy: a user's own COW file would
    otherwise be ignored. Every read of the state system is recorded."""
    nd = create_dyadyears(years="2018:2018", directed=False, data_dir=shared_data)
    calls = state_system_reads()
    add_alliance_similarity(nd, data_dir=shared_data)
    assert calls
    assert all(str(d) == str(shared_data) and s != "seed" for d, s in calls), calls


def test_a_code_outside_the_state_system_gets_no_value(shared_data):
    """A row naming a code that is no COW state (999) next to the USA: no portfolio, so NaN, while the
    other rows keep their values."""
    nd = create_dyadyears(years="2018:2018", directed=False, data_dir=shared_data)
    extra = pd.DataFrame({"ccode1": [2], "ccode2": [999], "year": [2018]}).astype(nd[["ccode1", "ccode2", "year"]].dtypes)
    both = pd.concat([nd[["ccode1", "ccode2", "year"]], extra], ignore_index=True)
    both.attrs = dict(nd.attrs)
    got = add_alliance_similarity(both, data_dir=shared_data)["atop_sscore"]
    want = add_alliance_similarity(nd, data_dir=shared_data)["atop_sscore"]
    assert np.isnan(got.iloc[-1])
    np.testing.assert_array_equal(got.iloc[:-1].to_numpy(), want.to_numpy())
