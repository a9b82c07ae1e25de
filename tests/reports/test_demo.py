"""The main job runs offline on the embedded seed and writes a labelled, self-contained report:
results first, a table of contents that works, complete tables, and the data it really read."""

from __future__ import annotations

import re
import warnings
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from coalitionlab.cli.main import app
from coalitionlab.errors import SeedDataWarning


class _Page(HTMLParser):
    """Ids, in-page links, and each table's caption (the h3 or summary before it) with its cells."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.toc_links: list[str] = []
        self.tables: dict[str, list[list[str]]] = {}
        self.headers: dict[str, list[str]] = {}
        self._in_toc = False
        self._heading: list[str] | None = None
        self._caption = ""
        self._table: str | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._head = False

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        if "id" in a:
            self.ids.append(a["id"])
        if tag == "nav" and "toc" in (a.get("class") or ""):
            self._in_toc = True
        if tag == "a" and self._in_toc and (a.get("href") or "").startswith("#"):
            self.toc_links.append(a["href"][1:])
        if tag in ("h3", "summary"):
            self._heading = []
        if tag == "table":
            self._table = self._caption
            self.tables[self._table] = []
        if tag == "thead":
            self._head = True
        if tag == "tr" and self._table is not None:
            self._row = []
        if tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "nav":
            self._in_toc = False
        if tag in ("h3", "summary") and self._heading is not None:
            self._caption = "".join(self._heading).strip()
            self._heading = None
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        if tag == "tr" and self._row is not None and self._table is not None:
            if self._head:
                self.headers[self._table] = self._row
            else:
                self.tables[self._table].append(self._row)
            self._row = None
        if tag == "thead":
            self._head = False
        if tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._heading is not None:
            self._heading.append(data)
        if self._cell is not None:
            self._cell.append(data)

    def table(self, starts: str) -> pd.DataFrame:
        names = [k for k in self.tables if k.startswith(starts)]
        assert len(names) == 1, (starts, list(self.tables))
        return pd.DataFrame(self.tables[names[0]], columns=self.headers[names[0]])


@pytest.fixture(scope="module")
def seed_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str, _Page]:
    """One run of `coalitionlab demo` on the seed (no data directory), through the CLI."""
    out_dir = tmp_path_factory.mktemp("demo") / "rep"
    mp = pytest.MonkeyPatch()
    mp.delenv("COALITIONLAB_DATA", raising=False)
    try:
        result = CliRunner().invoke(app, ["demo", "--out", str(out_dir)])
    finally:
        mp.undo()
    assert result.exit_code == 0, result.output
    page = (out_dir / "index.html").read_text(encoding="utf-8")
    parsed = _Page()
    parsed.feed(page)
    return result.output, page, parsed


def test_stage_lines_are_printed_when_stdout_is_not_a_terminal(seed_report) -> None:
    from coalitionlab.reports.demo import STAGES

    output, _, _ = seed_report  # CliRunner's stdout is a buffer, not a terminal
    lines = [ln for ln in output.splitlines() if re.match(r"\[\d+/\d+\] ", ln)]
    assert [re.sub(r"^\[\d+/\d+\] (.*) \(\d+\.\d s\)$", r"\1", ln) for ln in lines] == list(STAGES)
    assert lines[0].startswith(f"[1/{len(STAGES)}]")
    assert "report written to" in output.splitlines()[-1]


def test_summary_comes_first_and_registry_last(seed_report) -> None:
    _, page, parsed = seed_report
    assert "Embedded default data" in page and "not the real sources" in page
    summary = page.index('id="summary"')
    assert summary < page.index("<table") and summary < page.index('id="contents"')
    assert summary < page.index('id="provenance"') < page.index('id="registry"')
    sections = re.findall(r'<section[^>]*\bid="([^"]+)"', page)
    assert sections[-2:] == ["provenance", "registry"]
    assert sections[0] == "summary"
    items = re.findall(r"<li>(.*?)</li>", page[summary:page.index('id="contents"')], flags=re.S)
    assert len(items) >= 6 and all(re.search(r"\d", it) for it in items)


def test_summary_numbers_come_from_the_run(seed_report) -> None:
    from coalitionlab.coalitions import coalitions
    from coalitionlab.measures import embeddedness

    _, page, _ = seed_report
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SeedDataWarning)
        emb = embeddedness("USA", "2003-03-20", source="seed")
    top = emb.sort_values(["embeddedness", "country"], ascending=[False, True]).iloc[0]
    summary = page[page.index('id="summary"'):page.index('id="contents"')]
    assert f"{top['country']} ({top['embeddedness']:.0f} ties)" in summary
    assert f"has {len(coalitions())} multilateral military coalitions" in summary
    n_us = int((coalitions()["lead_ccode"] == 2).sum())
    assert f"the United States led {n_us}" in summary


def test_table_of_contents_anchors_resolve(seed_report) -> None:
    _, _, parsed = seed_report
    assert len(parsed.toc_links) >= 8
    assert len(parsed.ids) == len(set(parsed.ids)), "duplicate ids"
    for anchor in parsed.toc_links:
        assert anchor in parsed.ids, anchor
    sections = re.findall(r'<section[^>]*\bid="([^"]+)"', seed_report[1])
    assert set(sections) - {"data-versions"} <= set(parsed.toc_links)


def test_coalition_table_is_complete_and_in_date_order(seed_report) -> None:
    from coalitionlab.coalitions import coalitions

    _, _, parsed = seed_report
    table = parsed.table("All ")
    truth = coalitions().sort_values(["start_date", "coalition_id"])
    assert table["coalition_id"].tolist() == truth["coalition_id"].tolist()
    dates = pd.to_datetime(table["start_date"])
    assert dates.is_monotonic_increasing
    assert len(table) == len(truth) > 60  # the old report cut tables at 60 rows


def test_tables_are_full_sortable_and_scroll(seed_report) -> None:
    from coalitionlab.measures import embeddedness

    _, page, parsed = seed_report
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SeedDataWarning)
        emb = embeddedness("USA", "2003-03-20", source="seed")
    table = parsed.table("Embeddedness with the United States, every state")
    assert len(table) == len(emb) == table["ccode"].nunique()
    # the cells against the seed's CSV files expanded by hand (test_embeddedness.seed_counts_by_hand), and the
    # order: most embedded first, ties by name (a table of the least embedded first would fail here)
    from importlib.resources import files

    from tests.measures.test_embeddedness import seed_counts_by_hand

    want = seed_counts_by_hand("2003-03-20").reindex(table["ccode"].astype(int)).fillna(0.0)
    for col in ("alliances", "igos", "embeddedness"):
        assert table[col].astype(float).tolist() == want[col].tolist(), col
    total = table["embeddedness"].astype(float)
    assert total.is_monotonic_decreasing and total.iloc[0] > total.iloc[-1]
    for value, names in table.groupby(total, sort=False)["country"]:
        assert names.tolist() == sorted(names.tolist()), value
    # security ties: the alliances plus the joint security organisations (named in SECURITY_IGOS, the measure's
    # documented list, or flagged is_security by the seed's list)
    from coalitionlab.measures.igos import SECURITY_IGOS

    orgs = pd.read_csv(files("coalitionlab.data.seed") / "igo_list.csv")
    orgs["is_security"] |= orgs["org"].str.lower().isin({s.lower() for s in SECURITY_IGOS}).astype(int)
    spells = pd.read_csv(files("coalitionlab.data.seed") / "igo_spells.csv", parse_dates=["start_date", "end_date"])
    on = pd.Timestamp("2002-12-31")
    live = spells[spells["status"].isin(["full", "associate"]) & (spells["start_date"] <= on)
                  & (spells["end_date"].isna() | (spells["end_date"] >= on))]
    security_orgs = set(orgs.loc[orgs["is_security"] == 1, "org"]) & set(live.loc[live["ccode"] == 2, "org"])
    security_orgs -= {"nato", "anzus", "seato", "cento", "warsaw", "rio"}  # counted as alliances
    joint = live[live["org"].isin(security_orgs)].groupby("ccode")["org"].nunique()
    sec = want["alliances"] + joint.reindex(want.index).fillna(0.0)
    assert table["embeddedness_security"].astype(float).tolist() == sec.tolist()
    assert table["embeddedness_nonsecurity"].astype(float).tolist() == (want["embeddedness"] - sec).tolist()
    assert page.count('<table class="sortable"') == page.count("<table")
    assert page.count('<div class="table-wrap">') == page.count("<table")
    assert "overflow:auto" in page and "aria-sort" in page  # the inline sorting script and scrolling boxes


def test_provenance_lists_exactly_what_was_read(seed_report) -> None:
    from coalitionlab.data import sources

    _, page, parsed = seed_report
    read = parsed.table("Sources read")
    registry_names = set(sources()["name"])
    assert set(read["kind"]) <= {"seed", "shipped"}
    assert not set(read["name"]) & registry_names  # no data directory: no full source can have been read
    assert {"igo_spells", "us_defence_treaties"} <= set(read["name"])
    assert "coalitionlab_coalitions" in set(read["name"])
    registry = parsed.table("Registered sources")
    assert set(registry["read in this run"]) == {"no"}
    assert "Data versions" not in page


def test_report_is_self_contained(seed_report) -> None:
    _, page, _ = seed_report
    from coalitionlab.reports.figures import OFFLINE_GEO_JS

    assert len(re.findall(r"\* plotly\.js v\d", page)) == 1  # plotly.js inlined once
    assert not re.search(r"<script[^>]+src=", page)
    assert page.count(OFFLINE_GEO_JS) == 1  # plotly.js must not fetch its base map
    assert page.count('class="plotly-graph-div"') >= 7


def test_record_reads_notes_seed_tables_and_nothing_else() -> None:
    from coalitionlab.data import seed
    from coalitionlab.reports.demo import record_reads

    with record_reads() as log:
        seed.igo_spells()
    assert set(log.names()) == {"igo_spells", "un_membership"}  # the spells add the UN from its own table
    assert log.names("full") == []
    with record_reads() as other:
        pass
    assert other.names() == []


def test_record_reads_matches_the_loader_calls(shared_data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from coalitionlab.data import registry
    from coalitionlab.measures import embeddedness
    from coalitionlab.reports.demo import record_reads

    called: list[str] = []
    original = registry.source_paths

    def spy(name, data_dir=None):
        called.append(name)
        return original(name, data_dir)

    from coalitionlab.measures import treaties

    monkeypatch.setattr(registry, "source_paths", spy)
    monkeypatch.setattr(treaties, "_CACHE", {})  # no in-process treaty record: every source goes through load()
    with record_reads() as log:
        emb = embeddedness("USA", "2003-03-20", data_dir=shared_data, source="full")
    assert set(log.names("full")) == set(called)
    assert set(emb.attrs["sources"]) <= set(log.names("full"))
    frame = log.frame()
    for name, version in zip(frame["name"], frame["version"]):
        assert version == registry.get_source(name).version
    # the same call again is served partly from memory (the treaty record): it still read those sources
    with record_reads() as again:
        emb2 = embeddedness("USA", "2003-03-20", data_dir=shared_data, source="full")
    assert set(emb2.attrs["sources"]) <= set(again.names("full"))
    assert {"desta_dyads", "unctad_iia"} <= set(again.names("full"))


def test_report_for_another_lead_on_the_seed_is_one_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COALITIONLAB_DATA", raising=False)
    result = CliRunner().invoke(app, ["report", "--lead", "France", "--out", str(tmp_path / "rep")])
    assert result.exit_code == 1
    assert "USA only" in result.output and "--data-dir" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "rep" / "index.html").exists()
