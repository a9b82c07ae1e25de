"""The helpers of the embeddedness measure: cases that mutation testing showed the other tests let through
(see docs/development/mutation.md).

Covers ``_to_ccode``, ``_mode``, ``_spells``, ``_members_at``, ``_is_member``, ``_coverage``,
``_check_components``, ``_check_lag``, ``_measurement_days``, ``_year``, the ``_Sources`` cache,
``_existence``, ``_versions`` and ``_standardise``, on tiny made-up inputs (no real data but for one
``source="auto"`` check). The oracles never go through the code under test: expected values written out
by hand (codes, days, versions, z-scores worked out on paper with the population sd), a Python loop
over the spells for system membership, the exact error and warning text written out, and recorders
standing in for the collaborators (the country crosswalk, ``seed_fallback``, ``system_spells``,
``load_source``, the tie builders, the seed tables) to check exactly what they were called with and how
often.
"""

from __future__ import annotations

import importlib
import math
import warnings

import numpy as np
import pandas as pd
import pytest

from coalitionlab.errors import (
    CoverageError,
    MissingDataError,
    SeedDataWarning,
    UnknownCountryError,
    UnknownOptionError,
)

emb = importlib.import_module("coalitionlab.measures.embeddedness")
countries_module = importlib.import_module("coalitionlab.data.countries")
paths_module = importlib.import_module("coalitionlab.data.paths")
panel_module = importlib.import_module("coalitionlab.measures.panel")
ties_module = importlib.import_module("coalitionlab.measures.ties")
treaties_module = importlib.import_module("coalitionlab.measures.treaties")
common_module = importlib.import_module("coalitionlab.measures._common")
seed_module = importlib.import_module("coalitionlab.data.seed")

DAY = pd.Timestamp("1970-06-15")


def _days(*values: str) -> np.ndarray:
    """The days given as ``YYYY-MM-DD`` (or ``"NaT"``) as a datetime64[ns] array."""
    return np.array(values, dtype="datetime64[ns]")


# ------------------------------------------------------------------ _to_ccode


class _FakeCrosswalk:
    """Stands in for ``countries.to_ccode``: records each call; ``table`` maps (value, scheme) to a code,
    or to an exception class to raise."""

    def __init__(self, table: dict) -> None:
        self.table, self.calls = table, []

    def __call__(self, values, *, scheme="auto", date=None, where=None):
        self.calls.append((values, scheme, date, where))
        hit = self.table.get((values, scheme))
        if hit is None:
            raise UnknownCountryError(values, scheme=scheme, where=where, date=date)
        if isinstance(hit, type):
            raise hit("boom")
        return hit


def test_to_ccode_passes_the_value_the_day_and_the_place_to_the_crosswalk(monkeypatch):
    """Catches a lost / renamed lead, date or ``where`` in the first crosswalk call (and int(None))."""
    fake = _FakeCrosswalk({("DEU", "auto"): np.int64(260)})
    monkeypatch.setattr(countries_module, "to_ccode", fake)
    got = emb._to_ccode("DEU", DAY)
    assert got == 260 and type(got) is int
    assert fake.calls == [("DEU", "auto", "1970-06-15", "embeddedness lead")]


def test_to_ccode_retries_a_three_letter_code_as_a_cow_abbreviation_in_upper_case(monkeypatch):
    """Catches a lost / lower-cased value, a lost or renamed scheme, date or ``where`` in the retry."""
    fake = _FakeCrosswalk({("UKG", "stateabb"): 200})
    monkeypatch.setattr(countries_module, "to_ccode", fake)
    assert emb._to_ccode("ukg", DAY) == 200
    assert fake.calls == [("ukg", "auto", "1970-06-15", "embeddedness lead"),
                          ("UKG", "stateabb", "1970-06-15", "embeddedness lead")]


@pytest.mark.parametrize("lead", ["abcd", "ab", "ab1"])
def test_to_ccode_retries_only_three_letter_alphabetic_codes(monkeypatch, lead):
    """Catches ``len == 3`` turned into ``!= 3`` / ``== 4`` and ``and`` turned into ``or`` in the retry test."""
    fake = _FakeCrosswalk({(lead.upper(), "stateabb"): 999})
    monkeypatch.setattr(countries_module, "to_ccode", fake)
    with pytest.raises(UnknownCountryError) as err:
        emb._to_ccode(lead, DAY)
    assert fake.calls == [(lead, "auto", "1970-06-15", "embeddedness lead")]
    assert str(err.value) == f"unknown country {lead!r} (as auto) on 1970-06-15 (embeddedness lead)"


