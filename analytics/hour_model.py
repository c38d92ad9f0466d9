"""The statistics behind best time: observations of one outcome per post, and two models of
how the 24 local hours differ.

`hour_posterior` is the Gaussian process on the circle of hours (how large the hour effects are
and how far they carry to neighbouring hours, learned by marginal likelihood and integrated
over); `peak_evidence` is the one-peak model that asks of each hour whether its own posts are
better explained by one lifted hour than by noise and a background level. `analytics.best_time`
explains why each exists and turns their output into recommendations; this module holds only
the arithmetic, so it can be read and tested as numbers in, numbers out.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from cloudstro.analytics.normalize import AccountKey

HOURS = 24
ACCOUNT_PRIOR = 10.0  # degrees of freedom of prior weight on the user's pooled variance
CLIP = 2.5  # robust standard deviations at which log outcomes are clipped
SIGMA2_FLOOR = 0.01
# Hyperparameter grid: size of the hour effects (variance, log scale) and how far (in hours)
# they are correlated; length 0 means hours share nothing.
TAU2_GRID: tuple[float, ...] = tuple(float(v) for v in np.logspace(-3.5, 0.0, 8))
LENGTH_GRID: tuple[float, ...] = (0.0, 0.7, 1.5)
# The peak model: one hour lifted by a factor on this grid (1.0 = not at all), its neighbours
# by a share of it; every value equally likely a priori.
PEAK_LIFTS: tuple[float, ...] = tuple(float(v) for v in np.linspace(0.0, math.log(4.0), 29))
SHOULDERS: tuple[float, ...] = (0.0, 0.25, 0.5)
# Prior on the best hour's log lift: half-normal, sd 0.4 (most best hours lift by less than
# 2.2x). A flat prior let one lucky post (3x its account's typical) outbid a real +60% hour
# seen in six posts: 83% -> 91% on 120-post histories.
LIFT_PRIOR_SD = 0.4


@dataclass
class Observation:
    """One post as the hour models see it: local weekday and hour, account and format, and
    its outcome `y` (log scale, adjusted in place as effects are removed) with its noise."""

    day: int
    hour: int
    account: AccountKey
    kind: str
    y: float
    variance: float = 1.0


@dataclass
class HourPosterior:
    """Posterior of the 24 hour effects (relative to the user's mean) of one outcome part,
    as a mixture over the hyperparameter grid."""

    weights: np.ndarray  # (G,)
    means: np.ndarray  # (G, 24)
    covariances: np.ndarray  # (G, 24, 24)
    length: float  # the most probable correlation length
    tau2: float  # the most probable hour-effect variance

    @property
    def mean(self) -> np.ndarray:
        return np.asarray(self.weights @ self.means)

    def draws(self, count: int, rng: np.random.Generator) -> np.ndarray:
        picks = rng.choice(len(self.weights), size=count, p=self.weights)
        out = np.empty((count, HOURS))
        for index in np.unique(picks):
            rows = picks == index
            # A smooth kernel's posterior is near-singular: factor by eigenvalues, not Cholesky.
            values, vectors = np.linalg.eigh(self.covariances[index])
            factor = vectors * np.sqrt(np.clip(values, 0.0, None))
            noise = rng.standard_normal((int(rows.sum()), HOURS))
            out[rows] = self.means[index] + noise @ factor.T
        return out



def clipped(values: list[float]) -> list[float]:
    """Clip at median +- CLIP robust standard deviations.

    A viral post is ten times its account's typical post: even on the log scale that is four
    noise-widths, enough for one lucky post to crown its hour. Clipping keeps its vote (it
    still counts as a strong post) without letting it outvote everything else in the hour.
    """
    centre = statistics.median(values)
    mad = statistics.median(abs(v - centre) for v in values) * 1.4826
    if mad <= 0:
        return values
    return [min(max(v, centre - CLIP * mad), centre + CLIP * mad) for v in values]


def remove_group_effect(posts: list[Observation], group: Callable[[Observation], object],
                         prior: float) -> None:
    """Subtract each group's mean deviation, shrunk toward zero by `prior` posts."""
    mean = statistics.fmean(p.y for p in posts)
    grouped: dict[object, list[float]] = defaultdict(list)
    for post in posts:
        grouped[group(post)].append(post.y - mean)
    shift = {key: sum(values) / (len(values) + prior) for key, values in grouped.items()}
    for post in posts:
        post.y -= shift[group(post)]


def set_account_variances(posts: list[Observation], per_account: bool) -> None:
    """Each post's noise variance: its account's residual variance, pooled toward the user's."""
    overall = max(statistics.pvariance([p.y for p in posts]), SIGMA2_FLOOR)
    if not per_account:
        for post in posts:
            post.variance = overall
        return
    grouped: dict[AccountKey, list[float]] = defaultdict(list)
    for post in posts:
        grouped[post.account].append(post.y)
    variance = {}
    for key, values in grouped.items():
        df = len(values) - 1
        own = statistics.pvariance(values) * len(values) / df if df > 0 else overall
        variance[key] = max((df * own + ACCOUNT_PRIOR * overall) / (df + ACCOUNT_PRIOR),
                            SIGMA2_FLOOR)
    for post in posts:
        post.variance = variance[post.account]


def _circular_kernel(length: float) -> np.ndarray:
    hours = np.arange(HOURS)
    distance = np.abs(hours[:, None] - hours[None, :])
    distance = np.minimum(distance, HOURS - distance)
    if length <= 0:
        return np.eye(HOURS)
    return np.asarray(np.exp(-0.5 * (distance / length) ** 2))


def hour_posterior(posts: list[Observation], neighbours: bool) -> tuple[HourPosterior, float]:
    """Empirical-Bayes Gaussian-process posterior of the hour effects; returns it and the
    user's weighted mean (the typical post), which the effects are relative to."""
    weight = np.zeros(HOURS)
    weighted_sum = np.zeros(HOURS)
    for post in posts:
        weight[post.hour] += 1.0 / post.variance
        weighted_sum[post.hour] += post.y / post.variance
    seen = weight > 0
    mu = float(weighted_sum.sum() / weight.sum())
    means_seen = weighted_sum[seen] / weight[seen] - mu
    noise = np.diag(1.0 / weight[seen])
    lengths = LENGTH_GRID if neighbours else (0.0,)
    log_evidence, means, covariances, grid = [], [], [], []
    for length in lengths:
        kernel = _circular_kernel(length)
        k_seen = kernel[np.ix_(seen, seen)]
        k_cross = kernel[:, seen]
        for tau2 in TAU2_GRID:
            covariance = tau2 * k_seen + noise
            factor = np.linalg.cholesky(covariance)
            solved = np.linalg.solve(factor, means_seen)
            log_evidence.append(-float(np.log(np.diag(factor)).sum()) - 0.5 * float(
                solved @ solved))
            gain = np.linalg.solve(covariance, tau2 * k_cross.T).T  # (24, seen)
            means.append(gain @ means_seen)
            covariances.append(tau2 * kernel - gain @ (tau2 * k_cross.T))
            grid.append((length, tau2))
    evidence = np.array(log_evidence)
    weights = np.exp(evidence - evidence.max())
    weights /= weights.sum()
    best = int(np.argmax(weights))
    return HourPosterior(weights, np.array(means), np.array(covariances), *grid[best]), mu


def _background_variances(depth: np.ndarray, deviation: np.ndarray, seen: np.ndarray
                          ) -> np.ndarray:
    """For each candidate hour, how much the *other* hours differ beyond noise (empirical
    Bayes: the marginal-likelihood maximum over TAU2_GRID, leaving the candidate out so a
    strong peak does not inflate the level it is judged against).

    Without this level a busy hour that is a little better than average (+8% over 40 posts)
    would pile up more evidence than a rarely used hour that is much better, and win on volume.
    """
    tau2 = np.asarray(TAU2_GRID)[:, None]
    variance = np.where(seen, 1.0 / np.where(seen, depth, 1.0), 1.0) + tau2  # (grid, 24)
    loglik = np.where(seen, -0.5 * (np.log(variance) + deviation**2 / variance), 0.0)
    leave_out = loglik.sum(axis=1, keepdims=True) - loglik  # (grid, candidate)
    return np.asarray(tau2[np.argmax(leave_out, axis=0), 0])


_PRIOR = np.exp(-0.5 * (np.asarray(PEAK_LIFTS) / LIFT_PRIOR_SD) ** 2)
LIFT_LOG_PRIOR = np.log(_PRIOR / _PRIOR.sum())  # log prior of each of PEAK_LIFTS


def _log_bayes_factors(gain_unit: np.ndarray, cost_unit: np.ndarray, neighbours: bool
                       ) -> tuple[np.ndarray, np.ndarray]:
    """(log Bayes factor, posterior mean log lift) per candidate hour.

    `gain_unit[c, h]` / `cost_unit[c, h]`: deviation / variance and 1 / variance of hour h's
    mean as seen when c is the candidate peak.
    """
    candidates = np.arange(HOURS)
    left, right = (candidates - 1) % HOURS, (candidates + 1) % HOURS
    lifts = np.asarray(PEAK_LIFTS)[:, None]
    log_terms = []
    for shoulder in SHOULDERS if neighbours else (0.0,):
        gain = gain_unit[candidates, candidates] + shoulder * (
            gain_unit[candidates, left] + gain_unit[candidates, right])
        cost = cost_unit[candidates, candidates] + shoulder**2 * (
            cost_unit[candidates, left] + cost_unit[candidates, right])
        log_terms.append(  # (lifts, 24)
            lifts * gain - 0.5 * lifts**2 * cost + LIFT_LOG_PRIOR[:, None])
    stacked = np.concatenate(log_terms)
    top = stacked.max(axis=0)
    weights = np.exp(stacked - top)
    all_lifts = np.tile(lifts, (len(log_terms), HOURS))
    lift = (weights * all_lifts).sum(axis=0) / weights.sum(axis=0)
    return top + np.log(weights.sum(axis=0) / len(log_terms)), lift


def peak_evidence(posts: list[Observation], neighbours: bool, background: bool = True
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Per hour: log Bayes factor of "this is the best hour" against "no hour stands out",
    and the log lift of the hour's own posts over the typical post if it is.

    The model: hours differ a little at random (a background level, its size estimated from
    the other hours), and one hour is lifted by an unknown factor (integrated over
    PEAK_LIFTS), its neighbours by an unknown share of that lift (SHOULDERS). Unlike a
    Gaussian prior over 24 hour effects, which shrinks the thinnest hour hardest, this asks
    of each hour only whether its own posts (and its neighbours') are better explained by a
    lift than by noise and the background, so a thin but strong hour keeps its evidence.
    """
    mu = _weighted_mean(posts)
    depth = np.zeros(HOURS)
    total = np.zeros(HOURS)
    for post in posts:
        depth[post.hour] += 1.0 / post.variance
        total[post.hour] += (post.y - mu) / post.variance
    seen = depth > 0
    deviation = np.where(seen, total / np.where(seen, depth, 1.0), 0.0)
    tau2 = _background_variances(depth, deviation, seen) if background else np.zeros(HOURS)
    cost_unit = np.where(seen[None, :], 1.0 / (1.0 / np.where(seen, depth, 1.0)[None, :]
                                               + tau2[:, None]), 0.0)
    log_bf, _ = _log_bayes_factors(deviation[None, :] * cost_unit, cost_unit, neighbours)
    # The lift an hour is credited with is its own posts' (and neighbours'), not the
    # background-discounted one: that is what posting there has returned.
    plain_cost = np.broadcast_to(depth, (HOURS, HOURS))
    _, lift = _log_bayes_factors(np.broadcast_to(total, (HOURS, HOURS)), plain_cost, neighbours)
    return log_bf, lift


def _weighted_mean(posts: list[Observation]) -> float:
    return sum(p.y / p.variance for p in posts) / sum(1.0 / p.variance for p in posts)


def log_mean_exp(values: np.ndarray) -> float:
    top = float(values.max())
    return top + math.log(float(np.exp(values - top).mean()))
