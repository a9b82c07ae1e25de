"""Parameter sweeps over the bargaining models and the simulator, locally or on a Dask cluster.

A sweep runs one *target* (a model or the simulator) on every cell of a parameter grid, a number of
replications per cell. Each run gets its own random generator, spawned from the sweep's seed:
``np.random.default_rng(seed).spawn(n_runs)``, in grid order. A run's draws therefore depend on its
position in the grid only, never on which process or worker executes it, so a sweep gives the same
numbers in one process, in a pool of local processes, or on a Dask cluster.

Configurations are TOML files::

    target = "procurement"        # or linkage, commitment, burden, riker, simulate
    replications = 4
    seed = 1                      # optional default seed

    [fixed]
    n_partners = 10

    [grid]
    requirement_share = [0.2, 0.4, 0.6, 0.8]
    high = [1.5, 3.0]

Built-in targets and their parameters are the pydantic models in :data:`TARGETS`. The random
targets (procurement, burden, riker) take an optional ``instance_seed``: with it every cell uses the
same random instance, so comparative statics across the grid are not blurred by new draws. A parameter out
of its domain raises :class:`pydantic.ValidationError` naming the field before anything runs.

A target is a name in :data:`TARGETS`, coalitionlab's own registry. A ``"module:function"`` target
imports that module and calls that function, which runs arbitrary code: it is refused unless the
caller passes ``allow_code=True`` (CLI: ``--allow-code``), so a configuration file alone can never
run code. Allowed, it is called as ``function(**params, seed=generator)`` and must return a mapping
of scalars.
"""

from __future__ import annotations

import importlib
import itertools
import math
import os
import re
import tomllib
from collections.abc import Callable, Mapping
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from coalitionlab._validation import check_memory, check_scheduler
from coalitionlab.bargaining.params import NonNegativePriceLevel, PriceLevel, Precision, Slope
from coalitionlab.errors import InfeasibleError, UnknownOptionError

__all__ = ["TARGETS", "SweepConfig", "load_sweep_config", "run_target", "sweep"]

Scalar = bool | int | float | str
CONNECT_TIMEOUT = "10s"  # how long to wait for a Dask scheduler before giving up
#: Memory one run of a sweep holds in the parent until the sweep ends (its generator, parameters,
#: task and result row), in bytes: about 1.75 KB measured with tracemalloc on 20,000-run linkage and
#: riker sweeps. A sweep of more runs than the memory limit allows
#: (:func:`coalitionlab._validation.check_memory`) is refused before anything runs.
RUN_BYTES = 2048


class _Params(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)  # inf/nan only where a field allows


class LinkageSweep(_Params):
    """Model 5 on :func:`~coalitionlab.bargaining.linkage.default_instruments`."""

    reservation: float = Field(default=6.0, ge=0, allow_inf_nan=False)
    embeddedness: float = Field(default=20.0, ge=0, allow_inf_nan=False)


class CommitmentSweep(_Params):
    """Model 6 for one partner."""

    reservation: float = Field(default=2.0, ge=0, allow_inf_nan=False)
    embeddedness: float = Field(default=20.0, ge=0, allow_inf_nan=False)
    rho0: float = Field(default=0.3, ge=0, le=1)
    kappa: float = Field(default=0.05, ge=0, allow_inf_nan=False)
    beta: float = Field(default=0.9, ge=0, le=1)
    upfront_cap: float = Field(default=1.0, ge=0, allow_inf_nan=True)  # inf: no cap
    value: float = Field(default=2.5, ge=0, allow_inf_nan=True)


class ProcurementSweep(_Params):
    """Model 7 with private prices: random partners (lognormal troops), Myerson's rule."""

    n_partners: int = Field(default=10, ge=1, le=20)
    requirement_share: float = Field(default=0.5, ge=0, le=1)
    flags: int = Field(default=0, ge=0)
    troops_sigma: float = Field(default=1.0, ge=0, allow_inf_nan=False)
    kind: Literal["uniform", "truncnorm", "beta"] = "uniform"
    low: float = Field(default=0.5, ge=0, allow_inf_nan=False)
    high: float = Field(default=1.5, gt=0, allow_inf_nan=False)
    value: float = Field(default=10.0, ge=0, allow_inf_nan=True)  # inf: the lead procures at any price
    draws: int = Field(default=20, ge=1)
    instance_seed: int | None = Field(default=None, ge=0)


