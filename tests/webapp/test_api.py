"""The web app's endpoints on the embedded seed: numbers against the library and a hand count of the seed's
tables, bad input as a message (never a 500), and no path from a request ever read."""

from __future__ import annotations

import base64
import math
import os
import sys
import time
import tomllib
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from coalitionlab.webapp.jobs import Jobs
from coalitionlab.webapp.service import mission_templates, parse_mission

SEED = Path(__file__).resolve().parents[2] / "src" / "coalitionlab" / "data" / "seed"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "missions"
#: The seed's alliance organisations: their treaties are the alliances component, not IGOs.
ALLIANCE_ORGS = {"nato", "anzus", "seato", "cento", "warsaw", "rio"}

#: A mission the seed can plan (no personnel or capability requirement: the seed has neither).
SEED_MISSION = """name = "Air campaign over Libya (test)"
lead = "USA"
date = "2011-03-19"
target = "Libya"
probability = 0.8
instruments = ["aid", "security_guarantee"]

[requirements]
min_flags = 3
"""


def poll(client, job: dict, timeout: float = 300.0) -> dict:
    """Poll a job until it is done or failed."""
    end = time.monotonic() + timeout
    while True:
        doc = client.get(f"/api/jobs/{job['job']}").json()
        if doc["status"] in ("done", "error"):
            return doc
        assert time.monotonic() < end, f"job still {doc['status']} after {timeout} s"
        time.sleep(0.2)


def rows(table: dict) -> pd.DataFrame:
    return pd.DataFrame(table["rows"], columns=table["columns"])


# ------------------------------------------------------------------ hand counts from the seed's own tables


def _on(day: pd.Timestamp, start: str, end: str) -> bool:
    return pd.Timestamp(start) <= day and (pd.isna(end) or day <= pd.Timestamp(end))


def seed_igos_by_hand(a: int, b: int, year: int) -> int:
    """How many organisations (not alliances) both states were members of (:func:`seed_joint_igos`)."""
    return len(seed_joint_igos(a, b, year))


def seed_joint_igos(a: int, b: int, year: int) -> set[str]:
    """Organisations (not alliances) both states were full or associate members of on 31 December of ``year``:
    those of igo_spells.csv, and the UN (un_membership.csv)."""
    spells = pd.read_csv(SEED / "igo_spells.csv", dtype={"end_date": str})
    un = pd.read_csv(SEED / "un_membership.csv", dtype={"end_date": str})
    day = pd.Timestamp(f"{year}-12-31")
    spells = spells[spells["status"].isin(["full", "associate"]) & ~spells["org"].isin(ALLIANCE_ORGS)]
    member = {ccode: {r.org for r in spells[spells["ccode"] == ccode].itertuples() if _on(day, r.start_date, r.end_date)}
              | ({"un"} if any(_on(day, r.admission_date, r.end_date) for r in un[un["ccode"] == ccode].itertuples())
                 else set())
              for ccode in (a, b)}
    return member[a] & member[b]


def seed_us_alliances_by_hand(partner: int, day: str) -> int:
    """US defence treaties with ``partner`` in force on ``day``: its bilateral ones, and the multilateral ones
    of organisations both belong to on the day (for partners with no state-specific row)."""
    ts = pd.Timestamp(day)
    tre = pd.read_csv(SEED / "us_defence_treaties.csv", dtype={"end_date": str, "ccode": "Int64"})
    spells = pd.read_csv(SEED / "igo_spells.csv", dtype={"end_date": str})
    n = sum(_on(ts, r.in_force_date, r.end_date) for r in tre[(tre["kind"] == "bilateral") & (tre["ccode"] == partner)].itertuples())
    for r in tre[(tre["kind"] == "multilateral") & tre["ccode"].isna()].itertuples():
        assert not ((tre["org"] == r.org) & (tre["ccode"] == partner)).any(), "pick a partner without an exception row"
        if not _on(ts, r.in_force_date, r.end_date):
            continue
        org = spells[spells["org"] == r.org]
        both = all(any(_on(ts, s.start_date, s.end_date) for s in org[org["ccode"] == c].itertuples()) for c in (2, partner))
        n += both
    return n


