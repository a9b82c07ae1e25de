"""A new mission to recruit for: who leads, when, against whom, what it needs and what the lead can pay with.

A mission is written as TOML (``examples/missions/*.toml``) and read by :func:`load_mission`; every
field is validated (pydantic) and any error is one line naming the key, e.g.
``mission.requirements.personnel: must be a positive whole number, got -3``.

```toml
name = "Red Sea maritime security"
lead = "USA"
date = "2024-01-10"
target = "Yemen"            # a state, or a region of coalitionlab.data.regions.REGIONS
probability = 0.8           # the plan must meet every requirement with this probability
budget = 40                 # expected payment, in price units (or money with payment_scale)
instruments = ["aid", "security_guarantee", "trade_concession", "institutional_favour"]
exclude = ["Iran"]
require = ["United Kingdom"]

[requirements]
personnel = 2000
min_flags = 6
regional_members = 1
[requirements.capabilities]
naval_escort = 4
```
"""

from __future__ import annotations

import functools
import math
import os
import tomllib
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from coalitionlab.errors import AmbiguousCountryError, CoalitionlabError, CoverageError, UnknownCountryError

__all__ = ["INSTRUMENTS", "CAPABILITIES", "Mission", "MissionError", "Requirements", "load_mission",
           "mission_from_dict", "mission_date_range"]

#: The linkage instruments a lead can offer (names of :func:`coalitionlab.bargaining.channels.default_linkage_instruments`).
INSTRUMENTS: tuple[str, ...] = ("aid", "security_guarantee", "trade_concession", "institutional_favour")
#: Capabilities a requirement may name (those of :data:`coalitionlab.bargaining.channels.CAPABILITY_COLUMNS`).
CAPABILITIES: tuple[str, ...] = ("airlift", "sealift", "naval_escort", "isr", "air_refuelling", "special_forces",
                                 "medical", "engineering", "mine_countermeasures")


class MissionError(CoalitionlabError, ValueError):
    """A mission spec that cannot be used (one line naming the key)."""


@functools.lru_cache(maxsize=1)
def mission_date_range() -> tuple[int, int]:
    """The years a mission may start in: after the first shipped coalition's start year (a model needs
    at least one earlier coalition to train on) up to the year after the last one (the data's end)."""
    from coalitionlab.coalitions import coalitions

    years = pd.to_datetime(coalitions()["start_date"]).dt.year
    return int(years.min()) + 1, int(years.max()) + 1


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _whole(value: Any, *, positive: bool) -> int:
    ok = isinstance(value, int) and not isinstance(value, bool) and (value > 0 if positive else value >= 0)
    if not ok:
        raise ValueError(f"must be a {'positive' if positive else 'non-negative'} whole number, got {value!r}")
    return int(value)


class Requirements(_Strict):
    """What the coalition must bring (beyond the lead): personnel, named capabilities, flags, regional members."""

    personnel: int = 0
    capabilities: dict[str, int] = {}
    min_flags: int = 0
    regional_members: int = 0

    @field_validator("personnel", "min_flags", "regional_members", mode="before")
    @classmethod
    def _counts(cls, v: Any, info) -> int:
        if info.field_name == "personnel" and v != 0:
            return _whole(v, positive=True)
        return _whole(v, positive=False)

    @field_validator("capabilities", mode="before")
    @classmethod
    def _caps(cls, v: Any) -> dict[str, int]:
        if not isinstance(v, dict):
            raise ValueError(f"must be a table of capability = count, got {v!r}")
        out = {}
        for name, count in v.items():
            if name not in CAPABILITIES:
                raise ValueError(f"unknown capability {name!r}; allowed: {', '.join(CAPABILITIES)}")
            try:
                out[name] = _whole(count, positive=True)
            except ValueError as exc:
                raise ValueError(f"{name}: {exc}") from None
        return out