def test_to_ccode_does_not_retry_an_unknown_number(monkeypatch):
    """Catches ``isinstance(lead, str) and ...`` turned into ``or`` (a number has no ``.upper``)."""
    fake = _FakeCrosswalk({})
    monkeypatch.setattr(countries_module, "to_ccode", fake)
    with pytest.raises(UnknownCountryError):
        emb._to_ccode(9999, DAY)
    assert fake.calls == [(9999, "auto", "1970-06-15", "embeddedness lead")]


def test_to_ccode_reraises_the_first_error_when_the_retry_fails_too(monkeypatch):
    """The error raised is the one of the first look-up (as auto), not the retry's."""
    fake = _FakeCrosswalk({})
    monkeypatch.setattr(countries_module, "to_ccode", fake)
    with pytest.raises(UnknownCountryError) as err:
        emb._to_ccode("XYZ", DAY)
    assert str(err.value) == "unknown country 'XYZ' (as auto) on 1970-06-15 (embeddedness lead)"
    assert len(fake.calls) == 2


@pytest.mark.parametrize("exc", [KeyError, ValueError, TypeError])
def test_to_ccode_turns_other_lookup_errors_into_an_unknown_country(monkeypatch, exc):
    """Catches a lost / changed value or ``where`` in the UnknownCountryError made from a KeyError etc."""
    fake = _FakeCrosswalk({("zz", "auto"): exc})
    monkeypatch.setattr(countries_module, "to_ccode", fake)
    with pytest.raises(UnknownCountryError) as err:
        emb._to_ccode("zz", DAY)
    assert str(err.value) == "unknown country 'zz' (embeddedness lead)"
    assert err.value.value == "zz" and err.value.where == "embeddedness lead"
    assert isinstance(err.value.__cause__, exc)


@pytest.mark.parametrize(("lead", "day", "want"), [
    ("DEU", "1970-01-01", 260), ("DEU", "2000-01-01", 255), ("ukg", "2000-01-01", 200), (2, "2000-01-01", 2)])
def test_to_ccode_with_the_real_crosswalk(lead, day, want):
    """The date reaches the crosswalk ("DEU" in 1970 is 260) and a lower-case COW abbreviation is read."""
    assert emb._to_ccode(lead, pd.Timestamp(day)) == want


# ------------------------------------------------------------------ _mode

DEFAULT_FALLBACK = ("embeddedness: the full sources are not in the data directory; using the embedded seed data "
                    "(alliances = US defence treaties, igos = the seed's 25 organisations, the UN among them). "
                    "Pass data_dir= or set $COALITIONLAB_DATA.")


@pytest.fixture
def fallback_calls(monkeypatch):
    """Replace ``seed_fallback`` by a recorder that returns the sentinel ``"decided"``."""
    calls = []

    def fake(names, data_dir, *, what, message=None, stacklevel=2):
        calls.append({"names": names, "data_dir": data_dir, "what": what, "message": message,
                      "stacklevel": stacklevel})
        return "decided"

    monkeypatch.setattr(paths_module, "seed_fallback", fake)
    return calls


def test_mode_seed_and_full_decide_without_asking_seed_fallback(fallback_calls):
    """Catches ``==`` turned into ``!=`` / a renamed option, and swapped True / False for seed and full."""
    assert emb._mode("seed", "/nowhere") is True
    assert emb._mode("full", "/nowhere") is False
    assert fallback_calls == []


def test_mode_auto_hands_the_markers_data_dir_and_default_text_to_seed_fallback(fallback_calls):
    """Catches a lost argument, a default stacklevel or ``what`` changed, and a changed default warning text."""
    assert emb._mode("auto", "/some/dir") == "decided"
    assert fallback_calls == [{"names": ("cow_states", "cow_igo"), "data_dir": "/some/dir", "what": "embeddedness",
                               "message": DEFAULT_FALLBACK, "stacklevel": 3}]


def test_mode_auto_passes_a_given_text_what_and_stacklevel_unchanged(fallback_calls):
    """Catches ``fallback is None`` turned into ``is not None`` (a given text replaced by the default)."""
    assert emb._mode("auto", None, fallback="my text", stacklevel=5, what="network") == "decided"
    assert fallback_calls == [{"names": ("cow_states", "cow_igo"), "data_dir": None, "what": "network",
                               "message": "my text", "stacklevel": 5}]