class BurdenSweep(_Params):
    """Model 8, Olson-Zeckhauser: random lognormal member sizes."""

    n_members: int = Field(default=10, ge=1, le=200)
    size_sigma: float = Field(default=1.0, ge=0, allow_inf_nan=False)
    valuation: float = Field(default=1.0, gt=0, allow_inf_nan=False)
    kind: Literal["log", "exp", "power"] = "log"
    scale: float = Field(default=1.0, gt=0, allow_inf_nan=False)
    eta: float = Field(default=2.0, gt=0, allow_inf_nan=False)
    instance_seed: int | None = Field(default=None, ge=0)


class RikerSweep(_Params):
    """Model 8, Riker: random lognormal weights, prices proportional to weights."""

    n_members: int = Field(default=10, ge=1, le=16)
    quota_share: float = Field(default=0.5, gt=0, le=1)
    gamma: float = Field(default=0.0, ge=0, allow_inf_nan=False)
    weight_sigma: float = Field(default=1.0, ge=0, allow_inf_nan=False)
    instance_seed: int | None = Field(default=None, ge=0)


class SimulateSweep(_Params):
    """The simulator (:func:`~coalitionlab.bargaining.simulate.simulate`) on real embeddedness."""

    lead: str = "USA"
    date: str = "2003-03-20"
    data_dir: str | None = None
    episodes: int = Field(default=2000, ge=1)
    prior: Literal["normal", "lognormal", "uniform"] = "normal"
    payment_scale: float = Field(default=1.0, gt=0, allow_inf_nan=False)
    price_mean: PriceLevel = 1.0
    price_scale: float = Field(default=0.5, gt=0, allow_inf_nan=False)
    price_slope: Slope = 0.0
    precision_base: Precision = 0.5
    precision_slope: Precision = 4.0
    value: NonNegativePriceLevel = 2.0


# --------------------------------------------------------------------------- targets


def _instance_rng(p: Any, rng: np.random.Generator) -> np.random.Generator:
    """The generator that draws the random instance (partners, members).

    With ``instance_seed`` every cell gets the same instance (common random numbers, so cells
    differ only by the swept parameters); without it each run draws its own from its generator.
    """
    return rng if p.instance_seed is None else np.random.default_rng(p.instance_seed)


def _run_linkage(p: LinkageSweep, rng: np.random.Generator, context: Any) -> dict[str, Any]:
    from coalitionlab.bargaining.linkage import cheapest_package, default_instruments

    try:
        pkg = cheapest_package(default_instruments(), reservation=p.reservation, embeddedness=p.embeddedness)
    except InfeasibleError:  # pragma: no cover - cash has no cap in the default set
        return {"is_feasible": False, "cost": math.nan, "shadow_price": math.nan, "n_instruments": 0}
    return {"is_feasible": True, "cost": pkg.cost, "shadow_price": pkg.shadow_price,
            "n_instruments": len(pkg.available)}


def _run_commitment(p: CommitmentSweep, rng: np.random.Generator, context: Any) -> dict[str, Any]:
    from coalitionlab.bargaining.commitment import CommitmentParams, recruitment_cost

    params = CommitmentParams(rho0=p.rho0, kappa=p.kappa, beta=p.beta, upfront_cap=p.upfront_cap)
    try:
        row = recruitment_cost([p.reservation], embeddedness=[p.embeddedness], params=params, value=p.value).iloc[0]
    except InfeasibleError:
        return {"rho": params.rho0, "upfront": math.nan, "promised": math.nan, "cost": math.nan,
                "is_recruited": False}
    return {k: row[k] for k in ("rho", "upfront", "promised", "cost", "is_recruited")}


