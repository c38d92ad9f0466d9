"""When to post: which local hours (and weekday x hour slots) have done better than usual.

The design choices, and why (each was measured on held-out synthetic users whose histories
hide a modest best hour; benchmarks/bench_best_time.py prints the ablations):

* **Slot = publishing time in the user's zone.** "Post at 9" means 9 on the user's clock;
  bucketing by UTC hour would hand a New York user advice that is five hours off, and after a
  DST change it would split one local hour across two UTC hours.
* **Outcome = engagement per view and interactions, weighed by their evidence.** A post's
  interactions are its views times its rate. Where reach swings for reasons unrelated to the
  slot, measuring interactions lands that noise on the slot and the rate per view (against
  the account's median rate) is the cleaner measure; where the best hour works through reach
  (more of the audience online), only interactions (against the account's median) see it.
  Each measure's Bayes factors for "this is the best hour" are computed, and the hours are
  ranked on their prior-weighted average, so whichever shows a best hour more clearly leads.
  Posts without views count by interactions in both; the result names the measure that led.
* **Format and weekday are separated from the hour.** Each post's outcome is first adjusted
  for its format (text, image, video) and its weekday, each shrunk toward zero, so an hour is
  not credited for the formats or days the user happens to post at it.
* **Each account's noise is its own.** A 500-follower account's posts (three interactions,
  mostly counting noise) say less than a 50k-follower account's; posts are weighted by their
  account's residual variance, itself pooled toward the user's.
* **Hierarchical pooling across hours, not one flat shrinkage.** The 24 hour effects are a
  smooth random function of the hour (a Gaussian process on the circle: 23:00 neighbours
  00:00). How large the hour effects are and how far an hour's evidence carries to its
  neighbours are learned from the user's own data by marginal likelihood, and integrated over
  rather than plugged in, so a user with a sharp peak is not smoothed like one with a broad
  evening. A thin hour borrows from its neighbours only as much as the data says hours move
  together, instead of being pulled hardest to the mean because it is thin.
* **Ranking by the probability of being the best hour, under a one-peak model.** Sorting
  by the shrunk mean buries a thin but strong hour; sorting by the raw mean crowns the
  luckiest. The peak model asks of each hour whether its own posts (and, at a share, its
  neighbours') are better explained by one lifted hour than by noise and the small random
  differences between the other hours (a background level estimated from them by marginal
  likelihood), with a realistic prior on the lift. The confidence is the probability that
  the best hour is among those listed. The Gaussian-process posterior above gives each hour's
  probability of beating the typical post and the weekday x hour slots.
* **Outliers are clipped** on the log scale at 2.5 robust standard deviations, so one viral
  post counts as a strong post rather than deciding its hour alone.
* **Weekday x hour slots** (168 bins) are far sparser; each is shrunk toward its own hour's
  estimate, so a slot says something only when its own posts disagree with its hour. A slot
  or hour backed by fewer than SOLID_POSTS of its own posts is marked `thin`.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from cloudstro.analytics.normalize import AccountKey, PostParts, post_parts, unique_posts
from cloudstro.store.records import WEEKDAYS, SocialPost

HOURS = 24
MAX_TOP_N = 10
MIN_SLOT_POSTS = 2  # a weekday x hour slot is recommended only with its own evidence
SOLID_POSTS = 5  # fewer own posts than this: the hour or slot is marked thin
FORMAT_PRIOR = 5.0  # posts of prior weight on "this format performs like the average"
WEEKDAY_PRIOR = 10.0  # posts of prior weight on "this weekday performs like the average"
ACCOUNT_PRIOR = 10.0  # degrees of freedom of prior weight on the user's pooled variance
CLIP = 2.5  # robust standard deviations at which log outcomes are clipped
SIGMA2_FLOOR = 0.01
TAU2_SLOT_FLOOR = 0.01
# Hyperparameter grid: size of the hour effects (variance, log scale) and how far (in hours)
# they are correlated; length 0 means hours share nothing.
TAU2_GRID: tuple[float, ...] = tuple(float(v) for v in np.logspace(-3.5, 0.0, 8))
LENGTH_GRID: tuple[float, ...] = (0.0, 0.7, 1.5)
DRAWS = 1000
# The peak model: one hour lifted by a factor on this grid (1.0 = not at all), its neighbours
# by a share of it; every value equally likely a priori.
PEAK_LIFTS: tuple[float, ...] = tuple(float(v) for v in np.linspace(0.0, math.log(4.0), 29))
SHOULDERS: tuple[float, ...] = (0.0, 0.25, 0.5)
# Prior on the best hour's log lift: half-normal, sd 0.4 (most best hours lift by less than
# 2.2x). A flat prior let one lucky post (3x its account's typical) outbid a real +60% hour
# seen in six posts: 83% -> 91% on 120-post histories.
LIFT_PRIOR_SD = 0.4
NO_PEAK_PRIOR = 0.2  # prior probability that no hour stands out at all
# Prior weight of "the best hour shows in engagement per view" against "in interactions".
# The rate leads only where it shows a best hour far more clearly than interactions do (reach
# noise large beside the rate's): on the demo data the best hour works through reach and a
# larger weight cost 10 (0.75), 5 (0.5) and 1-3 points (0.1); on the hard data, where reach is
# independent of the hour, no weight moved the hit rate by more than its noise (2 points).
RATE_PRIOR = 0.02
_NORMAL = statistics.NormalDist()

Outcome = Literal["auto", "rate", "interactions"]


class BestTimeOptions(BaseModel):
    """Which parts of the estimator run. The defaults are the product; the switches exist so
    the benchmark can measure what each part is worth on the same users."""

    model_config = ConfigDict(frozen=True)

    outcome: Outcome = "auto"  # auto: rate and interactions, weighed by their evidence
    neighbours: bool = True  # hours may borrow from neighbouring hours
    weekday: bool = True  # weekday effects removed before the hour
    formats: bool = True  # format effects removed before the hour
    account_noise: bool = True  # each account's noise estimated on its own
    rank: Literal["peak", "probability", "mean"] = "peak"
    background: bool = True  # hours differ a little at random besides the best one
    gaps: bool = False  # an hour without posts may be listed when both neighbours have some


class HourSlot(BaseModel):
    hour: int = Field(ge=0, le=23)
    label: str
    posts: int
    posts_nearby: int  # posts one hour either side, which also inform this hour
    expected_lift: float  # 0.23 = +23% over the user's typical post
    score: float  # posterior probability that this hour beats the typical post
    p_best: float = 0.0  # posterior probability that this is the best hour of the day
    thin: bool = False  # fewer than SOLID_POSTS own posts: a lead, not an established hour
    evidence: str = ""  # "thin: 2 posts" / "7 posts": what an answer should say about it


class WeekSlot(BaseModel):
    dayOfWeek: str
    hour: int = Field(ge=0, le=23)
    label: str
    posts: int
    expected_lift: float
    score: float
    thin: bool = False
    evidence: str = ""


class BestTimeResult(BaseModel):
    timezone: str
    platform: str | None
    period: str  # the creation dates of the posts analysed
    posts_analyzed: int
    enough_data: bool
    posts_needed: int
    message: str
    baseline: str
    optimal_hours: list[HourSlot]
    optimal_slots: list[WeekSlot]
    confidence: float
    expected_engagement_increase: float | None
    method: str
    outcome: str = ""  # which measure of a post's result was used (the denominator)
    posts_with_views: int = 0


@dataclass
class _Post:
    day: int
    hour: int
    account: AccountKey
    kind: str
    y: float
    variance: float = 1.0


@dataclass
class _HourPosterior:
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


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown IANA timezone {name!r}") from exc


def _clipped(values: list[float]) -> list[float]:
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


def _remove_group_effect(posts: list[_Post], group: Callable[[_Post], object],
                         prior: float) -> None:
    """Subtract each group's mean deviation, shrunk toward zero by `prior` posts."""
    mean = statistics.fmean(p.y for p in posts)
    grouped: dict[object, list[float]] = defaultdict(list)
    for post in posts:
        grouped[group(post)].append(post.y - mean)
    shift = {key: sum(values) / (len(values) + prior) for key, values in grouped.items()}
    for post in posts:
        post.y -= shift[group(post)]