def test_mode_refuses_an_unknown_source_with_the_allowed_values(fallback_calls):
    """Catches a changed option list or name in ``check_option`` (exact message)."""
    with pytest.raises(UnknownOptionError) as err:
        emb._mode("Seed", None)
    assert str(err.value) == "unknown source 'Seed'; allowed: 'auto', 'full', 'seed'"
    for ok in ("auto", "full", "seed"):  # each allowed value passes the check
        emb._mode(ok, None)


def test_mode_auto_without_a_data_location_warns_and_uses_the_seed():
    """The real fallback: no data location (conftest points the user data dir at an empty folder) -> seed."""
    with pytest.warns(SeedDataWarning) as rec:
        assert emb._mode("auto", None) is True
    assert str(rec[0].message).startswith(DEFAULT_FALLBACK + " [missing in ")


def test_mode_auto_with_an_empty_named_data_dir_is_an_error(tmp_path):
    """A data directory the user named without the sources is an error naming embeddedness, not the seed."""
    with pytest.raises(MissingDataError) as err:
        emb._mode("auto", tmp_path)
    assert str(err.value).startswith(f"embeddedness: data directory '{tmp_path}'")


def test_mode_auto_with_the_real_data_reads_the_full_sources(shared_data):
    """With cow_states and cow_igo present, ``auto`` means the full sources."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", SeedDataWarning)
        assert emb._mode("auto", shared_data) is False


# ------------------------------------------------------------------ _spells


@pytest.mark.parametrize(("is_seed", "source"), [(True, "seed"), (False, "full")])
def test_spells_reads_the_state_system_from_the_given_dir_and_source(monkeypatch, is_seed, source):
    """Catches a lost data_dir or source, or seed / full swapped or misspelt."""
    calls = []

    def fake(data_dir=None, *, source="auto"):
        calls.append((data_dir, source))
        return "spells"

    monkeypatch.setattr(panel_module, "system_spells", fake)
    assert emb._spells("/d", is_seed) == "spells"
    assert calls == [("/d", source)]


# ------------------------------------------------------------------ _members_at and _is_member


def _spell_frame(rows) -> pd.DataFrame:
    return pd.DataFrame({"ccode": [r[0] for r in rows],
                         "start_date": pd.to_datetime([r[1] for r in rows]),
                         "end_date": pd.to_datetime([r[2] for r in rows])})


SPELLS = _spell_frame([
    (2, "1816-01-01", "2024-12-31"),
    (200, "1816-01-01", "1940-06-21"),   # two spells of one state, a gap between them
    (200, "1945-05-08", "2024-12-31"),
    (315, "1918-10-28", "1992-12-31"),
    (316, "1993-01-01", "2024-12-31"),
    (317, "1993-01-01", "2024-12-31"),
    (260, "1955-05-05", "1990-10-02"),
    (255, "1990-10-03", "2024-12-31"),
    (678, "1926-11-01", "1990-05-21"),
    (679, "1990-05-22", "2024-12-31"),
])


def test_members_at_includes_the_first_and_last_day_of_a_spell():
    """Catches ``<=`` / ``>=`` turned into ``<`` / ``>``, ``&`` into ``|`` and renamed date columns."""
    got = lambda day: sorted(emb._members_at(SPELLS, pd.Timestamp(day))["ccode"].tolist())  # noqa: E731
    assert got("1990-10-03") == [2, 200, 255, 315, 679]   # 255's first day; 260 ended the day before
    assert got("1990-10-02") == [2, 200, 260, 315, 679]   # 260's last day
    assert got("1940-06-22") == [2, 315, 678]             # 200 in its gap
    assert got("1815-12-31") == []


def test_members_at_keeps_one_row_per_state():
    """Catches ``drop_duplicates("ccode")`` losing its column (overlapping spells of one state)."""
    spells = _spell_frame([(2, "1900-01-01", "2000-12-31"), (2, "1950-01-01", "2010-12-31"),
                           (20, "1920-01-01", "2000-12-31")])
    got = emb._members_at(spells, pd.Timestamp("1960-01-01"))
    assert got["ccode"].tolist() == [2, 20]
    assert got["start_date"].tolist() == [pd.Timestamp("1900-01-01"), pd.Timestamp("1920-01-01")]


def _member_loop(spells: pd.DataFrame, ccode, days) -> list[bool]:
    """Oracle: a Python loop over the spells (end day included; NaT is never a member day)."""
    out = []
    for c, d in zip(ccode, days):
        if np.isnat(d):
            out.append(False)
            continue
        t = pd.Timestamp(d)
        out.append(any(r.ccode == c and r.start_date <= t <= r.end_date for r in spells.itertuples()))
    return out


def test_is_member_matches_a_loop_over_the_spells_around_their_ends():
    """Catches the end day dropped / a day added after it, ``> 0`` turned into ``>= 0`` / ``> 1``,
    renamed columns and lost arguments."""
    cases = [
        (200, "1940-06-21"), (200, "1940-06-22"), (200, "1945-05-07"), (200, "1945-05-08"),
        (315, "1992-12-31"), (315, "1993-01-01"), (316, "1992-12-31"), (316, "1993-01-01"),
        (260, "1990-10-02"), (260, "1990-10-03"), (2, "1816-01-01"), (2, "1815-12-31"),
        (2, "NaT"), (999, "1990-01-01"),
        (1, "1990-01-01"), (-2, "1990-01-01"),   # no state: not a member whatever the filler code is
    ]
    ccode = np.array([c for c, _ in cases], dtype="int64")
    days = _days(*[d for _, d in cases])
    got = emb._is_member(SPELLS, ccode, days)
    assert got.tolist() == _member_loop(SPELLS, ccode, days)
    assert got.tolist() == [True, False, False, True, True, False, False, True, True, False, True, False,
                            False, False, False, False]


# ------------------------------------------------------------------ _coverage


@pytest.mark.parametrize("name", ["alliances", "igos", "treaties_bilateral", "exercises"])
def test_coverage_of_the_seed_is_the_seed_years(name):
    """Catches int(None) in place of the seed's first or last year."""
    assert emb._coverage(emb.COMPONENTS[name], True) == (1945, 2024)


