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
  Which to trust first depends on the views themselves: when reach shows a best hour, or
  might, interactions are weighed first; when the views' own evidence is against any best
  hour, reach is noise as far as the slot goes and the two are weighed evenly.
  Posts without views count by interactions in both; the result names the measure that led.
* **Format and weekday are separated from the hour.** Each post's outcome is first adjusted
  for its format (text, image, video) and its weekday, each shrunk toward zero, so an hour is
  not credited for the formats or days the user happens to post at it. A format's level is
  then allowed to differ per account, shrunk toward its level across accounts: a video can
  carry a TikTok account and do nothing on X, and engagement per view and interactions (an
  account without views) see a format differently, since a format's reach is in the one and
  not in the other.
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

from cloudstro.analytics.hour_model import (
    HOURS,
    Observation,
    clipped,
    hour_posterior,
    log_mean_exp,
    peak_evidence,
    remove_group_effect,
    set_account_variances,
)
from cloudstro.analytics.normalize import PostParts, post_parts, unique_posts
from cloudstro.store.records import WEEKDAYS, SocialPost

MAX_TOP_N = 10
MIN_SLOT_POSTS = 2  # a weekday x hour slot is recommended only with its own evidence
SOLID_POSTS = 5  # fewer own posts than this: the hour or slot is marked thin
FORMAT_PRIOR = 5.0  # posts of prior weight on "this format performs like the average"
# Posts of prior weight on "this format does on this account what it does on the others":
# +0.7 points (paired standard error 0.3) on 4,800 hard users, and 92.5% instead of 91.8%
# found where the ceiling finds the hour; four demo sets unchanged (318 of 352 users with 40+
# posts, 115 of 176 at 10-39, as before).
ACCOUNT_FORMAT_PRIOR = 5.0
WEEKDAY_PRIOR = 10.0  # posts of prior weight on "this weekday performs like the average"
TAU2_SLOT_FLOOR = 0.01
DRAWS = 1000
NO_PEAK_PRIOR = 0.2  # prior probability that no hour stands out at all
# Prior weight of "the best hour shows in engagement per view" against "in interactions"
# while the views may themselves show a best hour. The rate leads only where it shows one far
# more clearly than interactions do: on the demo data the best hour works through reach, and a
# larger weight cost 10 (0.75), 5 (0.5) and 1-3 points (0.1).
RATE_PRIOR = 0.02
# When the views alone are evidence against any best hour (their Bayes factor averaged over
# the hours posted at is below REACH_FLAT_BF), reach is noise as far as the slot goes and the
# rate's weight is RATE_PRIOR_FLAT_REACH: +1.7 and +1.0 points on two independent sets of hard
# users (300 and 600, reach independent of the hour), no change on two sets of demo users (86%
# and 92% of those with 40+ posts, 64% and 57% at 10-39). Weights of 0.9 and 0.98 (and a
# threshold of 0.6) moved 1,200 hard users by +0.2 to +0.8 points and four demo sets by at
# most two users each: within noise, so the even weight stays.
REACH_FLAT_BF = 0.5
RATE_PRIOR_FLAT_REACH = 0.5
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
    account_formats: bool = True  # and each account's own format levels, pooled
    account_noise: bool = True  # each account's noise estimated on its own
    rank: Literal["peak", "probability", "mean"] = "peak"
    background: bool = True  # hours differ a little at random besides the best one
    gaps: bool = False  # an hour without posts may be listed when both neighbours have some
    reach_check: bool = True  # flat reach (views show no best hour) weighs the rate evenly


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


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown IANA timezone {name!r}") from exc


def _measure(use_rate: bool) -> Callable[[PostParts], float | None]:
    """What a fit reads from a post: its rate when fitting rates and it has one, else its total."""

    def value(part: PostParts) -> float | None:
        return part.rate if use_rate and part.rate is not None else part.total

    return value


def _observations(chosen: list[SocialPost], zone: ZoneInfo, parts: dict[str, PostParts],
                  value: Callable[[PostParts], float | None]) -> list[Observation]:
    observed = []
    for post in chosen:
        y = value(parts[post.postId])
        if y is None:
            continue
        local = post.createdAt.astimezone(zone)
        observed.append(Observation(local.weekday(), local.hour, parts[post.postId].account,
                              post.content_type, y))
    for observation, y in zip(observed, clipped([p.y for p in observed]), strict=True):
        observation.y = y
    return observed


def _prepared(posts: list[Observation], options: BestTimeOptions) -> list[Observation]:
    if options.formats:
        remove_group_effect(posts, lambda p: p.kind, FORMAT_PRIOR)
        if options.account_formats:
            remove_group_effect(posts, lambda p: (p.kind, p.account), ACCOUNT_FORMAT_PRIOR)
    if options.weekday:
        remove_group_effect(posts, lambda p: p.day, WEEKDAY_PRIOR)
    set_account_variances(posts, options.account_noise)
    return posts


def _rate_prior(chosen: list[SocialPost], zone: ZoneInfo, parts: dict[str, PostParts],
                options: BestTimeOptions) -> tuple[float, float]:
    """The rate's prior weight against interactions, and the views' own Bayes factor for a
    best hour (averaged over the hours posted at) that decided it."""
    viewed = [post for post in chosen if parts[post.postId].reach is not None]
    reach = _prepared(_observations(viewed, zone, parts, lambda part: part.reach), options)
    log_bf, _ = peak_evidence(reach, options.neighbours, options.background)
    evidence = math.exp(log_mean_exp(log_bf[sorted({post.hour for post in reach})]))
    return (RATE_PRIOR_FLAT_REACH if evidence < REACH_FLAT_BF else RATE_PRIOR), evidence


