"""Mutation testing of the core modules, one module at a time, with mutmut 3.

Usage (from the repository root; ``make mutation`` does this)::

    python tools/mutation/run.py [--modules measures/ties.py,bargaining/offers.py] [--jobs 2] [--force]
    python tools/mutation/run.py --report          # print the table from the cache, run nothing

For each module it builds a scratch project in ``.mutation/work/<module>/`` (the package source and
the tests linked in, a ``pyproject.toml`` holding the mutmut settings and the project's pytest
settings), runs ``mutmut run`` there with only the tests mapped to the module in
``tools/mutation/modules.toml``, and stores the verdicts in ``.mutation/results/<module>.json``
together with the diff of every survivor. A module is run again only when its source, its mapped
test files, the settings or the mutmut version changed (``--force`` runs it anyway).

Kill rate = (killed + timeout) / mutants. Mutants listed in ``tools/mutation/equivalent.toml`` are
left out of the second rate ("non-equivalent kill rate"). "no tests" mutants are in functions the
mapped tests never call: they count as survivors.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
CACHE = ROOT / ".mutation"
PACKAGE = "coalitionlab"
STATUS = {1: "killed", 3: "killed", 0: "survived", 5: "no tests", 33: "no tests", 34: "skipped",
          36: "timeout", -24: "timeout", 24: "timeout", 152: "timeout", 255: "timeout"}
FORMAT_VERSION = 1


class MutationError(Exception):
    """A mutation run that could not be set up or did not finish."""


def _load_toml(path: Path) -> dict:
    with open(path, "rb") as fh:
        return tomllib.load(fh)


def _mutmut_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("mutmut")
    except PackageNotFoundError:
        raise MutationError("mutmut is not installed: pip install -e '.[mutation]'") from None


def _slug(module: str) -> str:
    return module.removesuffix(".py").replace("/", ".")


def tests_for(module: str, config: dict) -> list[str]:
    """The test files run against ``module`` (``stage/name.py``): the mapping in modules.toml, else
    tests/<stage>/test_<name>.py, plus tests/<stage>/test_mutation_<name>.py when it exists."""
    stage, _, filename = module.rpartition("/")
    name = filename.removesuffix(".py").lstrip("_")
    entry = config.get("modules", {}).get(module)
    tests = list(entry["tests"]) if entry else [f"tests/{stage}/test_{name}.py"]
    extra = f"tests/{stage}/test_mutation_{name}.py"
    if (ROOT / extra).is_file() and extra not in tests:
        tests.append(extra)
    missing = [t for t in tests if not (ROOT / t).is_file()]
    if missing:
        raise MutationError(f"{module}: test file(s) not found: {', '.join(missing)} "
                            "(map the module to its tests in tools/mutation/modules.toml)")
    return tests


def _fingerprint(module: str, tests: list[str], config: dict) -> str:
    h = hashlib.sha256()
    h.update(f"v{FORMAT_VERSION} mutmut {_mutmut_version()} python {sys.version_info[:2]}\n".encode())
    h.update(json.dumps(config.get("settings", {}), sort_keys=True).encode())
    h.update((HERE / "pytest_mutation.py").read_bytes())
    files = [f"src/{PACKAGE}/{module}", *tests, "conftest.py", "tests/conftest.py",
             f"tests/{module.rpartition('/')[0]}/conftest.py"]
    for rel in files:
        path = ROOT / rel
        h.update(rel.encode() + b"\0")
        if path.is_file():
            h.update(path.read_bytes())
    return h.hexdigest()


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise MutationError(f"cannot write {value!r} to TOML")


def _write_project(work: Path, module: str, tests: list[str], config: dict) -> None:
    """The scratch project mutmut runs in: links to src/, tests/, docs/ and examples/ (some tests read
    them) and conftest.py, and a pyproject.toml."""
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    for name in ("src", "tests", "docs", "examples", "conftest.py"):
        (work / name).symlink_to(ROOT / name)
    settings = config.get("settings", {})
    mutmut = {
        "source_paths": ["src"],
        "only_mutate": [f"src/{PACKAGE}/{module}"],
        "pytest_add_cli_args_test_selection": tests,
        "pytest_add_cli_args": ["-p", "pytest_mutation", *settings.get("pytest_args", [])],
        "also_copy": ["conftest.py", "docs", "examples"],
        "timeout_multiplier": float(settings.get("timeout_multiplier", 5.0)),
        "timeout_constant": float(settings.get("timeout_constant", 2.0)),
        "use_git_change_detection": False,
        "track_dependencies": False,
    }
    pytest_ini = dict(_load_toml(ROOT / "pyproject.toml").get("tool", {}).get("pytest", {})
                      .get("ini_options", {}))
    pytest_ini.pop("testpaths", None)
    # the mapped test files only: docstring examples of the mutated copy are not collected
    pytest_ini["addopts"] = " ".join(a for a in str(pytest_ini.get("addopts", "")).split()
                                     if a != "--doctest-modules")
    lines = ["[tool.mutmut]"] + [f"{k} = {_toml_value(v)}" for k, v in mutmut.items()]
    lines += ["", "[tool.pytest.ini_options]"] + [f"{k} = {_toml_value(v)}" for k, v in pytest_ini.items()]
    (work / "pyproject.toml").write_text("\n".join(lines) + "\n")


def _env() -> dict[str, str]:
    env = dict(os.environ)
    # tests/conftest.py looks for the real data next to its repository; the copy mutmut runs lives elsewhere
    if not env.get("COALITIONLAB_TEST_DATA"):
        default = ROOT.parent / "shared" / "data"
        if default.is_dir():
            env["COALITIONLAB_TEST_DATA"] = str(default)
    env.pop("MUTANT_UNDER_TEST", None)
    # the plugin that turns off shrinking of failing property tests (tools/mutation/pytest_mutation.py)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(HERE), env.get("PYTHONPATH", "")) if p)
    return env


def _read_verdicts(work: Path, module: str) -> dict[str, str]:
    meta = work / "mutants" / "src" / PACKAGE / (module + ".meta")
    if not meta.is_file():
        raise MutationError(f"{module}: mutmut wrote no results ({meta.relative_to(ROOT)} is missing); "
                            f"see {(work / 'mutmut.log').relative_to(ROOT)}")
    codes = json.loads(meta.read_text())["exit_code_by_key"]
    return {name: STATUS.get(code, "not checked" if code is None else "suspicious")
            for name, code in sorted(codes.items())}


_DIFFS = """
import json, sys
from mutmut.mutation.diff_apply import get_diff_for_mutant
names, path = json.load(sys.stdin)
json.dump({n: get_diff_for_mutant(n, path=path) for n in names}, sys.stdout)
"""


def _diffs(work: Path, module: str, mutants: list[str], env: dict[str, str]) -> dict[str, str]:
    """The diff of each mutant (``mutmut show``), computed in one process."""
    if not mutants:
        return {}
    out = subprocess.run([sys.executable, "-c", _DIFFS], cwd=work, env=env, capture_output=True, text=True,
                         input=json.dumps([mutants, f"src/{PACKAGE}/{module}"]), check=False)
    if out.returncode != 0:
        return {m: f"(diff not available: {out.stderr.strip().splitlines()[-1:]})" for m in mutants}
    return json.loads(out.stdout)


def run_module(module: str, config: dict, jobs: int, force: bool) -> dict:
    """Run mutmut on one module (or return the cached result when nothing it depends on changed)."""
    if not (ROOT / "src" / PACKAGE / module).is_file():
        raise MutationError(f"no module src/{PACKAGE}/{module}")
    tests = tests_for(module, config)
    key = _fingerprint(module, tests, config)
    result_path = CACHE / "results" / f"{_slug(module)}.json"
    if result_path.is_file() and not force:
        cached = json.loads(result_path.read_text())
        if cached.get("fingerprint") == key:
            cached["cached"] = True
            return cached
    work = CACHE / "work" / _slug(module)
    _write_project(work, module, tests, config)
    env = _env()
    print(f"[mutation] {module}: mutmut with {' '.join(tests)}", flush=True)
    start = time.monotonic()
    with open(work / "mutmut.log", "w") as log:
        proc = subprocess.run([sys.executable, "-m", "mutmut", "run", "--max-children", str(jobs)],
                              cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT, check=False)
    seconds = time.monotonic() - start
    if proc.returncode != 0:
        raise MutationError(f"{module}: mutmut exited with {proc.returncode}; "
                            f"see {(work / 'mutmut.log').relative_to(ROOT)}")
    verdicts = _read_verdicts(work, module)
    survivors = _diffs(work, module, [m for m, s in verdicts.items()
                                      if s in ("survived", "no tests", "suspicious")], env)
    result = {"module": module, "tests": tests, "fingerprint": key, "seconds": round(seconds, 1),
              "mutmut": _mutmut_version(), "verdicts": verdicts, "survivors": survivors}
    result_path.parent.mkdir(parents=True, exist_ok=True)
    result_path.write_text(json.dumps(result, indent=1) + "\n")
    (CACHE / "results" / f"{_slug(module)}.survivors.diff").write_text(
        "".join(f"# {m} ({verdicts[m]})\n{d}\n\n" for m, d in survivors.items()))
    result["cached"] = False
    return result


def _row(result: dict, equivalent: dict[str, str]) -> dict:
    verdicts = result["verdicts"]
    count = {s: sum(1 for v in verdicts.values() if v == s)
             for s in ("killed", "survived", "no tests", "timeout", "suspicious", "skipped")}
    mutants = len(verdicts) - count["skipped"]
    detected = count["killed"] + count["timeout"]
    equiv = [m for m, v in verdicts.items() if m in equivalent and v != "killed" and v != "timeout"]
    rest = mutants - len(equiv)
    return {"module": result["module"], "mutants": mutants, "killed": count["killed"],
            "survived": count["survived"] + count["suspicious"], "no tests": count["no tests"],
            "timeout": count["timeout"], "equivalent": len(equiv),
            "kill rate": detected / mutants if mutants else float("nan"),
            "non-equiv kill rate": detected / rest if rest else float("nan"),
            "stale": [m for m, v in verdicts.items() if m in equivalent and v in ("killed", "timeout")],
            "cached": result.get("cached", False)}


def table(rows: list[dict]) -> str:
    """The per-module table (Markdown) with a total line."""
    cols = ["module", "mutants", "killed", "survived", "no tests", "timeout", "equivalent",
            "kill rate", "non-equiv kill rate"]
    total = {c: sum(r[c] for r in rows) for c in cols[1:7]}
    det = total["killed"] + total["timeout"]
    total.update({"module": "**total**",
                  "kill rate": det / total["mutants"] if total["mutants"] else float("nan"),
                  "non-equiv kill rate": (det / (total["mutants"] - total["equivalent"])
                                          if total["mutants"] - total["equivalent"] else float("nan"))})

    def fmt(r: dict, c: str) -> str:
        return f"{100 * r[c]:.1f}%" if "rate" in c else str(r[c])

    lines = ["| " + " | ".join(cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
    lines += ["| " + " | ".join(fmt(r, c) for c in cols) + " |" for r in [*rows, total]]
    return "\n".join(lines)


def _module_of(mutant: str) -> str:
    """``coalitionlab.measures.ties.x_f__mutmut_3`` -> ``measures/ties.py``."""
    parts = mutant.split(".")
    return "/".join(parts[1:-2]) + "/" + parts[-2] + ".py"


def equivalents_markdown(equivalent: dict[str, str]) -> str:
    """The equivalent mutants as Markdown: one heading per module, one bullet per mutant with its reason."""
    by_module: dict[str, list[str]] = {}
    for name, why in equivalent.items():
        short = name.rsplit(".", 1)[-1]
        by_module.setdefault(_module_of(name), []).append(f"- `{short}`: {why}")
    return "\n\n".join(f"### `{m}` ({len(lines)})\n\n" + "\n".join(lines) for m, lines in by_module.items())


def survivors_markdown(module: str, equivalent: dict[str, str]) -> str:
    """The cached survivors of ``module`` not listed as equivalent: mutant name and the changed line."""
    path = CACHE / "results" / f"{_slug(module)}.survivors.diff"
    if not path.is_file():
        return ""
    lines = []
    for block in path.read_text().split("\n# ")[0:]:
        block = block.removeprefix("# ")
        if not block.strip():
            continue
        name = block.split()[0]
        if name in equivalent:
            continue
        added = [ln[1:].strip() for ln in block.splitlines() if ln.startswith("+") and not ln.startswith("+++")]
        lines.append(f"- `{name.rsplit('.', 1)[-1]}`: `{' / '.join(added)[:140]}`")
    return f"\n{module}: {len(lines)} non-equivalent survivors\n" + "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modules", default="", help="comma-separated paths under src/coalitionlab/ "
                        "(default: every module in tools/mutation/modules.toml)")
    parser.add_argument("--jobs", type=int, default=2, help="mutants tested in parallel")
    parser.add_argument("--force", action="store_true", help="rerun even when the cache is current")
    parser.add_argument("--report", action="store_true", help="only print the table of cached results")
    parser.add_argument("--equivalents", action="store_true",
                        help="print tools/mutation/equivalent.toml as Markdown, by module, and stop")
    parser.add_argument("--survivors", action="store_true",
                        help="with --report: also list the survivors not judged equivalent (name and changed line)")
    args = parser.parse_args(argv)
    config = _load_toml(HERE / "modules.toml")
    equivalent = _load_toml(HERE / "equivalent.toml").get("equivalent", {})
    if args.equivalents:
        print(equivalents_markdown(equivalent))
        return 0
    modules = [m.strip().removeprefix(f"src/{PACKAGE}/") for m in args.modules.split(",") if m.strip()]
    modules = modules or list(config.get("modules", {}))
    CACHE.mkdir(exist_ok=True)
    (CACHE / ".gitignore").write_text("# scratch projects and results of tools/mutation/run.py\n*\n")
    rows, failed = [], []
    for module in modules:
        try:
            if args.report:
                path = CACHE / "results" / f"{_slug(module)}.json"
                if not path.is_file():
                    continue
                result = json.loads(path.read_text()) | {"cached": True}
                if result.get("fingerprint") != _fingerprint(module, tests_for(module, config), config):
                    result["out_of_date"] = True  # the source, its tests or the settings changed since
            else:
                result = run_module(module, config, args.jobs, args.force)
        except MutationError as exc:
            print(f"[mutation] error: {exc}", file=sys.stderr)
            failed.append(module)
            continue
        row = _row(result, equivalent)
        rows.append(row)
        how = "cached" if row["cached"] else f"{result['seconds']:.0f}s"
        if result.get("out_of_date"):
            how += "; OUT OF DATE: its source, tests or settings changed since, rerun make mutation"
        print(f"[mutation] {module}: {row['killed'] + row['timeout']}/{row['mutants']} killed "
              f"({100 * row['kill rate']:.1f}%, {how})", flush=True)
    if rows:
        print()
        print(table(rows))
        for r in rows:
            if r["stale"]:
                print(f"[mutation] {r['module']}: listed as equivalent but now killed "
                      f"(remove from tools/mutation/equivalent.toml): {', '.join(r['stale'])}")
        if args.survivors:
            for module in (r["module"] for r in rows):
                print(survivors_markdown(module, equivalent))
        print(f"\nsurvivor diffs: {(CACHE / 'results').relative_to(ROOT)}/<module>.survivors.diff")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
