"""The documentation site builds cleanly, and the walkthroughs show their scripts and what they print.

The site: ``mkdocs build --strict`` (MkDocs, the Material theme, mkdocstrings) into a temporary
folder, never into the repository. Strict mode turns every warning into a failure: a broken link or
anchor, a page left out of the navigation, a docstring mkdocstrings cannot read. The build is
skipped, with the reason, only when MkDocs is not installed (it is a dev dependency).

The walkthroughs: each ``docs/walkthroughs/<name>.py`` is rendered into ``<name>.md`` by
``docs/walkthroughs/render.py``. Without data, the page's code and prose must be its script's; on
the real data, the script must run and print the key lines its page shows, character for character
(its random draws are seeded).
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
WALKTHROUGHS = DOCS / "walkthroughs"
WORKSPACE = ROOT.parent  # the folder holding this checkout: no page may name it
SCRIPTS = sorted(p.stem for p in WALKTHROUGHS.glob("*.py") if p.name != "render.py")
#: per walkthrough, the lines its page must show and a fresh run must print identically
KEY_LINES = {
    "embeddedness_france_2013": [
        r"^\d+ states besides France in the system on 2013-01-11$",
        r"^components \(data year\): alliances \(\d{4}\), treaties_bilateral \(\d{4}\), igos \(\d{4}\)$",
        r"^ *(Spain|Germany|United Kingdom) +[\d.]+ +[\d.]+ +[\d.]+ +[\d.]+$",
        r"^share of the total: ",
        r"^ *(Chad|United Kingdom|United Arab Emirates) +(combat|non_combat|token) ",
        r"^\d+ candidates, \d+ joined$",
        r"^Q[1-4] ",
        r"^P\(a joiner is more embedded than a non-joiner\) = ",
        r"^rank correlation of the two leads' embeddedness",
    ],
    "henke_participation": [
        r"^US-led: \d+ coalitions",
        r"^embeddedness_log1p +-?\d",  # the default logit's row, then the replication's
        r"^[\d,]+ rows, \d+ coalitions, AUC ",
        r"^P\(join\) at the 10th percentile",
        r"^joined ~ .*: \d+ coalitions with complete rows",
        r"^ *(baseline|lag_5|non_security|past_cooperation|coalition_fe|permutation|bootstrap|state_fe"
        r"|first_difference|timing_placebo|negative_control|negative_control_alone) +-?\d",
        r"^positive and significant at 5% in \d+ of \d+ designs",
        r"^LPM estimate ",
        r"^partial R2 of embeddedness ",
        r"^Oster's delta\* ",
    ],
}


def _missing_builder() -> str | None:
    for module in ("mkdocs", "material", "mkdocstrings", "mkdocstrings_handlers.python"):
        try:
            if importlib.util.find_spec(module) is None:
                return module
        except ModuleNotFoundError:
            return module
    return None


# --- the site ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site, built once with ``mkdocs build --strict`` into a temporary folder."""
    missing = _missing_builder()
    if missing:
        pytest.skip(f"{missing} is not installed: install the dev dependencies (pip install -e '.[dev]') "
                    "to build the documentation site")
    out = tmp_path_factory.mktemp("site")
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")  # a theme's notice about its future, not a build problem
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file",
                           str(ROOT / "mkdocs.yml"), "--site-dir", str(out)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, "mkdocs build --strict failed:\n" + "\n".join(
        line for line in log.splitlines() if "WARNING" in line or "ERROR" in line or "Error" in line)[-5000:]
    return out


def _html(site: Path, page: str) -> str:
    stem = Path(page).with_suffix("")  # use_directory_urls: a/b.md -> a/b/index.html, a/index.md -> a/index.html
    path = site / (stem.parent if stem.name == "index" else stem) / "index.html"
    assert path.is_file(), f"the site has no page for {page}"
    return path.read_text(encoding="utf-8")