# ------------------------------------------------------------------ the page and its assets


def test_page_names_the_seed_and_loads_plotly_from_the_app(client) -> None:
    resp = client.get("/")
    assert resp.status_code == 200
    page = resp.text
    assert "embedded seed data" in page
    assert 'src="/vendor/plotly.min.js"' in page and 'src="/vendor/offline-geo.js"' in page
    assert "cdn." not in page.lower() and "https://" not in page


def test_plotly_bundle_is_the_installed_packages_own(client) -> None:
    plotly = pytest.importorskip("plotly")
    bundle = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    resp = client.get("/vendor/plotly.min.js")
    assert resp.status_code == 200
    assert resp.content == bundle.read_bytes()


def test_static_files_do_not_reach_outside_their_folder(client) -> None:
    assert client.get("/static/app.js").status_code == 200
    for path in ("/static/../service.py", "/static/%2e%2e/service.py", "/static/..%2fservice.py"):
        resp = client.get(path)
        assert resp.status_code == 404 and "AppData" not in resp.text


def test_other_host_names_are_refused(client) -> None:
    resp = client.get("/api/info", headers={"Host": "attacker.example"})
    assert resp.status_code == 400
    assert client.get("/api/info", headers={"Host": "localhost:8765"}).status_code == 200


# ------------------------------------------------------------------ the data location


def test_with_no_location_given_the_app_runs_on_the_seed(client, no_location: Path) -> None:
    info = client.get("/api/info").json()
    assert info["source"] == "seed" and info["data_dir"] == str(no_location)


@pytest.mark.parametrize("how", ["argument", "env"])
def test_a_named_data_dir_without_the_sources_is_refused(tmp_path: Path, monkeypatch, how: str) -> None:
    from coalitionlab.errors import MissingDataError
    from coalitionlab.webapp.service import AppData

    (tmp_path / "cow_states").mkdir()  # a folder is not a source: its files are missing too
    if how == "env":
        monkeypatch.setenv("COALITIONLAB_DATA", str(tmp_path))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # refused, not a fallback to the seed with a warning
        with pytest.raises(MissingDataError) as exc:
            AppData(tmp_path if how == "argument" else None)
    text = str(exc.value)
    assert "\n" not in text and str(tmp_path) in text and "lacks cow_states, cow_igo" in text
    assert str(tmp_path / "cow_states") in text and "coalitionlab data fetch" in text
    assert ("$COALITIONLAB_DATA" in text) == (how == "env")


def test_a_named_data_dir_with_the_sources_is_full(shared_data: Path) -> None:
    from coalitionlab.webapp.service import AppData

    app = AppData(shared_data)
    assert app.describe()["source"] == "full" and app.source == "full"


# ------------------------------------------------------------------ ranking, map and ties


def test_ranking_is_the_library_ranking(client) -> None:
    from coalitionlab.measures import embeddedness

    doc = client.get("/api/ranking", params={"lead": "USA", "date": "2003-03-20"}).json()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lib = embeddedness("USA", "2003-03-20", source="seed")
    got = rows(doc["table"])
    assert doc["is_seed"] is True and doc["lead_ccode"] == 2 and doc["components"] == ["alliances", "igos"]
    assert got["ccode"].tolist() == lib["ccode"].tolist()
    assert got["embeddedness"].tolist() == pytest.approx(lib["embeddedness"].tolist(), nan_ok=True)
    # rank: 1 + the number of states with strictly more ties
    scored = got.dropna(subset=["embeddedness"])
    tot = scored["embeddedness"].to_numpy()
    assert scored["rank"].tolist() == [1 + int((tot > t).sum()) for t in tot]


