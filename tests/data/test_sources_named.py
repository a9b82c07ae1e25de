"""Name- and ISO-coded sources, loaded from the real files, checked against facts and the raw files."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from coalitionlab.data import load
from coalitionlab.data.countries import to_ccode
from coalitionlab.data.publishers import desta, exercises, unctad, us_military_presence
from coalitionlab.errors import DataFileError, UnknownCountryError


def _pairs(df: pd.DataFrame) -> set[tuple[int, int]]:
    return set(zip(df.ccode1.astype(int), df.ccode2.astype(int)))


# ---------------------------------------------------------------- DESTA


@pytest.fixture(scope="module")
def desta_dyads(shared_data):
    return load("desta_dyads", shared_data)


def test_desta_dyads_shape_and_dropped_rows(shared_data, desta_dyads):
    raw = pd.read_csv(shared_data / "desta" / "desta_list_of_treaties_02_02_dyads.csv.gz", low_memory=False)
    nonstate = raw.iso1.isin(list(desta.DESTA_NON_STATES)) | raw.iso2.isin(list(desta.DESTA_NON_STATES))
    assert len(raw) == 20_320 and int(nonstate.sum()) == 444
    assert len(desta_dyads) == len(raw) - int(nonstate.sum()) == 19_876  # only the listed non-states drop
    assert (desta_dyads.ccode1 < desta_dyads.ccode2).all()
    assert desta_dyads.attrs["source"] == "desta_dyads" and desta_dyads.attrs["version"] == "02_02"
    assert not desta_dyads.duplicated(["ccode1", "ccode2", "number"]).any()


def test_desta_spot_facts(desta_dyads):
    us_israel = desta_dyads[(desta_dyads.ccode1 == 2) & (desta_dyads.ccode2 == 666)]
    assert us_israel[["name", "signature_year", "entry_force_year"]].values.tolist() == [["Israel US", 1985, 1985]]
    nafta = desta_dyads[desta_dyads.name.str.contains("NAFTA", regex=False)]
    assert _pairs(nafta) == {(2, 20), (2, 70), (20, 70)}
    assert set(nafta.signature_year) == {1992} and set(nafta.entry_force_year) == {1994}
    # DESTA's 276 is West Germany before 1990 (COW 260) and Germany after (255)
    germany = desta_dyads[(desta_dyads.ccode1.isin([255, 260])) | (desta_dyads.ccode2.isin([255, 260]))]
    west = (germany.ccode1 == 260) | (germany.ccode2 == 260)
    assert germany[west].signature_year.max() <= 1989 and germany[~west].signature_year.min() >= 1990
    # Kosovo (DESTA 900) maps to COW 347; Yemen's 1981 Inter-Arab agreement to the YAR (678)
    assert ((desta_dyads.ccode1 == 347) | (desta_dyads.ccode2 == 347)).sum() == 43
    yar = desta_dyads[(desta_dyads.ccode1 == 678) | (desta_dyads.ccode2 == 678)]
    assert set(yar.name) == {"Inter-Arab Trade Agreement"}


def test_desta_treaties_and_members(shared_data):
    treaties = load("desta_treaties", shared_data)
    members = load("desta_members", shared_data)
    assert len(treaties) == 1_365 and treaties.number.is_unique
    assert treaties.entry_type.value_counts().to_dict() == {
        "base_treaty": 877, "accession": 207, "withdrawal": 72, "negotiation": 72,
        "protocol or amendment": 71, "consolidated": 66}
    nafta = treaties[treaties.name == "North American Free Trade Agreement (NAFTA)"].iloc[0]
    assert set(members[members.number == nafta.number].ccode) == {2, 20, 70}
    aec = treaties[treaties.name == "African Economic Community"].iloc[0]
    assert aec.n_parties == 51 and aec.n_state_parties == 50 and aec.has_nonstate_party  # Western Sahara
    per_treaty = members.groupby("number").size()
    n_state = treaties.set_index("number").n_state_parties
    # every state party has one member row (a state listed twice in one event counts once)
    assert (per_treaty.reindex(n_state.index, fill_value=0) <= n_state).all()
    assert (per_treaty.reindex(n_state.index, fill_value=0) == n_state).mean() > 0.99


def test_desta_withdrawals_directed(shared_data):
    w = load("desta_withdrawals", shared_data)
    assert len(w) == 1_648  # 1,649 minus the UK's withdrawal from the EC-Faroe Islands agreement
    brexit = w[w.name.str.endswith("withdrawal UK") & (w.withdrawal_year == 2020)]
    assert set(brexit.ccode1) == {200} and 2 not in set(brexit.ccode2)
    venezuela = w[w.number == "604_1"]  # MERCOSUR withdrawal Venezuela, 2017
    assert set(venezuela.ccode1) == {101} and set(venezuela.ccode2) == {140, 150, 160, 165}  # Brazil, Paraguay, Argentina, Uruguay


def test_desta_unknown_code_fails_with_count(tmp_path, shared_data):
    raw = pd.read_csv(shared_data / "desta" / "desta_list_of_treaties_02_02_dyads.csv.gz", low_memory=False)
    bad = raw.head(50).copy()
    bad.loc[[3, 7, 9], "iso1"] = 999
    folder = tmp_path / "desta"
    folder.mkdir()
    bad.to_csv(folder / "desta_list_of_treaties_02_02_dyads.csv.gz", index=False)
    with pytest.raises(UnknownCountryError, match=r"3 rows of desta, file desta_list_of_treaties_02_02_dyads.csv.gz"
                                                  r" could not be mapped: 999 \(3\)") as exc:
        load("desta_dyads", tmp_path, cache=False)
    assert "row 5)" in str(exc.value)  # the file's line: header, then data rows 0-3
    bad["iso2"] = bad["iso2"].astype(object)
    bad.loc[5, "iso2"] = "abc"
    bad.to_csv(folder / "desta_list_of_treaties_02_02_dyads.csv.gz", index=False)
    with pytest.raises(DataFileError, match="iso2"):
        load("desta_dyads", tmp_path, cache=False)


# ---------------------------------------------------------------- UNCTAD IIA


@pytest.fixture(scope="module")
def iia(shared_data):
    return load("unctad_iia", shared_data)


def test_unctad_every_treaty_and_party(shared_data, iia):
    raw = pd.read_csv(shared_data / "unctad_iia" / "unctad_iia_treaties_scraped.csv.gz")
    assert len(raw) == 3_925
    parties = unctad.split_parties(raw.parties)
    not_state = parties.isin(unctad.UNCTAD_ORGANISATIONS | unctad.UNCTAD_NON_STATES)
    only_orgs = not_state.groupby(level=0).all()
    # the only treaties without a row: 64 regional TIPs whose parties are all organisations or
    # territories (ECOWAS, MERCOSUR, EU-ACP, EFTA-GCC ...), which have no COW state party
    missing = raw[~raw.treaty_id.isin(iia.treaty_id)]
    assert set(missing.index) == set(only_orgs[only_orgs].index)
    assert len(missing) == 64 and set(missing.type) == {"TIPs"}
    per_treaty = iia.groupby("treaty_id").agg(type=("type", "first"), status=("status", "first"))
    assert per_treaty.type.value_counts().to_dict() == {"BIT": 3_425, "TIP": 500 - 64}
    assert (iia.groupby("treaty_id").size() == iia.groupby("treaty_id").n_state_parties.first()).all()
    # every party name is mapped or listed: state rows = named states + 2 per BLEU treaty, less duplicates
    assert (~not_state).sum() + (parties == unctad.UNCTAD_BLEU[0]).sum() >= len(iia)


def test_unctad_spot_facts(iia):
    us = iia[iia.ccode == 2]
    assert us.treaty_id.nunique() == 122  # README: "United States of America" in 122 treaties
    assert us[us.type == "BIT"].treaty_id.nunique() == 47  # the 47 US BITs
    arg = iia[iia.short_title == "Argentina - United States of America BIT (1991)"]
    assert set(arg.ccode) == {2, 160}
    assert arg.signature_date.iloc[0] == pd.Timestamp("1991-11-14")
    assert arg.entry_force_date.iloc[0] == pd.Timestamp("1994-10-20")
    # organisations are flagged, never given a ccode: EFTA-Ukraine has one state party
    efta = iia[iia.short_title == "Modernised EFTA- Ukraine FTA (2025)"]
    assert efta.ccode.tolist() == [369] and efta.has_org_party.all() and (efta.n_state_parties == 1).all()
    # BLEU treaties bind Belgium and Luxembourg
    bleu = iia[iia.short_title.str.startswith("BLEU (Belgium-Luxembourg Economic Union) - Hong Kong")]
    assert set(bleu.ccode) == {211, 212} and bleu.has_nonstate_party.all()
    # successor names on predecessors' treaties: Germany before 1990 is the FRG, Serbia 1974 is Yugoslavia
    assert set(iia[iia.short_title == "Germany - Pakistan BIT (1959)"].ccode) == {260, 770}
    assert set(iia[iia.short_title == "France - Serbia BIT (1974)"].ccode) == {220, 345}


def test_unctad_parties_are_states_on_signature_day(iia):
    from coalitionlab.data.countries import is_member
    member = is_member(iia.ccode.to_numpy(), iia.signature_date)
    # 3 of 7,779 party rows: signed on independence day before COW's entry date (Timor-Leste
    # 2002-05-20, COW 2002-09-27), Tonga 1997 (COW entry 1999), the UAE's Abu Dhabi 1966 (COW 1971)
    assert sorted(iia.loc[~member, "ccode"]) == [696, 860, 955]


def test_split_parties():
    s = pd.Series(["Congo, Democratic Republic of the, Korea, Dem. People's Rep. of",
                   "ACP (African, Caribbean and Pacific Group of States), EU (European Union)"])
    assert unctad.split_parties(s).tolist() == ["Democratic Republic of the Congo", "Dem. People's Rep. of Korea",
                                            "ACP (African, Caribbean and Pacific Group of States)",
                                            "EU (European Union)"]


# ---------------------------------------------------------------- military exercises


def test_mme_participants(shared_data):
    mme = load("military_exercises", shared_data)
    raw = pd.read_csv(shared_data / "military_exercises" / "mme_v7_participants_long.csv.gz")
    states = raw[~raw.participant.isin(exercises.MME_NON_STATES)]
    # only listed non-states and repeated (exercise, state) rows leave: 13,887 rows, 13,671 of
    # states, 18 repeated rows, and one exercise listing St Kitts twice ("St. Kitts & Nevis" and
    # "st. christopher") -> 13,652
    assert len(states) == 13_671 and int(states.duplicated(["MMEID", "participant"]).sum()) == 18
    assert len(mme) == 13_671 - 18 - 1
    # README: the USA is the most frequent participant, 1,884 rows (two are repeats)
    counts = mme.ccode.value_counts()
    assert counts.index[0] == 2 and counts.iloc[0] == 1_882
    assert (raw.participant == "United States").sum() == 1_884
    # date-aware: "Federal Republic of Germany" in the 1980s is COW 260
    frg = mme[mme.exercise_id.isin(raw.loc[raw.participant == "Federal Republic of Germany", "MMEID"])]
    assert 260 in set(frg.ccode) and 255 not in set(frg[frg.start_year < 1990].ccode)
    assert mme.start_date.notna().mean() > 0.7
    ok = mme.start_date.notna()
    assert (mme.loc[ok, "start_date"].dt.year == mme.loc[ok, "start_year"]).all()


def test_jme_participants(shared_data):
    jme = load("joint_military_exercises", shared_data)
    raw = pd.read_csv(shared_data / "military_exercises" / "jme_v3.csv.gz", low_memory=False)
    assert jme.exercise_id.max() <= len(raw) == 1_790
    counts = jme.ccode.value_counts()
    assert counts.index[0] == 2  # the USA
    # CSK is Czechoslovakia (315); DEU before 1990 the German Federal Republic; ROM Romania
    states = [c for c in raw.columns if c.startswith("State ")]
    codes = raw[states].apply(lambda c: c.astype("str").str.strip().str.upper())
    csk_rows = set(np.flatnonzero((codes == "CSK").any(axis=1).to_numpy()) + 1)
    assert set(jme.loc[jme.exercise_id.isin(csk_rows), "ccode"]) >= {315}
    deu_1980s = jme[jme.exercise_id.isin(set(np.flatnonzero((codes == "DEU").any(axis=1).to_numpy()) + 1))
                    & (jme.start_year < 1990)]
    assert set(deu_1980s.ccode) & {255, 260} == {260}
    assert jme.is_host.sum() == 14 and jme.start_year.isna().sum() == 4
    # typos in the sheet: no date outside the data's years survives
    assert jme.start_date.dropna().dt.year.between(1974, 2010).all()


# ---------------------------------------------------------------- registry metadata


@pytest.mark.parametrize("name", ["desta_treaties", "desta_members", "desta_dyads", "desta_withdrawals", "unctad_iia",
                                  "military_exercises", "joint_military_exercises", "dod_visits", "un_votes",
                                  "un_roll_calls", "fbic_subset"])
def test_registered_with_citation(name):
    from coalitionlab.data import get_source
    source = get_source(name)
    assert source.citation and source.schema is not None and source.key


# ---------------------------------------------------------------- DoD visits


def test_dod_visits(shared_data):
    visits = load("dod_visits", shared_data)
    raw = pd.read_csv(shared_data / "us_military_presence" / "visits_dod_officials.csv")
    assert len(raw) == 377 and raw["State Visit"].isin(us_military_presence.DOD_NON_STATES).sum() == 11
    assert len(visits) == 366 and visits.visit_id.is_unique
    first = visits.iloc[0]
    assert (first.ccode, first.start_date, first.end_date, first["name"]) == (
        740, pd.Timestamp("2012-04-21"), pd.Timestamp("2012-04-28"), "Michael B. Donley")
    # hosts given by name: Kosovo 347; the Nassau trip is the Bahamas (31), with its impossible end day blanked
    assert (visits.ccode == 347).sum() == 6
    nassau = visits[visits.ccode == 31]
    assert len(nassau) == 1 and pd.isna(nassau.end_date.iloc[0])
    assert (visits.end_date.dropna() >= visits.start_date[visits.end_date.notna()]).all()
    assert visits.start_date.min().year == 1992 and visits.start_date.max().year == 2012


# ---------------------------------------------------------------- UN votes


@pytest.fixture(scope="module")
def un_votes(shared_data):
    return load("un_votes", shared_data)


def test_un_votes_all_rows_mapped(un_votes):
    assert len(un_votes) == 870_109  # nothing dropped
    assert un_votes.vote.value_counts().to_dict() == {"yes": 693_664, "abstain": 110_897, "no": 65_548}
    assert 565 in set(un_votes.ccode)  # Namibia's ISO code "NA" is not read as missing


def test_un_votes_agree_with_ideal_point_panel(shared_data, un_votes):
    calls = load("un_roll_calls", shared_data)
    assert len(calls) == 6_203 and calls.vote_date.min() == pd.Timestamp("1946-01-01")
    ours = un_votes.merge(calls[["rcid", "session"]], on="rcid").groupby(["ccode", "session"]).size()
    ideal = pd.read_csv(shared_data / "un_voting" / "IdealpointestimatesAll_Jun2024.csv.gz")
    ideal = ideal[ideal.session <= ours.index.get_level_values("session").max()].set_index(["ccode", "session"])
    ours_pairs, ref_pairs = set(ours.index), set(ideal.index)
    # every state-session of the reference panel is found, except Germany and North Yemen in session
    # 45 (1990): the panel files them under 260 and 678, but every vote of that session came after
    # unification (255, 679)
    assert ref_pairs - ours_pairs == {(260, 45), (678, 45)} and {(255, 45), (679, 45)} <= ours_pairs
    assert len(ref_pairs & ours_pairs) / len(ref_pairs) > 0.9998
    # extra pairs: session 19 (one roll call, left out of the ideal points), Zanzibar's 2 votes
    # of 1963, South Africa's single vote of session 48
    extra = ours_pairs - ref_pairs - {(255, 45), (679, 45)}
    assert {s for c, s in extra} <= {18, 19, 48} and (511, 18) in extra


def test_un_votes_after_yemeni_unification_are_yemens(un_votes):
    # the file names unified Yemen "Yemen Arab Republic" (no ISO code) in session 45, after
    # unification on 1990-05-22: those 84 votes are Yemen's (679), not the Yemen Arab Republic's (678)
    assert not (un_votes.ccode.eq(678) & (un_votes.vote_date >= "1990-05-22")).any()
    assert (un_votes.ccode.eq(679) & un_votes.vote_date.between("1990-05-22", "1991-09-01")).sum() == 84
    assert un_votes[un_votes.ccode == 678].vote_date.max() < pd.Timestamp("1990-05-22")


def test_us_votes_spot_fact(un_votes, shared_data):
    calls = load("un_roll_calls", shared_data)
    us = un_votes[un_votes.ccode == 2].merge(calls, on="rcid")
    # the annual resolution against the US embargo on Cuba: the USA voted no from 1992 (session
    # 47) on, except for its abstention in 2016 (session 71)
    cuba = us[us.descr.str.contains("embargo", case=False, na=False) & us.descr.str.contains("cuba", case=False, na=False)]
    assert cuba.session.min() == 47 and len(cuba) >= 25
    assert cuba.loc[cuba.session == 71, "vote"].tolist() == ["abstain"]
    assert (cuba.loc[cuba.session != 71, "vote"] == "no").all()


# ---------------------------------------------------------------- FBIC subset


def test_fbic_subset(shared_data):
    fbic = load("fbic_subset", shared_data)
    raw = pd.read_csv(shared_data / "fbic" / "fbic_18country_subset_1999_2023.csv.gz")
    hkg = raw.iso3a.eq("HKG") | raw.iso3b.eq("HKG")
    assert len(raw) == 7_650 and int(hkg.sum()) == 850 and len(fbic) == 6_800
    assert set(fbic.ccode1) == {2, 210, 220, 225, 255, 696, 710, 732, 740, 750, 800, 816, 820, 830, 840, 850, 900}
    # directed: A -> B is not B -> A; alliances: the USA's index with its allies Japan and South
    # Korea is positive every year and above its index with China
    us_jpn = fbic[(fbic.ccode1 == 2) & (fbic.ccode2 == 740)].set_index("year")
    jpn_us = fbic[(fbic.ccode1 == 740) & (fbic.ccode2 == 2)].set_index("year")
    assert len(us_jpn) == len(jpn_us) == 25 and not np.allclose(us_jpn.fbic, jpn_us.fbic)
    assert (us_jpn.norm_allianceindex > 0).all()
    assert (fbic[(fbic.ccode1 == 2) & (fbic.ccode2 == 732)].norm_allianceindex > 0).all()
    us_chn = fbic[(fbic.ccode1 == 2) & (fbic.ccode2 == 710)].set_index("year")
    assert (us_chn.norm_allianceindex < us_jpn.norm_allianceindex).all()
    # values are the file's, row for row
    merged = fbic.merge(raw.assign(ccode1=to_ccode(raw.iso3a.where(~hkg, "USA"), scheme="iso3"),
                                   ccode2=to_ccode(raw.iso3b.where(~hkg, "USA"), scheme="iso3"))[~hkg],
                        on=["ccode1", "ccode2", "year"], suffixes=("", "_raw"))
    assert len(merged) == 6_800 and np.allclose(merged.fbic, merged.fbic_raw)


def test_unctad_bad_party_and_bad_date_are_named(tmp_path, shared_data):
    raw = pd.read_csv(shared_data / "unctad_iia" / "unctad_iia_treaties_scraped.csv.gz")
    folder = tmp_path / "unctad_iia"
    folder.mkdir()
    bad = raw.head(30).copy()
    bad.loc[4, "parties"] = "Untied States of America, Canada"
    bad.to_csv(folder / "unctad_iia_treaties_scraped.csv.gz", index=False)
    with pytest.raises(UnknownCountryError, match=r"Untied States of America.*row 6\).*'United States of America' \(2\)"):
        load("unctad_iia", tmp_path, cache=False)
    bad.loc[4, "parties"] = "United States of America, Canada"
    bad.loc[7, "date_of_signature"] = "2020-13-45"
    bad.to_csv(folder / "unctad_iia_treaties_scraped.csv.gz", index=False)
    with pytest.raises(DataFileError, match=r"2020-13-45.*date_of_signature.*row 9"):
        load("unctad_iia", tmp_path, cache=False)
