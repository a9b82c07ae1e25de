"""What the web app computes, as plain functions over one configured data directory.

:class:`AppData` is bound, once, to the data directory the app was started with (``--data-dir``, else
``$COALITIONLAB_DATA``, else the user data directory). As everywhere in coalitionlab, a named data
directory must hold the full sources (else the app does not start: a one-line MissingDataError names the
missing folders); only with no location given does it run on the embedded seed. Nothing a request carries is ever used as a path: a request names
states, dates and numbers, and a mission arrives as TOML text (:func:`parse_mission`), never as a file.

Every method returns what the library returns (DataFrames with their ``attrs``, a
:class:`~coalitionlab.planner.plan.Plan`) and raises the library's one-line
:class:`~coalitionlab.errors.CoalitionlabError` on bad input; the server turns those into messages.
Slow results are kept: the embeddedness rankings (a small in-memory LRU), the participation panel the
forecasts train on (built once per app), and the planner's fitted models (its disk cache,
:mod:`coalitionlab.planner.cache`).
"""

from __future__ import annotations

import os
import threading
import tomllib
import warnings
from collections import OrderedDict
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from coalitionlab.errors import (
    CoalitionlabError,
    CoverageError,
    SeedDataWarning,
    UnknownOptionError,
)

__all__ = ["AppData", "MAX_TEXT", "error_message", "mission_templates", "parse_mission"]

#: Longest state name, date or target accepted from a request (characters).
MAX_TEXT = 100
#: Longest mission text accepted (characters).
MAX_MISSION = 20_000
#: Rankings kept in memory (each is one row per state).
RANKINGS_KEPT = 32
#: What a component counts on the embedded seed (its own tables stand in for the full sources).
SEED_DESCRIPTIONS = {
    "alliances": "the USA's defence treaties and alliance organisations in force on the day (embedded seed: "
                 "us_defence_treaties, a stand-in for ATOP)",
    "defense_pacts": "those of the USA's treaties with a defence obligation (embedded seed, a subset of alliances)",
    "igos": "joint memberships the year before in the embedded seed's organisations (igo_spells, a stand-in "
            "for COW IGO), alliance organisations left to the alliances component",
}


def error_message(exc: BaseException) -> str:
    """The one line a user sees for a failure: a coalitionlab error's own message, an invalid parameter
    named, anything else labelled an internal error (its traceback is for the server's log only).

    Examples
    --------
    >>> error_message(CoverageError("no data\\nfor 1700"))
    'no data for 1700'
    >>> error_message(KeyError("x"))
    "internal error (KeyError): 'x'"
    """
    from pydantic import ValidationError

    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first.get("loc", ())) or "parameter"
        return f"invalid {field}: {first.get('msg')}"
    text = " ".join(str(exc).split())
    if isinstance(exc, CoalitionlabError):
        return text
    return f"internal error ({type(exc).__name__}): {text[:300]}"


def _text(value: Any, what: str) -> str:
    """A short, non-empty, single-line request value."""
    text = "" if value is None else str(value).strip()
    if not text:
        raise UnknownOptionError(f"{what}: give a value")
    if len(text) > MAX_TEXT or any(ch in text for ch in "\r\n\t\x00"):
        raise UnknownOptionError(f"{what}: not a state, region or date (at most {MAX_TEXT} characters on one line)")
    return text


def _state(value: Any, what: str) -> str | int:
    """A state as the library takes it: a name or ISO3 code, or a COW ccode when all digits."""
    text = _text(value, what)
    return int(text) if text.isdigit() else text


def _day(value: Any, what: str = "date") -> str:
    """A calendar day ``YYYY-MM-DD`` (anything else is one CoverageError line)."""
    from coalitionlab._validation import parse_date

    text = _text(value, what)
    ts = parse_date(text)
    if ts.tzinfo is not None or ts != ts.normalize():
        raise CoverageError(f"{what} {text!r}: give a calendar day, e.g. '2003-03-20'")
    return f"{ts:%Y-%m-%d}"


def parse_mission(text: str) -> Any:
    """A validated :class:`~coalitionlab.planner.mission.Mission` from TOML text (as in ``examples/missions``).

    The text is parsed, never opened as a file: a path given here is a TOML syntax error like any other
    non-TOML text. Every problem is one :class:`~coalitionlab.planner.mission.MissionError` line.

    Examples
    --------
    >>> m = parse_mission('name = "x"\\nlead = "USA"\\ndate = "2014-08-08"\\ntarget = "Iraq"')
    >>> m.lead_ccode, m.target
    (2, 'Iraq')
    >>> parse_mission("examples/missions/red_sea_2024.toml")
    Traceback (most recent call last):
    ...
    coalitionlab.planner.mission.MissionError: mission: not valid TOML (Expected '=' after a key in a key/value pair (at line 1, column 9))
    """
    from coalitionlab.planner.mission import MissionError, mission_from_dict

    if not isinstance(text, str) or not text.strip():
        raise MissionError("mission: empty; write the mission as TOML (name, lead, date, target, [requirements])")
    if len(text) > MAX_MISSION:
        raise MissionError(f"mission: longer than {MAX_MISSION:,} characters")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise MissionError(f"mission: not valid TOML ({exc})") from None
    return mission_from_dict(data)