@pytest.mark.parametrize("partner", [20, 70, 200, 230, 640, 740])
def test_ranking_counts_match_a_hand_count_of_the_seed(client, partner: int) -> None:
    got = rows(client.get("/api/ranking", params={"lead": "USA", "date": "2003-03-20"}).json()["table"])
    row = got[got["ccode"] == partner].iloc[0]
    assert row["igos"] == seed_igos_by_hand(2, partner, 2002)
    assert row["alliances"] == seed_us_alliances_by_hand(partner, "2003-03-20")
    assert row["embeddedness"] == row["igos"] + row["alliances"]


def test_another_lead_gives_another_ranking(client) -> None:
    usa = rows(client.get("/api/ranking", params={"lead": "USA", "date": "2003-03-20"}).json()["table"])
    doc = client.get("/api/ranking", params={"lead": "France", "date": "2003-03-20"}).json()
    fra = rows(doc["table"])
    assert doc["lead_ccode"] == 220 and doc["components"] == ["igos"]  # the seed's treaties are the USA's only
    assert 220 not in set(fra["ccode"]) and 2 in set(fra["ccode"])
    assert fra["ccode"].head(5).tolist() != usa["ccode"].head(5).tolist()
    top = fra.iloc[0]
    assert top["igos"] == seed_igos_by_hand(220, int(top["ccode"]), 2002)


def _values(z) -> list[float]:
    """A plotly JSON array: a list, or a typed array ``{"dtype", "bdata"}`` (base64)."""
    if isinstance(z, dict):
        return np.frombuffer(base64.b64decode(z["bdata"]), dtype=np.dtype(z["dtype"])).tolist()
    return list(z)


def test_ranking_carries_a_world_map_of_the_same_values(client) -> None:
    pytest.importorskip("plotly")
    figures = pytest.importorskip("coalitionlab.reports.figures")
    if not hasattr(figures, "world_map"):
        pytest.skip("coalitionlab.reports.figures.world_map is not there yet")
    doc = client.get("/api/ranking", params={"lead": "USA", "date": "2003-03-20"}).json()
    assert doc["map"] is not None and doc["map_note"] == ""
    coloured = doc["map"]["data"][1]
    shown = dict(zip(coloured["locations"], _values(coloured["z"]), strict=True))
    table = rows(doc["table"]).set_index("country")["embeddedness"]
    assert shown["CAN"] == table["Canada"] == 7.0 and shown["GBR"] == table["United Kingdom"] == 6.0
    assert "USA" not in shown  # the lead has no value of its own: grey
    assert doc["map"]["layout"]["meta"]["year"] == 2003


def test_ties_of_a_state_by_component(client) -> None:
    doc = client.get("/api/ties", params={"lead": "USA", "date": "2003-03-20", "country": "Canada"}).json()
    t = rows(doc["table"]).set_index("component")
    assert doc["ccode"] == 20 and doc["rank"] == 1 and doc["n_states"] == 191
    assert t.loc["igos", "ties"] == seed_igos_by_hand(2, 20, 2002) and t.loc["igos", "data_year"] == 2002
    assert t.loc["alliances", "ties"] == seed_us_alliances_by_hand(20, "2003-03-20")
    assert t.loc["defense_pacts", "ties"] == 1  # NATO, art. 5
    assert t["in_measure"].to_dict() == {"alliances": True, "igos": True, "defense_pacts": False}
    assert doc["embeddedness"] == t.loc[t["in_measure"], "ties"].sum()
    # security ties: the alliances and the joint security organisations (flagged by the seed's list, or named
    # in the documented list coalitionlab.measures.SECURITY_IGOS; for Canada, the OSCE)
    from coalitionlab.measures import SECURITY_IGOS

    igo_list = pd.read_csv(SEED / "igo_list.csv").set_index("org")
    security = {o for o, r in igo_list.iterrows() if r["is_security"] == 1 or r["cow_ioname"] in SECURITY_IGOS}
    security_igos = len(seed_joint_igos(2, 20, 2002) & security)
    assert security_igos == 1
    assert doc["embeddedness_security"] == t.loc["alliances", "ties"] + security_igos
    assert doc["embeddedness_nonsecurity"] == doc["embeddedness"] - doc["embeddedness_security"]
    # a state given by its ccode is the same state
    again = client.get("/api/ties", params={"lead": "USA", "date": "2003-03-20", "country": "20"}).json()
    assert again["table"] == doc["table"]


