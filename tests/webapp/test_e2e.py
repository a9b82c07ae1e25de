"""End to end: ``coalitionlab app`` in a subprocess, driven by a real headless chromium (Playwright).

The embedded seed serves the fast tests; one test runs on the real data (``real_data``). Screenshots go to
the test's temporary folder (named in the output); ``COALITIONLAB_APP_SCREENSHOT=FILE`` makes the real-data
test also run a forecast and a plan and save the full page to FILE (docs/img/app.png is made this way, see
docs/app.md).
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import pytest

from tests.webapp.conftest import AppServer, browser_unavailable, skip_or_fail

#: The seed can plan this mission (no personnel or capability requirement: the seed has neither).
SEED_MISSION = """name = "Air campaign over Libya (edited)"
lead = "USA"
date = "2011-03-19"
target = "Libya"
probability = 0.8
instruments = ["aid", "security_guarantee"]

[requirements]
min_flags = 3
"""


def test_a_missing_browser_skips_or_fails_as_asked(tmp_path: Path) -> None:
    missing = browser_unavailable(tmp_path / "chromium")
    assert missing == f"{tmp_path / 'chromium'} not found (apt-get install chromium)"
    with pytest.raises(pytest.skip.Exception, match="set COALITIONLAB_REQUIRE_BROWSER=1"):
        skip_or_fail(missing, require=False)
    with pytest.raises(pytest.fail.Exception, match="COALITIONLAB_REQUIRE_BROWSER is set but"):
        skip_or_fail(missing, require=True)


def first_rows(page, n: int = 5) -> list[str]:
    """The states in the first ``n`` rows of the ranking table."""
    return page.locator("#ranking tbody tr td.country").evaluate_all(
        f"cells => cells.slice(0, {n}).map(c => c.textContent)")


def library_top(lead: str, date: str, n: int = 5, data_dir: Path | None = None) -> list[str]:
    from coalitionlab.measures import embeddedness

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = embeddedness(lead, date, data_dir=data_dir, source="seed" if data_dir is None else "full")
    return res["country"].head(n).tolist()


@pytest.fixture
def page(browser, seed_server: AppServer):
    """A fresh page on the seed app that records every request it makes."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    pg.requests = []  # type: ignore[attr-defined]
    pg.errors = []  # type: ignore[attr-defined]
    pg.on("request", lambda r: pg.requests.append(r.url))
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    pg.goto(seed_server.url)
    pg.wait_for_selector("body[data-ready='1']", timeout=120_000)
    yield pg
    context.close()


def test_changing_the_lead_updates_the_ranking(page, seed_server: AppServer, tmp_path: Path) -> None:
    before = first_rows(page)
    assert before == library_top("USA", "2003-03-20")
    page.fill("#lead", "France")
    page.click("#show")
    page.wait_for_function("() => document.body.dataset.lead === 'France'", timeout=60_000)
    after = first_rows(page)
    assert after != before
    assert after == library_top("France", "2003-03-20")
    assert "France (ccode 220) on 2003-03-20" in page.text_content("#ranking-note")
    # the ties panel follows: the new first state's ties with France
    page.wait_for_function(f"() => document.getElementById('ties-country').textContent === {after[0]!r}")
    assert page.locator("#ties tbody tr").count() >= 1
    # the map is drawn by the app's own plotly.js, and nothing was asked of another host
    if page.locator("#map .main-svg").count():
        assert page.locator("#map path.choroplethlocation").count() > 100
    shot = tmp_path / "app-lead-france.png"
    page.screenshot(path=str(shot), full_page=True)
    print(f"screenshot: {shot}")
    assert shot.stat().st_size > 10_000
    assert all(u.startswith(seed_server.url) for u in page.requests), [u for u in page.requests
                                                                        if not u.startswith(seed_server.url)]
    assert page.errors == []