@pytest.mark.parametrize(("name", "want"), [
    ("alliances", (1815, 2016)), ("igos", (1816, 2014)), ("treaties_bilateral", (1816, 2023)),
    ("treaties_multilateral", (1816, 2023)), ("trade_agreements", (1948, 2023)), ("exercises", (1980, 2010))])
def test_coverage_of_the_full_sources(name, want):
    """Catches ``==`` turned into ``!=`` / a misspelt treaty source (record coverage vs the source's own)
    and the source name lost."""
    assert emb._coverage(emb.COMPONENTS[name], False) == want


# ------------------------------------------------------------------ _check_components

ALL = ("alliances, treaties_bilateral, treaties_multilateral, igos, trade_agreements, investment_treaties, "
       "defense_pacts, exercises")


@pytest.mark.parametrize(("is_seed", "want"), [(True, ["alliances", "igos"]),
                                                (False, ["alliances", "treaties_bilateral", "igos"])])
def test_check_components_default_by_source(is_seed, want):
    """Catches ``is None`` turned into ``is not None`` and the seed / full defaults swapped."""
    got = emb._check_components(None, is_seed)
    assert got == want and type(got) is list


def test_check_components_reads_a_comma_list_and_drops_repeats():
    """Catches the split on "," lost or changed, and the repeat removal lost."""
    assert emb._check_components(" igos, ,alliances,igos ,", False) == ["igos", "alliances"]
    assert emb._check_components(["exercises", "igos", "exercises"], False) == ["exercises", "igos"]


def test_check_components_refuses_an_unknown_name_with_the_allowed_list():
    """Catches a changed option list or name in ``check_option`` (exact message)."""
    with pytest.raises(UnknownOptionError) as err:
        emb._check_components("igos,embassies", False)
    allowed = ", ".join(repr(c) for c in ALL.split(", "))
    assert str(err.value) == f"unknown embeddedness component 'embassies'; allowed: {allowed}"


@pytest.mark.parametrize("given", ["", " , ", []])
def test_check_components_refuses_an_empty_list(given):
    """Catches ``if not comps`` turned into ``if comps`` and a changed message."""
    with pytest.raises(UnknownOptionError) as err:
        emb._check_components(given, False)
    assert str(err.value) == f"no embeddedness component given; allowed: {ALL}"


