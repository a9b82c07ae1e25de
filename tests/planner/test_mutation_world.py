"""The planner's candidates with P(join): cases mutation testing showed the other tests let through
(docs/development/mutation.md).

``attrs["prior_from"]`` is checked key by key against the documented formulas and counts made here, the
frame row by row against :func:`coalitionlab.measures.embeddedness`, the fallback rule against the two
models' own predictions, and the disk cache by what it serves: the same frame and warnings on a second
call, another lead, date, source, data directory or code never served the first call's entry, the seed
never cached. The calls fit models (seconds each), so the data-directory results are built once per module
in a cache directory of the module's own."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import coalitionlab._cache
import coalitionlab.planner.world as world
from coalitionlab.coalitions import coalitions
from coalitionlab.errors import MissingDataError, MissingValueWarning, SeedDataWarning, StaleDataWarning
from coalitionlab.measures import embeddedness
from coalitionlab.models.data import DEFAULT_FORMULA, participation_data
from coalitionlab.models.predict import SEED_FORMULA, predict_participation
from coalitionlab.planner.world import candidates_with_p_join

LEAD, DATE = "USA", "2003-03-20"  # Iraq: trained on the coalitions begun by 2002


def _quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)


def _said(fn, *args, **kwargs):
    """``fn``'s value and the warnings it issued, as (category, message)."""
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        value = fn(*args, **kwargs)
    return value, [(w.category, str(w.message)) for w in seen]


def _started_by(year: int) -> int:
    """Shipped coalitions begun in or before ``year``, counted here from their start dates."""
    return int((pd.to_datetime(coalitions()["start_date"]).dt.year <= year).sum())


def _terms(formula: str) -> list[str]:
    return [t.strip() for t in formula.split("~")[1].split("+")]


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory):
    """A cache directory of this module's own: no entry made elsewhere is served here."""
    with pytest.MonkeyPatch.context() as mp:
        path = tmp_path_factory.mktemp("world_cache")
        mp.setenv("COALITIONLAB_CACHE", str(path))
        yield path


@pytest.fixture(scope="module")
def first(cache_dir: Path, shared_data: Path):
    """The first call (computed, then kept in the cache) and the warnings it issued."""
    return _said(candidates_with_p_join, LEAD, DATE, data_dir=shared_data)


@pytest.fixture(scope="module")
def models(cache_dir: Path, shared_data: Path):
    """The full and the embeddedness-only models' predictions for the same lead and date."""
    panel = _quiet(participation_data, data_dir=shared_data, lags=(), contact=False, source="full")
    full = _quiet(predict_participation, LEAD, DATE, train_until=2002, data_dir=shared_data, panel=panel)
    simple = _quiet(predict_participation, LEAD, DATE, train_until=2002, data_dir=shared_data, panel=panel,
                    formula=SEED_FORMULA)
    return full, simple


def test_prior_from_names_both_formulas_the_window_and_the_counts(first, models) -> None:
    """Catches a wrong or missing key of ``prior_from`` (renamed, None), the seed formula taken for the
    full one, a training window other than the year before the date (year - 2, year + 1), a fallback count
    that is not the full model's unscored candidates, and ``attrs`` that drop the embeddedness frame's."""
    out, _ = first
    full, _ = models
    lacking = int(full[_terms(DEFAULT_FORMULA)].isna().any(axis=1).sum())  # a control missing: no full score
    assert lacking == int(full["p_join"].isna().sum()) > 0
    assert _started_by(2002) == 51  # by hand from the shipped dataset; every one has a complete row
    assert out.attrs["prior_from"] == {"model": DEFAULT_FORMULA, "fallback": SEED_FORMULA, "train_until": 2002,
                                       "n_fallback": lacking, "n_train_coalitions": _started_by(2002)}
    assert all(type(v) is int for k, v in out.attrs["prior_from"].items() if k not in ("model", "fallback"))
    assert full.attrs["n_train_coalitions"] == _started_by(2002)  # the model's own count agrees


