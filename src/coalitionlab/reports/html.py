"""A self-contained HTML report: a summary, a table of contents, then sections of prose, figures and tables.

One file that works offline: the stylesheet, the table-sorting script and (when a section has a
plotly figure) plotly.js are inlined once; matplotlib figures are embedded as base64 PNG. Tables
are complete (no row limit), sortable by clicking a header, and scroll inside their box.
"""

from __future__ import annotations

import base64
import datetime as _dt
import io
import math
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from jinja2 import Environment, select_autoescape
from markupsafe import Markup, escape

from coalitionlab import __version__

__all__ = ["Section", "figure_to_base64", "format_cell", "frame_to_html", "slug", "write_report"]


@dataclass
class Section:
    """One report section.

    ``tables`` are (caption, frame) pairs, ``figures`` (caption, figure) pairs: a plotly Figure,
    a matplotlib Figure or a base64 PNG string. The caption of a figure should say what to read
    from it. ``id`` is the anchor (from the title when empty); ``collapsed`` folds the tables
    into ``<details>`` (for long reference tables); ``notes`` are (table caption, note) lines
    printed under a table.
    """

    title: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[tuple[str, pd.DataFrame]] = field(default_factory=list)
    figures: list[tuple[str, Any]] = field(default_factory=list)
    is_seed: bool = False
    id: str = ""
    collapsed: bool = False
    notes: dict[str, str] = field(default_factory=dict)


def slug(text: str) -> str:
    """An HTML id from a title: lower case, ASCII letters/digits and hyphens.

    Examples
    --------
    >>> slug("Who joins US-led coalitions?")
    'who-joins-us-led-coalitions'
    """
    s = re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-")
    return s or "section"


def figure_to_base64(fig: Any) -> str:
    """PNG bytes of a matplotlib Figure, base64-encoded (the figure is closed afterwards)."""
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _is_plotly(fig: Any) -> bool:
    return type(fig).__module__.startswith("plotly.") and hasattr(fig, "to_plotly_json")


