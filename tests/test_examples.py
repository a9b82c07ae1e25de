"""The scripts in examples/ run offline on the embedded seed (and on the full sources) and say what they used.

Each script runs in a subprocess, as a user would run it, with no data location given
(``COALITIONLAB_DATA`` unset, and the default user data directory, under ``XDG_DATA_HOME``, empty:
nothing but the embedded seed and the shipped coalition dataset is available; a data location the user
names must hold the sources, it never falls back to the seed) and ``COALITIONLAB_CACHE`` at a
temporary directory.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
WORKSPACE = ROOT.parent  # the folder holding this checkout: no file may name it
SCRIPTS = ("embeddedness_usa_2003.py", "who_joins.py", "bargaining_offers.py", "coalition_of_your_own.py")
#: examples that need the full sources (they report on them)
DATA_SCRIPTS = ("embeddedness_components.py", "treaty_record.py", "brokers.py", "channels_usa_2003.py",
                "value_of_diplomacy.py")
SEED_LINE = "data: embedded seed"
FULL_LINE = "data: full sources"


def no_data_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment of a user who gave no data location: ``COALITIONLAB_DATA`` unset and an empty
    default user data directory (platformdirs reads ``XDG_DATA_HOME``), so ``source="auto"`` uses the seed."""
    home = tmp_path / "xdg_data"
    home.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k != "COALITIONLAB_DATA"}
    return dict(env, XDG_DATA_HOME=str(home), COALITIONLAB_CACHE=str(tmp_path / "cache"), **extra)