def test_check_components_refuses_a_part_with_the_whole_it_belongs_to():
    """Catches the overlap test inverted, ``both[1]`` for ``both[0]`` and changed join text (exact messages)."""
    with pytest.raises(UnknownOptionError) as err:
        emb._check_components("trade_agreements,treaties_multilateral", False)
    assert str(err.value) == ("embeddedness components trade_agreements and treaties_multilateral overlap "
                              "(trade_agreements is part of treaties_bilateral and treaties_multilateral): "
                              "a tie would count twice; choose one")
    with pytest.raises(UnknownOptionError) as err:
        emb._check_components(["investment_treaties", "treaties_multilateral", "treaties_bilateral"], False)
    assert str(err.value) == ("embeddedness components investment_treaties and treaties_bilateral overlap "
                              "(investment_treaties is part of treaties_bilateral and treaties_multilateral): "
                              "a tie would count twice; choose one")
    with pytest.raises(UnknownOptionError) as err:
        emb._check_components(["defense_pacts", "alliances"], True)
    assert str(err.value) == ("embeddedness components defense_pacts and alliances overlap "
                              "(defense_pacts is part of alliances): a tie would count twice; choose one")


def test_check_components_accepts_a_part_or_a_whole_alone():
    """Catches ``and`` turned into ``or`` / ``in`` into ``not in`` in the overlap test."""
    assert emb._check_components(["treaties_bilateral", "treaties_multilateral", "alliances"], False) == [
        "treaties_bilateral", "treaties_multilateral", "alliances"]
    assert emb._check_components(["trade_agreements", "investment_treaties", "defense_pacts"], False) == [
        "trade_agreements", "investment_treaties", "defense_pacts"]


def test_check_components_seed_accepts_its_own_and_optional_components():
    """Catches the seed's missing-component test inverted or its tuples subtracted."""
    assert emb._check_components("defense_pacts,igos", True) == ["defense_pacts", "igos"]
    assert emb._check_components("alliances", True) == ["alliances"]


def test_check_components_seed_refuses_full_only_components_naming_them():
    """Catches a changed MissingDataError text (exact message)."""
    with pytest.raises(MissingDataError) as err:
        emb._check_components(["alliances", "treaties_bilateral", "exercises"], True)
    assert str(err.value) == ("component(s) treaties_bilateral, exercises need the full sources (the embedded seed "
                              "has alliances, igos); pass --data-dir / data_dir=")


# ------------------------------------------------------------------ _check_lag


@pytest.mark.parametrize(("lag", "want"), [(0, 0), (1, 1), (200, 200), (3.0, 3), (np.int64(7), 7)])
def test_check_lag_accepts_whole_numbers_from_0_to_200(lag, want):
    """Catches the bounds moved (``1 <=``, ``0 <``, ``< 200``), the test negated and int(None)."""
    got = emb._check_lag(lag)
    assert got == want and type(got) is int


@pytest.mark.parametrize("lag", [True, False, 1.5, -1, 201, 0.5, 10**22, np.float64(2.5)])
def test_check_lag_refuses_booleans_fractions_and_out_of_range(lag):
    """Catches ``or`` turned into ``and``, ``<= 201`` and a lost message (exact text)."""
    with pytest.raises(CoverageError) as err:
        emb._check_lag(lag)
    assert str(err.value) == f"lag_years must be a whole number from 0 to 200, got {lag!r}"


@pytest.mark.parametrize("lag", [float("nan"), float("inf"), None, "2"])
def test_check_lag_refuses_nan_infinity_and_none_with_a_coverage_error(lag):
    """Documented: lag_years not a whole number from 0 to 200 is a CoverageError (the error callers catch);
    int() of NaN, infinity or None used to raise ValueError / OverflowError / TypeError first."""
    with pytest.raises(CoverageError) as err:
        emb._check_lag(lag)
    assert str(err.value) == f"lag_years must be a whole number from 0 to 200, got {lag!r}"


# ------------------------------------------------------------------ _measurement_days and _year


def test_measurement_days_go_back_lag_years_with_29_february_to_28():
    """Catches ``-`` turned into ``+``, ``if not lag`` inverted and a lost / changed offset."""
    days = _days("2004-02-29", "2003-03-20", "NaT")
    got = emb._measurement_days(days, 1)
    assert got.dtype == np.dtype("datetime64[ns]")
    assert got.tolist() == _days("2003-02-28", "2002-03-20", "NaT").tolist()
    assert emb._measurement_days(days, 4).tolist() == _days("2000-02-29", "1999-03-20", "NaT").tolist()


def test_measurement_days_without_lag_are_the_days_themselves():
    """A lag of 0 returns the array given."""
    days = _days("2004-02-29", "NaT")
    assert emb._measurement_days(days, 0) is days


