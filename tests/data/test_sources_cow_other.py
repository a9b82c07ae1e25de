"""Spot facts and reference checks for the remaining COW-coded sources (isard panels, UN voting, US
military presence, wars, peace operations, Tago 2005, COW IGO reference counts), on the real files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from coalitionlab.data import get_source, load
from coalitionlab.errors import DataFileError


def test_gdp_population_usa(shared_data: Path) -> None:
    gdp = load("gdp_population", shared_data).set_index(["ccode", "year"])
    assert 300 < gdp.loc[(2, 2019), "pwtpop"] < 350  # millions
    assert gdp.loc[(2, 2019), "mrgdppc"] > gdp.loc[(2, 1950), "mrgdppc"]
    assert (gdp[["mrgdppc", "pwtrgdp", "pwtpop"]].dropna() > 0).all().all()


def test_gw_cow_panel_codes(shared_data: Path) -> None:
    panel = load("gw_cow_panel", shared_data).set_index(["ccode", "year"])
    assert panel.loc[(2, 2000), "gwcode"] == 2
    # Gleditsch-Ward codes unified Germany 260 and Serbia 340, COW keeps 255 and 345
    assert panel.loc[(255, 1900), "gwcode"] == 255 and panel.loc[(255, 1991), "gwcode"] == 260
    assert panel.loc[(345, 1991), "gwcode"] == 345 and panel.loc[(345, 2010), "gwcode"] == 340
    assert panel.gwcode.isna().sum() == 43  # COW state-years with no GW counterpart, e.g. Serbia 1916-1917
    assert panel.loc[(345, 1916), "gwcode"] is pd.NA


def test_un_ideal_points(shared_data: Path) -> None:
    un = load("un_ideal_points", shared_data)
    assert (un.year == un.session + 1945).all()
    usa = un[un.ccode == 2]
    assert usa.year.min() == 1946 and usa.year.max() == 2023
    assert (usa.us_agree.dropna() == 1).all()
    y2000 = un[un.year == 2000].set_index("ccode")
    # the UK votes with the USA far more often than Cuba does
    assert y2000.loc[200, "us_agree"] > 0.45 > 0.2 > y2000.loc[40, "us_agree"]
    assert y2000.loc[2, "ideal_point"] > y2000.loc[200, "ideal_point"] > y2000.loc[40, "ideal_point"]


def test_us_troops_facts_and_quirks(shared_data: Path) -> None:
    troops = load("us_troops", shared_data).set_index(["ccode", "year"])
    assert troops.loc[(740, 1950), "troops_ad"] == 136_688  # Japan under occupation
    assert troops.loc[(255, 1990), "troops_ad"] == 227_586
    # duplicate spellings summed: "Czech Republic" (all zeros) + "Czechia"
    assert troops.loc[(316, 2013), "troops_ad"] == 17 and troops.loc[(316, 2013), "country_name"] == "Czechia"
    assert pd.isna(troops.loc[(350, 1959), "marine_corps_ad"])  # negative in the file
    assert troops.index.get_level_values("ccode").max() <= 999 and 6 not in troops.index.get_level_values("ccode")
    # the loader never invents zeros: host-years absent from the file stay absent
    raw = pd.read_csv(shared_data / "us_military_presence" / "troopdata_country_year.csv.gz")
    raw_codes = (raw.ccode.mask((raw.year < 1990) & raw.ccode.eq(255), 260).mask((raw.year < 1990) & raw.ccode.eq(679), 678)
                 .mask((raw.year < 1975) & raw.ccode.eq(816), 817))
    assert set(zip(troops.index.get_level_values(0), troops.index.get_level_values(1))) <= set(zip(raw_codes, raw.year))


def test_us_bases_and_construction(shared_data: Path) -> None:
    bases = load("us_bases", shared_data)
    ramstein = bases[bases.basename.str.contains("Ramstein", na=False)]
    assert ramstein.ccode.tolist() == [255] and ramstein.is_major_base.tolist() == [True]
    assert (bases.basename == "Naval Support Activity Naples").sum() == 1
    build = load("us_construction", shared_data)
    raw = pd.read_csv(shared_data / "us_military_presence" / "builddata_milcon.csv.gz")
    keyed = raw[raw.ccode.notna()]
    assert build.spend_construction.sum() == pytest.approx(keyed.spend_construction.sum())
    assert build.n_projects.sum() == len(keyed) == 3_364


def test_cow_war_inter_gulf_war(shared_data: Path) -> None:
    wars = load("cow_war_inter", shared_data)
    gulf = wars[(wars.warnum == 211) & (wars.ccode1 == 2) & (wars.ccode2 == 645)].iloc[0]
    assert gulf.year == 1991 and gulf.outcome1 == 1 and gulf.outcome2 == 2 and gulf.batdeath1 == 376
    assert gulf.side1 != gulf.side2
    assert (wars.side1 != wars.side2).all()
    assert wars.is_resumed.sum() == 22
    assert wars.batdeath1.isna().sum() == 4  # -9 in the file
    assert wars.year.between(1816, 2007).all()


def test_pko_sources(shared_data: Path) -> None:
    deaths = load("pko_contingent_fatalities", shared_data)
    us_somalia = deaths[(deaths.ccode == 2) & (deaths.mission == "UNOSOM") & (deaths.month_date == "1993-08-01")]
    assert us_somalia.fatalities_malicious.tolist() == [4]
    parts = deaths[["fatalities_illness", "fatalities_accident", "fatalities_malicious", "fatalities_other"]]
    assert (parts.sum(axis=1) == deaths.fatalities_total).all()
    ops = load("pko_un_nonun", shared_data)
    assert ops.org.value_counts().to_dict() == {1: 3_483, 2: 3_261, 3: 1_356}
    assert ops.mission.nunique() == 112
    assert set(ops[ops.mission == "ISAF"].org) == {3}
    assert (ops.month_date.dt.day == 1).all()


def test_tago_us_force(shared_data: Path) -> None:
    tago = load("tago_us_force", shared_data)
    assert tago.coalitional_use_of_force.sum() == 46 and tago.igo_authorized_use_of_force.sum() == 30
    assert tago.event_id.tolist() == list(range(1, 289))
    assert tago.start_year.between(1948, 1998).all()


def test_cow_igo_states_year_matches_long_membership(shared_data: Path) -> None:
    sy = load("cow_igo_states_year", shared_data)
    long = load("cow_igo", shared_data)
    counts = (long.assign(full=long.status.eq(1), assoc=long.status.eq(2), obs=long.status.eq(3))
              .groupby(["ccode", "year"])[["full", "assoc", "obs"]].sum())
    counts["any"] = counts.sum(axis=1)
    merged = sy.set_index(["ccode", "year"]).join(counts, how="left").fillna(0)
    assert (merged.igo_full == merged.full).all() and (merged.igo_associate == merged.assoc).all()
    assert (merged.igo_observer == merged.obs).all() and (merged.igo_any == merged["any"]).all()
    assert sy.set_index(["ccode", "year"]).loc[(2, 2014), "igo_any"] == 93


@pytest.mark.parametrize("year", [1950, 2000])
def test_cow_igo_ndy_equals_joint_full_or_associate(year: int, shared_data: Path) -> None:
    """The reference dyadic counts equal a self-join of cow_igo on (year, ioname), status 1 or 2."""
    ndy = load("cow_igo_ndy", shared_data)
    ndy = ndy[ndy.year == year]
    igo = load("cow_igo", shared_data)
    members = igo[(igo.year == year) & igo.status.isin([1, 2])][["ccode", "ioname"]]
    pairs = members.merge(members, on="ioname", suffixes=("1", "2"))
    joint = pairs[pairs.ccode1 < pairs.ccode2].groupby(["ccode1", "ccode2"]).size().rename("joint")
    merged = ndy.set_index(["ccode1", "ccode2"]).join(joint).fillna({"joint": 0})
    assert len(merged) > 1_000
    assert (merged.dyadigos == merged.joint).all()


def test_pko_month_out_of_range_names_month(shared_data: Path, tmp_path: Path) -> None:
    source = get_source("pko_contingent_fatalities")
    (tmp_path / source.folder).mkdir()
    file = tmp_path / source.folder / source.files[0]
    shutil.copy(shared_data / source.folder / source.files[0], file)
    raw = pd.read_csv(file)
    raw.loc[3, "Month"] = 13
    raw.to_csv(file, index=False)
    with pytest.raises(DataFileError, match="impossible date") as info:
        load("pko_contingent_fatalities", tmp_path, cache=False)
    assert info.value.column == "Month" and info.value.row == 5


def test_us_troops_west_germany_and_north_yemen_get_their_cow_codes(shared_data: Path) -> None:
    # troopdata files West Germany 1950-1989 under 255 and the Yemen Arab Republic under 679 in three
    # pre-unification years; COW codes them 260 and 678 until 1990
    troops = load("us_troops", shared_data).set_index(["ccode", "year"])
    years = troops.index.get_level_values("year")
    codes = troops.index.get_level_values("ccode")
    assert not ((codes == 255) & (years < 1990)).any() and not ((codes == 679) & (years < 1990)).any()
    assert troops.loc[(260, 1989), "troops_ad"] == 248_621 and troops.loc[(260, 1989), "iso3c"] == "DEU"
    assert troops.loc[(255, 1990), "troops_ad"] == 227_586 and (260, 1990) not in troops.index
    # the 679 rows of 1964, 1977 and 1978 are summed with the (all-zero) 678 rows of those years
    assert troops.loc[(678, 1978), "troops_ad"] == 21 and troops.loc[(678, 1979), "troops_ad"] == 15
    assert troops.loc[(679, 1990), "troops_ad"] == 37


def test_pko_contributors_are_the_state_of_the_month(shared_data: Path) -> None:
    # the file's Cowcontr keeps the German Federal Republic's 260 for Germany in 1993-2013 and
    # Czechoslovakia's 315 for the Czech Republic in 1994-1995; COW: 255 and 316
    deaths = load("pko_contingent_fatalities", shared_data)
    assert not (deaths.ccode.eq(260) & (deaths.month_date >= "1990-10-03")).any()
    assert not (deaths.ccode.eq(315) & (deaths.month_date >= "1993-01-01")).any()
    germany = deaths[deaths.contributor_name == "Germany Federal Republic of"]
    assert len(germany) == 13 and set(germany.ccode) == {255}
    czech = deaths[deaths.contributor_name == "Czech Republic"]
    assert len(czech) == 4 and set(czech.ccode) == {316}
    assert len(deaths) == 2_477


def test_us_troops_in_vietnam_before_1975_are_in_south_vietnam(shared_data: Path) -> None:
    # troopdata's "Vietnam" rows carry 816 (COW's North Vietnam, then unified Vietnam) also for the war
    # years, when the US deployed to South Vietnam, COW 817 (1954 to 30 April 1975). The raw file's own rows
    # are the oracle: 410,878 active-duty troops in 1970, 265 in 1973, 0 in 1975
    raw = pd.read_csv(shared_data / "us_military_presence" / "troopdata_country_year.csv.gz")
    vietnam = raw[raw.ccode.isin([816, 817])].set_index("year")["troops_ad"]
    troops = load("us_troops", shared_data).set_index(["ccode", "year"])["troops_ad"]
    assert troops.loc[(817, 1970)] == vietnam.loc[1970] == 410_878
    assert troops.loc[(817, 1973)] == vietnam.loc[1973] == 265
    assert not [y for c, y in troops.index if c == 816 and y < 1975]
    assert troops.loc[(816, 1975)] == 0 and (817, 1975) not in troops.index
    # every pre-1975 Vietnam row of the file, under 816 or 817, lands on 817: the war-years totals agree
    assert troops.loc[817].sum() == vietnam[vietnam.index < 1975].sum()

