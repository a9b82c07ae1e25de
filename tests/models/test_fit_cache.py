"""fit_participation(cache=True): a fit read back from the disk cache is the fit, and any change of
the data or the arguments is a new fit. The oracle is the uncached fit of the same call."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from coalitionlab.errors import MissingValueWarning
from coalitionlab.models import fit_participation
from coalitionlab.models import participation as participation_module


@pytest.fixture(autouse=True)
def _own_cache(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COALITIONLAB_CACHE", str(tmp_path / "cache"))  # hits only from this test's calls


@pytest.fixture()
def panel() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    n = 600
    df = pd.DataFrame({"x": rng.normal(size=n), "z": rng.normal(size=n), "coalition_id": np.repeat(np.arange(30), 20)})
    df["joined"] = (rng.random(n) < 1 / (1 + np.exp(-(0.8 * df.x - 0.3 * df.z)))).astype(int)
    df.loc[[3, 17], "z"] = np.nan  # two rows dropped, with a warning the cache must repeat
    df.attrs = {"sources": {"cow_igo": "3.0"}}
    return df


@pytest.fixture()
def counted(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts real fits: the uncached fit_participation calls."""
    calls: list[int] = []
    real = participation_module.fit_participation

    def counting(*args, **kwargs):
        if not kwargs.get("cache"):
            calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(participation_module, "fit_participation", counting)
    return calls


def _same(a, b) -> None:
    pd.testing.assert_frame_equal(a.tidy(), b.tidy(), check_exact=True)
    assert a.fit_stats == b.fit_stats and a.vcov_type == b.vcov_type and a.data_versions == b.data_versions


@pytest.mark.parametrize("method", ["logit", "probit", "lpm", "firth"])
def test_a_cached_fit_is_the_uncached_fit(panel: pd.DataFrame, counted: list[int], method: str) -> None:
    kwargs = {"method": method, "cluster": "coalition_id"}
    fresh = fit_participation("joined ~ x + z", panel, **kwargs)
    first = participation_module.fit_participation("joined ~ x + z", panel, cache=True, **kwargs)
    again = participation_module.fit_participation("joined ~ x + z", panel, cache=True, **kwargs)
    assert len(counted) == 1  # the second cached call fitted nothing
    _same(fresh, first)
    _same(fresh, again)
    assert again._sm_result is None
    new = panel.iloc[:5].assign(x=[-2.0, -1.0, 0.0, 1.0, 2.0])
    np.testing.assert_array_equal(fresh.predict(new), again.predict(new))  # the formula's spec survives


def test_a_changed_value_or_argument_is_a_new_fit(panel: pd.DataFrame, counted: list[int]) -> None:
    fit = participation_module.fit_participation
    base = fit("joined ~ x + z", panel, cluster="coalition_id", cache=True)
    moved = panel.copy()
    moved.loc[0, "x"] += 1.0
    changed = fit("joined ~ x + z", moved, cluster="coalition_id", cache=True)
    assert changed.params["x"] != base.params["x"]
    _same(changed, fit("joined ~ x + z", moved, cluster="coalition_id"))
    fit("joined ~ x + z", panel, cluster=None, cache=True)
    fit("joined ~ x + z", panel, cluster="coalition_id", method="probit", cache=True)
    fit("joined ~ x", panel, cluster="coalition_id", cache=True)
    relabelled = panel.copy()
    relabelled.attrs = {"sources": {"cow_igo": "3.1"}}
    assert fit("joined ~ x + z", relabelled, cluster="coalition_id", cache=True).data_versions == {"cow_igo": "3.1"}
    assert len(counted) == 7  # every call above was a new key


def test_the_fits_warnings_are_issued_again_on_a_hit(panel: pd.DataFrame) -> None:
    for _ in range(2):
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            fit_participation("joined ~ x + z", panel, cluster="coalition_id", cache=True)
        assert [str(w.message) for w in seen if w.category is MissingValueWarning] == [
            "2 of 600 rows dropped for missing values in 'joined ~ x + z'"]


def test_a_frame_that_cannot_be_hashed_is_fitted_without_the_cache(panel: pd.DataFrame) -> None:
    odd = panel.assign(tags=[[i] for i in range(len(panel))])  # list cells: no stable hash
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MissingValueWarning)
        _same(fit_participation("joined ~ x + z", odd, cache=True), fit_participation("joined ~ x + z", odd))