def format_cell(value: Any, *, float_digits: int = 3) -> tuple[str, str | None]:
    """(text shown, sort key or None) of one table cell.

    Floats get ``float_digits`` decimals, very small ones scientific notation, large ones a
    thousands separator; NaN and missing values are empty. The sort key is the full value.

    Examples
    --------
    >>> format_cell(0.123456), format_cell(1.8e-16)[0], format_cell(12345.6)[0], format_cell(float("nan"))
    (('0.123', '0.123456'), '1.80e-16', '12,346', ('', None))
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return "", None
    if isinstance(value, (bool, np.bool_)):
        return ("yes" if value else "no"), None
    if isinstance(value, (int, np.integer)):
        return f"{int(value)}", f"{int(value)}"
    if isinstance(value, (float, np.floating)):
        v = float(value)
        if math.isnan(v):
            return "", None
        if math.isinf(v):
            return ("inf" if v > 0 else "-inf"), repr(v)
        if v != 0 and abs(v) < 10 ** -float_digits:
            text = f"{v:.2e}"
        elif abs(v) >= 10_000:
            text = f"{v:,.0f}"
        else:
            text = f"{v:.{float_digits}f}"
        return text, repr(v)
    if isinstance(value, (pd.Timestamp, _dt.date, np.datetime64)):
        ts = pd.Timestamp(value)
        return (ts.strftime("%Y-%m-%d") if ts == ts.normalize() else str(ts)), None
    if isinstance(value, (dict, list, tuple, set)):
        return ", ".join(map(str, value)) if not isinstance(value, dict) else \
            ", ".join(f"{k}: {v}" for k, v in value.items()), None
    return str(value), None


def frame_to_html(df: pd.DataFrame, *, max_rows: int | None = None, float_digits: int = 3,
                  table_id: str | None = None) -> str:
    """A DataFrame as a sortable HTML table: every row (unless ``max_rows``), cells escaped.

    Numeric columns are right-aligned and sort as numbers (each cell carries its full value in
    ``data-v``); text columns are left-aligned. The index is not shown: reset it first to keep it.

    Examples
    --------
    >>> html = frame_to_html(pd.DataFrame({"state": ["A<b>", "B"], "x": [2.5, 10.0]}))
    >>> "A&lt;b&gt;" in html and 'class="num" data-v="10.0"' in html and "sortable" in html
    True
    """
    shown = df if max_rows is None else df.head(max_rows)
    numeric = [pd.api.types.is_numeric_dtype(shown[c]) and not pd.api.types.is_bool_dtype(shown[c])
               for c in shown.columns]
    whole = [n and _whole(shown[c]) for c, n in zip(shown.columns, numeric)]
    wide_text = [not n and shown[c].astype(str).str.len().max() > 40 if len(shown) else False
                 for c, n in zip(shown.columns, numeric)]
    parts = [f'<table class="sortable"{f" id={chr(34)}{escape(table_id)}{chr(34)}" if table_id else ""}>',
             "<thead><tr>"]
    for c, n in zip(shown.columns, numeric):
        parts.append(f'<th scope="col"{" class=" + chr(34) + "num" + chr(34) if n else ""}>{escape(str(c))}</th>')
    parts.append("</tr></thead><tbody>")
    columns = [shown[c].tolist() for c in shown.columns]
    for i in range(len(shown)):
        parts.append("<tr>")
        for col, n, wide, w in zip(columns, numeric, wide_text, whole):
            text, key = format_cell(col[i], float_digits=0 if w else float_digits)
            cls = ' class="num"' if n else (' class="text"' if wide else "")
            data = f' data-v="{escape(key)}"' if (n and key is not None) else ""
            parts.append(f"<td{cls}{data}>{escape(text)}</td>")
        parts.append("</tr>")
    parts.append("</tbody></table>")
    out = "".join(parts)
    if max_rows is not None and len(df) > max_rows:
        out += f"<p class='meta'>{len(df) - max_rows} more rows not shown ({len(df)} in all).</p>"
    return out


def _whole(col: pd.Series) -> bool:
    """A numeric column whose finite values are all whole numbers (shown without decimals)."""
    v = pd.to_numeric(col, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    v = v[np.isfinite(v)]
    return bool(len(v)) and bool(np.all(v == np.round(v)))


def _asset(*parts: str) -> str:
    ref = resources.files("coalitionlab.reports")
    for p in parts:
        ref = ref / p
    return ref.read_text(encoding="utf-8")


def _render_figure(fig: Any, fig_id: str) -> str:
    if _is_plotly(fig):
        import plotly.io as pio

        return pio.to_html(fig, include_plotlyjs=False, full_html=False, div_id=f"{fig_id}-plot",
                           default_width="100%", config={"displaylogo": False, "responsive": True})
    png = fig if isinstance(fig, str) else figure_to_base64(fig)
    return f'<img alt="" src="data:image/png;base64,{png}">'


def write_report(
    sections: list[Section],
    out_dir: str | Path,
    *,
    title: str = "coalitionlab report",
    data_label: str | None = None,
    versions: pd.DataFrame | None = None,
    summary: list[str] | None = None,
    banner: str | Markup | None = None,
) -> Path:
    """Write ``out_dir/index.html`` and return its path.

    Page order: title, the seed notice (``banner``, or a default one when a section is marked
    ``is_seed``), the ``summary`` sentences, a table of contents linking every section, the
    sections, and ``versions`` (a table) last.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    used: set[str] = {"summary", "contents", "data-versions", "seed-notice"}
    rendered = []
    n_fig = 0
    has_plotly = False
    for s in sections:
        sid = s.id or slug(s.title)
        base, k = sid, 2
        while sid in used:
            sid, k = f"{base}-{k}", k + 1
        used.add(sid)
        figs = []
        for caption, fig in s.figures:
            n_fig += 1
            has_plotly = has_plotly or _is_plotly(fig)
            figs.append({"id": f"fig-{n_fig}", "caption": caption, "body": _render_figure(fig, f"fig-{n_fig}")})
        tables = []
        for caption, frame in s.tables:
            tid = f"tbl-{slug(caption)}"
            base_t, k = tid, 2
            while tid in used:
                tid, k = f"{base_t}-{k}", k + 1
            used.add(tid)
            tables.append({"caption": caption, "html": frame_to_html(frame, table_id=tid), "n_rows": len(frame),
                           "note": s.notes.get(caption, "")})
        rendered.append({"id": sid, "title": s.title, "is_seed": s.is_seed, "paragraphs": s.paragraphs,
                         "figures": figs, "tables": tables, "collapsed": s.collapsed})
    if banner is None and any(s.is_seed for s in sections):
        banner = Markup(
            "<b>Embedded seed data.</b> Results marked SEED come from the small dataset that ships with "
            "coalitionlab (authored from public facts, sources in <code>docs/data/seed.md</code>), not from the "
            "full sources. Run with <code>--data-dir</code> to use the full data.")
    toc = ([("summary", "Summary")] if summary else []) + [(r["id"], r["title"]) for r in rendered]
    if versions is not None:
        toc.append(("data-versions", "Data versions"))
    plotlyjs = ""
    offline_geo = ""
    if has_plotly:
        from plotly.offline import get_plotlyjs

        from coalitionlab.reports.figures import OFFLINE_GEO_JS

        plotlyjs, offline_geo = get_plotlyjs(), OFFLINE_GEO_JS
    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    page = env.from_string(_asset("templates", "report.html.j2")).render(
        title=title,
        version=__version__,
        generated=_dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        data_label=data_label,
        banner=Markup(banner) if isinstance(banner, Markup) else (escape(banner) if banner else None),
        summary=summary or [],
        toc=toc,
        sections=rendered,
        versions=frame_to_html(versions, table_id="tbl-data-versions") if versions is not None else None,
        css=_asset("static", "report.css"),
        js=_asset("static", "report.js"),
        plotlyjs=plotlyjs,
        offline_geo=offline_geo,
    )
    path = out / "index.html"
    path.write_text(page, encoding="utf-8")
    return path