@pytest.mark.parametrize(("lead", "date", "message"), [
    ("Narnia", "2003-03-20", "unknown country 'Narnia'"),
    ("USA", "2100-01-01", "not a state-system member on 2100-01-01"),
    ("USA", "yesterday", "cannot read date 'yesterday'"),
])
def test_bad_input_shows_a_message_and_keeps_the_table(page, lead: str, date: str, message: str) -> None:
    before = first_rows(page)
    page.fill("#lead", lead)
    page.fill("#date", date)
    page.click("#show")
    error = page.locator("#pick-error")
    error.wait_for(state="visible", timeout=60_000)
    assert message in error.text_content()
    assert "Traceback" not in page.content()
    assert first_rows(page) == before


def test_predict_explains_and_an_edited_mission_is_planned(page, tmp_path: Path) -> None:
    page.click("#predict")
    page.wait_for_selector("#why h3", timeout=180_000)
    why = page.text_content("#why")
    assert why.startswith("Why Canada: P(join)") and "embeddedness_log1p" in why
    assert page.locator("#forecast tbody tr").count() == 20
    # a bad train-until year is a message, not a job
    page.fill("#train-until", "2010")
    page.click("#predict")
    page.locator("#forecast-error").wait_for(state="visible", timeout=30_000)
    assert "train until 2010 is not before" in page.text_content("#forecast-error")

    # the mission: a malformed edit is a message; a good edit is planned
    page.fill("#mission", SEED_MISSION.replace("min_flags = 3", "min_flags = -1"))
    page.click("#plan")
    page.locator("#plan-error").wait_for(state="visible", timeout=30_000)
    assert "mission.requirements.min_flags" in page.text_content("#plan-error")
    page.fill("#mission", SEED_MISSION)
    page.fill("#scenarios", "20")
    page.click("#plan")
    page.wait_for_function("() => document.getElementById('plan-summary').textContent.includes('Expected coalition')",
                           timeout=300_000)
    assert page.is_hidden("#plan-error")
    summary = page.text_content("#plan-summary")
    assert summary.startswith("Air campaign over Libya (edited): lead USA")
    planned = page.locator("#plan-table tbody tr td.in_plan").evaluate_all("cs => cs.filter(c => c.textContent === 'yes').length")
    assert planned >= 3
    page.screenshot(path=str(tmp_path / "app-plan.png"), full_page=True)
    assert page.errors == []


def test_the_real_data(browser, shared_data: Path, tmp_path: Path) -> None:
    """The app on the real data: the full sources are named, the ranking is the library's."""
    server = AppServer(shared_data, tmp_path / "app.log")
    try:
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        pg = context.new_page()
        pg.goto(server.url)
        pg.wait_for_selector("body[data-ready='1']", timeout=300_000)
        assert "full sources" in pg.text_content("#data-source")
        screenshot = os.environ.get("COALITIONLAB_APP_SCREENSHOT")
        lead, date = ("USA", "2011-03-19") if screenshot else ("USA", "2003-03-20")
        pg.fill("#date", date)
        pg.click("#show")
        pg.wait_for_function(f"() => document.getElementById('ranking-note').textContent.includes('on {date}')",
                             timeout=300_000)
        assert first_rows(pg) == library_top(lead, date, data_dir=shared_data)
        assert "alliances + treaties_bilateral + igos" in pg.text_content("#ranking-note")
        if screenshot:  # the figure of docs/app.md: a forecast against Libya and the Libya air campaign planned
            pg.fill("#target", "Libya")
            pg.click("#predict")
            pg.wait_for_selector("#why h3", timeout=600_000)
            pg.select_option("#mission-template", "us_air_campaign")
            pg.click("#plan")
            pg.wait_for_function("() => document.getElementById('plan-summary').textContent.length > 0",
                                 timeout=600_000)
            pg.locator("#map .main-svg").first.wait_for(timeout=60_000)
            pg.screenshot(path=screenshot, full_page=True)
        context.close()
    finally:
        server.stop()
