"""The simulator: many coalition-building episodes in a `World`, vectorised over partners x episodes.

In each episode every candidate draws a reservation price from its prior, the lead sees a signal of
it with the candidate's precision (information channel; biased with the rotten-carrot option) and
makes the optimal take-it-or-leave-it offer (model 4) of value to the partner, delivered at the
candidate's unit cost (linkage x credibility x brokers, :meth:`World.effective`) and valued at the
candidate's marginal contribution to the win probability; the candidate joins iff the offer covers
its price. With ``ChannelParams.max_offers > 1`` a refused lead re-offers (at ``reoffer_cost`` each)
the best offer under its belief truncated above the refused one. The episode records the coalition,
the lead's cost (payments and re-offer costs), the partners' information rent, the coalition's win
probability (contest success function over the joined weights), the efficiency loss (surplus of
efficient deals that failed) and the number of re-offers.

Channels are switched off in a fixed world: ``simulate(world, n, seed=s, channels=...)`` never
changes the world's prices (calibrated once, :meth:`World.from_frame`), so runs with different
channel sets and the same seed differ only by the channels (:func:`compare_channels`).

Draws are made in blocks of 1,024 episodes: block ``b`` draws from the ``b``-th child of
``SeedSequence(seed)``, so the same seed gives the same output whatever the machine and whatever the
chunk size. Blocks are solved in chunks (memory stays bounded); above ``keep_episodes`` the episodes are
streamed into running moments and quantile buckets, so any number of episodes runs in constant memory.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from coalitionlab.bargaining.offers import _offers, posterior, uniform_bounds
from coalitionlab.bargaining.world import World
from coalitionlab.errors import InfeasibleError

EPISODE_COLUMNS = ["episode", "coalition_size", "lead_cost", "information_rent", "win_probability", "efficiency_loss",
                   "reoffers"]
SUMMARY_STATS = ["mean", "sd", "q05", "q50", "q95"]
_CELLS_PER_CHUNK = 1 << 18  # partner-episode cells solved at once (~260k; about 150 bytes of temporaries each)
_BLOCK = 1024  # episodes per RNG block: block b draws from child b of the seed, whatever the chunking
KEEP_EPISODES = 1_000_000  #: above this many episodes the per-episode frame is not kept (constant memory)
_TINY = 1e-12  # values smaller in magnitude share the zero bucket of the streamed quantiles
_REL_ERROR = 1e-3  # width of a log bucket (relative)
_BUCKETS = int(np.ceil(np.log(1e30) / np.log1p(_REL_ERROR)))  # magnitudes up to 1e18 (x _TINY = 1e-12)


@dataclass(frozen=True)
class Simulation:
    """Result of :func:`simulate`.

    Attributes
    ----------
    episodes : pandas.DataFrame
        One row per episode: ``episode, coalition_size, lead_cost, information_rent,
        win_probability, efficiency_loss, reoffers`` (money columns times the world's payment scale;
        ``lead_cost`` includes the re-offer costs).
    partners : pandas.DataFrame
        One row per candidate: ``ccode, country, embeddedness, price_mean, value, unit_cost, join_rate,
        mean_payment, payment_if_joined, mean_rent, mean_reoffers, cost_per_member`` (``price_mean``: the
        world's true prior mean price, the same whatever the channels; ``value``: the lead's value of the
        candidate; ``unit_cost``: its cost per unit of value to the partner; ``mean_payment`` averages over
        all episodes, ``payment_if_joined`` over joins only; ``cost_per_member``: the lead's cost on the
        candidate, payments and re-offers, per join). ``attrs`` add ``channels`` (those that ran),
        ``channels_off`` (requested but unavailable, and why), ``calibrated_with``, ``mission_value`` and
        ``notes`` (the world's notes: where inputs came from, missing values counted as 0).
    summary : pandas.DataFrame
        Indexed by the episode measures, columns ``mean, sd, q05, q50, q95``.
    seed : int or None
        The seed the draws came from (``None`` when a Generator, a SeedSequence or no seed was passed).
    """

    episodes: pd.DataFrame
    partners: pd.DataFrame
    summary: pd.DataFrame
    seed: int | None


def _root_sequence(seed: int | np.random.Generator | np.random.SeedSequence | None) -> np.random.SeedSequence:
    if isinstance(seed, np.random.SeedSequence):
        return seed
    if isinstance(seed, np.random.Generator):
        return np.random.SeedSequence(int(seed.integers(0, 2**63)))
    return np.random.SeedSequence(seed)


def simulate(
    world: World,
    episodes: int,
    *,
    seed: int | np.random.Generator | np.random.SeedSequence | None = None,
    progress: Callable[[int, int], None] | None = None,
    channels: str | tuple[str, ...] | list[str] | None = None,
    chunk_episodes: int | None = None,
    keep_episodes: int | None = None,
) -> Simulation:
    """Simulate ``episodes`` rounds of take-it-or-leave-it offers to every candidate of ``world``.

    Parameters
    ----------
    world
        Candidates, priors, precisions, values and the payment scale (:class:`World`).
    episodes
        Number of episodes (>= 1).
    seed
        Seed (int, SeedSequence or Generator). The same seed gives identical output.
    progress
        Called as ``progress(done, total)`` after each chunk of episodes (the CLI draws a bar).
    channels
        Henke's channels on: ``None`` (the world's, by default every available one), ``"all"``,
        ``"none"`` (the baseline: base precision, aid paid up-front, no broker) or names from
        :data:`coalitionlab.bargaining.channels.CHANNELS`. The others are switched off in this fixed
        world (its prices do not change). A requested channel the world cannot run (brokers without a
        ``broker`` column) is off with a warning and listed in ``attrs["channels_off"]``.
    chunk_episodes
        Episodes drawn and solved at once (rounded up to a whole number of 1,024-episode RNG blocks;
        default: about 260,000 partner-episode cells). It bounds memory and never changes the result.
    keep_episodes
        Keep the per-episode frame (and exact quantiles) when ``episodes`` is at most this
        (default :data:`KEEP_EPISODES`); above it the run streams in constant memory, ``episodes`` is an
        empty frame and the quantiles come from a log-bucket histogram (relative error <= 0.05%;
        exact for ``coalition_size`` and ``reoffers``).

    Returns
    -------
    Simulation
        Per-episode frame, per-partner frame and a summary.

    Raises
    ------
    InfeasibleError
        ``episodes`` is not a positive integer.
    UnknownOptionError
        An unknown channel.

    Examples
    --------
    >>> frame = pd.DataFrame({"ccode": [200, 220, 640], "embeddedness": [90.0, 80.0, 30.0]})
    >>> sim = simulate(World.from_frame(frame, lead="USA", date="2003-03-20"), 1000, seed=1)
    >>> list(sim.summary.columns), len(sim.episodes)
    (['mean', 'sd', 'q05', 'q50', 'q95'], 1000)
    """
    if isinstance(episodes, bool) or not isinstance(episodes, (int, np.integer)) or episodes < 1:
        raise InfeasibleError(f"episodes must be a positive integer; got {episodes!r}")
    episodes = int(episodes)
    keep = episodes <= _keep_limit(keep_episodes)
    cand = world.candidates
    n = len(cand)
    per_chunk = _chunk_episodes(n, chunk_episodes)
    root = _root_sequence(seed)
    eff = world.effective(channels)
    params = {name: cand[name].to_numpy(float) for name in ("price_mean", "price_scale", "weight")}
    for name in ("precision", "bias", "unit_cost", "value"):
        params[name] = eff[name].to_numpy(float)
    max_offers, reoffer_cost = world.channel_params.max_offers, float(world.channel_params.reoffer_cost)
    params["reoffer_in_value"] = reoffer_cost / params["unit_cost"]

    measures = EPISODE_COLUMNS[1:]
    kept: dict[str, list[np.ndarray]] = {m: [] for m in measures}
    stream = _Stream(measures, n) if not keep else None
    per_partner = np.zeros((4, n))  # joins, payments, rents, re-offers: running sums over blocks, in block order
    for start in range(0, episodes, per_chunk):
        stop = min(episodes, start + per_chunk)
        draws = _block_draws(root, world.prior, start, stop, n)
        out = _chunk(world.prior, params, stop - start, draws, max_offers=max_offers)
        accepted, payment, partner_rent, episode_loss, reoffers = out
        strength = world.lead_strength + (accepted * params["weight"]).sum(axis=1)
        kr = strength**world.decisiveness
        values = {
            "coalition_size": accepted.sum(axis=1),
            "lead_cost": payment.sum(axis=1) + reoffer_cost * reoffers.sum(axis=1),
            "information_rent": partner_rent.sum(axis=1),
            "win_probability": kr / (kr + world.target_strength**world.decisiveness),
            "efficiency_loss": episode_loss,
            "reoffers": reoffers.sum(axis=1),
        }
        # per-block sums added in block order: the totals do not depend on how blocks are grouped in chunks
        starts = np.arange(0, stop - start, _BLOCK)
        blocks = np.stack([np.add.reduceat(a, starts, axis=0) for a in (accepted, payment, partner_rent, reoffers)],
                          axis=1)
        per_partner = np.concatenate([per_partner[None], blocks]).cumsum(axis=0)[-1]
        if keep:
            for m in measures:
                kept[m].append(values[m])
        else:
            stream.add(values, starts)
        if progress is not None:
            progress(stop, episodes)
    joins, paid, rents, again = per_partner

    scale = world.payment_scale
    money = {"lead_cost", "information_rent", "efficiency_loss"}
    if keep:
        frame = pd.DataFrame({"episode": np.arange(episodes, dtype=np.int64), **{
            m: (np.concatenate(kept[m]) * (scale if m in money else 1.0)).astype(
                np.int64 if m in ("coalition_size", "reoffers") else float) for m in measures}})
        summary = summarise(frame)
    else:
        frame = pd.DataFrame({c: pd.Series(dtype=np.int64 if c in ("episode", "coalition_size", "reoffers")
                                                 else float) for c in EPISODE_COLUMNS})
        summary = stream.summary({m: (scale if m in money else 1.0) for m in measures})
    partners = cand[["ccode", "country", "embeddedness", "price_mean"]].copy()
    partners["value"] = params["value"] * scale
    partners["unit_cost"] = params["unit_cost"]
    partners["join_rate"] = joins / episodes
    partners["mean_payment"] = paid / episodes * scale
    with np.errstate(invalid="ignore", divide="ignore"):
        partners["payment_if_joined"] = np.where(joins > 0, paid / joins, np.nan) * scale
    partners["mean_rent"] = rents / episodes * scale
    partners["mean_reoffers"] = again / episodes
    with np.errstate(invalid="ignore", divide="ignore"):
        partners["cost_per_member"] = np.where(joins > 0, (paid + reoffer_cost * again) / joins, np.nan) * scale
    attrs = {"unit": "episode", "lead": world.lead, "date": world.date, "prior": world.prior,
             "payment_scale": scale, "payment_unit": world.payment_unit, "is_seed": world.is_seed,
             "episodes": episodes, "episodes_kept": keep,
             "quantiles": "exact" if keep else f"log-bucket histogram, relative error <= {_REL_ERROR / 2:g}",
             "channels": eff.attrs["channels"], "channels_off": eff.attrs["off"],
             "calibrated_with": world.assumptions.get("calibrated_with"), "mission_value": world.mission_value,
             "max_offers": max_offers, "reoffer_cost": reoffer_cost, "notes": dict(world.notes)}
    for df in (frame, partners, summary):
        df.attrs = dict(attrs)
    return Simulation(episodes=frame, partners=partners, summary=summary,
                      seed=seed if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool) else None)


def _keep_limit(keep_episodes: int | None) -> int:
    if keep_episodes is None:
        return KEEP_EPISODES
    if isinstance(keep_episodes, bool) or not isinstance(keep_episodes, (int, np.integer)) or keep_episodes < 0:
        raise InfeasibleError(f"keep_episodes must be a non-negative integer; got {keep_episodes!r}")
    return int(keep_episodes)


def _chunk_episodes(n: int, chunk_episodes: int | None) -> int:
    """Episodes per chunk: a whole number of RNG blocks (the given number rounded up, else a cell budget)."""
    if chunk_episodes is None:
        wanted = max(1, _CELLS_PER_CHUNK // max(n, 1))
    elif isinstance(chunk_episodes, bool) or not isinstance(chunk_episodes, (int, np.integer)) or chunk_episodes < 1:
        raise InfeasibleError(f"chunk_episodes must be a positive integer; got {chunk_episodes!r}")
    else:
        wanted = int(chunk_episodes)
    return -(-wanted // _BLOCK) * _BLOCK


def _block_draws(root: np.random.SeedSequence, prior: str, start: int, stop: int, n: int) -> tuple[np.ndarray, ...]:
    """The standard draws (latent price, signal noise) of episodes ``start:stop``, block by block.

    Block ``b`` (episodes ``b*_BLOCK`` onwards) always draws from the ``b``-th child of the root seed, made
    directly from its spawn key, so the draws of an episode depend on the seed alone, never on the chunking.
    """
    latent, noise = [], []
    for b0 in range(start, stop, _BLOCK):
        m = min(_BLOCK, stop - b0)
        child = np.random.SeedSequence(root.entropy, spawn_key=(*root.spawn_key, b0 // _BLOCK),
                                       pool_size=root.pool_size)
        rng = np.random.default_rng(child)
        latent.append(rng.random((m, n)) if prior == "uniform" else rng.standard_normal((m, n)))
        noise.append(rng.standard_normal((m, n)))
    return np.concatenate(latent), np.concatenate(noise)


class _Stream:
    """Mean, sd and quantiles of the episode measures without keeping the episodes.

    Means and sums of squares are merged block by block in block order (Chan et al.'s pairwise update),
    so they do not depend on the chunking; quantiles come from integer counts in fixed log-spaced buckets
    (relative error at most ``_REL_ERROR / 2``; counts of whole numbers are exact).
    """

    _INTEGER = ("coalition_size", "reoffers")

    def __init__(self, measures: list[str], n: int) -> None:
        self.measures = measures
        self.count = 0
        self.mean = np.zeros(len(measures))
        self.m2 = np.zeros(len(measures))
        self.counts = {m: np.zeros(2 * _BUCKETS + 1, np.int64) for m in measures if m not in self._INTEGER}
        self.counts.update({m: np.zeros(1, np.int64) for m in self._INTEGER})

    def add(self, values: dict[str, np.ndarray], starts: np.ndarray) -> None:
        x = np.stack([values[m] for m in self.measures], axis=1)
        sizes = np.diff(np.append(starts, len(x)))
        block_mean = np.add.reduceat(x, starts, axis=0) / sizes[:, None]
        block_m2 = np.add.reduceat((x - np.repeat(block_mean, sizes, axis=0)) ** 2, starts, axis=0)
        for nb, mb, m2b in zip(sizes, block_mean, block_m2):
            total = self.count + nb
            delta = mb - self.mean
            self.mean = self.mean + delta * (nb / total)
            self.m2 = self.m2 + m2b + delta**2 * (self.count * nb / total)
            self.count = total
        for m in self.measures:
            if m in self._INTEGER:
                c = np.bincount(np.rint(values[m]).astype(np.int64))
                if len(c) > len(self.counts[m]):
                    c[: len(self.counts[m])] += self.counts[m]
                    self.counts[m] = c
                else:
                    self.counts[m][: len(c)] += c
            else:
                self.counts[m] += np.bincount(_bucket(values[m]), minlength=2 * _BUCKETS + 1)

    def summary(self, scales: dict[str, float]) -> pd.DataFrame:
        rows = {}
        centres = _bucket_centres()
        for i, m in enumerate(self.measures):
            where = np.arange(len(self.counts[m]), dtype=float) if m in self._INTEGER else centres
            q = [_quantile_from_counts(where, self.counts[m], p) for p in (0.05, 0.5, 0.95)]
            sd = np.sqrt(self.m2[i] / (self.count - 1)) if self.count > 1 else 0.0
            rows[m] = np.array([self.mean[i], sd, *q]) * scales[m]
        return pd.DataFrame.from_dict(rows, orient="index", columns=SUMMARY_STATS).rename_axis("measure")


def _bucket(x: np.ndarray) -> np.ndarray:
    """Bucket index of each value: 0 for ``|x| < _TINY``, else ``±(1 + floor(log(|x| / _TINY) / log(1 + ε)))``,
    shifted by ``_BUCKETS`` (values beyond the last bucket fall in it)."""
    mag = np.abs(x)
    with np.errstate(divide="ignore", invalid="ignore"):
        k = np.floor(np.log(np.maximum(mag, _TINY) / _TINY) / np.log1p(_REL_ERROR)) + 1
    k = np.where(mag < _TINY, 0, np.minimum(k, _BUCKETS)).astype(np.int64)
    return _BUCKETS + np.sign(x).astype(np.int64) * k


def _bucket_centres() -> np.ndarray:
    k = np.arange(-_BUCKETS, _BUCKETS + 1)
    lo = _TINY * np.power(1 + _REL_ERROR, np.abs(k) - 1.0)
    return np.where(k == 0, 0.0, np.sign(k) * lo * (1 + _REL_ERROR / 2))


def _quantile_from_counts(values: np.ndarray, counts: np.ndarray, q: float) -> float:
    """numpy's default (linear) quantile of a sample given as counts of sorted ``values``."""
    total = int(counts.sum())
    h = q * (total - 1)
    lo = int(np.floor(h))
    cum = np.cumsum(counts)
    v_lo = values[np.searchsorted(cum, lo, side="right")]
    v_hi = values[np.searchsorted(cum, min(lo + 1, total - 1), side="right")]
    return float(v_lo + (h - lo) * (v_hi - v_lo))


def summarise(frame: pd.DataFrame) -> pd.DataFrame:
    """Mean, sd and 5/50/95% quantiles of each episode measure (one row per measure)."""
    cols = EPISODE_COLUMNS[1:]
    values = frame[cols].to_numpy(float)
    q = np.quantile(values, [0.05, 0.5, 0.95], axis=0)
    return pd.DataFrame({
        "mean": values.mean(axis=0),
        "sd": values.std(axis=0, ddof=1) if len(values) > 1 else np.zeros(len(cols)),
        "q05": q[0], "q50": q[1], "q95": q[2],
    }, index=pd.Index(cols, name="measure"))


def _chunk(prior: str, p: dict[str, np.ndarray], m: int, draws: tuple[np.ndarray, np.ndarray], *,
           max_offers: int = 1):
    """One chunk of ``m`` episodes: (accepted, payment, rent, per-episode efficiency loss, re-offers), in the
    lead's cost (re-offers as counts, per partner).

    The offer problem is solved in units of value to the partner: a partner worth ``V`` to the lead, paid
    at unit cost ``g``, is the standard problem with value ``V / g``; payments, rents and losses are then
    multiplied by ``g``. Re-offers (normal prior): after a refusal of ``t`` the lead offers the best offer
    under its posterior truncated to ``theta > t`` while it believes the gain exceeds the re-offer cost.
    """
    n = len(p["value"])
    mean, scale, precision = p["price_mean"], p["price_scale"], p["precision"]
    gamma = p["unit_cost"]
    value = p["value"] / gamma
    noise_sd = scale / np.sqrt(np.where(precision > 0, precision, 1.0))
    u, z = draws  # uniform or standard normal latent draws, standard normal signal noise; (m, n) each
    if prior == "uniform":
        lo, hi = uniform_bounds(mean, scale)
        latent = lo + (hi - lo) * u
    else:
        latent = mean + scale * u  # theta, or log theta for the lognormal
    # the rotten carrot: the signal reads too low by `bias`, and the lead takes it at face value
    signal = np.where(precision > 0, latent + noise_sd * z - p["bias"], mean)
    offer = np.array(_offers(prior, value, mean, scale, precision, signal))  # a copy: re-offers write into it
    theta = np.exp(latent) if prior == "lognormal" else latent
    accepted = theta <= offer
    reoffers = np.zeros((m, n))
    if max_offers > 1:
        from coalitionlab.bargaining.channels import _truncated_offer

        believed, s = posterior(mean, scale, precision, signal)  # the lead's (biased) posterior
        s = np.broadcast_to(s, (m, n))
        v_all, c_all = np.broadcast_to(value, (m, n)), np.broadcast_to(p["reoffer_in_value"], (m, n))
        open_ = np.flatnonzero(~accepted)  # refused so far, still courted
        for _ in range(max_offers - 1):
            if open_.size == 0:
                break
            last = offer.flat[open_]
            t, q = _truncated_offer(v_all.flat[open_], believed.flat[open_], s.flat[open_], last)
            go = (q * (v_all.flat[open_] - t) > c_all.flat[open_]) & (t > last)
            open_ = open_[go]
            t = t[go]
            reoffers.flat[open_] += 1.0
            offer.flat[open_] = t
            yes = theta.flat[open_] <= t
            accepted.flat[open_[yes]] = True
            open_ = open_[~yes]
    payment = np.where(accepted, offer * gamma, 0.0)
    rent = np.where(accepted, (offer - np.maximum(theta, 0.0)) * gamma, 0.0)  # a negative price joins free
    lost = (np.where(~accepted & (theta < value), value - theta, 0.0) * gamma).sum(axis=1)
    return accepted.astype(np.float64), payment, rent, lost, reoffers


def compare_channels(
    world: World,
    episodes: int,
    *,
    seed: int | np.random.SeedSequence | None = 1,
    channel_sets: dict[str, str | tuple[str, ...]] | None = None,
) -> pd.DataFrame:
    """Simulate one fixed world with several channel sets: the same prices and the same seed for each.

    The world's prices were fixed once (calibrated with every channel it has, :meth:`World.from_frame`);
    each run only switches channels off, so the rows differ by the channels alone.

    Parameters
    ----------
    world
        The calibrated world, reused for every run.
    episodes
        Episodes per run.
    seed
        One seed (int or SeedSequence) for every run; a Generator is refused (it would advance between runs).
    channel_sets
        Label -> channels (as ``simulate(channels=...)``). Default: every channel the world has on
        (``"all on"``), each switched off in turn (``"<channel> off"``) and all off (``"all off"``).

    Returns
    -------
    pandas.DataFrame
        One row per run, indexed by label: ``channels, members, win_probability, lead_cost,
        cost_per_member, payoff`` (``mission_value * win_probability - lead_cost``; NaN with legacy
        fixed values), ``reoffers``, then ``saved_per_member`` and ``payoff_lost`` against the first run.
        ``attrs`` record the seed, the episodes, ``calibrated_with`` and that the world is fixed.

    Examples
    --------
    >>> frame = pd.DataFrame({"ccode": [200, 220, 640], "embeddedness": [90.0, 80.0, 30.0]})
    >>> t = compare_channels(World.from_frame(frame, lead="USA", date="2003-03-20"), 500, seed=1)
    >>> t.index.tolist()[:2], t.attrs["fixed_world"]
    (['all on', 'information off'], True)
    """
    if isinstance(seed, np.random.Generator):
        raise InfeasibleError("compare_channels() needs an int seed or a SeedSequence (a Generator would give "
                              "each channel set different draws)")
    if channel_sets is None:
        on = world.channels
        channel_sets = {"all on": on, **{f"{c} off": tuple(x for x in on if x != c) for c in on}, "all off": ()}
    if not channel_sets:
        raise InfeasibleError("compare_channels(): no channel set given")
    root = _root_sequence(seed)  # one entropy for every run (spawning from one object would move on)
    rows = {}
    for label, channels in channel_sets.items():
        fresh = np.random.SeedSequence(root.entropy, spawn_key=root.spawn_key, pool_size=root.pool_size)
        sim = simulate(world, episodes, seed=fresh, channels=channels)
        m = sim.summary["mean"]
        members = float(m["coalition_size"])
        payoff = (world.mission_value * world.payment_scale * m["win_probability"] - m["lead_cost"]
                  if world.mission_value is not None else np.nan)
        rows[label] = {"channels": ",".join(sim.episodes.attrs["channels"]) or "none", "members": members,
                       "win_probability": float(m["win_probability"]), "lead_cost": float(m["lead_cost"]),
                       "cost_per_member": float(m["lead_cost"]) / members if members > 0 else np.nan,
                       "payoff": float(payoff), "reoffers": float(m["reoffers"])}
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "run"
    base = table.iloc[0]
    table["saved_per_member"] = table["cost_per_member"] - base["cost_per_member"]
    table["payoff_lost"] = base["payoff"] - table["payoff"]
    table.attrs = {"seed": seed if isinstance(seed, (int, np.integer)) else None, "episodes": int(episodes),
                   "calibrated_with": world.assumptions.get("calibrated_with"), "fixed_world": True,
                   "payment_unit": world.payment_unit, "lead": world.lead, "date": world.date}
    return table