@dataclass
class _Weighing:
    """Both measures' fits and how they were weighed against each other.

    `fits[measure]` holds the fitted posts, each hour's log Bayes factor for "this is the
    best hour" and its peak lift; `evidence` is each measure's Bayes factor averaged over the
    hours posted at, and `leading` the measure whose posts the hour-level model then reads.
    """

    fits: dict[str, tuple[list[Observation], np.ndarray, np.ndarray]]
    log_priors: dict[str, float]
    evidence: dict[str, float]
    reach_bf: float | None
    leading: str

    @property
    def primary(self) -> list[Observation]:
        return self.fits[self.leading][0]

    def description(self) -> str:
        """How the measures were weighed, for the method text ("" with one measure)."""
        if len(self.fits) < 2:
            return ""
        reach_text = "" if self.reach_bf is None else (
            f"; views alone {self.reach_bf:.2g}, so "
            + ("weighed evenly" if self.reach_bf < REACH_FLAT_BF else "interactions first"))
        return (" (engagement per view and interactions / account median weighed by how "
                "clearly each shows a best hour: Bayes factors "
                + ", ".join(f"{m} {math.exp(e):.2g}" for m, e in self.evidence.items())
                + reach_text + ")")

    def peak_ranking(self, candidates: list[int]) -> tuple[np.ndarray, np.ndarray]:
        """Each hour's probability of being the best (zero off `candidates`) and its lift,
        under the one-peak model with both measures' evidence mixed by their priors."""
        stacked_bf = np.array([fit[1] for fit in self.fits.values()])
        prior = np.array([self.log_priors[m] for m in self.fits])[:, None]
        log_bf = np.logaddexp.reduce(stacked_bf + prior, axis=0)
        shares = np.exp(stacked_bf - stacked_bf.max(axis=0))
        lift = (shares * np.array([fit[2] for fit in self.fits.values()])).sum(
            axis=0) / shares.sum(axis=0)
        chosen_bf = log_bf[candidates]
        top = max(float(chosen_bf.max()), 0.0)
        odds = np.exp(chosen_bf - top) * (1 - NO_PEAK_PRIOR) / len(candidates)
        total = float(odds.sum()) + NO_PEAK_PRIOR * math.exp(-top)
        p_best = np.zeros(HOURS)
        p_best[candidates] = odds / total
        return p_best, lift


def _weigh_measures(chosen: list[SocialPost], zone: ZoneInfo, parts: dict[str, PostParts],
                    with_views: int, min_posts: int, options: BestTimeOptions) -> _Weighing:
    """Fit engagement per view and interactions (each where wanted and possible) and decide,
    from their evidence and the views' own, which one leads."""
    measures = {"rate": options.outcome != "interactions" and with_views >= min_posts,
                "interactions": options.outcome != "rate" or with_views < min_posts}
    fits: dict[str, tuple[list[Observation], np.ndarray, np.ndarray]] = {}
    for measure, wanted in measures.items():
        if not wanted:
            continue
        use_rate = measure == "rate"
        fit_posts = _prepared(_observations(chosen, zone, parts, _measure(use_rate)), options)
        fits[measure] = (fit_posts, *peak_evidence(fit_posts, options.neighbours,
                                                    options.background))
    rate_prior, reach_bf = RATE_PRIOR, None
    if len(fits) > 1 and options.reach_check:
        rate_prior, reach_bf = _rate_prior(chosen, zone, parts, options)
    log_priors = ({"rate": math.log(rate_prior), "interactions": math.log(1.0 - rate_prior)}
                  if len(fits) > 1 else dict.fromkeys(fits, 0.0))
    seen = sorted({post.hour for post in next(iter(fits.values()))[0]})
    evidence = {measure: log_mean_exp(fit[1][seen]) for measure, fit in fits.items()}
    leading = max(evidence, key=lambda m: evidence[m] + log_priors[m])
    return _Weighing(fits, log_priors, evidence, reach_bf, leading)


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


def _weekday_slots(primary: list[Observation], effect: np.ndarray, variance: np.ndarray,
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

    weighing = _weigh_measures(chosen, zone, parts, with_views, min_posts, options)
    primary = weighing.primary
    outcome = _outcome_text(weighing.leading == "rate", with_views, n)
    posterior, mu = hour_posterior(primary, options.neighbours)
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
        p_best, lift = weighing.peak_ranking(candidates)
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
        method=(f"slot = createdAt in {timezone}; outcome = {outcome}"
                f"{weighing.description()}; format (per account, pooled) and weekday "
                f"removed first; posts weighted by their account's noise; hours "
                f"ranked by the probability of being the best hour (one lifted hour and its "
                f"neighbours against a background level estimated from the other hours); "
                f"hour effects pooled by empirical Bayes, k={prior_posts:.1f} posts per hour "
                f"(neighbouring hours correlated over {posterior.length:g} h)"),
        outcome=outcome, posts_with_views=with_views,
    )
