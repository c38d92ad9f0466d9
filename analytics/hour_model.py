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
# The prior over (shoulder, lift) the peak model starts from: shoulders equally likely, the
# lift half-normal. `fit_peak_prior` replaces it with what a population of users shows.
DEFAULT_PEAK_PRIOR = np.log(np.full((len(SHOULDERS), 1), 1.0 / len(SHOULDERS))) + LIFT_LOG_PRIOR
EM_ROUNDS = 200
# Pseudo-users of the default prior mixed into the fit, so a grid cell no user supports
# keeps a little mass instead of none (and a small population cannot rule a lift out).
PRIOR_PSEUDO_USERS = 5.0


def _peak_terms(gain_unit: np.ndarray, cost_unit: np.ndarray, neighbours: bool) -> np.ndarray:
    """Log likelihood ratio of every (shoulder, lift, candidate hour) against no peak, shape
    (shoulders, lifts, 24); without neighbours only shoulder 0 is a hypothesis.

    `gain_unit[c, h]` / `cost_unit[c, h]`: deviation / variance and 1 / variance of hour h's
    mean as seen when c is the candidate peak.
    """
    candidates = np.arange(HOURS)
    left, right = (candidates - 1) % HOURS, (candidates + 1) % HOURS
    lifts = np.asarray(PEAK_LIFTS)[:, None]
    terms = np.full((len(SHOULDERS), len(PEAK_LIFTS), HOURS), -np.inf)
    for index, shoulder in enumerate(SHOULDERS):
        if shoulder and not neighbours:
            continue
        gain = gain_unit[candidates, candidates] + shoulder * (
            gain_unit[candidates, left] + gain_unit[candidates, right])
        cost = cost_unit[candidates, candidates] + shoulder**2 * (
            cost_unit[candidates, left] + cost_unit[candidates, right])
        terms[index] = lifts * gain - 0.5 * lifts**2 * cost
    return terms


def _mixed(terms: np.ndarray, log_prior: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(log Bayes factor, posterior mean log lift) per candidate hour: the terms weighed by
    the prior, renormalised over the hypotheses the terms allow."""
    allowed = np.isfinite(terms[:, 0, 0])
    prior = log_prior[allowed] - np.logaddexp.reduce(log_prior[allowed], axis=None)
    weighted = terms[allowed] + prior[:, :, None]  # (shoulders, lifts, 24)
    top = weighted.max(axis=(0, 1))
    weights = np.exp(weighted - top)
    total = weights.sum(axis=(0, 1))
    lift = (weights * np.asarray(PEAK_LIFTS)[None, :, None]).sum(axis=(0, 1)) / total
    return top + np.log(total), lift


def _peak_inputs(posts: list[Observation], background: bool
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """What the peak model reads of the posts: each hour's depth (summed precision), its
    summed deviation from the typical post, and the gain and cost of each candidate's view
    of each hour once the background level between hours is allowed for."""
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
    return depth, total, deviation[None, :] * cost_unit, cost_unit


def peak_likelihoods(posts: list[Observation], neighbours: bool, background: bool = True
                     ) -> np.ndarray:
    """Every (shoulder, lift, hour) hypothesis's log likelihood ratio against no peak, before
    any prior: what `fit_peak_prior` learns a population's prior from."""
    _, _, gain_unit, cost_unit = _peak_inputs(posts, background)
    return _peak_terms(gain_unit, cost_unit, neighbours)


def peak_evidence(posts: list[Observation], neighbours: bool, background: bool = True,
                  log_prior: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Per hour: log Bayes factor of "this is the best hour" against "no hour stands out",
    and the log lift of the hour's own posts over the typical post if it is.

    The model: hours differ a little at random (a background level, its size estimated from
    the other hours), and one hour is lifted by an unknown factor (integrated over
    PEAK_LIFTS), its neighbours by an unknown share of that lift (SHOULDERS), weighed by
    `log_prior` over (shoulder, lift) (DEFAULT_PEAK_PRIOR unless a population's was learned).
    Unlike a Gaussian prior over 24 hour effects, which shrinks the thinnest hour hardest,
    this asks of each hour only whether its own posts (and its neighbours') are better
    explained by a lift than by noise and the background, so a thin but strong hour keeps
    its evidence.
    """
    prior = DEFAULT_PEAK_PRIOR if log_prior is None else log_prior
    depth, total, gain_unit, cost_unit = _peak_inputs(posts, background)
    log_bf, _ = _mixed(_peak_terms(gain_unit, cost_unit, neighbours), prior)
    # The lift an hour is credited with is its own posts' (and neighbours'), not the
    # background-discounted one: that is what posting there has returned.
    plain_cost = np.broadcast_to(depth, (HOURS, HOURS))
    _, lift = _mixed(_peak_terms(np.broadcast_to(total, (HOURS, HOURS)), plain_cost,
                                 neighbours), prior)
    return log_bf, lift


def fit_peak_prior(tables: list[np.ndarray], rounds: int = EM_ROUNDS) -> np.ndarray:
    """The prior over (shoulder, lift) that best explains a population of users, by
    expectation-maximisation over the grid (empirical Bayes one level above the user).

    Each table is one user's `peak_likelihoods` at the hours they posted at (shape
    (shoulders, lifts, hours)); each user's best hour is equally likely any of them. A
    population whose best hours lift by 1.6x with no shoulder teaches every user's ranking
    to expect that, instead of the default's guess; the default stays in the fit as
    PRIOR_PSEUDO_USERS pseudo-users.
    """
    default = np.exp(DEFAULT_PEAK_PRIOR)
    if not tables:
        return DEFAULT_PEAK_PRIOR.copy()
    # Per user: each (shoulder, lift)'s likelihood summed over the hours (a constant factor
    # per user cancels), kept on the log scale until normalised.
    per_user = np.array([np.logaddexp.reduce(table, axis=2) for table in tables])
    per_user -= per_user.max(axis=(1, 2), keepdims=True)
    likelihood = np.exp(per_user)  # (users, shoulders, lifts)
    prior = default.copy()
    for _ in range(rounds):
        joint = likelihood * prior
        responsibilities = joint / joint.sum(axis=(1, 2), keepdims=True)
        prior = (responsibilities.sum(axis=0) + PRIOR_PSEUDO_USERS * default) / (
            len(tables) + PRIOR_PSEUDO_USERS)
    return np.log(prior)


def _weighted_mean(posts: list[Observation]) -> float:
    return sum(p.y / p.variance for p in posts) / sum(1.0 / p.variance for p in posts)


def log_mean_exp(values: np.ndarray) -> float:
    top = float(values.max())
    return top + math.log(float(np.exp(values - top).mean()))
