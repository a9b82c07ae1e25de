"""The simulator: many coalition-building episodes in a `World`, vectorised over partners x episodes.

In each episode every candidate draws a reservation price from its prior, the lead sees a signal of
it with the candidate's precision (information channel; biased with the rotten-carrot option) and
makes the optimal take-it-or-leave-it offer (model 4) of value to the partner, delivered at the
candidate's unit cost (linkage x credibility x brokers, :meth:`World.effective`) and valued at the
candidate's marginal contribution to the win probability; the candidate joins iff the offer covers
its price. The episode records the coalition, the lead's cost, the partners' information rent, the
coalition's win probability (contest success function over the joined weights) and the efficiency
loss (surplus of efficient deals that failed).

Draws are made in chunks of episodes (memory stays bounded); chunk ``c`` draws from the ``c``-th
child of ``SeedSequence(seed)``, so the same seed gives the same output whatever the machine.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from coalitionlab.bargaining.offers import _offers, uniform_bounds
from coalitionlab.bargaining.world import World
from coalitionlab.errors import InfeasibleError

EPISODE_COLUMNS = ["episode", "coalition_size", "lead_cost", "information_rent", "win_probability", "efficiency_loss"]
SUMMARY_STATS = ["mean", "sd", "q05", "q50", "q95"]
_CELLS_PER_CHUNK = 1 << 21  # partner-episode cells drawn at once (~2M; a few tens of MB of arrays)


@dataclass(frozen=True)
class Simulation:
    """Result of :func:`simulate`.

    Attributes
    ----------
    episodes : pandas.DataFrame
        One row per episode: ``episode, coalition_size, lead_cost, information_rent,
        win_probability, efficiency_loss`` (money columns times the world's payment scale).
    partners : pandas.DataFrame
        One row per candidate: ``ccode, country, embeddedness, value, unit_cost, join_rate, mean_payment,
        payment_if_joined, mean_rent`` (``value``: the lead's value of the candidate; ``unit_cost``: its
        cost per unit of value to the partner; ``mean_payment`` averages over all episodes,
        ``payment_if_joined`` over joins only). ``attrs`` add ``channels``, ``channels_off`` and
        ``mission_value``.
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
        :data:`coalitionlab.bargaining.channels.CHANNELS`. A channel the world cannot run (brokers
        without a ``broker`` column) is off with a warning and listed in ``attrs["channels_off"]``.

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
    cand = world.candidates
    n = len(cand)
    per_chunk = max(1, _CELLS_PER_CHUNK // n)
    n_chunks = -(-episodes // per_chunk)
    children = _root_sequence(seed).spawn(n_chunks)
    eff = world.effective(channels)
    params = {name: cand[name].to_numpy(float) for name in ("price_mean", "price_scale", "weight")}
    for name in ("precision", "bias", "unit_cost", "value"):
        params[name] = eff[name].to_numpy(float)

    size = np.empty(episodes, np.int64)
    cost = np.empty(episodes)
    rent = np.empty(episodes)
    win = np.empty(episodes)
    loss = np.empty(episodes)
    joins = np.zeros(n)
    paid = np.zeros(n)
    rents = np.zeros(n)
    for c in range(n_chunks):
        start = c * per_chunk
        stop = min(episodes, start + per_chunk)
        out = _chunk(world.prior, params, stop - start, np.random.default_rng(children[c]))
        accepted, payment, partner_rent, episode_loss = out
        size[start:stop] = accepted.sum(axis=1)
        cost[start:stop] = payment.sum(axis=1)
        rent[start:stop] = partner_rent.sum(axis=1)
        loss[start:stop] = episode_loss
        strength = world.lead_strength + accepted @ params["weight"]
        kr = strength**world.decisiveness
        win[start:stop] = kr / (kr + world.target_strength**world.decisiveness)
        joins += accepted.sum(axis=0)
        paid += payment.sum(axis=0)
        rents += partner_rent.sum(axis=0)
        if progress is not None:
            progress(stop, episodes)

    scale = world.payment_scale
    frame = pd.DataFrame({
        "episode": np.arange(episodes, dtype=np.int64),
        "coalition_size": size,
        "lead_cost": cost * scale,
        "information_rent": rent * scale,
        "win_probability": win,
        "efficiency_loss": loss * scale,
    })
    partners = cand[["ccode", "country", "embeddedness"]].copy()
    partners["value"] = params["value"] * scale
    partners["unit_cost"] = params["unit_cost"]
    partners["join_rate"] = joins / episodes
    partners["mean_payment"] = paid / episodes * scale
    with np.errstate(invalid="ignore", divide="ignore"):
        partners["payment_if_joined"] = np.where(joins > 0, paid / joins, np.nan) * scale
    partners["mean_rent"] = rents / episodes * scale
    summary = summarise(frame)
    attrs = {"unit": "episode", "lead": world.lead, "date": world.date, "prior": world.prior,
             "payment_scale": scale, "payment_unit": world.payment_unit, "is_seed": world.is_seed,
             "episodes": episodes, "channels": eff.attrs["channels"], "channels_off": eff.attrs["off"],
             "mission_value": world.mission_value}
    for df in (frame, partners, summary):
        df.attrs = dict(attrs)
    return Simulation(episodes=frame, partners=partners, summary=summary,
                      seed=seed if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool) else None)


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


def _chunk(prior: str, p: dict[str, np.ndarray], m: int, rng: np.random.Generator):
    """One chunk of ``m`` episodes: (accepted, payment, rent, per-episode efficiency loss), in the lead's cost.

    The offer problem is solved in units of value to the partner: a partner worth ``V`` to the lead, paid
    at unit cost ``g``, is the standard problem with value ``V / g``; payments, rents and losses are then
    multiplied by ``g``.
    """
    n = len(p["value"])
    mean, scale, precision = p["price_mean"], p["price_scale"], p["precision"]
    gamma = p["unit_cost"]
    value = p["value"] / gamma
    noise_sd = scale / np.sqrt(np.where(precision > 0, precision, 1.0))
    if prior == "uniform":
        lo, hi = uniform_bounds(mean, scale)
        latent = lo + (hi - lo) * rng.random((m, n))
    else:
        latent = mean + scale * rng.standard_normal((m, n))  # theta, or log theta for the lognormal
    # the rotten carrot: the signal reads too low by `bias`, and the lead takes it at face value
    signal = np.where(precision > 0, latent + noise_sd * rng.standard_normal((m, n)) - p["bias"], mean)
    offer = _offers(prior, value, mean, scale, precision, signal)
    theta = np.exp(latent) if prior == "lognormal" else latent
    accepted = theta <= offer
    payment = np.where(accepted, offer * gamma, 0.0)
    rent = np.where(accepted, (offer - np.maximum(theta, 0.0)) * gamma, 0.0)  # a negative price joins free
    lost = (np.where(~accepted & (theta < value), value - theta, 0.0) * gamma).sum(axis=1)
    return accepted.astype(np.float64), payment, rent, lost