class Mission(_Strict):
    """A mission to recruit for (see the module docstring for the TOML form).

    Attributes
    ----------
    name : str
        Label.
    lead : str
        The lead state (name, ISO3 code or COW ccode as text); ``lead_ccode`` is resolved on ``date``.
    date : str
        Start date ``YYYY-MM-DD`` (in :func:`mission_date_range`).
    target : str
        A state (not the lead) or a region of :data:`coalitionlab.data.regions.REGIONS`.
    requirements : Requirements
        ``personnel`` (troops), ``capabilities`` (name -> number of partners providing it),
        ``min_flags`` (partners), ``regional_members`` (partners in the target's region).
    probability : float
        Required probability, in (0, 1), that the recruited coalition meets every requirement.
    budget : float or None
        Ceiling on the expected payment (price units, or money when ``payment_scale`` is given).
    payment_scale : float or None
        Money per price unit (an assumption: participation data cannot identify it); None = price units.
    payment_unit : str
        Name of the money unit (e.g. ``"USD bn"``).
    instruments : tuple of str
        The linkage instruments the lead may pay through (subset of :data:`INSTRUMENTS`).
    exclude, require : tuple of str
        States never asked / always asked (names, ISO3 or ccodes).
    """

    name: str
    lead: str
    date: str
    target: str
    requirements: Requirements = Requirements()
    probability: float = 0.8
    budget: float | None = None
    payment_scale: float | None = None
    payment_unit: str = "price units"
    instruments: tuple[str, ...] = INSTRUMENTS
    exclude: tuple[str, ...] = ()
    require: tuple[str, ...] = ()

    @field_validator("name", mode="before")
    @classmethod
    def _name(cls, v: Any) -> str:
        if not isinstance(v, str) or not v.strip():
            raise ValueError(f"must be a non-empty string, got {v!r}")
        return v.strip()

    @field_validator("lead", "target", mode="before")
    @classmethod
    def _text(cls, v: Any) -> str:
        if isinstance(v, bool) or not isinstance(v, (str, int)) or not str(v).strip():
            raise ValueError(f"must be a state's name, ISO3 code or COW ccode, got {v!r}")
        return str(v).strip()

    @field_validator("date", mode="before")
    @classmethod
    def _date(cls, v: Any) -> str:
        import datetime as dt

        if isinstance(v, dt.date):
            v = v.isoformat()
        try:
            ts = pd.Timestamp(dt.date.fromisoformat(str(v)))
        except (TypeError, ValueError):
            raise ValueError(f"must be a date YYYY-MM-DD, got {v!r}") from None
        lo, hi = mission_date_range()
        if not lo <= ts.year <= hi:
            raise ValueError(f"{ts:%Y-%m-%d} is outside the data's range: the coalition data allow missions "
                             f"starting in {lo}-{hi}")
        return f"{ts:%Y-%m-%d}"

    @field_validator("probability", mode="before")
    @classmethod
    def _prob(cls, v: Any) -> float:
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 < v < 1:
            raise ValueError(f"must be a number strictly between 0 and 1, got {v!r}")
        return float(v)

    @field_validator("budget", "payment_scale", mode="before")
    @classmethod
    def _positive(cls, v: Any) -> float | None:
        if v is None:
            return None
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not (v > 0 and math.isfinite(v)):
            raise ValueError(f"must be a positive number, got {v!r}")
        return float(v)

    @field_validator("instruments", mode="before")
    @classmethod
    def _instruments(cls, v: Any) -> tuple[str, ...]:
        if isinstance(v, str) or not isinstance(v, (list, tuple)) or not v:
            raise ValueError(f"must be a non-empty list of instruments ({', '.join(INSTRUMENTS)}), got {v!r}")
        for name in v:
            if name not in INSTRUMENTS:
                raise ValueError(f"unknown instrument {name!r}; allowed: {', '.join(INSTRUMENTS)}")
        return tuple(dict.fromkeys(v))

    @field_validator("exclude", "require", mode="before")
    @classmethod
    def _states(cls, v: Any) -> tuple[str, ...]:
        if isinstance(v, str) or not isinstance(v, (list, tuple)):
            raise ValueError(f"must be a list of states, got {v!r}")
        return tuple(str(s).strip() for s in v)

    @model_validator(mode="after")
    def _states_exist(self) -> Mission:
        from coalitionlab.models.predict import resolve_target

        lead = _ccode(self.lead, self.date, "lead")
        try:
            target, _ = resolve_target(self.target, self.date)
        except (UnknownCountryError, CoverageError):
            raise ValueError(f"target: unknown state or region {self.target!r} on {self.date}") from None
        if target is not None and target == lead:
            raise ValueError(f"target: {self.target!r} is the lead")
        excl = {_ccode(s, self.date, "exclude") for s in self.exclude}
        req = {_ccode(s, self.date, "require") for s in self.require}
        if lead in excl | req:
            raise ValueError("require: the lead cannot be excluded or required (it is no candidate)")
        both = excl & req
        if both:
            raise ValueError(f"require: states both required and excluded: {sorted(both)}")
        return self

    @property
    def lead_ccode(self) -> int:
        """The lead's COW ccode on ``date``."""
        return _ccode(self.lead, self.date, "lead")

    def ccodes(self, which: str) -> list[int]:
        """The ccodes of ``exclude`` or ``require``."""
        return [_ccode(s, self.date, which) for s in getattr(self, which)]