def _run_procurement(p: ProcurementSweep, rng: np.random.Generator, context: Any) -> dict[str, Any]:
    from coalitionlab.bargaining.procurement import PriceDistribution, simulate_procurement

    prior = PriceDistribution(kind=p.kind, low=p.low, high=p.high, mean=(p.low + p.high) / 2,
                              sd=(p.high - p.low) / 2)
    troops = np.round(1000 * _instance_rng(p, rng).lognormal(0.0, p.troops_sigma, p.n_partners))
    partners = pd.DataFrame({"partner": [f"p{i}" for i in range(p.n_partners)], "troops": troops})
    req: dict[str, float] = {"troops": float(np.floor(p.requirement_share * troops.sum()))}
    if p.flags:
        req["flags"] = float(p.flags)
    sim = simulate_procurement(partners, prior, requirements=req, value=p.value, draws=p.draws, seed=rng)
    finite = np.isfinite(sim["efficiency_loss"])
    return {"procured_rate": float(sim["is_procured"].mean()), "n_members": float(sim["n_members"].mean()),
            "total_payment": float(sim["total_payment"].mean()),
            "information_rent": float(sim["information_rent"].mean()),
            "full_information_cost": float(sim["full_information_cost"].mean()),
            "efficiency_loss": float(sim.loc[finite, "efficiency_loss"].mean()) if finite.any() else math.nan}


def _procurement_bytes(p: ProcurementSweep) -> float:
    from coalitionlab.bargaining.procurement import procurement_bytes

    return procurement_bytes(p.n_partners, p.draws)


def _run_burden(p: BurdenSweep, rng: np.random.Generator, context: Any) -> dict[str, Any]:
    from coalitionlab.bargaining.burden import BenefitParams, contribution_equilibrium

    sizes = _instance_rng(p, rng).lognormal(0.0, p.size_sigma, p.n_members)
    benefit = BenefitParams(kind=p.kind, scale=p.scale, eta=p.eta)
    eq = contribution_equilibrium(sizes, p.valuation, benefit=benefit)
    top = eq.loc[eq["size"].idxmax()]
    return {"total": eq.attrs["total"], "n_contributors": int(eq["is_contributor"].sum()),
            "largest_burden_share": float(top["burden_share"]), "largest_size_share": float(top["size_share"]),
            "exploitation_ratio": float(top["burden_share"] / top["size_share"])}


def _run_riker(p: RikerSweep, rng: np.random.Generator, context: Any) -> dict[str, Any]:
    from coalitionlab.bargaining.burden import minimum_winning_coalition

    w = _instance_rng(p, rng).lognormal(0.0, p.weight_sigma, p.n_members)
    members = pd.DataFrame({"member": [f"m{i}" for i in range(p.n_members)], "weight": w})
    choice = minimum_winning_coalition(members, quota=p.quota_share * float(w.sum()), gamma=p.gamma)
    return {"size": choice.size, "weight_share": choice.weight / float(w.sum()), "cost": choice.cost,
            "net_value": choice.net_value}


def _prepare_simulate(p: SimulateSweep) -> tuple[Any, ...]:
    return (p.lead, p.date, p.data_dir)


def _load_simulate_context(key: tuple[Any, ...]) -> pd.DataFrame:
    import warnings

    from coalitionlab.errors import MissingDataError, SeedDataWarning
    from coalitionlab.measures import embeddedness

    lead, date, data_dir = key
    with warnings.catch_warnings():
        # the seed only when no data location was given (reported in the is_seed column instead of a
        # warning); a data_dir that lacks the sources stops the sweep before any run
        warnings.simplefilter("ignore", SeedDataWarning)
        try:
            return embeddedness(lead, date, data_dir=data_dir)
        except MissingDataError as exc:
            raise MissingDataError(f"sweep target 'simulate' (data_dir={data_dir!r}): {exc}") from None


def _run_simulate(p: SimulateSweep, rng: np.random.Generator, context: pd.DataFrame) -> dict[str, Any]:
    from coalitionlab.bargaining.simulate import simulate
    from coalitionlab.bargaining.world import EmbeddednessMapping, World

    mapping = EmbeddednessMapping(price_mean=p.price_mean, price_scale=p.price_scale, price_slope=p.price_slope,
                                  precision_base=p.precision_base, precision_slope=p.precision_slope, value=p.value)
    world = World.from_frame(context, lead=p.lead, date=context.attrs.get("date", p.date), prior=p.prior,
                             payment_scale=p.payment_scale, mapping=mapping)
    result = simulate(world, p.episodes, seed=rng)
    means = result.summary["mean"]
    return {"is_seed": world.is_seed, "candidates": world.n, **{k: float(v) for k, v in means.items()}}


@dataclass(frozen=True)
class Target:
    """A sweepable model: its parameter model, its run function and an optional shared context."""

    params: type[BaseModel]
    run: Callable[[Any, np.random.Generator, Any], dict[str, Any]]
    context_key: Callable[[Any], tuple[Any, ...]] | None = None
    load_context: Callable[[tuple[Any, ...]], Any] | None = None
    run_bytes: Callable[[Any], float] | None = None  # memory one run needs while it runs (beyond RUN_BYTES)


