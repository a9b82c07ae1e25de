"""What the page receives: the results of :class:`~coalitionlab.webapp.service.AppData` as plain JSON values,
and the two slow computations as functions a worker process runs (:func:`forecast_job`, :func:`plan_job`).

The job functions take and return plain data only (the data directory as text, the checked inputs, a
dict), so they cross a process boundary; each worker process keeps one :class:`AppData` per data
directory, and with it the training panel and the library's in-memory caches, from one job to the next.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from coalitionlab.webapp.service import AppData

__all__ = ["PLAN_OTHERS_SHOWN", "clean", "forecast_job", "forecast_payload", "frame_json", "plan_job",
           "plan_payload", "ranking_payload", "ties_payload"]

#: Planned candidates are all sent; this many of the others after them.
PLAN_OTHERS_SHOWN = 15

_APPS: dict[str, AppData] = {}  # per process: data directory -> its AppData (caches kept between jobs)


def clean(value: Any) -> Any:
    """Plain JSON values: numpy scalars unwrapped, NaN and NA as null, tuples as lists.

    Examples
    --------
    >>> clean({"a": np.float64("nan"), "b": (np.int64(2), pd.NA), "c": np.bool_(True)})
    {'a': None, 'b': [2, None], 'c': True}
    """
    if isinstance(value, dict):
        return {str(k): clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    if isinstance(value, np.ndarray):
        return [clean(v) for v in value.tolist()]
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if not math.isfinite(float(value)) else float(value)
    if value is None or isinstance(value, (str, int, bool)):
        return value
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return str(value)


def frame_json(df: pd.DataFrame, columns: list[str] | None = None) -> dict[str, Any]:
    """A DataFrame as ``{"columns": [...], "rows": [[...], ...]}`` (NaN as null, 15 decimals).

    Examples
    --------
    >>> frame_json(pd.DataFrame({"a": [1, 2], "b": [0.5, float("nan")]}))
    {'columns': ['a', 'b'], 'rows': [[1, 0.5], [2, None]]}
    """
    part = df if columns is None else df[[c for c in columns if c in df.columns]]
    doc = json.loads(part.to_json(orient="split", index=False, double_precision=15, date_format="iso"))
    return {"columns": doc["columns"], "rows": doc["data"]}


def ranking_payload(data: AppData, lead: Any, date: Any) -> dict[str, Any]:
    """The ranking as the page draws it: the table, the components, the data years and the map figure."""
    from coalitionlab.data.countries import country_name

    res = data.ranking(lead, date)
    a = res.attrs
    comps = list(a["components"])
    lead_name = str(country_name(a["lead_ccode"], date=a["date"]))
    fig, note = data.world_map(res, title=f"Embeddedness with {lead_name}, {a['date']}")
    return clean({
        "lead": str(lead), "lead_ccode": a["lead_ccode"], "lead_name": lead_name, "date": a["date"],
        "is_seed": a["is_seed"], "components": comps, "years_used": a["years_used"],
        "stale": list(a["stale"].values()), "n_states": len(res),
        "table": frame_json(res, ["rank", "ccode", "country", *comps, "embeddedness", "embeddedness_share"]),
        "map": None if fig is None else json.loads(fig.to_json()), "map_note": note,
    })


def ties_payload(data: AppData, lead: Any, date: Any, country: Any) -> dict[str, Any]:
    """One state's ties with the lead, component by component, with its place in the ranking."""
    res = data.tie_breakdown(lead, date, country)
    return clean({**res.attrs, "table": frame_json(res)})


def forecast_payload(res: pd.DataFrame) -> dict[str, Any]:
    """A forecast with its reasons: every state's ``p_join``, ``logit``, ``logit_mean`` and ``c_<term>``."""
    a = res.attrs
    terms = [c for c in res.columns if c.startswith("c_")]
    coefs = pd.DataFrame.from_dict(a["coefficients"], orient="index").rename_axis("term").reset_index()
    return clean({
        "lead_ccode": a["lead_ccode"], "date": a["date"], "formula": a["formula"], "method": a["method"],
        "train_until": a["train_until"], "n_train_coalitions": a["n_train_coalitions"],
        "n_train_rows": a["n_train_rows"], "labels_as_of": a["labels_as_of"], "is_seed": a["is_seed"],
        "target": a["target"], "stale_inputs": a["stale_inputs"], "terms": [t.removeprefix("c_") for t in terms],
        "coefficients": frame_json(coefs, ["term", "estimate", "std_error", "p_value"]),
        "table": frame_json(res, ["ccode", "country", "p_join", "missing", "logit", "logit_mean", *terms]),
    })


def plan_payload(result: Any) -> dict[str, Any]:
    """A plan as the page shows it: the expected coalition, what cannot be met, the planned candidates
    (and the next ones), the sensitivity of the cost."""
    c = result.candidates
    shown = pd.concat([c[c["in_plan"]], c[~c["in_plan"]].head(PLAN_OTHERS_SHOWN)])
    a = result.attrs
    inputs = a.get("inputs") or {}
    return clean({
        "mission": a.get("mission"), "expected": result.expected, "infeasible": result.infeasible,
        "payment_unit": a.get("payment_unit"), "solver": a.get("solver"), "n_scenarios": a.get("n_scenarios"),
        "n_eval": a.get("n_eval"), "is_seed": inputs.get("is_seed"), "formula": inputs.get("formula"),
        "n_planned": int(c["in_plan"].sum()),
        "candidates": frame_json(shown, ["ccode", "country", "p_join", "price", "offer", "in_plan", "instruments",
                                         "personnel", "capabilities", "why"]),
        "sensitivity": frame_json(result.sensitivity),
    })


def _app(data_dir: str) -> AppData:
    if data_dir not in _APPS:
        _APPS[data_dir] = AppData(data_dir)
    return _APPS[data_dir]


def forecast_job(data_dir: str, args: dict[str, Any], progress: Callable[[str], None]) -> dict[str, Any]:
    """A forecast for checked ``args`` (:meth:`AppData.check_forecast`), as :func:`forecast_payload`."""
    res = _app(data_dir).forecast(args["lead"], args["date"], train_until=args["train_until"],
                                  target=args["target"], progress=progress)
    return forecast_payload(res)


def plan_job(data_dir: str, mission: dict[str, Any], options: dict[str, Any],
             progress: Callable[[str], None]) -> dict[str, Any]:
    """A plan for a validated mission (as a dict) and the solver ``options``, as :func:`plan_payload`."""
    from coalitionlab.planner.mission import mission_from_dict

    return plan_payload(_app(data_dir).plan(mission_from_dict(mission), progress=progress, **options))