def _ccode(text: str, date: str, key: str) -> int:
    from coalitionlab.data.countries import to_ccode

    s = str(text).strip()
    try:
        return int(to_ccode(int(s) if s.isdigit() else s, date=date))
    except AmbiguousCountryError as exc:  # e.g. "Germany" in 1980: its message lists the candidates
        raise ValueError(f"{key}: {exc}") from None
    except (UnknownCountryError, CoverageError, ValueError):
        raise ValueError(f"{key}: unknown country {s!r} (no state-system member of that name on {date})") from None


def _one_line(exc: ValidationError) -> str:
    err = exc.errors()[0]
    loc = ".".join(str(p) for p in err["loc"])
    msg = str(err["msg"]).removeprefix("Value error, ")
    if err["type"] == "extra_forbidden":
        return f"mission.{loc}: unknown key (allowed: see coalitionlab.planner.Mission)"
    if err["type"] == "missing":
        return f"mission.{loc}: required key missing"
    if not loc:  # a model-level check: its message starts with the key
        return f"mission.{msg}"
    return f"mission.{loc}: {msg}"


def mission_from_dict(d: dict[str, Any]) -> Mission:
    """A validated :class:`Mission` from a dict (e.g. parsed TOML); any error is one :class:`MissionError` line.

    Examples
    --------
    >>> m = mission_from_dict({"name": "x", "lead": "USA", "date": "2014-08-08", "target": "Iraq",
    ...                        "requirements": {"min_flags": 3}})
    >>> m.lead_ccode, m.requirements.min_flags
    (2, 3)
    >>> mission_from_dict({"name": "x", "lead": "USA", "date": "2014-08-08", "target": "Iraq",
    ...                    "requirements": {"personnel": -3}})
    Traceback (most recent call last):
    ...
    coalitionlab.planner.mission.MissionError: mission.requirements.personnel: must be a positive whole number, got -3
    """
    if not isinstance(d, dict):
        raise MissionError(f"mission: must be a table of keys, got {type(d).__name__}")
    try:
        return Mission.model_validate(d)
    except ValidationError as exc:
        raise MissionError(_one_line(exc)) from None


def load_mission(path: str | os.PathLike) -> Mission:
    """Read and validate a mission TOML file; any error is one :class:`MissionError` line naming the key.

    Examples
    --------
    >>> load_mission("examples/missions/red_sea_2024.toml").lead_ccode  # doctest: +SKIP
    2
    """
    p = Path(path)
    if not p.is_file():
        raise MissionError(f"mission file {str(p)!r} not found")
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise MissionError(f"mission file {p.name}: not valid TOML ({exc})") from None
    except UnicodeDecodeError:
        raise MissionError(f"mission file {p.name}: not UTF-8 text") from None
    return mission_from_dict(data)