def test_every_markdown_page_is_built(site):
    pages = sorted(p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md"))
    assert "getting-started.md" in pages and "guide/methods.md" in pages and len(pages) > 50
    for page in pages:
        _html(site, page)


def test_the_nav_groups_the_guides(site):
    home = _html(site, "index.md")
    for section in ("Getting started", "Walkthroughs", "Data guide", "Methods", "Cases", "API reference"):
        assert f">{section}<" in home or f"> {section} <" in home or re.search(rf">\s*{section}\s*<", home), section


@pytest.mark.parametrize("stage, names", [
    ("data", ["load", "to_ccode", "describe"]),
    ("measures", ["embeddedness", "create_dyadyears", "add_igos"]),
    ("coalitions", ["coalitions", "coalition_panel", "add_coalitions"]),
    ("models", ["fit_participation", "robustness", "replicate_henke", "lpm_sensitivity"]),
    ("bargaining", ["solve_one_partner", "optimal_offer", "simulate", "World"]),
    ("planner", ["load_mission", "plan_from_inputs", "counterfactual", "replay"]),
    ("reports", ["coefplot", "write_report", "run_demo"]),
])
def test_api_pages_render_the_docstrings(site, stage, names):
    html = _html(site, f"api/{stage}.md")
    for name in names:
        assert re.search(rf'id="coalitionlab\.{stage}\.[\w.]*\b{name}"', html), f"api/{stage}: no entry for {name}"
    assert "Parameters:" in html or "Parameters" in html  # numpy sections parsed into tables
    # Sphinx roles in the docstrings are rewritten (docs/api/_sphinx_roles.py), never shown raw
    assert not re.search(r":(func|class|data|meth|math|mod|attr):(<code>|`)", html)


def test_the_site_loads_nothing_from_the_network(site):
    """Fonts and scripts are served by the site itself: it reads offline (no web fonts, no CDN)."""
    for page in ("index.md", "guide/methods.md", "api/models.md"):
        html = _html(site, page)
        external = re.findall(r'<(?:script|link)[^>]+(?:src|href)="(https?://[^"]+)"', html)
        assert not external, f"{page} loads {external}"


def test_docstring_roles_are_rewritten():
    sys.path.insert(0, str(DOCS / "api"))
    try:
        from _sphinx_roles import convert
    finally:
        sys.path.pop(0)
    assert convert(":func:`~coalitionlab.models.robustness` and :class:`World`") == "`robustness` and `World`"
    assert convert(":data:`the formula <coalitionlab.models.replication.HENKE_FORMULA>`") == "`the formula`"
    block = convert("Utility\n\n.. math::\n\n    u_i = \\log(w_i)\n\nwhere")
    assert block == "Utility\n\n```latex\nu_i = \\log(w_i)\n```\n\nwhere"


# --- the walkthroughs --------------------------------------------------------------------------

def _script_cells(name: str) -> list[tuple[str, str]]:
    """``(kind, text)`` per cell of the script, read independently of render.py."""
    text = (WALKTHROUGHS / f"{name}.py").read_text(encoding="utf-8")
    parts = re.split(r"^# %%( \[markdown\])?[ \t]*$\n?", text, flags=re.M)
    assert parts[0].strip() == "", f"{name}.py must start with a '# %%' cell marker"
    cells = []
    for md, body in zip(parts[1::2], parts[2::2]):
        if md:
            body = "\n".join(re.sub(r"^# ?", "", line) for line in body.splitlines())
        if body.strip():
            cells.append(("markdown" if md else "code", body.strip("\n")))
    return cells


def _page(name: str) -> str:
    path = WALKTHROUGHS / f"{name}.md"
    assert path.is_file(), f"{name}.py has no page: run docs/walkthroughs/render.py --data-dir DIR"
    return path.read_text(encoding="utf-8")


def _page_blocks(name: str, lang: str) -> list[str]:
    return [body.strip("\n") for kind, body in re.findall(r"^```(\w*)\n(.*?)^```$", _page(name), re.S | re.M)
            if kind == lang]


def test_there_are_two_walkthroughs_with_key_lines():
    assert SCRIPTS == sorted(KEY_LINES)


@pytest.mark.parametrize("name", SCRIPTS)
def test_walkthrough_page_code_is_its_script(name):
    code = [text for kind, text in _script_cells(name) if kind == "code"]
    assert len(code) >= 5
    assert _page_blocks(name, "python") == code, (
        f"docs/walkthroughs/{name}.md does not show its script: re-render it "
        "(python docs/walkthroughs/render.py --data-dir DIR)")


@pytest.mark.parametrize("name", SCRIPTS)
def test_walkthrough_page_prose_is_its_script(name):
    page = re.sub(r"^```\w*\n.*?^```$\n?", "", _page(name), flags=re.S | re.M)  # drop code and output
    page = re.sub(r"<!--.*?-->\n", "", page, flags=re.S)
    page = re.sub(r'^!!! info "How this page was made"\n(?:    .*\n)+', "", page, flags=re.M)
    prose = [text for kind, text in _script_cells(name) if kind == "markdown"]
    assert [p.strip() for p in re.split(r"\n{2,}", page) if p.strip()] == \
        [p.strip() for text in prose for p in re.split(r"\n{2,}", text) if p.strip()]


@pytest.mark.parametrize("name", SCRIPTS)
def test_walkthrough_page_says_how_it_was_made(name):
    page = _page(name)
    made = re.search(r'!!! info "How this page was made"\n((?:    .*\n)+)', page)
    assert made, "the page does not say how it was made"
    text = " ".join(made.group(1).split())
    assert "python docs/walkthroughs/render.py --data-dir" in text
    assert f"python docs/walkthroughs/{name}.py --data-dir" in text
    assert re.search(r"\b\d{4}-\d{2}-\d{2}\b", text) and "coalitionlab " in text
    assert "sources:" in _page_blocks(name, "text")[0]  # the first output names the data versions
    assert str(WORKSPACE) not in page and "/tmp/" not in page and "/home/" not in page
    assert str(WORKSPACE) not in (WALKTHROUGHS / f"{name}.py").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", SCRIPTS)
def test_walkthrough_refuses_to_run_without_data(name):
    proc = subprocess.run([sys.executable, str(WALKTHROUGHS / f"{name}.py")], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "--data-dir" in proc.stderr.splitlines()[-1]


@pytest.mark.parametrize("name", SCRIPTS)
def test_walkthrough_prints_the_key_lines_its_page_shows(name, shared_data):
    shown = "\n".join(_page_blocks(name, "text")).splitlines()
    proc = subprocess.run([sys.executable, str(WALKTHROUGHS / f"{name}.py"), "--data-dir", str(shared_data)],
                          cwd=ROOT, capture_output=True, text=True, timeout=1200)
    assert proc.returncode == 0, f"{name}.py exited {proc.returncode}:\n{proc.stderr[-3000:]}"
    printed = proc.stdout.splitlines()
    for pattern in KEY_LINES[name]:
        on_page = [line for line in shown if re.search(pattern, line)]
        now = [line for line in printed if re.search(pattern, line)]
        assert on_page, f"{name}.md shows no line matching {pattern!r}"
        assert now == on_page, (f"{name}.py no longer prints what its page shows ({pattern!r}); "
                                "re-render: python docs/walkthroughs/render.py --data-dir DIR\n"
                                f"page:\n" + "\n".join(on_page) + "\nnow:\n" + "\n".join(now))
    assert str(shared_data) not in proc.stdout