def test_measurement_days_come_back_in_nanoseconds_whatever_the_input_unit():
    """Catches ``to_numpy("datetime64[ns]")`` losing its unit (a seconds array stayed in seconds)."""
    days = np.array(["2004-02-29", "2003-03-20"], dtype="datetime64[s]")
    got = emb._measurement_days(days, 2)
    assert got.dtype == np.dtype("datetime64[ns]")
    assert got.tolist() == _days("2002-02-28", "2001-03-20").tolist()


def test_year_is_a_float_year_with_nan_for_nat():
    """Catches a lost / misspelt float dtype and a lost argument."""
    got = emb._year(_days("2003-03-20", "NaT", "1816-01-01"))
    assert got.dtype == np.float64
    assert got[0] == 2003.0 and math.isnan(got[1]) and got[2] == 1816.0


# ------------------------------------------------------------------ _Sources


class _Builder:
    """A build function that counts its calls and returns a new object each time."""

    def __init__(self) -> None:
        self.n = 0

    def __call__(self):
        self.n += 1
        return ("built", self.n)


def test_sources_keeps_its_arguments_and_starts_empty():
    """Catches the attributes or the cache set to None."""
    src = emb._Sources("/d", True)
    assert src.data_dir == "/d" and src.is_seed is True and src._cache == {}
    src = emb._Sources(None, False)
    assert src.data_dir is None and src.is_seed is False


def test_sources_get_builds_once_per_key():
    """Catches ``not in`` turned into ``in`` and the built value stored as None."""
    src = emb._Sources(None, False)
    a, b = _Builder(), _Builder()
    assert src.get("a", a) == ("built", 1)
    assert src.get("a", a) == ("built", 1)
    assert src.get("b", b) == ("built", 1)
    assert src.get("a", b) == ("built", 1)
    assert (a.n, b.n) == (1, 1)


def test_sources_seed_alliances_one_table_per_pacts_only(monkeypatch):
    """Catches a lost / shared cache key, a lost build and ``defence_pacts_only`` lost."""
    calls = []

    def fake(*, defence_pacts_only=False):
        calls.append(defence_pacts_only)
        return ("seed ties", defence_pacts_only)

    monkeypatch.setattr(ties_module, "seed_alliance_ties", fake)
    src = emb._Sources("/d", True)
    assert src.alliance_ties(False) == ("seed ties", False)
    assert src.alliance_ties(True) == ("seed ties", True)
    assert src.alliance_ties(False) == ("seed ties", False)
    assert src.alliance_ties(True) == ("seed ties", True)
    assert calls == [False, True]


@pytest.fixture
def load_calls(monkeypatch):
    """Replace ``load_source`` by a recorder returning ``("loaded", name)``."""
    calls = []

    def fake(name, data_dir):
        calls.append((name, data_dir))
        return ("loaded", name)

    monkeypatch.setattr(common_module, "load_source", fake)
    return calls


def test_sources_full_alliances_load_atop_once_and_keep_defence_pacts(monkeypatch, load_calls):
    """Catches the ATOP source name or data_dir lost, the build lost, and ``defense > 0`` changed
    (``>= 0``, ``> 1``, the filter always or never applied)."""
    built = []

    def fake_alliance_ties(members):
        built.append(members)
        return pd.DataFrame({"atopid": [1, 2, 3, 4], "defense": [0, 1, 2, 0]})

    monkeypatch.setattr(ties_module, "alliance_ties", fake_alliance_ties)
    src = emb._Sources("/data", False)
    pacts = src.alliance_ties(True)
    assert pacts["atopid"].tolist() == [2, 3]
    every = src.alliance_ties(False)
    assert every["atopid"].tolist() == [1, 2, 3, 4]
    assert load_calls == [("atop_members", "/data")]
    assert built == [("loaded", "atop_members")]


def test_sources_treaty_ties_built_once_from_the_data_dir(monkeypatch):
    """Catches the build lost or the data_dir not passed on."""
    calls = []
    monkeypatch.setattr(treaties_module, "treaty_ties", lambda data_dir: calls.append(data_dir) or ("ties", data_dir))
    src = emb._Sources("/data", False)
    assert src.treaty_ties() == ("ties", "/data")
    assert src.treaty_ties() == ("ties", "/data")
    assert calls == ["/data"]


