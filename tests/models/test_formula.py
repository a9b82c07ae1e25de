"""No code from input: a model formula may hold only columns, operators and the documented transforms.

formulaic evaluates the Python in a formula; ``check_formula`` must refuse anything else before
formulaic sees the string, at every entry point (API and CLI), and keep every formula the project
documents working.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from formulaic import model_matrix
from typer.testing import CliRunner

from coalitionlab.cli.main import app
from coalitionlab.errors import EstimationError
from coalitionlab.models.formula import FORMULA_CONTEXT, TRANSFORMS, check_formula
from coalitionlab.models.participation import fit_participation
from coalitionlab.models.robustness import cluster_bootstrap, permutation_test, robustness
from coalitionlab.models.validation import ParticipationClassifier, cross_validate

ROOT = Path(__file__).resolve().parents[2]

# the reported attacks, verbatim: each writes the output of `id` to a file F in the working directory
ATTACKS = [
    "joined ~ x + {__import__('os').system('id > F')}",
    "joined ~ I(__import__('os').system('id > F'))",
]


@pytest.fixture(scope="module")
def df() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    n_coal, n_cand = 30, 40
    out = pd.DataFrame({"coalition_id": np.repeat(np.arange(n_coal), n_cand),
                        "ccode": np.tile(np.arange(n_cand), n_coal), "lead_ccode": 2,
                        "start_date": "2000-01-01"})
    out["x"] = rng.normal(size=len(out))
    out["z"] = rng.gamma(2.0, 1.0, len(out))
    out["kind"] = rng.choice(["a", "b", "c"], len(out))
    out["embeddedness_log1p"] = rng.gamma(2.0, 1.0, len(out))
    eta = -1 + 0.8 * out["x"] + 0.3 * out["embeddedness_log1p"]
    out["joined"] = (rng.random(len(out)) < 1 / (1 + np.exp(-eta))).astype(int)
    return out


def _one_line(exc: pytest.ExceptionInfo) -> str:
    msg = str(exc.value)
    assert "\n" not in msg, msg
    return msg


# --------------------------------------------------------------------------- the attacks do not run


def test_formulaic_would_run_the_code(tmp_path: Path, df: pd.DataFrame, monkeypatch: pytest.MonkeyPatch) -> None:
    """The oracle for the tests below: formulaic itself does evaluate Python in a formula."""
    monkeypatch.chdir(tmp_path)
    try:
        model_matrix("joined ~ x + {__import__('pathlib').Path('G').touch()}", df)
    except Exception:  # noqa: BLE001 - the design may fail after the code ran; the side effect is the point
        pass
    assert (tmp_path / "G").exists()


@pytest.mark.parametrize("attack", ATTACKS)
def test_attacks_are_refused_at_every_entry_point(attack: str, tmp_path: Path, df: pd.DataFrame,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    calls = {
        "fit_participation": lambda: fit_participation(attack, df),
        "fit_participation lpm": lambda: fit_participation(attack, df, method="lpm", fe="kind"),
        "ParticipationClassifier": lambda: ParticipationClassifier(formula=attack).fit(df),
        "cross_validate": lambda: cross_validate(df, formula=attack),
        "permutation_test": lambda: permutation_test(attack, df, treatment="x", n_permutations=2),
        "cluster_bootstrap": lambda: cluster_bootstrap(attack, df, term="x", n_boot=2),
        "robustness --treatment": lambda: robustness(df, treatment=attack.split("~", 1)[1], designs=["baseline"]),
    }
    for name, call in calls.items():
        with pytest.raises(EstimationError, match="is not allowed|not allowed") as exc:
            call()
        msg = _one_line(exc)
        assert "__import__" in msg or "{" in msg, (name, msg)
    assert not (tmp_path / "F").exists()


@pytest.mark.parametrize("attack", ATTACKS)
@pytest.mark.parametrize("command", [
    ["fit"], ["cv"], ["predict", "--lead", "USA", "--date", "2014-08-08", "--train-until", "2013"]])
def test_cli_prints_one_error_line_and_runs_nothing(attack: str, command: list[str], tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    out = CliRunner().invoke(app, [*command, "--formula", attack, "--format", "csv"])
    assert out.exit_code == 1, out.output
    assert out.stdout == ""
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and "not allowed" in lines[0], out.stderr
    assert not (tmp_path / "F").exists()


def test_cli_robustness_treatment_is_checked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    out = CliRunner().invoke(app, ["robustness", "--treatment", "I(__import__('os').system('id > F'))"])
    assert out.exit_code == 1 and out.stdout == "", out.output
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and "__import__" in lines[0], out.stderr
    assert not (tmp_path / "F").exists()


# --------------------------------------------------------------------------- what is refused, and why


@pytest.mark.parametrize("formula,piece", [
    ("joined ~ I(__import__('os'))", "'__import__(...)'"),
    ("joined ~ {x}", "'{x}'"),
    ("joined ~ x.__class__", "'x.__class__'"),
    ("joined ~ np.log(x)", "'np.log'"),
    ("joined ~ x + eval(x)", "'eval(...)'"),
    ("joined ~ x[0]", "subscripts"),
    ("joined ~ C(x, 'a')", "one argument"),
    ("joined ~ log(x, base=2)", "one argument"),
    ("joined ~ lambda: x", "'lambda'"),
    ("joined ~ __class__", "'__class__'"),
    ("joined ~ `x`", "quoted names"),
    ("joined ~ I(x:z)", "unexpected ':'"),
    ("joined ~ x ~ z", "only one '~'"),
    ("joined ~ x +", "a term is missing"),
    ("joined ~ scale(x)", "'scale(...)'"),
])
def test_refused_pieces_are_named(formula: str, piece: str, df: pd.DataFrame) -> None:
    for columns in (df.columns, None):  # refused with or without knowing the columns
        with pytest.raises(EstimationError, match=re.escape(piece)) as exc:
            check_formula(formula, columns)
        assert _one_line(exc).startswith(f"cannot build the design from {formula!r}")


def test_unknown_column_names_the_closest(df: pd.DataFrame) -> None:
    with pytest.raises(EstimationError, match=r"unknown column 'embeddedness_log'; closest: embeddedness_log1p"):
        fit_participation("joined ~ embeddedness_log + x", df)
    with pytest.raises(EstimationError, match=r"unknown column 'qqq'; the data have 9 columns, e.g. ccode"):
        check_formula("joined ~ I(qqq ** 2)", df.columns)
    with pytest.raises(EstimationError, match="needs an outcome"):
        check_formula("~ x", df.columns)


# --------------------------------------------------------------------------- what is allowed, and works


@pytest.mark.parametrize("formula", [
    "joined ~ x", "joined~x", "joined ~ 0 + x", "joined ~ x - 1", "joined ~ -1 + x", "joined ~ x + z + x:z",
    "joined ~ x * z", "joined ~ (x + z) ** 2", "joined ~ C(kind) + x", "joined ~ I(2*x)",
    "joined ~ I((x + 1) ** 2 / sqrt(abs(z)))", "joined ~ log(z) + log1p(z) + log2(z) + log10(z)",
    "joined ~ exp(x) + sqrt(z) + abs(x)", "joined ~ I(log1p(z) - 1e-3)", "joined ~ x +\n  z",
])
def test_allowed_formulas_pass(formula: str, df: pd.DataFrame) -> None:
    assert check_formula(formula, df.columns) == formula


def test_i_2x_fits_as_twice_x(df: pd.DataFrame) -> None:
    """I(2*x) is allowed and means 2x: its coefficient is half that of x (statsmodels on x as the oracle)."""
    res = fit_participation("joined ~ I(2*x) + z", df)
    ref = sm.Logit(df["joined"], sm.add_constant(df[["x", "z"]])).fit(disp=0)
    assert res.params["I(2 * x)"] == pytest.approx(ref.params["x"] / 2, rel=1e-6)


def test_numpy_transforms_fit_and_predict_on_new_rows(df: pd.DataFrame) -> None:
    """log1p, sqrt and abs (not defined by formulaic) are evaluated with numpy, also when predicting."""
    res = fit_participation("joined ~ log1p(z) + sqrt(z) + abs(x)", df)
    X = pd.DataFrame({"log1p": np.log1p(df["z"]), "sqrt": np.sqrt(df["z"]), "abs": np.abs(df["x"])})
    ref = sm.Logit(df["joined"], sm.add_constant(X)).fit(disp=0)
    np.testing.assert_allclose(res.params.to_numpy(), ref.params.to_numpy(), rtol=1e-6)
    np.testing.assert_allclose(res.predict(df.iloc[::-1]), res.predict()[::-1], rtol=1e-12)
    assert set(FORMULA_CONTEXT) <= set(TRANSFORMS)


def test_every_documented_formula_is_accepted() -> None:
    """Every `joined ~ ...` formula in README.md and docs/ passes the check (a new one is checked too)."""
    pattern = re.compile(r"[`\"'](joined\s*~[^`\"']*)[`\"']")
    found = {}
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]:
        for m in pattern.finditer(path.read_text(encoding="utf-8")):
            found[" ".join(m.group(1).split())] = path.relative_to(ROOT)
    assert len(found) >= 3, found  # README, the default, the replication formula (4 when written)
    assert "joined ~ embeddedness_log1p + atop_defense + un_ideal_distance + polity2 + cinc + distance_log + " \
           "us_troops_log" in found  # the two-line replication formula is read whole
    for formula, path in found.items():
        assert check_formula(formula) == formula, path


def test_the_project_default_formulas_are_accepted() -> None:
    from coalitionlab.models.data import DEFAULT_FORMULA
    from coalitionlab.models.predict import SEED_FORMULA
    from coalitionlab.models.replication import HENKE_FORMULA

    for formula in (DEFAULT_FORMULA, SEED_FORMULA, HENKE_FORMULA):
        check_formula(formula)