TARGETS: dict[str, Target] = {
    "linkage": Target(LinkageSweep, _run_linkage),
    "commitment": Target(CommitmentSweep, _run_commitment),
    "procurement": Target(ProcurementSweep, _run_procurement, run_bytes=_procurement_bytes),
    "burden": Target(BurdenSweep, _run_burden),
    "riker": Target(RikerSweep, _run_riker),
    "simulate": Target(SimulateSweep, _run_simulate, _prepare_simulate, _load_simulate_context),
}


_CODE_TARGET = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*:[A-Za-z_]\w*")


def _import_target(spec: str, allow_code: bool) -> Callable[..., Mapping[str, Any]]:
    """The function a ``"module:function"`` target names; refused unless ``allow_code`` (it runs code)."""
    if not allow_code:
        raise UnknownOptionError(
            f"sweep target {spec!r} is not one of coalitionlab's targets ({', '.join(TARGETS)}); a "
            "'module:function' target imports and runs arbitrary Python code and is refused unless you "
            "allow it: sweep(..., allow_code=True) or `coalitionlab sweep CONFIG --allow-code`")
    module, _, name = spec.partition(":")
    try:
        fn = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as exc:
        raise UnknownOptionError(f"cannot import sweep target {spec!r}: {exc}") from None
    if not callable(fn):
        raise UnknownOptionError(f"sweep target {spec!r} is not callable")
    return fn


def run_target(target: str, params: Mapping[str, Any], rng: np.random.Generator, context: Any = None, *,
               allow_code: bool = False) -> dict[str, Any]:
    """Run one cell of a sweep: ``target`` with ``params`` and its own generator.

    Parameters
    ----------
    target : str
        A name in :data:`TARGETS`, or ``"module:function"`` with ``allow_code=True``.
    params : mapping
        The cell's parameters (fixed and grid values).
    rng : numpy.random.Generator
        The cell's generator.
    context : object, optional
        Shared input prepared once by the parent (e.g. the embeddedness frame of ``simulate``).
    allow_code : bool, default False
        Allow a ``"module:function"`` target: import the module and call the function. That runs
        arbitrary code; only for targets you trust.

    Returns
    -------
    dict
        The target's outputs (scalars).

    Raises
    ------
    UnknownOptionError
        A ``"module:function"`` target without ``allow_code=True`` (nothing is imported), or one
        that cannot be imported.

    Examples
    --------
    >>> run_target("linkage", {"reservation": 6.0, "embeddedness": 20.0}, np.random.default_rng(0))["cost"]
    3.2
    """
    if target in TARGETS:
        t = TARGETS[target]
        out = t.run(t.params(**params), rng, context)
    else:
        out = _import_target(target, allow_code)(**params, seed=rng)
        if not isinstance(out, Mapping):
            raise TypeError(f"sweep target {target!r} must return a mapping of scalars, got {type(out).__name__}")
    return {k: (v.item() if isinstance(v, np.generic) else v) for k, v in out.items()}


# --------------------------------------------------------------------------- configuration


class SweepConfig(BaseModel):
    """A sweep: target, grid of values, fixed parameters, replications per cell.

    Parameters
    ----------
    target : str
        One of ``linkage, commitment, procurement, burden, riker, simulate``, or ``"module:function"``
        (a configuration may name one, but :func:`sweep` runs it only with ``allow_code=True``).
    grid : dict of str to list
        Values of each swept parameter; the sweep runs their Cartesian product, in order.
    fixed : dict
        Parameters held fixed.
    replications : int
        Runs per cell (>= 1), each with its own generator.
    seed : int, optional
        Default seed for the CLI when ``--seed`` is not given.

    Examples
    --------
    >>> cfg = SweepConfig(target="riker", grid={"gamma": [0.0, 0.5]}, replications=2)
    >>> cfg.n_runs
    4
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    target: str
    grid: dict[str, Annotated[list[Scalar], Field(min_length=1)]] = Field(min_length=1)
    fixed: dict[str, Any] = Field(default_factory=dict)
    replications: int = Field(default=1, ge=1)
    seed: int | None = Field(default=None, ge=0)

    @field_validator("target")
    @classmethod
    def _known_target(cls, value: str) -> str:
        if value not in TARGETS and not _CODE_TARGET.fullmatch(value):
            raise ValueError(f"unknown target {value!r}; allowed: {', '.join(map(repr, TARGETS))} "
                             "(or 'package.module:function' with --allow-code)")
        return value

    @model_validator(mode="after")
    def _fixed_or_swept(self) -> SweepConfig:
        overlap = set(self.grid) & set(self.fixed)
        if overlap:
            raise ValueError(f"parameters both fixed and swept: {sorted(overlap)}")
        return self

    @property
    def n_runs(self) -> int:
        """Number of runs: product of the grid sizes times the replications."""
        return math.prod(len(v) for v in self.grid.values()) * self.replications

    def runs(self) -> list[dict[str, Any]]:
        """Every run's parameters, in grid order (replications innermost)."""
        names = list(self.grid)
        return [dict(self.fixed) | dict(zip(names, values, strict=True))
                for values in itertools.product(*self.grid.values()) for _ in range(self.replications)]