def run_example(name: str, tmp_path: Path, *args: str) -> str:
    """Run one example script; fail with its stderr unless it exits 0. Returns stdout."""
    env = no_data_env(tmp_path)
    proc = subprocess.run([sys.executable, str(EXAMPLES / name), *args], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, f"{name} exited {proc.returncode}:\n{proc.stderr[-3000:]}"
    return proc.stdout


def number(pattern: str, text: str) -> tuple[float, ...]:
    match = re.search(pattern, text)
    assert match, f"no line matching {pattern!r} in:\n{text}"
    return tuple(float(g) for g in match.groups())


def test_every_example_is_tested():
    assert sorted(p.name for p in EXAMPLES.glob("*.py")) == sorted(SCRIPTS + DATA_SCRIPTS)


@pytest.mark.parametrize("name", SCRIPTS + DATA_SCRIPTS)
def test_examples_name_no_machine_paths(name):
    text = (EXAMPLES / name).read_text(encoding="utf-8")
    assert str(WORKSPACE) not in text and "/home/" not in text and "/tmp/" not in text


def test_embeddedness_usa_2003_on_seed(tmp_path):
    out = run_example("embeddedness_usa_2003.py", tmp_path, "--top", "5")
    assert "embeddedness with USA on 2003-03-20" in out and SEED_LINE in out
    assert "components: alliances, igos" in out  # the seed's components
    n_joined, n_cand, mean_members, mean_rest = number(
        r"iraq_2003: (\d+) of (\d+) candidate states joined; mean embeddedness ([\d.]+) for members vs ([\d.]+)",
        out)
    assert 0 < n_joined < n_cand
    assert mean_members > mean_rest  # Henke's association, visible even on the seed


def test_who_joins_on_seed(tmp_path):
    out = run_example("who_joins.py", tmp_path, "--top", "10")
    assert SEED_LINE in out and "logit: joined ~ embeddedness_log1p" in out
    assert "standard errors clustered by coalition_id" in out
    (estimate,) = number(r"\nembeddedness_log1p\s+(-?[\d.]+)", out)
    assert estimate > 0
    n_above, hits, n_members, n_cand = number(
        r"(\d+) states have p_join >= [\d.]+; (\d+) of them joined inherent_resolve_2014 "
        r"\(all candidates: (\d+) of (\d+)", out)
    assert n_above >= 10 and hits <= n_above and n_members < n_cand
    assert hits / n_above > n_members / n_cand  # the forecast beats the base rate


def test_bargaining_offers_on_seed(tmp_path):
    out = run_example("bargaining_offers.py", tmp_path, "--episodes", "2000", "--seed", "3")
    assert "2000 episodes, seed 3" in out and SEED_LINE in out
    # Part 1: the information rent falls and acceptance rises with the lead's precision
    rows = re.findall(r"^(0\.0|1\.0|4\.0|16\.0)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)$", out, re.M)
    assert [r[0] for r in rows] == ["0.0", "1.0", "4.0", "16.0"]
    acceptance = [float(r[1]) for r in rows]
    rent = [float(r[4]) for r in rows]
    assert acceptance == sorted(acceptance) and rent == sorted(rent, reverse=True)
    assert "coalition_size" in out and "information_rent" in out
    assert re.search(r"^most\s", out, re.M)


def test_bargaining_offers_same_seed_same_output(tmp_path):
    args = ("--episodes", "1000", "--seed", "5")
    assert run_example("bargaining_offers.py", tmp_path, *args) == run_example("bargaining_offers.py", tmp_path, *args)


def test_coalition_of_your_own_on_seed(tmp_path):
    out = run_example("coalition_of_your_own.py", tmp_path)
    assert "added 1 coalition with 3 member rows" in out
    assert re.search(r"rejected as expected: unknown role 'allied'.*column 'role', row 3", out)
    assert "<tmp>" in out and str(tmp_path) not in out
    assert SEED_LINE in out and "(igos)" in out
    (n_cand, n_joined) = number(r"emasoh_agenor_2020: (\d+) candidate states on the start date, (\d+) joined", out)
    assert n_joined == 2 and n_cand > 150
    assert "Netherlands" in out and "Denmark" in out
    assert not list(tmp_path.glob("*.csv"))  # the CSVs lived in a temporary directory


@pytest.mark.parametrize("name", SCRIPTS)
def test_examples_on_full_sources(name, tmp_path, shared_data):
    args = ("--episodes", "2000") if name == "bargaining_offers.py" else ()
    out = run_example(name, tmp_path, "--data-dir", str(shared_data), *args)
    assert FULL_LINE in out and SEED_LINE not in out


def test_embeddedness_components_table(tmp_path, shared_data):
    out = run_example("embeddedness_components.py", tmp_path, "--data-dir", str(shared_data))
    (n_coal,) = number(r"lead ccode 2: (\d+) coalitions", out)
    assert n_coal == 49
    rows = {ln.split()[0]: ln.split()[1:] for ln in out.splitlines()[2:] if ln.strip()}
    comps = ["alliances", "treaties_bilateral", "igos"]
    shares = [float(rows[c][1]) for c in comps]
    assert abs(sum(shares) - 1) < 0.002  # the components' means add up to the total's
    assert float(rows["embeddedness"][3]) == 1.0  # corr_total of the total with itself


def test_treaty_record_report(tmp_path, shared_data):
    out = run_example("treaty_record.py", tmp_path, "--data-dir", str(shared_data))
    bil, multi = number(r"USA on 2003-03-20: bilateral agreements in force (\d+), multilateral (\d+)", out)
    assert bil > 100 and multi > 100
    assert "duplicate pair ties removed, by matching rule" in out


# --- the README and the tour in docs/getting-started.md ------------------------------------------

README = ROOT / "README.md"
#: the tour: every snippet and command of getting started runs on the embedded seed
TOUR = ROOT / "docs" / "getting-started.md"
SET_UP_CONTRACT = (
    "make demo    # creates .venv, installs, runs the main job on the embedded default, writes report/index.html\n"
    "make test    # creates .venv, installs, runs the whole test suite\n"
)


def tour_blocks(lang: str) -> list[str]:
    return [body for kind, body in re.findall(r"```(\w*)\n(.*?)```", TOUR.read_text(encoding="utf-8"), re.S)
            if kind == lang]


def tour_commands() -> list[str]:
    lines = [line.split("  #")[0].strip() for block in tour_blocks("sh") for line in block.splitlines()]
    return [line for line in lines if line]


def seed_env(tmp_path: Path) -> dict[str, str]:
    bin_dir = str(Path(sys.executable).parent)  # the coalitionlab entry point sits beside this python
    return no_data_env(tmp_path, PATH=bin_dir + os.pathsep + os.environ.get("PATH", ""))


def test_readme_starts_with_the_set_up_contract():
    text = README.read_text(encoding="utf-8")
    assert text.startswith("# coalitionlab\n\n```\n" + SET_UP_CONTRACT + "```\n")
    assert len(text.splitlines()) <= 80  # short: the two commands, a picture, the links
    assert str(WORKSPACE) not in text


def test_readme_shows_the_report_and_links_every_part_of_the_docs():
    text = README.read_text(encoding="utf-8")
    assert "![" in text and "(docs/img/report.png)" in text
    links = re.findall(r"\]\(([^)]+)\)", text)
    for link in links:
        path = link.split("#")[0]
        assert (ROOT / path).is_file(), f"README links to a missing file: {link}"
    for page in ("docs/getting-started.md", "docs/guide/data.md", "docs/guide/methods.md", "docs/api/index.md",
                 "docs/app.md", "docs/planner/index.md", "docs/getting-started.md#examples", "benchmarks/README.md"):
        assert page in links, f"README does not link {page}"


def test_getting_started_has_the_set_up_contract_and_the_data_variables():
    text = TOUR.read_text(encoding="utf-8")
    assert "```\n" + SET_UP_CONTRACT + "```\n" in text
    for word in ("--data-dir", "COALITIONLAB_DATA", "COALITIONLAB_TEST_DATA", "COALITIONLAB_REQUIRE_DATA",
                 "COALITIONLAB_CACHE"):
        assert word in text, word
    assert str(WORKSPACE) not in text


def test_getting_started_has_a_snippet_per_stage():
    assert len(tour_blocks("python")) >= 5 and len(tour_commands()) >= 8


@pytest.mark.parametrize("index", range(len(tour_blocks("python"))))
def test_getting_started_python_snippet_runs_on_seed(index, tmp_path):
    code = tour_blocks("python")[index]
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=seed_env(tmp_path),
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, f"getting-started python block {index} failed:\n{code}\n{proc.stderr[-3000:]}"
    assert proc.stdout.strip(), f"getting-started python block {index} printed nothing"


@pytest.mark.parametrize("command", tour_commands())
def test_getting_started_command_runs_on_seed(command, tmp_path):
    assert command.startswith("coalitionlab ")
    (tmp_path / "examples").symlink_to(EXAMPLES)  # commands name files relative to the project root
    proc = subprocess.run(command, shell=True, cwd=tmp_path, env=seed_env(tmp_path),
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, f"{command!r} exited {proc.returncode}:\n{proc.stderr[-3000:]}"
    assert (proc.stdout + proc.stderr).strip()  # with --out, some commands report on stderr
    for out in re.findall(r"--out (\S+)", command):
        assert (tmp_path / out).exists(), f"{command!r} did not write {out}"


# --- docs/index.md -----------------------------------------------------------------------------

DOCS = ROOT / "docs"


def test_docs_index_maps_every_page_and_its_links_resolve():
    text = (DOCS / "index.md").read_text(encoding="utf-8")
    links = re.findall(r"\]\(([^)#]+)\)", text)
    for link in links:
        assert (DOCS / link).resolve().exists(), f"docs/index.md links to a missing page: {link}"
    pages = {p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md")} - {"index.md"}
    unlisted = sorted(pages - set(links))
    assert not unlisted, f"docs/index.md does not list: {unlisted}"
    assert "data -> measures -> coalitions -> models | bargaining -> planner -> reports -> webapp -> cli" in text
    for stage in ("data", "measures", "coalitions", "models", "bargaining", "planner", "reports", "webapp", "cli"):
        assert f"`coalitionlab.{stage}`" in text


def test_docs_index_names_every_error_class():
    import coalitionlab.errors as errors

    text = (DOCS / "index.md").read_text(encoding="utf-8")
    classes = [name for name, obj in vars(errors).items()
               if isinstance(obj, type) and issubclass(obj, (errors.CoalitionlabError, errors.CoalitionlabWarning))
               and obj.__module__ == errors.__name__ and name not in ("CoalitionlabWarning",)]
    missing = [name for name in classes if f"`{name}`" not in text]
    assert not missing, f"docs/index.md does not mention: {missing}"