def test_p_join_is_the_full_model_s_else_the_fallback_s_on_the_embeddedness_rows(first, models,
                                                                                 shared_data: Path) -> None:
    """Catches p_join left empty or None, a fallback that is not filled (NaN where a control is missing)
    or filled from the wrong model, a p_join keyed on the wrong column, rows or attrs other than the
    embeddedness frame's (the seed's measured, another lead or date), and a missing ``p_join`` column."""
    out, _ = first
    full, simple = models
    emb = _quiet(embeddedness, LEAD, DATE, data_dir=shared_data)
    pd.testing.assert_frame_equal(out.drop(columns="p_join"), emb)  # same candidates, same order, same values
    assert {k: v for k, v in out.attrs.items() if k != "prior_from"} == emb.attrs and not out.attrs["is_seed"]
    assert out["ccode"].is_unique and len(out) == len(full) == len(simple)
    p = out.set_index("ccode")["p_join"].astype(float)
    assert ((p > 0) & (p < 1)).all()  # every candidate scored, a probability
    f, s = full.set_index("ccode")["p_join"], simple.set_index("ccode")["p_join"]
    scored = f.dropna().index
    np.testing.assert_allclose(p.loc[scored], f.loc[scored], rtol=1e-12)
    unscored = f.index[f.isna()]
    assert len(unscored) == out.attrs["prior_from"]["n_fallback"]
    np.testing.assert_allclose(p.loc[unscored], s.loc[unscored], rtol=1e-12)
    assert not np.allclose(f.loc[scored], s.loc[scored])  # the two models differ: the rule is observable


def test_a_second_call_is_served_from_the_cache_with_the_same_frame_and_warnings(first, shared_data: Path,
                                                                                 monkeypatch) -> None:
    """Catches a data-directory call that is never cached (the seed test inverted, the fingerprint of the
    default directory taken, no folder), a cached answer that does not say the warnings the computed one
    did (replay off), the wrong element of ``cached``'s answer, and silencing every warning instead of the
    two the frame records (the data's StaleDataWarning must still reach the caller)."""
    out, said = first
    assert any(c is StaleDataWarning for c, _ in said)  # the sources end before the training panel's years
    assert not any(issubclass(c, (SeedDataWarning, MissingValueWarning)) for c, _ in said)

    def rebuild(*args, **kwargs):
        raise AssertionError("rebuilt: the cached entry was not used")

    monkeypatch.setattr(world, "_candidates_with_p_join", rebuild)
    again, said_again = _said(candidates_with_p_join, LEAD, DATE, data_dir=shared_data)
    pd.testing.assert_frame_equal(again, out)
    assert again.attrs == out.attrs
    assert said_again == said


def test_another_date_or_lead_is_computed_for_that_date_and_lead(first, shared_data: Path) -> None:
    """Catches a cache key without the lead or the date (the other call would get the first call's frame),
    and the lead or date not passed on: 2011-03-19 (Libya) trains on the coalitions begun by 2010, and the
    United Kingdom's candidates include the United States (2) but not itself (200)."""
    out, _ = first
    later = _quiet(candidates_with_p_join, LEAD, "2011-03-19", data_dir=shared_data)
    assert _started_by(2010) == 70 > _started_by(2002)
    assert later.attrs["prior_from"]["train_until"] == 2010
    assert later.attrs["prior_from"]["n_train_coalitions"] == _started_by(2010)
    pd.testing.assert_frame_equal(later.drop(columns="p_join"),
                                  _quiet(embeddedness, LEAD, "2011-03-19", data_dir=shared_data))
    assert later["p_join"].between(0, 1, inclusive="neither").all()
    uk = _quiet(candidates_with_p_join, "GBR", DATE, data_dir=shared_data)
    pd.testing.assert_frame_equal(uk.drop(columns="p_join"), _quiet(embeddedness, "GBR", DATE, data_dir=shared_data))
    assert 2 in set(uk["ccode"]) and 200 not in set(uk["ccode"]) and 2 not in set(out["ccode"])
    assert uk.attrs["lead_ccode"] == 200 and uk.attrs["prior_from"]["train_until"] == 2002
    assert uk["p_join"].between(0, 1, inclusive="neither").all()


def test_source_seed_on_a_data_directory_is_the_embedded_seed_s_answer(first, shared_data: Path) -> None:
    """Catches a cache key without the source (the full answer served for source="seed"), and the source
    not passed on to the embeddedness, the training panel or the full model: with source="seed" the data
    directory is not read, so the answer equals the one without any data directory, attrs included."""
    out, _ = first
    seeded = _quiet(candidates_with_p_join, LEAD, DATE, data_dir=shared_data, source="seed")
    assert seeded.attrs["is_seed"] and not out.attrs["is_seed"]
    assert seeded.attrs["prior_from"] == {"model": SEED_FORMULA, "fallback": SEED_FORMULA, "train_until": 2002,
                                          "n_fallback": 0, "n_train_coalitions": _started_by(2002)}
    embedded = _quiet(candidates_with_p_join, LEAD, DATE)
    pd.testing.assert_frame_equal(seeded, embedded)
    assert seeded.attrs == embedded.attrs


