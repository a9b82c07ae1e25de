"""Interactive figures (plotly) for the HTML report and for any app that shows coalitionlab results.

Every function takes tidy frames and returns a :class:`plotly.graph_objects.Figure`; nothing
here reads data or fits a model. The report embeds plotly.js once, inline, so the figures work
offline.

World maps
----------
:func:`world_map` colours states by a value on the borders of a given year. The country
shapes ship with coalitionlab (``reports/static/world_110m.geojson``: Natural Earth 1:110m
admin-0 countries, public domain, one feature per ISO 3166 alpha-3 code; see
``reports/static/README.md``), so drawing a map downloads nothing. Shapes are today's
borders; a state is drawn on the shapes of the territory it held in that year, as far as
today's shapes allow: in 1980 the Soviet Union (``SUN``) is drawn over Russia and the other
fourteen republics, Sudan before July 2011 over Sudan and South Sudan. States whose territory
today's shapes cannot separate (the German Democratic Republic, South Yemen, South Vietnam)
and states too small for the 1:110m scale (Singapore, Bahrain, most island states) are not
drawn; :func:`map_frame` lists them (``drawn == False``) and the figure names them below
the map. A state that was not in the state system that year is grey (missing), never zero.

plotly.js asks its CDN for a base-map topology whenever it draws a ``geo`` subplot with a
choropleth, even when the trace brings its own GeoJSON. :data:`OFFLINE_GEO_JS` registers an
empty topology under that name so nothing is requested: the report includes it after
plotly.js; an app that must work offline includes it too (for example as a script asset).
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from coalitionlab.errors import CoverageError, PanelTypeError

if TYPE_CHECKING:  # plotly is imported inside the functions: importing coalitionlab never needs it
    import plotly.graph_objects as go

__all__ = [
    "MISSING_COLOUR",
    "OFFLINE_GEO_JS",
    "map_frame",
    "world_geojson",
    "world_map",
]

#: Fill of states with no value (not a state that year, or no value given).
MISSING_COLOUR = "#d9d9d9"

#: JavaScript that registers an empty base-map topology with plotly.js, so a ``geo`` subplot whose
#: traces bring their own GeoJSON requests nothing from the network. Run it after plotly.js loads
#: (or before: plotly keeps an existing ``window.PlotlyGeoAssets``).
OFFLINE_GEO_JS = (
    "window.PlotlyGeoAssets=window.PlotlyGeoAssets||{topojson:{}};"
    "['world_110m','world_50m'].forEach(function(n){if(!window.PlotlyGeoAssets.topojson[n])"
    "{window.PlotlyGeoAssets.topojson[n]={type:'Topology',objects:{},arcs:[]};}});"
)

#: Today's shapes (ISO3 feature ids) -> the ISO3 codes of the states that held the territory
#: before the state of that code existed, nearest first. Used only when no state of the
#: feature's own code exists in the year asked.
PREDECESSORS: dict[str, tuple[str, ...]] = {
    **{iso: ("SUN",) for iso in ("RUS", "UKR", "BLR", "MDA", "EST", "LVA", "LTU", "GEO", "ARM", "AZE",
                                "KAZ", "KGZ", "TJK", "TKM", "UZB")},
    **{iso: ("YUG",) for iso in ("SVN", "HRV", "BIH", "MKD")},
    "SRB": ("SCG", "YUG"),
    "MNE": ("SCG", "YUG"),
    "XKX": ("SRB", "SCG", "YUG"),
    "CZE": ("CSK",),
    "SVK": ("CSK",),
    "SSD": ("SDN",),
    "ERI": ("ETH",),
    "BGD": ("PAK",),
}


@lru_cache(maxsize=1)
def _geojson_text() -> str:
    ref = resources.files("coalitionlab.reports") / "static" / "world_110m.geojson"
    return ref.read_text(encoding="utf-8")


def world_geojson(features: Any = None) -> dict[str, Any]:
    """The shipped country shapes: a GeoJSON FeatureCollection, one feature per ISO3 ``id``.

    ``features``: ISO3 ids to keep (all when None).

    Examples
    --------
    >>> shapes = world_geojson()
    >>> len(shapes["features"]) > 170 and {"USA", "SSD", "XKX"} <= {f["id"] for f in shapes["features"]}
    True
    """
    shapes = json.loads(_geojson_text())
    if features is not None:
        keep = set(features)
        shapes["features"] = [f for f in shapes["features"] if f["id"] in keep]
    return shapes


def _check_year(year: Any) -> int:
    if isinstance(year, bool) or not isinstance(year, (int, np.integer)):
        raise CoverageError(f"world_map: year must be an integer year such as 2003, not {year!r}")
    year = int(year)
    if not 1816 <= year <= 2100:
        raise CoverageError(f"world_map: year {year} is outside the state system (1816 onwards)")
    return year


def _values_by_state(values: pd.DataFrame, value: str, ccode_col: str) -> pd.Series:
    if not isinstance(values, pd.DataFrame):
        raise PanelTypeError(f"world_map: values must be a pandas DataFrame, not {type(values).__name__}")
    missing = [c for c in (ccode_col, value) if c not in values.columns]
    if missing:
        raise PanelTypeError(f"world_map: values lacks column(s) {', '.join(map(repr, missing))}; "
                             f"it has {', '.join(map(str, values.columns[:12]))}")
    codes = pd.to_numeric(values[ccode_col], errors="coerce")
    if codes.isna().any() or (codes != codes.round()).any():
        pos = int(np.flatnonzero((codes.isna() | (codes != codes.round())).to_numpy())[0])
        raise PanelTypeError(f"world_map: column {ccode_col!r} holds {values[ccode_col].iloc[pos]!r} at position "
                             f"{pos}; it must hold COW ccodes (integers)")
    col = values[value]
    if col.dtype == bool:
        col = col.astype(float)
    if not pd.api.types.is_numeric_dtype(col):
        raise PanelTypeError(f"world_map: column {value!r} is {col.dtype}, not numeric")
    codes = codes.astype(np.int64)
    dup = codes[codes.duplicated()]
    if len(dup):
        raise PanelTypeError(f"world_map: ccode {int(dup.iloc[0])} appears more than once in {ccode_col!r}; "
                             "give one row per state")
    return pd.Series(col.astype(float).to_numpy(), index=codes.to_numpy(), name=value)


def map_frame(values: pd.DataFrame, value: str, *, year: int, ccode_col: str = "ccode") -> pd.DataFrame:
    """How :func:`world_map` colours the map: one row per state of ``year`` and per shape.

    Parameters
    ----------
    values
        One row per state: a COW ccode column (``ccode_col``) and a numeric ``value`` column.
        Rows for states that were not in the state system during ``year`` are ignored.
    value
        The column to map.
    year
        The year whose states and borders are drawn (a state is present if it was a member
        of the state system on at least one day of the year, the COW state-year convention).
    ccode_col
        Name of the ccode column.

    Returns
    -------
    pandas.DataFrame
        ``feature`` (ISO3 id of a shape, or ``None`` for a state drawn nowhere), ``ccode``
        (the state drawn there, ``<NA>`` for a shape no state of ``year`` held), ``country``,
        ``value`` (NaN where the state has no value or there is no state), ``status``
        (``"value"``, ``"no value"`` or ``"not a state"``) and ``drawn``. States that
        existed but have no shape at this scale have ``drawn == False``.

    Raises
    ------
    PanelTypeError
        ``values`` lacks a column, has a non-numeric value column or a ccode twice.
    CoverageError
        ``year`` is not an integer year of the state system.

    Examples
    --------
    >>> frame = pd.DataFrame({"ccode": [2, 625, 626], "x": [1.0, 2.0, 3.0]})
    >>> m = map_frame(frame, "x", year=2005).set_index("feature")
    >>> m.loc["SSD", "country"], float(m.loc["SSD", "value"])  # South Sudan's territory, held by Sudan
    ('Sudan', 2.0)
    >>> m = map_frame(frame, "x", year=2012).set_index("feature")
    >>> m.loc["SSD", "country"], float(m.loc["SSD", "value"])
    ('South Sudan', 3.0)
    """
    from coalitionlab.data import ccode_to, country_name, states_on

    year = _check_year(year)
    by_state = _values_by_state(values, value, ccode_col)
    states = np.asarray(states_on(year), dtype=np.int64)
    at_end = set(np.asarray(states_on(f"{min(year, 2024)}-12-31"), dtype=np.int64).tolist()) if year <= 2024 \
        else set(states.tolist())
    iso = list(ccode_to(states, "iso3", date=year))
    names = list(country_name(states, date=year))
    # which state of the year goes with each ISO3 code; a state that ended during the year yields
    # its code to one that was there on 31 December (e.g. 260 -> 255 for Germany in 1990)
    holder: dict[str, int] = {}
    for code, state in sorted(zip(iso, states.tolist()), key=lambda t: (t[1] in at_end, t[1])):
        if code:
            holder[code] = state
    name_of = dict(zip(states.tolist(), names))
    rows = []
    owned: set[int] = set()
    for feature in (f["id"] for f in world_geojson()["features"]):
        if feature == "ATA":
            continue
        owner = holder.get(feature)
        if owner is None:
            owner = next((holder[p] for p in PREDECESSORS.get(feature, ()) if p in holder), None)
        if owner is None:
            rows.append((feature, pd.NA, None, np.nan, "not a state", True))
            continue
        owned.add(owner)
        v = by_state.get(owner, np.nan)
        rows.append((feature, owner, name_of[owner], v, "value" if np.isfinite(v) else "no value", True))
    for state in states.tolist():
        if state not in owned:
            v = by_state.get(state, np.nan)
            rows.append((None, state, name_of[state], v, "value" if np.isfinite(v) else "no value", False))
    out = pd.DataFrame(rows, columns=["feature", "ccode", "country", "value", "status", "drawn"])
    out["ccode"] = out["ccode"].astype("Int64")
    out["value"] = out["value"].astype(float)
    out.attrs.update(year=year, value=value)
    return out


def world_map(values: pd.DataFrame, value: str, *, year: int, title: str = "",
              ccode_col: str = "ccode") -> go.Figure:
    """A world map of ``value`` by state on the borders of ``year``; states with no value are grey.

    Parameters
    ----------
    values
        One row per state: a COW ccode column and a numeric ``value`` column (for example the
        output of :func:`coalitionlab.measures.embeddedness`).
    value
        The column to colour by.
    year
        The year whose states are drawn. A state that was not in the state system during the
        year (South Sudan before 2011, the Soviet Union after 1991) gets no value - grey -
        whatever ``values`` says; so does a state with no row or a NaN in ``values``.
    title
        Figure title (none when empty).
    ccode_col
        Name of the ccode column.

    Returns
    -------
    plotly.graph_objects.Figure
        Two choropleth traces on the shipped shapes (``featureidkey="id"``, ISO3 ids): first
        the grey shapes with no value, then the coloured ones. Hovering shows the state and its
        value. ``fig.layout.meta`` holds ``year``, ``value`` and ``not_drawn`` (names of the
        states of the year that have no shape at this scale; they are also named under the map).
        To show it offline, run :data:`OFFLINE_GEO_JS` in the page (the report does).

    Raises
    ------
    PanelTypeError
        ``values`` lacks a column, has a non-numeric value column or a ccode twice.
    CoverageError
        ``year`` is not an integer year of the state system.

    Examples
    --------
    >>> frame = pd.DataFrame({"ccode": [2, 200, 626], "score": [3.0, 5.0, 1.0]})
    >>> fig = world_map(frame, "score", year=2005, title="score in 2005")
    >>> shown = dict(zip(fig.data[1].locations, fig.data[1].z))
    >>> float(shown["GBR"]), "SSD" in shown  # South Sudan was not a state in 2005: no value of its own
    (5.0, False)
    """
    import plotly.graph_objects as go

    frame = map_frame(values, value, year=year, ccode_col=ccode_col)
    drawn = frame[frame["drawn"]]
    grey = drawn[drawn["status"] != "value"]
    coloured = drawn[drawn["status"] == "value"]
    hover_grey = [f"{c}: no value" if s == "no value" else f"not a state in {year}"
                  for c, s in zip(grey["country"], grey["status"])]
    fig = go.Figure()
    fig.add_trace(go.Choropleth(
        geojson=world_geojson(grey["feature"]), featureidkey="id", locations=grey["feature"].tolist(),
        z=np.zeros(len(grey)), colorscale=[[0, MISSING_COLOUR], [1, MISSING_COLOUR]], showscale=False,
        marker_line_color="white", marker_line_width=0.4, text=hover_grey,
        hovertemplate="%{text}<extra></extra>", name="no value"))
    fig.add_trace(go.Choropleth(
        geojson=world_geojson(coloured["feature"]), featureidkey="id", locations=coloured["feature"].tolist(),
        z=coloured["value"].to_numpy(float), colorscale="Viridis", reversescale=True,
        marker_line_color="white", marker_line_width=0.4, text=coloured["country"].tolist(),
        hovertemplate="%{text}<br>" + value + ": %{z:.3~g}<extra></extra>", name=value,
        colorbar={"title": {"text": value}, "thickness": 14, "len": 0.75}))
    not_drawn = frame.loc[~frame["drawn"], "country"].tolist()
    fig.update_geos(showframe=False, showcoastlines=False, showland=False, showocean=False, showlakes=False,
                    showrivers=False, showcountries=False, showsubunits=False, projection_type="natural earth",
                    lataxis_range=[-58, 85], bgcolor="rgba(0,0,0,0)")
    fig.update_layout(
        title={"text": title} if title else None, height=460, margin={"l": 0, "r": 0, "t": 40 if title else 10, "b": 30},
        meta={"year": int(year), "value": value, "not_drawn": not_drawn})
    if not_drawn:
        shown = ", ".join(not_drawn[:8]) + (f" and {len(not_drawn) - 8} more" if len(not_drawn) > 8 else "")
        fig.add_annotation(text=f"Not drawn (no shape at this scale): {shown}", showarrow=False, x=0, y=0,
                           xref="paper", yref="paper", xanchor="left", yanchor="top", yshift=-4,
                           font={"size": 10, "color": "#666"})
    return fig


# ------------------------------------------------------------------------------ report figures

_BLUE = "#2b5b84"
_LEAD = "#b03a2e"
_PALETTE = ["#2b5b84", "#e0a800", "#5c946e", "#b03a2e", "#7b5ea7", "#3a9bdc", "#8c6d46", "#999999"]


def _check_columns(frame: pd.DataFrame, columns: list[str], where: str) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise PanelTypeError(f"{where}: expected a pandas DataFrame, not {type(frame).__name__}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise PanelTypeError(f"{where}: the frame lacks column(s) {', '.join(map(repr, missing))}")


def highlight_states(fig: go.Figure, ccodes: list[int], *, year: int, label: str, colour: str = _LEAD) -> go.Figure:
    """Draw the shapes of ``ccodes`` (as :func:`world_map` places them in ``year``) in one flat colour.

    Used to mark the lead state on a map of its partners (it has no value with itself).
    """
    import plotly.graph_objects as go

    frame = map_frame(pd.DataFrame({"ccode": list(ccodes), "_v": 1.0}), "_v", year=year)
    rows = frame[frame["drawn"] & frame["ccode"].isin(list(ccodes))]
    fig.add_trace(go.Choropleth(
        geojson=world_geojson(rows["feature"]), featureidkey="id", locations=rows["feature"].tolist(),
        z=np.ones(len(rows)), colorscale=[[0, colour], [1, colour]], showscale=False,
        marker_line_color="white", marker_line_width=0.4, text=[f"{c} ({label})" for c in rows["country"]],
        hovertemplate="%{text}<extra></extra>", name=label))
    return fig


def component_bars(frame: pd.DataFrame, components: dict[str, str], *, label: str = "country", n: int = 20,
                   title: str = "") -> go.Figure:
    """Stacked horizontal bars: for the ``n`` states with the largest total, the count from each component.

    ``components`` maps a column of ``frame`` to its legend label, in stacking order. States are
    sorted by the total, then by name.
    """
    import plotly.graph_objects as go

    _check_columns(frame, [label, *components], "component_bars")
    data = frame[[label, *components]].copy()
    data["_total"] = data[list(components)].sum(axis=1, min_count=1)
    data = data.dropna(subset=["_total"]).sort_values(["_total", label], ascending=[False, True]).head(n)
    data = data.iloc[::-1]
    fig = go.Figure()
    for k, (col, name) in enumerate(components.items()):
        fig.add_trace(go.Bar(y=data[label].astype(str), x=data[col], name=name, orientation="h",
                             marker_color=_PALETTE[k % len(_PALETTE)],
                             hovertemplate="%{y}: %{x} " + name + "<extra></extra>"))
    fig.update_layout(barmode="stack", title={"text": title} if title else None, height=max(300, 22 * len(data) + 110),
                      margin={"l": 10, "r": 10, "t": 40 if title else 30, "b": 40},
                      legend={"orientation": "h", "y": -0.08, "traceorder": "normal"},
                      xaxis_title="number of ties", plot_bgcolor="white")
    fig.update_xaxes(gridcolor="#e5e5e5")
    return fig


def _circle_order(ties: np.ndarray, codes: list[int]) -> list[int]:
    """Positions 0..k-1 ordered by the Fiedler vector of the tie graph (tied states sit together)."""
    w = np.nan_to_num(ties, nan=0.0)
    np.fill_diagonal(w, 0.0)
    if len(w) < 3 or not w.any():
        return list(range(len(w)))
    lap = np.diag(w.sum(axis=1)) - w
    _, vecs = np.linalg.eigh(lap)
    fiedler = vecs[:, 1]
    if fiedler[np.argmax(np.abs(fiedler))] < 0:  # the sign of an eigenvector is arbitrary: fix it
        fiedler = -fiedler
    return sorted(range(len(w)), key=lambda i: (round(float(fiedler[i]), 9), codes[i]))


def tie_network(ties: pd.DataFrame, lead_ccode: int, partners: list[int], names: dict[int, str], *,
                title: str = "", quantile: float = 0.75, lead_label: str | None = None) -> go.Figure:
    """The ties among the lead and its partners: lead in the centre, partners on a circle.

    ``ties`` is a square tie-count matrix indexed by ccode
    (:func:`coalitionlab.measures.network.tie_matrix`). Partners are placed around the circle in
    the order of the Fiedler vector of their tie graph, so states tied to each other sit side
    by side. Spokes join the lead to each partner, chords join two partners; line width follows
    the count. Chords are drawn for the pairs whose count is at least the ``quantile`` of the
    partner-pair counts (and above zero), so the picture shows the strong ties rather than a
    hairball; ``fig.layout.meta`` holds that ``threshold`` and the number of ``chords``. Node size
    follows the partner's count with the lead. ``lead_label`` is the text in the centre node
    (default: the lead's name).
    """
    import plotly.graph_objects as go

    if not isinstance(ties, pd.DataFrame):
        raise PanelTypeError(f"tie_network: ties must be a square DataFrame, not {type(ties).__name__}")
    codes = [int(c) for c in partners if int(c) in ties.index and int(c) != int(lead_ccode)]
    if int(lead_ccode) not in ties.index:
        raise PanelTypeError(f"tie_network: the lead {lead_ccode} is not in the tie matrix")
    if len(codes) < 2:
        raise PanelTypeError("tie_network: needs at least two partners that are in the tie matrix")
    sub = ties.loc[codes, codes].to_numpy(float)
    with_lead = ties.loc[int(lead_ccode), codes].to_numpy(float)
    order = _circle_order(sub, codes)
    angle = {codes[i]: np.pi / 2 - 2 * np.pi * pos / len(codes) for pos, i in enumerate(order)}
    xy = {c: (np.cos(a), np.sin(a)) for c, a in angle.items()}
    xy[int(lead_ccode)] = (0.0, 0.0)
    fig = go.Figure()
    upper = sub[np.triu_indices(len(codes), 1)]
    upper = upper[np.isfinite(upper)]
    top = float(upper.max()) if len(upper) else 0.0
    threshold = max(float(np.quantile(upper, quantile)), np.nextafter(0.0, 1.0)) if len(upper) else np.inf
    lead_top = np.nanmax(with_lead) if np.isfinite(with_lead).any() else 0.0
    # chords: partner pairs at or above the threshold, weakest first so the strong ones are on top
    pairs = [(sub[i, j], codes[i], codes[j]) for i in range(len(codes)) for j in range(i + 1, len(codes))
             if np.isfinite(sub[i, j]) and sub[i, j] >= threshold]
    span = max(top - threshold, 1e-9)
    for count, a, b in sorted(pairs):
        fig.add_trace(go.Scatter(x=[xy[a][0], xy[b][0]], y=[xy[a][1], xy[b][1]], mode="lines",
                                 line={"width": 1 + 5 * (count - threshold) / span, "color": "rgba(43,91,132,0.4)"},
                                 hoverinfo="text", text=f"{names.get(a, a)} - {names.get(b, b)}: {count:.0f} ties",
                                 showlegend=False))
    for c, count in zip(codes, with_lead):
        if np.isfinite(count) and count > 0:
            fig.add_trace(go.Scatter(x=[0, xy[c][0]], y=[0, xy[c][1]], mode="lines",
                                     line={"width": 0.5 + 5 * count / max(lead_top, 1), "color": "rgba(176,58,46,0.35)"},
                                     hoverinfo="text", text=f"{names.get(int(lead_ccode))} - {names.get(c, c)}: {count:.0f} ties",
                                     showlegend=False))
    size = [10 + 22 * (v / lead_top if lead_top > 0 and np.isfinite(v) else 0) for v in with_lead]
    fig.add_trace(go.Scatter(
        x=[xy[c][0] for c in codes], y=[xy[c][1] for c in codes], mode="markers+text",
        marker={"size": size, "color": _BLUE, "line": {"color": "white", "width": 1}},
        text=[names.get(c, str(c)) for c in codes], textposition=[_text_pos(angle[c]) for c in codes],
        hovertext=[f"{names.get(c, c)}: {v:.0f} ties with the lead" for c, v in zip(codes, with_lead)],
        hoverinfo="text", showlegend=False))
    fig.add_trace(go.Scatter(x=[0], y=[0], mode="markers+text", marker={"size": 30, "color": _LEAD},
                             text=[lead_label or names.get(int(lead_ccode), str(lead_ccode))],
                             textposition="middle center",
                             textfont={"color": "white", "size": 10}, hoverinfo="text",
                             hovertext=[f"{names.get(int(lead_ccode))} (lead)"], showlegend=False))
    fig.update_xaxes(visible=False, range=[-1.6, 1.6])
    fig.update_yaxes(visible=False, range=[-1.3, 1.3], scaleanchor="x")
    fig.update_layout(title={"text": title} if title else None, height=560, plot_bgcolor="white",
                      margin={"l": 10, "r": 10, "t": 40 if title else 30, "b": 10},
                      meta={"order": [codes[i] for i in order], "chords": len(pairs),
                            "threshold": float(threshold) if np.isfinite(threshold) else None})
    return fig


def _text_pos(a: float) -> str:
    c, s = np.cos(a), np.sin(a)
    vert = "top" if s > 0.35 else ("bottom" if s < -0.35 else "middle")
    hor = "right" if c > 0.35 else ("left" if c < -0.35 else "center")
    return f"{vert} {hor}"


def coefficient_panels(table: pd.DataFrame, *, permutation_draws: np.ndarray | None = None, level: float = 0.95,
                       title: str = "") -> go.Figure:
    """Point estimates and intervals of the robustness designs, one panel per scale.

    Rows are put on panels by :func:`coalitionlab.reports.plots.coef_scale` (log-odds designs on
    one axis, probit, the linear probability model and the permutation test each on their own),
    so estimates on different scales never share an axis. In the permutation panel the band is
    the central ``level`` range of the permuted coefficients. Designs that did not run are not
    drawn (the table lists them).
    """
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    from coalitionlab.reports.plots import COEF_SCALES, coef_scale

    _check_columns(table, ["design", "estimate", "ci_low", "ci_high"], "coefficient_panels")
    t = table.reset_index(drop=True)
    methods = t["method"].fillna("").astype(str) if "method" in t.columns else pd.Series([""] * len(t))
    t = t.assign(_scale=[coef_scale(d, m) for d, m in zip(t["design"].astype(str), methods)])
    t = t[np.isfinite(t["estimate"].to_numpy(float))]
    order = [k for k in COEF_SCALES if (t["_scale"] == k).any()]
    if not order:
        raise PanelTypeError("coefficient_panels: no design has an estimate")
    sizes = [int((t["_scale"] == k).sum()) for k in order]
    fig = make_subplots(rows=len(order), cols=1, row_heights=[s / sum(sizes) for s in sizes], vertical_spacing=0.1,
                        subplot_titles=[COEF_SCALES[k] + (" (observed vs permuted)" if k == "permutation" else "")
                                        for k in order])
    for r, k in enumerate(order, start=1):
        rows = t[t["_scale"] == k].iloc[::-1]
        est, lo, hi = (rows[c].to_numpy(float) for c in ("estimate", "ci_low", "ci_high"))
        has = np.isfinite(lo) & np.isfinite(hi)
        fig.add_trace(go.Scatter(
            x=est, y=rows["design"].astype(str), mode="markers", marker={"color": _BLUE, "size": 8},
            error_x={"type": "data", "symmetric": False, "array": np.where(has, hi - est, 0),
                     "arrayminus": np.where(has, est - lo, 0), "thickness": 1.5, "width": 4},
            hovertemplate="%{y}: %{x:.3f}<extra></extra>", showlegend=False), row=r, col=1)
        if k == "permutation" and permutation_draws is not None and len(permutation_draws):
            a = (1 - level) / 2
            q_lo, q_hi = np.quantile(np.asarray(permutation_draws, float), [a, 1 - a])
            fig.add_vrect(x0=q_lo, x1=q_hi, fillcolor="#bbbbbb", opacity=0.5, line_width=0, row=r, col=1)
        fig.add_vline(x=0, line={"color": "#999", "dash": "dash", "width": 1}, row=r, col=1)
    fig.update_layout(height=140 + 26 * len(t) + 60 * len(order), title={"text": title} if title else None,
                      margin={"l": 10, "r": 10, "t": 50, "b": 30}, plot_bgcolor="white")
    fig.update_xaxes(gridcolor="#e5e5e5", zeroline=False)
    return fig


def probability_curve(pp: pd.DataFrame, *, fd: pd.DataFrame | None = None, rug: Any = None, xlabel: str = "",
                      title: str = "") -> go.Figure:
    """Average predicted probability against a regressor, with its interval as a band.

    ``pp`` is :func:`coalitionlab.models.effects.predicted_probabilities`; ``fd`` (optional) a
    :func:`~coalitionlab.models.effects.first_difference` row whose low and high values are
    marked; ``rug`` the observed values, drawn as ticks along the axis.
    """
    import plotly.graph_objects as go

    _check_columns(pp, ["value", "estimate", "ci_low", "ci_high"], "probability_curve")
    pp = pp.sort_values("value")
    level = pp.attrs.get("level", 0.95)
    x = pp["value"].to_numpy(float)
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=np.r_[x, x[::-1]], y=np.r_[pp["ci_high"], pp["ci_low"][::-1]], fill="toself",
                             fillcolor="rgba(43,91,132,0.2)", line={"width": 0}, hoverinfo="skip",
                             name=f"{level:.0%} interval"))
    fig.add_trace(go.Scatter(x=x, y=pp["estimate"], mode="lines", line={"color": _BLUE, "width": 2.5},
                             name="average predicted P(join)", hovertemplate="%{x:.2f}: %{y:.3f}<extra></extra>"))
    if rug is not None:
        vals = pd.Series(np.asarray(rug, dtype=float)).dropna().unique()
        fig.add_trace(go.Scatter(x=vals, y=np.zeros(len(vals)), mode="markers", name="observed values",
                                 marker={"symbol": "line-ns-open", "size": 10, "color": "#555"}, hoverinfo="skip"))
    if fd is not None and len(fd):
        for v in (float(fd["low"].iloc[0]), float(fd["high"].iloc[0])):
            fig.add_vline(x=v, line={"color": _LEAD, "dash": "dot", "width": 1})
    fig.update_layout(height=380, title={"text": title} if title else None, plot_bgcolor="white",
                      xaxis_title=xlabel or (str(pp["term"].iloc[0]) if "term" in pp.columns else "value"),
                      yaxis_title="average predicted P(join)", legend={"orientation": "h", "y": -0.25},
                      margin={"l": 10, "r": 10, "t": 40 if title else 30, "b": 10})
    fig.update_xaxes(gridcolor="#e5e5e5")
    fig.update_yaxes(gridcolor="#e5e5e5", rangemode="tozero")
    return fig


def calibration_curve(calibration: pd.DataFrame, *, title: str = "") -> go.Figure:
    """Observed share joining against the mean prediction, by bin, with the diagonal."""
    import plotly.graph_objects as go

    _check_columns(calibration, ["mean_predicted", "observed"], "calibration_curve")
    top = float(max(calibration["mean_predicted"].max(), calibration["observed"].max(), 0.05)) * 1.05
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=[0, top], y=[0, top], mode="lines", line={"color": "#999", "dash": "dash"},
                             name="perfect calibration", hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=calibration["mean_predicted"], y=calibration["observed"], mode="lines+markers",
                             line={"color": _BLUE}, name="by decile of the prediction",
                             hovertemplate="predicted %{x:.3f}, observed %{y:.3f}<extra></extra>"))
    fig.update_layout(height=380, width=None, title={"text": title} if title else None, plot_bgcolor="white",
                      xaxis_title="mean predicted P(join)", yaxis_title="observed share joining",
                      legend={"orientation": "h", "y": -0.25}, margin={"l": 10, "r": 10, "t": 40 if title else 30, "b": 10})
    fig.update_xaxes(gridcolor="#e5e5e5", range=[0, top])
    fig.update_yaxes(gridcolor="#e5e5e5", range=[0, top])
    return fig


def coalition_timeline(coalitions: pd.DataFrame, *, n_leads: int = 8, title: str = "") -> go.Figure:
    """Coalitions over time, one row per lead: a line from start to end, a dot at the start.

    ``coalitions`` needs ``name, lead, start_date, end_date, kind`` and ``states`` (the number
    of participating states, for the dot size). The ``n_leads`` leads with most coalitions get a
    row each (most at the top); the others share a last row, "other leads". A coalition with
    no end date runs to the last start date in the frame (ongoing).
    """
    import plotly.graph_objects as go

    _check_columns(coalitions, ["name", "lead", "start_date", "end_date", "kind", "states"], "coalition_timeline")
    c = coalitions.copy()
    counts = c.groupby("lead").size().sort_values(ascending=False, kind="stable")
    counts = counts.reindex(sorted(counts.index, key=lambda k: (-counts[k], k)))
    keep = list(counts.index[:n_leads])
    c["row"] = np.where(c["lead"].isin(keep), c["lead"], "other leads")
    rows = keep + (["other leads"] if (c["row"] == "other leads").any() else [])
    start = pd.to_datetime(c["start_date"])
    horizon = max(start.max(), pd.to_datetime(c["end_date"]).max())
    end = pd.to_datetime(c["end_date"]).fillna(horizon)
    kinds = sorted(c["kind"].astype(str).unique())
    colour = {k: _PALETTE[i % len(_PALETTE)] for i, k in enumerate(kinds)}
    fig = go.Figure()
    xs, ys = [], []
    for s, e, r in zip(start, end, c["row"]):
        xs += [s, e, None]
        ys += [r, r, None]
    fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line={"color": "rgba(80,80,80,0.35)", "width": 2},
                             hoverinfo="skip", showlegend=False))
    states = pd.to_numeric(c["states"], errors="coerce").fillna(1).to_numpy(float)
    for k in kinds:
        m = (c["kind"].astype(str) == k).to_numpy()
        sub = c[m]
        fig.add_trace(go.Scatter(
            x=start[m], y=sub["row"], mode="markers", name=k,
            marker={"size": 6 + 3 * np.sqrt(states[m]), "color": colour[k], "opacity": 0.85,
                    "line": {"color": "white", "width": 0.5}},
            text=[f"{n}<br>{s:%Y-%m-%d} to {'ongoing' if pd.isna(e) else f'{e:%Y-%m-%d}'}<br>{int(v)} states"
                  for n, s, e, v in zip(sub["name"], start[m], pd.to_datetime(sub["end_date"]), states[m])],
            hovertemplate="%{text}<extra></extra>"))
    fig.update_yaxes(categoryorder="array", categoryarray=rows[::-1], gridcolor="#eee")
    fig.update_xaxes(gridcolor="#e5e5e5")
    fig.update_layout(height=120 + 42 * len(rows), title={"text": title} if title else None, plot_bgcolor="white",
                      legend={"title": {"text": "kind"}, "orientation": "h", "y": -0.12},
                      margin={"l": 10, "r": 10, "t": 40 if title else 30, "b": 10})
    return fig