# ------------------------------------------------------------------ bad input: a message, never a 500

BAD_RANKING = [
    ({"lead": "Narnia", "date": "2003-03-20"}, "unknown country 'Narnia'"),
    ({"lead": "USA", "date": "2100-01-01"}, "not a state-system member on 2100-01-01"),
    ({"lead": "USA", "date": "1850-06-01"}, "no component has data on or before 1850-06-01"),
    ({"lead": "USA", "date": "2003-02-30"}, "cannot read date '2003-02-30'"),
    ({"lead": "USA", "date": "20 March 2003"}, "cannot read date"),
    ({"lead": "USA"}, "invalid date: Field required"),
    ({"lead": "x" * 101, "date": "2003-03-20"}, "invalid lead"),
    ({"lead": "USA\nFrance", "date": "2003-03-20"}, "lead: not a state"),
    ({"lead": "Germany", "date": "1970-01-01"}, "ambiguous country 'Germany'"),
]


@pytest.mark.parametrize(("params", "message"), BAD_RANKING)
def test_bad_ranking_input_is_a_message(client, params: dict, message: str) -> None:
    resp = client.get("/api/ranking", params=params)
    assert resp.status_code == 400
    doc = resp.json()
    assert list(doc) == ["error"] and message in doc["error"]
    assert "Traceback" not in doc["error"] and "\n" not in doc["error"]


@pytest.mark.parametrize(("country", "message"), [
    ("Narnia", "unknown country 'Narnia'"),
    ("USA", "is the lead"),
    ("South Sudan", "South Sudan"),  # no state in 2003
])
def test_bad_ties_input_is_a_message(client, country: str, message: str) -> None:
    resp = client.get("/api/ties", params={"lead": "USA", "date": "2003-03-20", "country": country})
    assert resp.status_code == 400 and message in resp.json()["error"]


def test_an_unexpected_failure_is_one_line_not_a_traceback(no_location, monkeypatch) -> None:
    from fastapi.testclient import TestClient

    from coalitionlab.webapp.server import create_app
    from coalitionlab.webapp.service import AppData

    def broken(self, lead, date):
        raise RuntimeError("disk on fire\nsecond line")

    monkeypatch.setattr(AppData, "ranking", broken)
    with TestClient(create_app(None), base_url="http://127.0.0.1", raise_server_exceptions=False) as c:
        resp = c.get("/api/ranking", params={"lead": "USA", "date": "2003-03-20"})
    assert resp.status_code == 500
    assert resp.json() == {"error": "internal error (RuntimeError): disk on fire second line"}


# ------------------------------------------------------------------ forecast


