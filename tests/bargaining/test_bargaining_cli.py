"""`coalitionlab simulate`: byte-identical JSON for a seed, seed vs full data, clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from coalitionlab.cli.main import app

runner = CliRunner()
ARGS = ["simulate", "--lead", "USA", "--date", "2003-03-20", "--episodes", "3000", "--seed", "1"]


@pytest.fixture()
def no_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No data location given and no full sources in the user data directory: the command falls back to
    the embedded seed (a named data directory without the sources would be an error)."""
    monkeypatch.delenv("COALITIONLAB_DATA", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg_data"))


def test_json_is_byte_identical_for_the_same_seed(no_data) -> None:
    first = runner.invoke(app, [*ARGS, "--format", "json"])
    second = runner.invoke(app, [*ARGS, "--format", "json"])
    assert first.exit_code == 0, first.output
    assert first.stdout == second.stdout
    other = runner.invoke(app, [*ARGS[:-1], "2", "--format", "json"])
    assert other.stdout != first.stdout
    doc = json.loads(first.stdout)
    assert doc["data"] == "embedded seed data"
    assert doc["episodes"] == 3000 and doc["seed"] == 1
    assert set(doc["summary"]) == {"coalition_size", "lead_cost", "information_rent", "win_probability",
                                   "efficiency_loss", "reoffers"}
    assert 0 < doc["summary"]["win_probability"]["mean"] < 1


def test_full_data_and_table_output(shared_data: Path) -> None:
    res = runner.invoke(app, [*ARGS, "--data-dir", str(shared_data), "--format", "json", "--top", "191"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["data"] == "full sources"
    assert doc["candidates"] == len(doc["partners"]) > 150
    # the most embedded states (Canada, the UK, France ...) are among the likeliest to join
    likeliest = {p["country"] for p in doc["partners"][:40]}
    assert "Canada" in likeliest
    table = runner.invoke(app, [*ARGS, "--data-dir", str(shared_data)])
    assert table.exit_code == 0
    assert "full sources" in table.stdout and "per-episode outcomes" in table.stdout


def test_seed_run_says_so_in_the_table(no_data) -> None:
    res = runner.invoke(app, ARGS)
    assert res.exit_code == 0
    assert "embedded seed data" in res.stdout


@pytest.mark.parametrize(("extra", "message"), [
    (["--episodes", "0"], "episodes must be a positive integer"),
    (["--payment-scale", "-1"], "payment_scale"),
    (["--price-scale", "0"], "price_scale"),
    (["--format", "xml"], "unknown format 'xml'"),
    (["--prior", "beta"], "unknown prior 'beta'"),
    (["--channels", "information,bribery"], "unknown channel 'bribery'"),
    (["--channels", ","], "no channel named in ','; valid channels: information, linkage, credibility, brokers"),
    (["--channels", ""], "valid channels: information, linkage, credibility, brokers"),
    (["--max-offers", "3", "--prior", "uniform"], "normal prior"),
    (["--bias-slope", "-1"], "bias_slope"),
])
def test_bad_input_is_one_clear_line(no_data, extra: list[str], message: str) -> None:
    res = runner.invoke(app, [*ARGS, *extra])
    assert res.exit_code == 1
    assert message in res.output
    assert "Traceback" not in res.output


def test_negative_top_is_refused(no_data) -> None:
    # --top -3 used to list every partner but the last three (pandas' head(-3))
    res = runner.invoke(app, [*ARGS, "--top", "-3", "--format", "json"])
    assert res.exit_code == 2 and "--top" in res.output


def test_negative_seed_is_a_usage_error(no_data, tmp_path: Path) -> None:
    # numpy refuses negative seeds deep inside SeedSequence; the commands say so up front instead
    res = runner.invoke(app, [*ARGS[:-1], "-1", "--format", "json"])
    assert res.exit_code == 2 and "--seed" in res.output
    cfg = tmp_path / "c.toml"
    cfg.write_text('target = "linkage"\n[grid]\nreservation = [1.0]\n')
    res = runner.invoke(app, ["sweep", str(cfg), "--seed", "-2", "--n-jobs", "1"])
    assert res.exit_code == 2 and "--seed" in res.output


def test_channels_are_recorded_and_switch_the_baseline(no_data) -> None:
    on = json.loads(runner.invoke(app, [*ARGS, "--format", "json"]).stdout)
    assert on["channels"] == ["information", "linkage", "credibility", "brokers"]  # all available on the seed
    assert on["scale_constants"]["alliances"] == 2.0 and on["scale_constants"]["igos"] == 50.0
    res = runner.invoke(app, [*ARGS, "--format", "json", "--channels", "none"])
    assert res.exit_code == 0, res.output
    off = json.loads(res.stdout)
    assert off["channels"] == []
    # the baseline (base precision, aid paid up-front) changes the outcome and says which channels ran
    assert off["summary"]["lead_cost"]["mean"] != on["summary"]["lead_cost"]["mean"]
    assert "channels: none" in runner.invoke(app, [*ARGS, "--channels", "none"]).stdout


def test_bad_cheap_options_fail_before_any_data_are_read(no_data, monkeypatch: pytest.MonkeyPatch) -> None:
    import coalitionlab.measures
    import coalitionlab.planner

    def never(*args, **kwargs):
        raise AssertionError("data were read before the options were checked")

    monkeypatch.setattr(coalitionlab.planner, "candidates_with_p_join", never)
    monkeypatch.setattr(coalitionlab.measures, "embeddedness", never)
    for extra, message in ((["--target", "Narnia"], "unknown country 'Narnia'"),
                           (["--channels", ","], "valid channels"),
                           (["--episodes", "0"], "episodes must be a positive integer"),
                           (["--date", "2003-13-01"], "cannot read date"),
                           (["--prior", "beta"], "unknown prior 'beta'"),
                           (["--payment-scale", "0"], "payment_scale")):
        res = runner.invoke(app, [*ARGS, *extra, "--no-prior-from-model"])
        assert res.exit_code == 1, (extra, res.output)
        assert message in res.output and "Traceback" not in res.output and "data were read" not in res.output


def test_channels_are_switched_off_in_one_fixed_world(no_data) -> None:
    # the prices are calibrated once, with every channel on: switching channels off (or biasing the lead,
    # or allowing re-offers) never changes them; the seed is the same
    docs = {}
    for name, extra in (("all", []), ("none", ["--channels", "none"]), ("two", ["--channels", "linkage,brokers"]),
                        ("carrot", ["--bias-slope", "2", "--max-offers", "3", "--reoffer-cost", "0.1"])):
        res = runner.invoke(app, [*ARGS, "--format", "json", "--top", "300", *extra])
        assert res.exit_code == 0, res.output
        docs[name] = json.loads(res.stdout)
    prices = {p["ccode"]: p["price_mean"] for p in docs["all"]["partners"]}
    assert len(prices) == docs["all"]["candidates"]
    for name in ("none", "two", "carrot"):
        assert {p["ccode"]: p["price_mean"] for p in docs[name]["partners"]} == prices, name
        assert docs[name]["calibrated_with"] == docs["all"]["calibrated_with"]
    assert docs["all"]["calibrated_with"]["channels"] == ["information", "linkage", "credibility", "brokers"]
    assert docs["two"]["channels"] == ["linkage", "brokers"]
    assert docs["two"]["channels_switched_off"] == ["information", "credibility"]
    assert "switched off in this same world" in docs["two"]["fixed_world"]
    # channels_off lists only channels that were requested and could not run: none here
    assert docs["two"]["channels_off"] == {} and docs["none"]["channels_off"] == {}
    assert docs["carrot"]["summary"]["reoffers"]["mean"] > 0 and docs["all"]["summary"]["reoffers"]["mean"] == 0
    table = runner.invoke(app, [*ARGS, "--channels", "linkage"])
    assert "switched off in this same world, same seed" in " ".join(table.stdout.split())