def test_another_data_directory_or_code_is_not_served_the_entry(first, shared_data: Path, tmp_path: Path,
                                                                monkeypatch) -> None:
    """Catches a cache key without the data's or the code's fingerprint: a changed data directory or a
    changed package must rebuild (here the rebuild returns a marker frame), never get the cached frame."""
    marker = pd.DataFrame({"rebuilt": [1]})
    monkeypatch.setattr(world, "_candidates_with_p_join", lambda *a, **k: marker.copy())
    other = tmp_path / "other_data"
    other.mkdir()
    (other / "notes.txt").write_text("another data directory\n", encoding="utf-8")
    pd.testing.assert_frame_equal(candidates_with_p_join(LEAD, DATE, data_dir=other), marker)
    real = coalitionlab._cache.code_fingerprint()
    monkeypatch.setattr(coalitionlab._cache, "code_fingerprint", lambda: "changed-" + real)
    pd.testing.assert_frame_equal(candidates_with_p_join(LEAD, DATE, data_dir=shared_data), marker)


def test_the_seed_is_scored_and_never_cached(cache_dir: Path, monkeypatch) -> None:
    """Catches the seed path cached (its test inverted or misspelt, no data fingerprint: a second call would
    not rebuild), the seed's lead, date or source not passed on, and the seed's own warnings let through
    (attrs["is_seed"] carries them): every candidate of the embedded seed gets a p_join in (0, 1)."""
    out, said = _said(candidates_with_p_join, LEAD, DATE)
    assert not any(issubclass(c, (SeedDataWarning, MissingValueWarning)) for c, _ in said)
    assert out.attrs["is_seed"] is True
    emb = _quiet(embeddedness, LEAD, DATE)
    assert emb.attrs["is_seed"]
    pd.testing.assert_frame_equal(out.drop(columns="p_join"), emb)
    assert out["p_join"].between(0, 1, inclusive="neither").all() and out["ccode"].is_unique
    assert out.attrs["prior_from"] == {"model": SEED_FORMULA, "fallback": SEED_FORMULA, "train_until": 2002,
                                       "n_fallback": 0, "n_train_coalitions": _started_by(2002)}
    calls = []
    real = world._candidates_with_p_join

    def counting(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(world, "_candidates_with_p_join", counting)
    twice = [_quiet(candidates_with_p_join, LEAD, DATE) for _ in range(2)]
    assert len(calls) == 2  # each seed call is computed
    pd.testing.assert_frame_equal(twice[0], twice[1])


def test_the_seed_path_passes_the_data_directory_and_source_on(tmp_path: Path) -> None:
    """Catches the seed path dropping ``data_dir`` or ``source``: a data directory that does not exist is
    an error naming it (not a silent seed answer), and source="full" without any data is an error too."""
    nowhere = tmp_path / "nowhere"
    with pytest.raises(MissingDataError, match=str(nowhere).replace("\\", "\\\\")):
        _quiet(candidates_with_p_join, LEAD, DATE, data_dir=nowhere)
    with pytest.raises(MissingDataError, match="cow_states"):
        _quiet(candidates_with_p_join, LEAD, DATE, source="full")


def test_one_lean_panel_is_built_and_shared_by_both_models(monkeypatch) -> None:
    """Catches the panel built with lags or contact (columns neither formula uses, the costly part of the
    build), built for a different source, or not handed to the models (each would rebuild its own), and a
    model scoring candidates from another source than the frame's: one participation_data call without lags
    and contact, whose very frame both predictions receive, each with the frame's source."""
    built, handed = [], []
    real_data, real_predict = world.participation_data, world.predict_participation

    def data_spy(**kwargs):
        built.append(kwargs)
        panel = real_data(**kwargs)
        built.append(panel)
        return panel

    def predict_spy(*args, **kwargs):
        handed.append((kwargs.get("panel"), kwargs.get("source")))
        return real_predict(*args, **kwargs)

    monkeypatch.setattr(world, "participation_data", data_spy)
    monkeypatch.setattr(world, "predict_participation", predict_spy)
    _quiet(candidates_with_p_join, LEAD, DATE)
    assert len(built) == 2, "the panel is built once"
    assert built[0] == {"data_dir": None, "lags": (), "contact": False, "source": "seed"}
    assert len(handed) == 2 and all(p is built[1] and src == "seed" for p, src in handed)


def test_warnings_other_than_seed_and_missing_values_reach_the_caller(monkeypatch) -> None:
    """Catches the silencing widened to every warning (a category dropped from a filter): a stale-data
    warning raised while the candidates are measured still reaches the caller, the seed notice does not."""
    real = world.embeddedness

    def stale(*args, **kwargs):
        warnings.warn("cow_igo has no rows for 2002", StaleDataWarning, stacklevel=2)
        return real(*args, **kwargs)

    monkeypatch.setattr(world, "embeddedness", stale)
    _, said = _said(candidates_with_p_join, LEAD, DATE)
    assert (StaleDataWarning, "cow_igo has no rows for 2002") in said
    assert not any(issubclass(c, (SeedDataWarning, MissingValueWarning)) for c, _ in said)