def mission_templates() -> dict[str, str]:
    """The missions the page offers to start from (name -> TOML text), shipped in ``webapp/missions``.

    They are copies of missions in ``examples/missions`` (a test keeps them identical).

    Examples
    --------
    >>> "red_sea_2024" in mission_templates()
    True
    """
    folder = resources.files("coalitionlab.webapp") / "missions"
    return {p.name.removesuffix(".toml"): p.read_text(encoding="utf-8")
            for p in sorted(folder.iterdir(), key=lambda p: p.name) if p.name.endswith(".toml")}


class AppData:
    """The app's computations on one data directory, fixed when the app starts.

    Parameters
    ----------
    data_dir
        The data directory (``--data-dir``); None: ``$COALITIONLAB_DATA``, else the user data
        directory, resolved once here. A named directory (the argument or ``$COALITIONLAB_DATA``)
        without the full sources is a :class:`~coalitionlab.errors.MissingDataError` naming the
        missing folders. With no location given and no full sources in the user data directory,
        every result comes from the embedded seed (and says so: ``describe()["source"]``,
        ``attrs["is_seed"]``).

    Examples
    --------
    >>> import tempfile
    >>> AppData(tempfile.mkdtemp())  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    coalitionlab.errors.MissingDataError: coalitionlab app: data directory '...' (given by data_dir= / --data-dir) lacks cow_states, cow_igo: expected ...
    """

    def __init__(self, data_dir: str | os.PathLike | None = None) -> None:
        from coalitionlab.data.paths import resolve_data_dir, seed_fallback
        from coalitionlab.measures.embeddedness import FULL_MARKERS

        self.root: Path = resolve_data_dir(data_dir)
        # decided once, by the library's rule: a named data directory without the full sources is a
        # MissingDataError (naming them); with no location given, the embedded seed
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SeedDataWarning)  # describe() and attrs["is_seed"] say it
            self.full: bool = not seed_fallback(FULL_MARKERS, data_dir, what="coalitionlab app")
        #: What every computation reads: ``"full"`` or ``"seed"``.
        self.source: str = "full" if self.full else "seed"
        self._lock = threading.Lock()
        # the library's caches are safe across processes, not across threads of one process: this process
        # computes one thing at a time (the slow jobs run in worker processes, coalitionlab.webapp.jobs)
        self._compute = threading.RLock()
        self._rankings: OrderedDict[tuple, pd.DataFrame] = OrderedDict()
        self._panel: pd.DataFrame | None = None
        self._panel_lock = threading.Lock()

    # ------------------------------------------------------------------ what the app reads

    def describe(self) -> dict[str, Any]:
        """``{"data_dir": str, "data_name": its last part, "source": "full" | "seed"}``: the page's header."""
        return {"data_dir": str(self.root), "data_name": self.root.name or str(self.root),
                "source": self.source}

    def states(self) -> pd.DataFrame:
        """Every state of the COW system the data hold: ``ccode, country, first_day, last_day`` (for the
        page's list of names: the one name every output uses)."""
        from coalitionlab.data.countries import country_name
        from coalitionlab.measures.panel import system_spells

        with self._compute, warnings.catch_warnings():
            warnings.simplefilter("ignore", SeedDataWarning)
            spells = system_spells(self.root, source=self.source)
        spells = spells.sort_values(["ccode", "start_date"])
        out = spells.groupby("ccode", as_index=False).agg(first_day=("start_date", "min"),
                                                          last_day=("end_date", "max"))
        out.insert(1, "country", country_name(out["ccode"].to_numpy()))  # the name every output uses
        out["first_day"] = out["first_day"].dt.strftime("%Y-%m-%d")
        out["last_day"] = out["last_day"].dt.strftime("%Y-%m-%d")
        return out.sort_values("country", ignore_index=True)

    # ------------------------------------------------------------------ embeddedness

    def ranking(self, lead: Any, date: Any) -> pd.DataFrame:
        """:func:`coalitionlab.measures.embeddedness` of every state with ``lead`` on ``date`` (default
        components), sorted by embeddedness, with a ``rank`` column (1 = most embedded; ties share the
        lower rank). Kept in memory for the next request."""
        from coalitionlab.measures import embeddedness

        key = (_state(lead, "lead"), _day(date))
        with self._lock:
            if key in self._rankings:
                self._rankings.move_to_end(key)
                return self._rankings[key].copy()
        with self._compute, warnings.catch_warnings():
            warnings.simplefilter("ignore", SeedDataWarning)  # attrs["is_seed"] says it
            res = embeddedness(key[0], key[1], data_dir=self.root, source=self.source)
        attrs = res.attrs
        res.insert(0, "rank", res["embeddedness"].rank(method="min", ascending=False).astype("Int64"))
        res.attrs = attrs
        with self._lock:
            self._rankings[key] = res
            while len(self._rankings) > RANKINGS_KEPT:
                self._rankings.popitem(last=False)
        return res.copy()

    def tie_breakdown(self, lead: Any, date: Any, country: Any) -> pd.DataFrame:
        """The ties of ``country`` with ``lead`` on ``date``, one row per embeddedness component the data hold.

        Columns ``component, description, security, in_measure`` (part of the ranking's total),
        ``ties`` (the count on the day; NaN when the data lack it) and ``data_year`` (the source year
        read). The components in the measure are those of :meth:`ranking`; the others (on the full
        sources: multilateral treaties, trade agreements, investment treaties, defence pacts, exercises;
        on the seed: defence pacts) are counted one at a time, since some are parts of others.
        ``attrs``: ``ccode, country, lead_ccode, date, is_seed``, the ranking row's ``rank, n_states,
        embeddedness, embeddedness_share, embeddedness_security, embeddedness_nonsecurity`` and
        ``unavailable`` (component -> why it could not be counted).
        """
        with self._compute:
            return self._tie_breakdown(lead, date, country)

    def _tie_breakdown(self, lead: Any, date: Any, country: Any) -> pd.DataFrame:
        from coalitionlab.data.countries import to_ccode
        from coalitionlab.measures.embeddedness import COMPONENTS, SEED_OPTIONAL, embeddedness_pairs

        rank = self.ranking(lead, date)
        day = _day(date)
        who = _state(country, "country")
        code = int(to_ccode(who, date=day, where="tie breakdown"))
        lead_ccode = int(rank.attrs["lead_ccode"])
        if code == lead_ccode:
            raise UnknownOptionError(f"country {country!r} is the lead: pick another state")
        row = rank[rank["ccode"] == code]
        if row.empty:
            raise CoverageError(f"country {country!r} (ccode {code}) was not a state-system member on {day}")
        row = row.iloc[0]
        used = list(rank.attrs["components"])
        is_seed = bool(rank.attrs["is_seed"])
        if is_seed:  # the seed's ties beyond the default: defence pacts, a part of its alliances (the USA's only)
            extra = [c for c in SEED_OPTIONAL if "alliances" in used]
        else:
            extra = [c for c in COMPONENTS if c not in used]
        pair = pd.DataFrame({"lead_ccode": [lead_ccode], "ccode": [code], "date": [pd.Timestamp(day)]})
        records, unavailable = [], {}
        for name in [*used, *extra]:
            comp = COMPONENTS[name]
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # staleness shows as the data year
                    vals, _ = embeddedness_pairs(pair, data_dir=self.root, components=[name], is_seed=is_seed,
                                                 carry_forward=True)
                ties, year = float(vals[name].iloc[0]), vals[f"{name}_year"].iloc[0]
            except CoalitionlabError as exc:  # a source the data directory lacks
                unavailable[name] = str(exc)
                ties, year = np.nan, pd.NA
            text = SEED_DESCRIPTIONS.get(name, comp.description) if is_seed else comp.description
            records.append({"component": name, "description": text, "security": comp.is_security,
                            "in_measure": name in used, "ties": ties,
                            "data_year": None if pd.isna(year) else int(year)})
        out = pd.DataFrame(records)
        out.attrs = {"ccode": code, "country": str(row["country"]), "lead_ccode": lead_ccode, "date": day,
                     "is_seed": is_seed, "rank": None if pd.isna(row["rank"]) else int(row["rank"]),
                     "n_states": int(len(rank)),
                     **{k: (None if pd.isna(row[k]) else float(row[k]))
                        for k in ("embeddedness", "embeddedness_share", "embeddedness_security",
                                  "embeddedness_nonsecurity")},
                     "unavailable": unavailable}
        return out

    def world_map(self, ranking: pd.DataFrame, *, title: str = "") -> tuple[Any | None, str]:
        """The ranking's embeddedness on a world map: ``(plotly Figure, "")``, or ``(None, why)`` when this
        installation has no :func:`coalitionlab.reports.figures.world_map`."""
        try:
            from coalitionlab.reports.figures import world_map
        except ImportError as exc:
            return None, f"no world map in this installation ({exc})"
        year = int(str(ranking.attrs["date"])[:4])
        return world_map(ranking[["ccode", "country", "embeddedness"]], "embeddedness", year=year, title=title), ""

    # ------------------------------------------------------------------ participation forecast

    def training_panel(self, progress: Callable[[str], None] | None = None) -> pd.DataFrame:
        """The participation panel the forecasts train on (every coalition x candidate), built once per app."""
        from coalitionlab.models.data import participation_data

        with self._panel_lock:
            if self._panel is None:
                if progress is not None:
                    progress("building the training panel (once per worker)")
                with self._compute, warnings.catch_warnings():
                    warnings.simplefilter("ignore", SeedDataWarning)
                    self._panel = participation_data(data_dir=self.root, source=self.source, lags=(),
                                                     contact=False)
            return self._panel

    def check_forecast(self, lead: Any, date: Any, *, train_until: Any = None, target: Any = None) -> dict[str, Any]:
        """The forecast's inputs, checked before any slow step: ``lead`` (str or ccode), ``date``,
        ``train_until`` (default the year before ``date``; must be before it) and ``target`` (None or text)."""
        from coalitionlab.data.countries import to_ccode

        lead_v, day = _state(lead, "lead"), _day(date)
        to_ccode(lead_v, date=day, where="forecast lead")  # an unknown lead fails here, not after the panel
        year = int(day[:4])
        if train_until is None or str(train_until).strip() == "":
            until = year - 1
        else:
            text = _text(train_until, "train until")
            if not text.lstrip("-").isdigit():
                raise CoverageError(f"train until {text!r}: give a year, e.g. {year - 1}")
            until = int(text)
        if until >= year:
            raise CoverageError(f"train until {until} is not before the forecast date {day}: a forecast may train "
                                f"only on coalitions started by {year - 1} (look-ahead)")
        tgt = None if target is None or str(target).strip() == "" else _text(target, "target")
        if tgt is not None and not self.full:
            raise CoverageError("a forecast with a target needs the full sources; the app runs on the embedded "
                                "seed (start it with --data-dir): leave the target empty")
        return {"lead": lead_v, "date": day, "train_until": until, "target": tgt}

    def forecast(self, lead: Any, date: Any, *, train_until: Any = None, target: Any = None,
                 progress: Callable[[str], None] | None = None) -> pd.DataFrame:
        """:func:`coalitionlab.models.predict.predict_participation` with ``explain=True`` (each feature's
        contribution ``c_<term>`` to each state's logit, relative to the average candidate), trained on
        the app's panel (:meth:`training_panel`)."""
        from coalitionlab.models.predict import predict_participation

        args = self.check_forecast(lead, date, train_until=train_until, target=target)
        panel = self.training_panel(progress)
        with self._compute, warnings.catch_warnings():
            warnings.simplefilter("ignore", SeedDataWarning)
            return predict_participation(args["lead"], args["date"], train_until=args["train_until"],
                                         data_dir=self.root, source=self.source, target=args["target"],
                                         explain=True, panel=panel, progress=progress)

    # ------------------------------------------------------------------ planner

    def plan(self, mission: Any, *, n_scenarios: int = 100, seed: int = 0, time_limit: float = 5.0,
             sensitivity: bool = False, progress: Callable[[str], None] | None = None) -> Any:
        """:func:`coalitionlab.planner.plan.plan` for a validated mission (:func:`parse_mission`): its
        :func:`~coalitionlab.planner.plan.build_inputs`, then :func:`~coalitionlab.planner.plan.plan_from_inputs`.

        The fitted model and the candidates' features come from the planner's disk cache after the
        first run; ``time_limit`` bounds each HiGHS solve (seconds).
        """
        from coalitionlab.planner.plan import build_inputs, plan_from_inputs

        say = progress or (lambda _text: None)
        with self._compute, warnings.catch_warnings():
            warnings.simplefilter("ignore", SeedDataWarning)
            say("fitting the model and the candidates' features (cached after the first run)")
            inputs = build_inputs(mission, data_dir=self.root, source=self.source)
            say(f"solving: {int(n_scenarios)} price scenarios" + (", then the sensitivity" if sensitivity else ""))
            return plan_from_inputs(inputs, n_scenarios=int(n_scenarios), seed=int(seed),
                                    time_limit=float(time_limit), sensitivity=bool(sensitivity))
