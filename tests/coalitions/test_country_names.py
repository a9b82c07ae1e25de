"""One country name per ccode across outputs: coalition tables and embeddedness name a state alike."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest

from coalitionlab.coalitions import coalitions, memberships, read_coalitions_csv
from coalitionlab.data.countries import SHORT_NAMES, country_name
from coalitionlab.errors import SeedDataWarning, UnknownOptionError
from coalitionlab.measures import embeddedness

# written out by hand (COW v2024 names, with the one short form coalitionlab uses for 2)
HAND = {2: "United States", 20: "Canada", 200: "United Kingdom", 220: "France", 255: "Germany",
        260: "German Federal Republic", 265: "German Democratic Republic", 365: "Russia", 710: "China",
        731: "North Korea", 732: "South Korea", 816: "Vietnam", 817: "Republic of Vietnam", 900: "Australia"}


def test_country_name_against_a_hand_list() -> None:
    codes = list(HAND)
    assert country_name(codes).tolist() == list(HAND.values())
    assert [country_name(c) for c in codes] == list(HAND.values())  # scalar = vectorised
    assert country_name(pd.Series(codes, dtype="int64"), date=1970).tolist() == list(HAND.values())
    assert (country_name(345, date="1999-03-24"), country_name(345, date="2010-01-01")) == ("Yugoslavia", "Serbia")
    assert country_name([2, 200], style="cow").tolist() == ["United States of America", "United Kingdom"]
    assert SHORT_NAMES == {2: "United States"}
    with pytest.raises(UnknownOptionError, match="country name style"):
        country_name(2, style="short")


def test_coalition_tables_use_the_canonical_names() -> None:
    c, m = coalitions(), memberships()
    start = m[["coalition_id"]].merge(c[["coalition_id", "start_date"]], on="coalition_id", how="left")["start_date"]
    assert m["country"].tolist() == country_name(m["ccode"].to_numpy(), date=start.to_numpy()).tolist()
    assert c["lead"].tolist() == country_name(c["lead_ccode"].to_numpy(), date=c["start_date"].to_numpy()).tolist()
    names = dict(zip(m["ccode"], m["country"]))
    for code in set(names) & set(HAND):
        assert names[code] == HAND[code]
    assert "United States of America" not in set(m["country"]) | set(c["lead"])


def test_a_users_label_is_checked_then_replaced(tmp_path: Path) -> None:
    cpath, mpath = tmp_path / "c.csv", tmp_path / "m.csv"
    cpath.write_text("coalition_id,name,start_date,end_date,lead_ccode,lead,kind,un_authorisation,un_resolution,"
                     "target_ccode,target,mission_type,sources\n"
                     "test_force_2003,Test,2003-03-20,,2,USA,ad_hoc,no,,645,Iraq,war,test source\n", encoding="utf-8")
    mpath.write_text("coalition_id,ccode,country,role,join_date,leave_date,peak_personnel,source\n"
                     "test_force_2003,2,united states of america,lead,,,,note\n"
                     "test_force_2003,200,GBR,combat,,,,note\n", encoding="utf-8")
    c, m = read_coalitions_csv(cpath, mpath)
    assert c["lead"].tolist() == ["United States"] and m["country"].tolist() == ["United States", "United Kingdom"]


def _compare(c: pd.DataFrame, m: pd.DataFrame, ids: list[str], **kwargs) -> int:
    """Embeddedness on each coalition's start date against its member rows: same name for each shared ccode."""
    shared = 0
    for cid in ids:
        row = c.set_index("coalition_id").loc[cid]
        emb = embeddedness(int(row["lead_ccode"]), row["start_date"], **kwargs)
        emb_names = dict(zip(emb["ccode"], emb["country"]))
        mem = m[m["coalition_id"] == cid]
        for code, name in zip(mem["ccode"], mem["country"]):
            if code in emb_names:
                assert emb_names[code] == name, (cid, code, emb_names[code], name)
                shared += 1
        for code in set(emb_names) & set(HAND):
            assert emb_names[code] == HAND[code], (cid, code)
    return shared


def test_embeddedness_and_coalition_tables_agree_on_the_seed() -> None:
    c, m = coalitions(), memberships()
    ids = [i for i in ("korea_1950", "gulf_war_1990", "iraq_2003", "suez_1956") if i in set(c["coalition_id"])]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SeedDataWarning)
        shared = _compare(c, m, ids, source="seed")
    assert shared >= 30  # Korea, the Gulf War and Iraq alone share dozens of states with the system
    # the lead itself, seen from another lead's table, has the short name too
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SeedDataWarning)
        uk = embeddedness("GBR", "2003-03-20", source="seed")
    assert uk.loc[uk.ccode == 2, "country"].tolist() == ["United States"]


@pytest.mark.slow  # embeddedness on the full data: run by make test, left out of mutation runs
def test_embeddedness_and_coalition_tables_agree_on_real_data(shared_data: Path) -> None:
    c, m = coalitions(), memberships()
    ids = [i for i in ("gulf_war_1990", "iraq_2003") if i in set(c["coalition_id"])]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # the names do not depend on the components: the cheapest one keeps the test quick
        shared = _compare(c, m, ids, data_dir=shared_data, source="full", components=["alliances"])
    assert shared >= 30
