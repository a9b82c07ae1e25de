"""Name- and ISO-coded sources, loaded from the real files, checked against facts and the raw files."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from coalitionlab.data import load
from coalitionlab.data import sources_named as sn
from coalitionlab.data.countries import to_ccode
from coalitionlab.errors import DataFileError, UnknownCountryError


def _pairs(df: pd.DataFrame) -> set[tuple[int, int]]:
    return set(zip(df.ccode1.astype(int), df.ccode2.astype(int)))


# ---------------------------------------------------------------- DESTA


@pytest.fixture(scope="module")
def desta_dyads(shared_data):
    return load("desta_dyads", shared_data)


def test_desta_dyads_shape_and_dropped_rows(shared_data, desta_dyads):
    raw = pd.read_csv(shared_data / "desta" / "desta_list_of_treaties_02_02_dyads.csv.gz", low_memory=False)
    nonstate = raw.iso1.isin(list(sn.DESTA_NON_STATES)) | raw.iso2.isin(list(sn.DESTA_NON_STATES))
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
                                                  r" could not be mapped: 999 \(3\)"):
        load("desta_dyads", tmp_path, cache=False)
    bad["iso2"] = bad["iso2"].astype(object)
    bad.loc[5, "iso2"] = "abc"
    bad.to_csv(folder / "desta_list_of_treaties_02_02_dyads.csv.gz", index=False)
    with pytest.raises(DataFileError, match="iso2"):
        load("desta_dyads", tmp_path, cache=False)
