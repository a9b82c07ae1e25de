"""A small, self-contained HTML report: sections of prose, tables and figures, one file.

Figures are embedded as base64 PNG so ``index.html`` can be mailed or opened offline.
"""

from __future__ import annotations

import base64
import datetime as _dt
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from jinja2 import Environment, select_autoescape

from coalitionlab import __version__


@dataclass
class Section:
    """One report section: a title, paragraphs, tables (title, frame) and figures (caption, Figure)."""

    title: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[tuple[str, pd.DataFrame]] = field(default_factory=list)
    figures: list[tuple[str, Any]] = field(default_factory=list)
    is_seed: bool = False


_TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title>
<style>
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
h1{border-bottom:2px solid #345}h2{margin-top:2em;color:#345}
table{border-collapse:collapse;margin:.6em 0 1.2em;font-size:.88em}
th,td{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#eef2f6}
td:first-child,th:first-child{text-align:left}
.seed{background:#fff4d6;border-left:4px solid #e0a800;padding:.4em .8em;margin:.6em 0}
.meta{color:#666;font-size:.85em}figure{margin:1em 0}figcaption{color:#555;font-size:.9em}
img{max-width:100%}
</style></head><body>
<h1>{{ title }}</h1>
<p class="meta">coalitionlab {{ version }} &middot; generated {{ generated }}{% if data_label %} &middot; data: {{ data_label }}{% endif %}</p>
{% if is_seed %}<p class="seed"><b>Embedded seed data.</b> Results below marked SEED come from the small dataset that ships
with coalitionlab (authored from public facts, sources in <code>docs/data/seed.md</code>), not from the full sources.
Run with <code>--data-dir</code> to use the full data.</p>{% endif %}
{% for s in sections %}
<h2>{{ s.title }}{% if s.is_seed %} <small>(SEED)</small>{% endif %}</h2>
{% for p in s.paragraphs %}<p>{{ p }}</p>{% endfor %}
{% for caption, table in s.tables %}<h3>{{ caption }}</h3>{{ table | safe }}{% endfor %}
{% for caption, img in s.figures %}<figure><img alt="{{ caption }}" src="data:image/png;base64,{{ img }}"><figcaption>{{ caption }}</figcaption></figure>{% endfor %}
{% endfor %}
{% if versions %}<h2>Data versions</h2>{{ versions | safe }}{% endif %}
</body></html>
"""


def figure_to_base64(fig: Any) -> str:
    """PNG bytes of a matplotlib Figure, base64-encoded (the figure is closed afterwards)."""
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def frame_to_html(df: pd.DataFrame, *, max_rows: int = 60, float_digits: int = 3) -> str:
    """A DataFrame as an HTML table (escaped, floats rounded, long frames cut with a note)."""
    shown = df.head(max_rows)
    out = shown.to_html(index=False, escape=True, na_rep="", float_format=lambda v: f"{v:.{float_digits}f}",
                        border=0)
    if len(df) > max_rows:
        out += f"<p class='meta'>{len(df) - max_rows} more rows not shown ({len(df)} in all).</p>"
    return out


def write_report(
    sections: list[Section],
    out_dir: str | Path,
    *,
    title: str = "coalitionlab report",
    data_label: str | None = None,
    versions: pd.DataFrame | None = None,
) -> Path:
    """Write ``out_dir/index.html`` from ``sections`` and return its path."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    env = Environment(autoescape=select_autoescape(default=True))
    page = env.from_string(_TEMPLATE).render(
        title=title,
        version=__version__,
        generated=_dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        data_label=data_label,
        is_seed=any(s.is_seed for s in sections),
        sections=[
            {
                "title": s.title,
                "is_seed": s.is_seed,
                "paragraphs": s.paragraphs,
                "tables": [(c, frame_to_html(t)) for c, t in s.tables],
                "figures": [(c, f if isinstance(f, str) else figure_to_base64(f)) for c, f in s.figures],
            }
            for s in sections
        ],
        versions=frame_to_html(versions, max_rows=200) if versions is not None else None,
    )
    path = out / "index.html"
    path.write_text(page, encoding="utf-8")
    return path