def test_sources_full_igo_tables_loaded_once_each(load_calls):
    """Catches the IGO source names or data_dir lost, or a build lost."""
    src = emb._Sources("/data", False)
    assert src.igo_members() == ("loaded", "cow_igo")
    assert src.igo_list() == ("loaded", "cow_igo_list")
    assert src.igo_members() == ("loaded", "cow_igo")
    assert src.igo_list() == ("loaded", "cow_igo_list")
    assert load_calls == [("cow_igo", "/data"), ("cow_igo_list", "/data")]


def test_sources_seed_igo_tables_come_from_the_seed_once_each(monkeypatch, load_calls):
    """Catches a lost build in the seed branch (and no load of a full source)."""
    members, igos = _Builder(), _Builder()
    monkeypatch.setattr(seed_module, "igo_membership_long", members)
    monkeypatch.setattr(seed_module, "igo_list", igos)
    src = emb._Sources("/data", True)
    assert src.igo_members() == ("built", 1)
    assert src.igo_list() == ("built", 1)
    assert src.igo_members() == ("built", 1)
    assert src.igo_list() == ("built", 1)
    assert (members.n, igos.n) == (1, 1) and load_calls == []


# ------------------------------------------------------------------ _existence


def test_existence_missing_leaves_codes_and_needs_both_states_on_the_day():
    """Catches the membership of either side lost / swapped, ``&`` turned into ``|``, NaT and self pairs."""
    c1 = np.array([2, 2, 316, 2, 2, 2, 2, 999], dtype="int64")
    c2 = np.array([316, 316, 2, 2, 200, 200, 260, 2], dtype="int64")
    days = _days("1980-01-01", "1995-01-01", "1980-01-01", "1995-01-01", "1942-01-01", "NaT", "1990-10-02",
                 "1990-01-01")
    c1_before, c2_before = c1.copy(), c2.copy()
    o1, o2, inherited, exists = emb._existence(SPELLS, c1, c2, days, "missing")
    assert o1.tolist() == c1_before.tolist() and o2.tolist() == c2_before.tolist()
    assert inherited.dtype == np.float64 and np.isnan(inherited).all() and len(inherited) == 8
    assert exists.tolist() == [False, True, False, False, False, False, True, False]
    assert c1.tolist() == c1_before.tolist() and c2.tolist() == c2_before.tolist()  # inputs untouched


def test_existence_inherit_gives_successors_their_predecessors_codes():
    """Catches the successor test changed (``~member``, ``== succ``, ``&``), lost predecessor look-ups,
    the member flag set False, and the predecessor not recorded for the partner (``c2``) only."""
    c1 = np.array([2, 316, 2, 2, 2, 2, 2, 2, 2, 2], dtype="int64")
    c2 = np.array([316, 2, 317, 255, 255, 679, 316, 999, 2, 255], dtype="int64")
    days = _days("1980-01-01", "1980-01-01", "1980-01-01", "1970-01-01", "1930-01-01", "1985-01-01",
                 "1995-01-01", "1980-01-01", "1980-01-01", "NaT")
    o1, o2, inherited, exists = emb._existence(SPELLS, c1, c2, days, "inherit")
    assert o1.tolist() == [2, 315, 2, 2, 2, 2, 2, 2, 2, 2]
    assert o2.tolist() == [315, 2, 315, 260, 255, 678, 316, 999, 2, 255]
    assert inherited.dtype == np.float64
    assert [None if math.isnan(x) else x for x in inherited] == [315, None, 315, 260, None, 678, None, None,
                                                                  None, None]
    assert exists.tolist() == [True, True, True, True, False, True, True, False, False, False]
    assert c1[1] == 316 and c2[0] == 316  # the caller's arrays are not changed


@pytest.mark.parametrize(("succ", "pred", "day"), [(316, 315, "1980-01-01"), (317, 315, "1980-01-01"),
                                                    (255, 260, "1970-01-01"), (679, 678, "1985-01-01")])
def test_existence_inherit_each_successor_alone(succ, pred, day):
    """Catches ``continue`` turned into ``break`` (a successor after one with no hit was skipped)."""
    for c1, c2, track in ((np.array([2]), np.array([succ]), [float(pred)]), (np.array([succ]), np.array([2]), None)):
        o1, o2, inherited, exists = emb._existence(SPELLS, c1, c2, _days(day), "inherit")
        assert sorted([int(o1[0]), int(o2[0])]) == sorted([2, pred])
        assert exists.tolist() == [True]
        if track is None:
            assert np.isnan(inherited).all()
        else:
            assert inherited.tolist() == track