def test_forecast_is_the_library_forecast_with_its_reasons(client) -> None:
    from coalitionlab.models.predict import predict_participation

    start = client.post("/api/forecast", json={"lead": "USA", "date": "2003-03-20"})
    assert start.status_code == 202 and start.json()["status"] in ("queued", "running", "done")
    doc = poll(client, start.json())
    assert doc["status"] == "done", doc["message"]
    res = doc["result"]
    got = rows(res["table"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lib = predict_participation("USA", "2003-03-20", train_until=2002, source="seed", explain=True)
    assert res["train_until"] == 2002 and res["is_seed"] is True and res["terms"] == ["embeddedness_log1p"]
    assert got["ccode"].tolist() == lib["ccode"].tolist()
    assert got["p_join"].to_numpy() == pytest.approx(lib["p_join"].to_numpy(), rel=1e-9, nan_ok=True)
    # the "why": the average candidate's logit plus the contributions is the state's logit, whose logistic is p
    for r in got.dropna(subset=["p_join"]).head(10).itertuples():
        assert r.logit_mean + r.c_embeddedness_log1p == pytest.approx(r.logit, abs=1e-9)
        assert 1 / (1 + math.exp(-r.logit)) == pytest.approx(r.p_join, rel=1e-9)
    # the same request again is the kept job, not a second run
    assert client.post("/api/forecast", json={"lead": "USA", "date": "2003-03-20"}).json()["job"] == doc["job"]


@pytest.mark.parametrize(("body", "message"), [
    ({"lead": "USA", "date": "2003-03-20", "train_until": 2003}, "train until 2003 is not before"),
    ({"lead": "USA", "date": "2003-03-20", "train_until": "last year"}, "give a year"),
    ({"lead": "USA", "date": "2003-03-20", "target": "Iraq"}, "needs the full sources"),
    ({"lead": "Narnia", "date": "2003-03-20"}, "unknown country 'Narnia'"),
    ({"lead": "USA", "date": "2003-13-01"}, "cannot read date"),
    ({"lead": "USA"}, "invalid date: Field required"),
    ({"lead": "USA", "date": "2003-03-20", "data_dir": "/"}, "invalid data_dir: Extra inputs are not permitted"),
])
def test_bad_forecast_input_is_a_message(client, body: dict, message: str) -> None:
    resp = client.post("/api/forecast", json=body)
    assert resp.status_code == 400 and message in resp.json()["error"]


def test_a_forecast_failing_in_its_job_is_a_message(client) -> None:
    # 1946: the seed's first coalitions start later; the library refuses, the job carries its one line
    start = client.post("/api/forecast", json={"lead": "USA", "date": "1946-06-01"})
    assert start.status_code == 202
    doc = poll(client, start.json())
    assert doc["status"] == "error" and "no coalition started by 1945" in doc["message"]


def test_unknown_job_is_a_message(client) -> None:
    resp = client.get("/api/jobs/nope")
    assert resp.status_code == 404 and "no such job" in resp.json()["error"]


# ------------------------------------------------------------------ missions and plans


def test_mission_templates_are_the_examples() -> None:
    templates = mission_templates()
    assert "us_air_campaign" in templates  # the page's default
    for name, text in templates.items():
        if EXAMPLES.is_dir():
            example = EXAMPLES / f"{name}.toml"
            assert example.is_file() and text == example.read_text(encoding="utf-8"), f"{name} differs from the example"
        assert parse_mission(text).name == tomllib.loads(text)["name"]


def test_plan_is_the_planners_plan(client) -> None:
    from coalitionlab.planner import mission_from_dict
    from coalitionlab.planner.plan import plan

    start = client.post("/api/plan", json={"mission": SEED_MISSION, "scenarios": 20, "seed": 1, "time_limit": 20})
    assert start.status_code == 202
    doc = poll(client, start.json())
    assert doc["status"] == "done", doc["message"]
    res = doc["result"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lib = plan(mission_from_dict(tomllib.loads(SEED_MISSION)), source="seed", n_scenarios=20, seed=1,
                   time_limit=20, sensitivity=False)
    # proven optimal (the calibration may keep the greedy plan it was compared with: "Optimal; greedy plan")
    assert lib.attrs["solver"]["status"].startswith("Optimal") and res["solver"]["status"] == lib.attrs["solver"]["status"]
    got = rows(res["candidates"])
    assert res["infeasible"] is None and res["is_seed"] is True
    assert set(got.loc[got["in_plan"], "ccode"]) == set(lib.candidates.loc[lib.candidates["in_plan"], "ccode"])
    assert res["expected"]["cost"] == pytest.approx(lib.expected["cost"])
    assert res["n_planned"] == int(lib.candidates["in_plan"].sum()) >= 3


def test_an_edited_mission_is_planned_anew(client) -> None:
    one = poll(client, client.post("/api/plan", json={"mission": SEED_MISSION, "scenarios": 20, "seed": 1,
                                                       "time_limit": 20}).json())
    edited = SEED_MISSION.replace("min_flags = 3", "min_flags = 6")
    two = poll(client, client.post("/api/plan", json={"mission": edited, "scenarios": 20, "seed": 1,
                                                       "time_limit": 20}).json())
    assert one["job"] != two["job"] and two["status"] == "done", two["message"]
    assert two["result"]["mission"]["requirements"]["min_flags"] == 6
    assert two["result"]["n_planned"] > one["result"]["n_planned"]


@pytest.mark.parametrize(("body", "message"), [
    ({"mission": "name = 'x'\nlead = "}, "mission: not valid TOML"),
    ({"mission": ""}, "mission: empty"),
    ({"mission": SEED_MISSION.replace("min_flags = 3", "personnel = -3")},
     "mission.requirements.personnel: must be a positive whole number, got -3"),
    ({"mission": SEED_MISSION.replace('lead = "USA"', 'lead = "Narnia"')}, "mission.lead: unknown country 'Narnia'"),
    ({"mission": SEED_MISSION.replace("2011-03-19", "2150-01-01")}, "outside the data's range"),
    ({"mission": "bogus = 1\n" + SEED_MISSION}, "mission.bogus: unknown key"),
    ({"mission": SEED_MISSION, "scenarios": 5}, "invalid scenarios"),
    ({"mission": SEED_MISSION, "time_limit": 0}, "invalid time_limit"),
    ({"mission": "x" * 20_001}, "invalid mission"),
])
def test_bad_mission_is_a_message(client, body: dict, message: str) -> None:
    resp = client.post("/api/plan", json=body)
    assert resp.status_code == 400, resp.text
    assert message in resp.json()["error"]


def test_a_plan_failing_in_its_job_is_a_message(client) -> None:
    # the seed's ties are the USA's: led by Australia, New Zealand has no model input and cannot be required
    mission = """name = "Solomons (test)"
lead = "Australia"
date = "2003-07-24"
target = "Solomon Islands"
require = ["New Zealand"]
"""
    doc = poll(client, client.post("/api/plan", json={"mission": mission, "scenarios": 20, "time_limit": 5}).json())
    assert doc["status"] == "error"
    assert doc["message"].startswith("mission.require: [920] cannot be planned for") and "\n" not in doc["message"]


# ------------------------------------------------------------------ a path in a request is never read

_OPENED: list[str] = []
_RECORDING: list[bool] = [False]


def _audit(event: str, args: tuple) -> None:
    if _RECORDING[0] and event == "open" and args and isinstance(args[0], (str, bytes, Path)):
        _OPENED.append(str(args[0]))


sys.addaudithook(_audit)  # stays for the process; records only while a test switches it on


@pytest.fixture
def opened() -> list[str]:
    """Every path the process opens while the test runs."""
    _OPENED.clear()
    _RECORDING[0] = True
    yield _OPENED
    _RECORDING[0] = False


@pytest.fixture
def trap(tmp_path: Path) -> Path:
    """A folder that looks like a data directory and holds a valid mission file."""
    (tmp_path / "cow_states").mkdir()
    (tmp_path / "cow_igo").mkdir()
    (tmp_path / "cow_states" / "states2024.csv").write_text("ccode,stateabb\n2,USA\n")
    (tmp_path / "mission.toml").write_text(SEED_MISSION)
    return tmp_path


def test_the_audit_hook_sees_opens(trap: Path, opened: list[str]) -> None:
    (trap / "mission.toml").read_text()  # the control: the oracle below can fail
    assert any(p.startswith(str(trap)) for p in opened)


def test_a_path_in_a_request_is_never_read(client, trap: Path, opened: list[str]) -> None:
    mission = str(trap / "mission.toml")
    answers = [
        client.post("/api/plan", json={"mission": mission}),
        client.post("/api/plan", json={"mission": f"file://{mission}"}),
        client.get("/api/ranking", params={"lead": str(trap / "cow_states" / "states2024.csv"), "date": "2003-03-20"}),
        client.get("/api/ranking", params={"lead": "USA", "date": "2003-03-20", "data_dir": str(trap)}),
        client.get("/api/ties", params={"lead": "USA", "date": "2003-03-20", "country": str(trap)}),
        client.post("/api/forecast", json={"lead": "USA", "date": "2003-03-20", "data_dir": str(trap)}),
        client.get(f"/static/{trap}/mission.toml"),
        client.get("/static/" + "../" * 12 + str(trap).lstrip("/") + "/mission.toml"),
    ]
    assert [a.status_code for a in answers] == [400, 400, 400, 200, 400, 400, 404, 404]
    assert answers[0].json()["error"].startswith("mission: not valid TOML")
    assert answers[3].json()["is_seed"] is True  # the data_dir parameter is not a data directory: still the seed
    assert not [p for p in opened if p.startswith(str(trap))]


# ------------------------------------------------------------------ the background jobs


def test_jobs_report_a_job_running_too_long() -> None:
    jobs = Jobs(workers=1, timeout=0.3, processes=False)
    try:
        job = jobs.submit("plan", ("slow",), lambda progress: time.sleep(1.5))
        done = jobs.wait(job.id, 5)
        assert done.status == "error" and "longer than 0.3 s" in done.message
        again = jobs.submit("plan", ("slow",), lambda progress: "second")  # a failed job is not kept as the answer
        assert again.id != job.id
    finally:
        jobs.shutdown()


def test_jobs_carry_progress_and_errors() -> None:
    from coalitionlab.errors import CoverageError

    jobs = Jobs(workers=2, processes=False)
    try:
        def work(progress):
            progress("step one")
            raise CoverageError("no data\nfor 1700")

        job = jobs.wait(jobs.submit("forecast", ("f",), work).id, 5)
        assert (job.status, job.progress, job.message) == ("error", "step one", "no data for 1700")
        ok = jobs.wait(jobs.submit("forecast", ("g",), lambda x, progress: 2 * x, 21).id, 5)
        assert (ok.status, ok.result) == ("done", 42)
        bad = jobs.wait(jobs.submit("forecast", ("h",), lambda progress: {}["x"]).id, 5)
        assert bad.message == "internal error (KeyError): 'x'"
    finally:
        jobs.shutdown()


def test_jobs_keep_only_the_last_finished() -> None:
    jobs = Jobs(workers=1, keep=3, processes=False)
    try:
        ids = [jobs.wait(jobs.submit("x", (i,), lambda progress, i=i: i).id, 5).id for i in range(6)]
        assert [jobs.get(i) is not None for i in ids] == [False, False, False, True, True, True]
    finally:
        jobs.shutdown()


def test_jobs_in_worker_processes_report_progress_and_survive_a_dead_worker() -> None:
    from tests.webapp import _workers

    jobs = Jobs(workers=1, processes=True)
    try:
        job = jobs.submit("square", ("sq", 7), _workers.slow_square, 7)
        seen = set()
        end = time.monotonic() + 120
        while job.status not in ("done", "error") and time.monotonic() < end:
            seen.add((job.status, job.progress))
            time.sleep(0.02)
            job = jobs.get(job.id)
        assert (job.status, job.result) == ("done", 49), job.message
        assert ("running", "squaring 7") in seen
        assert _workers.worker_pid(jobs) != os.getpid()
        dead = jobs.wait(jobs.submit("plan", ("die",), _workers.die).id, 120)
        assert dead.status == "error" and "worker process ended" in dead.message
        after = jobs.wait(jobs.submit("square", ("sq", 8), _workers.slow_square, 8).id, 120)  # a new worker
        assert (after.status, after.result) == ("done", 64), after.message
    finally:
        jobs.shutdown()