def _set_account_variances(posts: list[_Post], per_account: bool) -> None:
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


def _hour_posterior(posts: list[_Post], neighbours: bool) -> tuple[_HourPosterior, float]:
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
    return _HourPosterior(weights, np.array(means), np.array(covariances), *grid[best]), mu


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
_LIFT_LOG_PRIOR = np.log(_PRIOR / _PRIOR.sum())[:, None]


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
        log_terms.append(lifts * gain - 0.5 * lifts**2 * cost + _LIFT_LOG_PRIOR)  # (lifts, 24)
    stacked = np.concatenate(log_terms)
    top = stacked.max(axis=0)
    weights = np.exp(stacked - top)
    all_lifts = np.tile(lifts, (len(log_terms), HOURS))
    lift = (weights * all_lifts).sum(axis=0) / weights.sum(axis=0)
    return top + np.log(weights.sum(axis=0) / len(log_terms)), lift


def _peak_evidence(posts: list[_Post], neighbours: bool, background: bool = True
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


def _measure(use_rate: bool) -> Callable[[PostParts], float | None]:
    """What a fit reads from a post: its rate when fitting rates and it has one, else its total."""

    def value(part: PostParts) -> float | None:
        return part.rate if use_rate and part.rate is not None else part.total

    return value


def _observations(chosen: list[SocialPost], zone: ZoneInfo, parts: dict[str, PostParts],
                  value: Callable[[PostParts], float | None]) -> list[_Post]:
    observed = []
    for post in chosen:
        y = value(parts[post.postId])
        if y is None:
            continue
        local = post.createdAt.astimezone(zone)
        observed.append(_Post(local.weekday(), local.hour, parts[post.postId].account,
                              post.content_type, y))
    for observation, y in zip(observed, _clipped([p.y for p in observed]), strict=True):
        observation.y = y
    return observed


def _prepared(posts: list[_Post], options: BestTimeOptions) -> list[_Post]:
    if options.formats:
        _remove_group_effect(posts, lambda p: p.kind, FORMAT_PRIOR)
    if options.weekday:
        _remove_group_effect(posts, lambda p: p.day, WEEKDAY_PRIOR)
    _set_account_variances(posts, options.account_noise)
    return posts


def _lift(log_effect: float) -> float:
    return round(math.exp(log_effect) - 1.0, 3)


def _evidence(posts: int) -> tuple[bool, str]:
    thin = posts < SOLID_POSTS
    return thin, f"thin: {posts} post{'s' if posts != 1 else ''}" if thin else f"{posts} posts"


def _span(posts: list[SocialPost]) -> str:
    if not posts:
        return "no posts"
    first = min(p.createdAt for p in posts).date().isoformat()
    last = max(p.createdAt for p in posts).date().isoformat()
    return f"posts created {first} to {last}"


def _outcome_text(use_rate: bool, with_views: int, total: int) -> str:
    if not use_rate or with_views == 0:
        return "interactions / account median"
    fallback = (f"; interactions / account median for the {total - with_views} posts "
                f"without views" if with_views < total else "")
    return f"engagement per view / account median rate{fallback}"


def _weighted_mean(posts: list[_Post]) -> float:
    return sum(p.y / p.variance for p in posts) / sum(1.0 / p.variance for p in posts)


def _log_mean_exp(values: np.ndarray) -> float:
    top = float(values.max())
    return top + math.log(float(np.exp(values - top).mean()))


def _weekday_slots(primary: list[_Post], effect: np.ndarray, variance: np.ndarray,
                   mu: float, top_n: int) -> list[WeekSlot]:
    """Weekday x hour: residuals around the hour's estimate, shrunk with their own prior."""
    residuals: dict[tuple[int, int], list[tuple[float, float]]] = defaultdict(list)
    for post in primary:
        residuals[(post.day, post.hour)].append((post.y - mu - effect[post.hour], post.variance))
    sigma2 = statistics.fmean(p.variance for p in primary)
    spread = sum(len(r) * statistics.fmean(v for v, _ in r) ** 2 for r in residuals.values())
    tau2 = max((spread - len(residuals) * sigma2) / len(primary), TAU2_SLOT_FLOOR)
    estimates = []
    for (day, hour), rows in residuals.items():
        if len(rows) < MIN_SLOT_POSTS:
            continue
        precision = sum(1.0 / v for _, v in rows)
        own = sum(r / v for r, v in rows) / precision
        keep = precision / (precision + 1.0 / tau2)
        slot_effect = float(effect[hour]) + keep * own
        slot_variance = keep / precision + float(variance[hour])
        if slot_effect > 0:
            estimates.append((slot_effect, slot_variance, len(rows), day, hour))
    estimates.sort(key=lambda e: (e[0], e[2]), reverse=True)
    slots = []
    for slot_effect, slot_variance, count, day, hour in estimates[:top_n]:
        thin, evidence = _evidence(count)
        slots.append(WeekSlot(
            dayOfWeek=WEEKDAYS[day], hour=hour, label=f"{WEEKDAYS[day]} {hour:02d}:00",
            posts=count, expected_lift=_lift(slot_effect),
            score=round(_NORMAL.cdf(slot_effect / math.sqrt(slot_variance)), 3),
            thin=thin, evidence=evidence))
    return slots


def best_posting_times(
    posts: list[SocialPost],
    timezone: str,
    platform: str | None = None,
    top_n: int = 3,
    min_posts: int = 10,
    options: BestTimeOptions | None = None,
) -> BestTimeResult:
    """Hours and weekday x hour slots whose posts beat the user's typical post.

    Below `min_posts` nothing is recommended: a handful of posts cannot separate an hour from
    luck, and a confident-sounding guess is worse than saying how much more data is needed.
    Deterministic: the simulation behind the ranking uses a fixed seed.
    """
    options = options or BestTimeOptions()
    zone = _zone(timezone)
    top_n = max(1, min(top_n, MAX_TOP_N))
    chosen = unique_posts(p for p in posts if platform is None or p.platform == platform)
    n = len(chosen)
    parts = post_parts(chosen)
    with_views = sum(part.denominator == "views" for part in parts.values())
    baseline = "the user's typical post (weighted mean on the log scale of the posts analysed)"
    if n < min_posts:
        needed = min_posts - n
        return BestTimeResult(
            timezone=timezone, platform=platform, period=_span(chosen), posts_analyzed=n,
            enough_data=False, posts_needed=needed,
            message=f"need {needed} more post{'s' if needed != 1 else ''} "
                    f"(have {n}, need at least {min_posts}) to recommend posting times",
            baseline=baseline, optimal_hours=[], optimal_slots=[], confidence=0.0,
            expected_engagement_increase=None,
            method=f"slot = createdAt in {timezone}; not computed below {min_posts} posts",
            outcome=_outcome_text(options.outcome != "interactions", with_views, n),
            posts_with_views=with_views,
        )

    measures = {"rate": options.outcome != "interactions" and with_views >= min_posts,
                "interactions": options.outcome != "rate" or with_views < min_posts}
    fits: dict[str, tuple[list[_Post], np.ndarray, np.ndarray]] = {}
    for measure, wanted in measures.items():
        if not wanted:
            continue
        use_rate = measure == "rate"
        fit_posts = _prepared(_observations(chosen, zone, parts, _measure(use_rate)), options)
        fits[measure] = (fit_posts, *_peak_evidence(fit_posts, options.neighbours,
                                                    options.background))
    seen = sorted({post.hour for post in next(iter(fits.values()))[0]})
    evidence = {measure: _log_mean_exp(fit[1][seen]) for measure, fit in fits.items()}
    leading = max(evidence, key=lambda m: evidence[m] + math.log(
        RATE_PRIOR if m == "rate" and len(fits) > 1 else 1.0 - RATE_PRIOR if len(fits) > 1
        else 1.0))
    primary = fits[leading][0]
    outcome = _outcome_text(leading == "rate", with_views, n)
    weighed = ""
    if len(fits) > 1:
        weighed = (" (engagement per view and interactions / account median weighed by how "
                   "clearly each shows a best hour: Bayes factors "
                   + ", ".join(f"{m} {math.exp(e):.2g}" for m, e in evidence.items()) + ")")
    posterior, mu = _hour_posterior(primary, options.neighbours)
    prior_posts = statistics.fmean(p.variance for p in primary) / posterior.tau2
    rng = np.random.default_rng(20261125)
    draws = posterior.draws(DRAWS, rng)
    effect = posterior.mean
    variance = np.var(draws, axis=0)

    counts = [0] * HOURS
    for post in primary:
        counts[post.hour] += 1

    def eligible(h: int) -> bool:
        """Own posts; with `gaps`, also an hour with posts on both sides. Listing such gaps
        lost 6 points: a hidden best hour has posts of its own far more often than not."""
        if counts[h]:
            return True
        return options.gaps and bool(counts[(h - 1) % HOURS]) and bool(counts[(h + 1) % HOURS])

    candidates = [h for h in range(HOURS) if eligible(h)]
    winners = np.asarray(candidates)[np.argmax(draws[:, candidates], axis=1)]
    p_best = np.bincount(winners, minlength=HOURS) / DRAWS
    above = (draws > 0).mean(axis=0)
    lift = np.asarray(effect, dtype=float)
    order: Sequence[int]
    if options.rank == "peak":
        stacked_bf = np.array([fit[1] for fit in fits.values()])
        prior = np.log([RATE_PRIOR if m == "rate" else 1.0 - RATE_PRIOR for m in fits]
                       if len(fits) > 1 else [1.0])[:, None]
        log_bf = np.logaddexp.reduce(stacked_bf + prior, axis=0)
        shares = np.exp(stacked_bf - stacked_bf.max(axis=0))
        peak_lift = (shares * np.array([fit[2] for fit in fits.values()])).sum(
            axis=0) / shares.sum(axis=0)
        chosen_bf = log_bf[candidates]
        top = max(float(chosen_bf.max()), 0.0)
        odds = np.exp(chosen_bf - top) * (1 - NO_PEAK_PRIOR) / len(candidates)
        total = float(odds.sum()) + NO_PEAK_PRIOR * math.exp(-top)
        p_best = np.zeros(HOURS)
        p_best[candidates] = odds / total
        lift = peak_lift
        order = sorted(candidates, key=lambda h: (p_best[h], lift[h]), reverse=True)
    elif options.rank == "probability":
        order = sorted(candidates, key=lambda h: (p_best[h], effect[h]), reverse=True)
    else:
        order = sorted(candidates, key=lambda h: (effect[h], counts[h]), reverse=True)
    ranked_hours = [h for h in order if lift[h] > 0][:top_n]
    optimal_hours = []
    for h in ranked_hours:
        thin, slot_evidence = _evidence(counts[h])
        optimal_hours.append(HourSlot(
            hour=h, label=f"{h:02d}:00", posts=counts[h],
            posts_nearby=counts[(h - 1) % HOURS] + counts[(h + 1) % HOURS],
            expected_lift=_lift(float(lift[h])), score=round(float(above[h]), 3),
            p_best=round(float(p_best[h]), 3), thin=thin, evidence=slot_evidence))
    optimal_slots = _weekday_slots(primary, effect, variance, mu, top_n)

    confidence = 0.0
    increase: float | None = None
    if ranked_hours:
        # The probability that the best hour of the day is among those listed.
        confidence = round(min(1.0, float(sum(p_best[h] for h in ranked_hours))), 2)
        increase = round(statistics.fmean(math.exp(lift[h]) for h in ranked_hours) - 1, 3)

    if optimal_hours:
        message = (f"best hours in {timezone}: "
                   + ", ".join(f"{s.label} ({s.expected_lift:+.0%}, {s.evidence})"
                               for s in optimal_hours))
    else:
        message = "no hour stands out from the user's typical post yet"

    return BestTimeResult(
        timezone=timezone, platform=platform, period=_span(chosen), posts_analyzed=n,
        enough_data=True, posts_needed=0, message=message, baseline=baseline,
        optimal_hours=optimal_hours, optimal_slots=optimal_slots, confidence=confidence,
        expected_engagement_increase=increase,
        method=(f"slot = createdAt in {timezone}; outcome = {outcome}{weighed}; format and "
                f"weekday removed first; posts weighted by their account's noise; hours "
                f"ranked by the probability of being the best hour (one lifted hour and its "
                f"neighbours against a background level estimated from the other hours); "
                f"hour effects pooled by empirical Bayes, k={prior_posts:.1f} posts per hour "
                f"(neighbouring hours correlated over {posterior.length:g} h)"),
        outcome=outcome, posts_with_views=with_views,
    )