def load_sweep_config(path: str | os.PathLike) -> SweepConfig:
    """Read a sweep configuration from a TOML file.

    Raises
    ------
    FileNotFoundError
        If the file does not exist (the message gives the path).
    pydantic.ValidationError
        If the file's content is not a valid configuration.
    ValueError
        If the file is not valid TOML.
    """
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"sweep configuration not found: {p}")
    try:
        doc = tomllib.loads(p.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{p} is not valid TOML: {exc}") from None
    return SweepConfig(**doc)


# --------------------------------------------------------------------------- execution


def _run_task(target: str, params: dict[str, Any], rng: np.random.Generator, context: Any,
              allow_code: bool = False) -> dict[str, Any]:
    return run_target(target, params, rng, context, allow_code=allow_code)


def sweep(config: SweepConfig | Mapping[str, Any] | str | os.PathLike, *, seed: int | np.random.SeedSequence,
          scheduler: str | None = None, n_jobs: int | None = None,
          progress: Callable[[int, int], None] | None = None, allow_code: bool = False) -> pd.DataFrame:
    """Run a parameter sweep; the same seed gives the same frame locally or on Dask.

    Parameters
    ----------
    config : SweepConfig, mapping, or path to a TOML file
        What to run (see :class:`SweepConfig`).
    seed : int or numpy.random.SeedSequence
        Root seed; run ``k`` (in grid order) uses ``np.random.default_rng(seed).spawn(n_runs)[k]``.
    scheduler : str, optional
        Address of a Dask distributed scheduler (``"tcp://host:8786"``); runs go to its workers.
        Default: local processes.
    n_jobs : int, optional
        Local worker processes (default: CPU count; 1 runs in this process).
    progress : callable, optional
        Called as ``progress(done, total)`` after each run completes.
    allow_code : bool, default False
        Allow a ``"module:function"`` target, which imports that module and runs that function
        (arbitrary code, in this process and on every worker). Without it such a target is refused
        before anything is imported or run.

    Returns
    -------
    pandas.DataFrame
        One row per run: ``run, cell, replication``, the swept parameters, then the target's
        outputs. ``attrs``: ``unit="sweep_run"``, ``target``, ``seed``, ``grid``, ``fixed``,
        ``replications`` and ``backend``.

    Raises
    ------
    UnknownOptionError
        A ``"module:function"`` target without ``allow_code=True``, or a ``scheduler`` that is not a
        Dask scheduler address (``tcp://host:port``).
    InfeasibleError
        The sweep would need more memory than :func:`coalitionlab._validation.memory_limit`:
        :data:`RUN_BYTES` per run, plus what one run needs while it runs (procurement's draws) on
        each local process; refused before any run is built.
    pydantic.ValidationError
        If a run's parameters are out of domain (checked for every run before any runs), or a
        parameter is both fixed and swept.
    ValueError
        If ``n_jobs`` < 1.
    OSError
        If the Dask scheduler cannot be reached within :data:`CONNECT_TIMEOUT`.

    Examples
    --------
    >>> cfg = {"target": "linkage", "grid": {"embeddedness": [0.0, 20.0]}, "fixed": {"reservation": 6.0}}
    >>> sweep(cfg, seed=1, n_jobs=1)[["embeddedness", "cost"]]
       embeddedness  cost
    0           0.0   6.0
    1          20.0   3.2
    """
    if isinstance(config, str | os.PathLike):
        config = load_sweep_config(config)
    elif not isinstance(config, SweepConfig):
        config = SweepConfig(**config)
    if n_jobs is not None and n_jobs < 1:
        raise ValueError(f"n_jobs must be >= 1, got {n_jobs}")
    check_scheduler(scheduler)  # 'notanaddress' is refused at once, not after a connection attempt
    target = TARGETS.get(config.target)
    if target is None:
        _import_target(config.target, allow_code)  # refused (nothing imported) unless allowed
    # what the runs hold until the sweep ends, before any of them is built (10**12 runs ended in a
    # MemoryError after minutes)
    sizes = " x ".join(f"{len(v):,}" for v in config.grid.values())
    check_memory(f"a sweep of {config.n_runs:,} runs ({sizes} grid values x {config.replications:,} replications)",
                 config.n_runs * RUN_BYTES)
    parallel = 1 if scheduler is not None else min(n_jobs or os.cpu_count() or 1, config.n_runs)
    runs = config.runs()
    contexts: dict[tuple[Any, ...], Any] = {}
    keys: list[tuple[Any, ...] | None] = []
    for k, params in enumerate(runs):  # validate every run up front; build shared contexts once
        if target is not None:
            validated = target.params(**params)
            if target.run_bytes is not None:  # e.g. procurement's draws: a run that cannot fit
                shown = ", ".join(f"{name}={value!r}" for name, value in params.items())
                check_memory(f"sweep run {k} ({config.target}: {shown})"
                             + (f" on each of {parallel} local processes" if parallel > 1 else ""),
                             config.n_runs * RUN_BYTES + parallel * target.run_bytes(validated))
            key = target.context_key(validated) if target.context_key else None
            if key is not None and key not in contexts:
                contexts[key] = target.load_context(key)
            keys.append(key)
        else:
            keys.append(None)
    rngs = np.random.default_rng(seed).spawn(len(runs))
    total = len(runs)
    results: list[dict[str, Any] | None] = [None] * total
    args = [(config.target, params, rng, contexts.get(key) if key is not None else None, allow_code)
            for params, rng, key in zip(runs, rngs, keys, strict=True)]

    if scheduler is not None:
        backend = "dask"
        from distributed import Client
        from distributed import as_completed as dask_completed

        try:
            client = Client(scheduler, set_as_default=False, timeout=CONNECT_TIMEOUT)
        except (OSError, TimeoutError) as exc:
            raise OSError(f"cannot reach the Dask scheduler at {scheduler!r} within {CONNECT_TIMEOUT}: {exc}; "
                          "start one with `dask scheduler` or leave out the address to use local processes") from None
        with client:
            futures = [client.submit(_run_task, *a, pure=False) for a in args]
            index = {f.key: i for i, f in enumerate(futures)}
            for done, fut in enumerate(dask_completed(futures, loop=client.loop), start=1):
                results[index[fut.key]] = fut.result()
                if progress is not None:
                    progress(done, total)
    else:
        workers = min(n_jobs or os.cpu_count() or 1, total)
        if workers == 1:
            backend = "serial"
            for i, a in enumerate(args):
                results[i] = _run_task(*a)
                if progress is not None:
                    progress(i + 1, total)
        else:
            backend = "processes"
            # the platform's default start method (fork on Linux): "spawn" would re-import the
            # caller's __main__, which breaks scripts without an ``if __name__ == "__main__"`` guard
            with ProcessPoolExecutor(max_workers=workers) as pool:
                futs = {pool.submit(_run_task, *a): i for i, a in enumerate(args)}
                for done, fut in enumerate(as_completed(futs), start=1):
                    results[futs[fut]] = fut.result()
                    if progress is not None:
                        progress(done, total)

    n_cells = total // config.replications
    head = pd.DataFrame({"run": np.arange(total), "cell": np.repeat(np.arange(n_cells), config.replications),
                         "replication": np.tile(np.arange(config.replications), n_cells)})
    grid = pd.DataFrame([{k: p[k] for k in config.grid} for p in runs])
    out = pd.concat([head, grid, pd.DataFrame(results)], axis=1)
    out.attrs = {"unit": "sweep_run", "target": config.target,
                 "seed": seed if isinstance(seed, int) else str(seed), "grid": config.grid, "fixed": config.fixed,
                 "replications": config.replications, "backend": backend}
    return out