# ------------------------------------------------------------------ _versions


def test_versions_of_the_seed_name_its_tables():
    """Catches a renamed component or table in the seed's table map."""
    assert emb._versions(["alliances", "igos"], True) == {"seed.us_defence_treaties": "2026.11",
                                                          "seed.igo_membership_long": "2026.11"}
    assert emb._versions(["defense_pacts"], True) == {"seed.us_defence_treaties": "2026.11"}


TREATY_RECORD = {"cow_states": "2024", "manytreaties_parties": "manytreaties 1.0.0 (commit 4bf79f9, 2025-10-05)",
                 "desta_dyads": "02_02", "desta_withdrawals": "02_02", "unctad_iia": "scraped 2025",
                 "manytreaties_agreements": "manytreaties 1.0.0 (commit 4bf79f9, 2025-10-05)",
                 "atop_members": "4.01"}


@pytest.mark.parametrize(("comps", "want"), [
    (["alliances"], {"cow_states": "2024", "atop_members": "4.01"}),
    (["defense_pacts"], {"cow_states": "2024", "atop_members": "4.01"}),
    (["igos"], {"cow_states": "2024", "cow_igo": "3.0", "cow_igo_list": "3.0"}),
    (["trade_agreements"], {"cow_states": "2024", "desta_dyads": "02_02", "desta_withdrawals": "02_02"}),
    (["investment_treaties"], {"cow_states": "2024", "unctad_iia": "scraped 2025"}),
    (["exercises"], {"cow_states": "2024", "military_exercises": "7"}),
    (["treaties_bilateral"], TREATY_RECORD),
    (["treaties_multilateral"], TREATY_RECORD),
    (["igos", "exercises"], {"cow_states": "2024", "cow_igo": "3.0", "cow_igo_list": "3.0",
                             "military_exercises": "7"}),
])
def test_versions_of_the_full_sources_name_every_source_read(comps, want):
    """Catches a renamed key or source, a lost version and an inverted component test."""
    assert emb._versions(comps, False) == want


# ------------------------------------------------------------------ _standardise


def _nan_list(values) -> list:
    return [None if (isinstance(x, float) and math.isnan(x)) else round(float(x), 12) for x in values]


def test_standardise_z_scores_with_the_population_sd():
    """Catches ddof=1, ``*`` for ``/``, ``+`` for ``-``, the sd > 0 test changed and the sum's min_count."""
    out = pd.DataFrame({"a": [0.0, 0.0, 4.0, 4.0],   # mean 2, population sd 2
                        "b": [0.0, 1.0, 0.0, 1.0],   # mean 0.5, population sd 0.5
                        "c": [3.0, 3.0, 3.0, 3.0]})  # sd 0: no z-score
    got = emb._standardise(out.copy(), ["a", "b"])
    assert _nan_list(got["a_z"]) == [-1.0, -1.0, 1.0, 1.0]
    assert _nan_list(got["b_z"]) == [-1.0, 1.0, -1.0, 1.0]
    assert _nan_list(got["embeddedness_z"]) == [-2.0, 0.0, 0.0, 2.0]
    got = emb._standardise(out.copy(), ["a", "c"])
    assert _nan_list(got["c_z"]) == [None] * 4
    assert _nan_list(got["embeddedness_z"]) == [None] * 4  # one component without a z-score: no sum


def test_standardise_by_group():
    """Catches the groups ignored or lost (z-scores within each lead and day)."""
    out = pd.DataFrame({"a": [0.0, 2.0, 10.0, 10.0, 10.0, 20.0]})
    groups = pd.Series(["x", "x", "y", "y", "z", "z"])
    got = emb._standardise(out, ["a"], groups=groups)
    assert _nan_list(got["a_z"]) == [-1.0, 1.0, None, None, -1.0, 1.0]
    assert _nan_list(got["embeddedness_z"]) == [-1.0, 1.0, None, None, -1.0, 1.0]
    assert list(got.columns) == ["a", "a_z", "embeddedness_z"]


def test_standardise_nan_rows_do_not_count():
    """A row without a value has no z-score; the others use the mean and sd of the values present."""
    out = pd.DataFrame({"a": [1.0, np.nan, 3.0]})  # mean 2, population sd 1
    got = emb._standardise(out, ["a"])
    assert _nan_list(got["a_z"]) == [-1.0, None, 1.0]
