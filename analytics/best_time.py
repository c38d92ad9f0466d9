"""When to post: which local hours (and weekday x hour slots) have done better than usual.

The design choices, and why:

* **Slot = publishing time in the user's zone.** "Post at 9" means 9 on the user's clock;
  bucketing by UTC hour would hand a New York user advice that is five hours off.
* **Outcome = log(interactions / account median).** Normalising within the account stops a big
  account's posts from winning by size; the log makes a "+30%" hour additive on top of
  whatever else varies and keeps one viral post from owning an hour.
* **Empirical-Bayes shrinkage.** With a few dozen posts spread over 24 hours, most hours hold
  one to three posts, and the hour with the highest raw mean is usually just the luckiest. Each
  hour's mean is pulled toward the user's overall mean with a prior strength k (in posts)
  estimated from the data: k = within-hour variance / between-hour variance (method of
  moments, with a floor on the latter so k stays finite). An hour needs about k posts before
  its own data outweighs the prior.
* **Neighbouring hours share evidence.** Audiences do not switch on and off at the top of the
  hour, so an hour borrows the posts of the hours either side (circularly, 23 -> 0) at a small
  weight. This is what makes 40-60 posts enough to find an hour.
* **Format is separated from time.** Each post's outcome is first adjusted for its format
  (text, image, video), so an hour is not credited for the formats the user posts at it.
* **Outliers are clipped** on the log scale at 2 robust standard deviations before anything
  else, so one viral post counts as a strong post rather than deciding its hour alone.
* **Weekday x hour slots** (168 bins) are far sparser; each is shrunk toward its own hour's
  estimate (which is itself shrunk toward the user's mean), so a slot says something only
  when its own posts disagree with its hour.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Iterable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, Field

from cloudstro.analytics.normalize import post_outcomes, unique_posts
from cloudstro.store.records import WEEKDAYS, SocialPost

HOURS = 24
# Weights of posts 0 and 1 hours away. Half weight for the neighbours: enough to fill a
# sparse hour, little enough that a sharp peak is still found at its own hour (wider kernels
# won on broad simulated peaks and lost badly on sharp ones).
KERNEL: tuple[float, ...] = (1.0, 0.5)
TAU2_FLOOR = 0.01  # between-slot variance floor (log scale): slots may differ by ~10%
SIGMA2_FLOOR = 0.01
MIN_SLOT_POSTS = 2  # a weekday x hour slot is recommended only with its own evidence
MAX_TOP_N = 10
FORMAT_PRIOR = 5.0  # posts of prior weight on "this format performs like the average"
CLIP = 2.0  # robust standard deviations at which log outcomes are clipped
_NORMAL = statistics.NormalDist()


class HourSlot(BaseModel):
    hour: int = Field(ge=0, le=23)
    label: str
    posts: int
    posts_nearby: int  # posts one hour either side, which also inform this hour
    expected_lift: float  # 0.23 = +23% interactions vs the user's typical post
    score: float  # posterior probability that this hour beats the typical post


class WeekSlot(BaseModel):
    dayOfWeek: str
    hour: int = Field(ge=0, le=23)
    label: str
    posts: int
    expected_lift: float
    score: float


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


class _Bin:
    __slots__ = ("count", "total", "values")

    def __init__(self) -> None:
        self.count = 0
        self.total = 0.0
        self.values: list[float] = []

    def add(self, value: float) -> None:
        self.count += 1
        self.total += value
        self.values.append(value)

    @property
    def mean(self) -> float:
        return self.total / self.count


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown IANA timezone {name!r}") from exc


def _within_variance(bins: Iterable[_Bin], fallback: float) -> float:
    """Pooled within-bin variance: the noise one post carries, whatever its slot."""
    squares, df = 0.0, 0
    for b in bins:
        if b.count:
            mean = b.mean
            squares += sum((v - mean) ** 2 for v in b.values)
            df += b.count - 1
    if df < 2:
        return max(fallback, SIGMA2_FLOOR)
    return max(squares / df, SIGMA2_FLOOR)


def _between_variance(bins: Iterable[_Bin], mu: float, sigma2: float, n: int) -> float:
    """Method-of-moments (one-way random effects) estimate of how much slots truly differ.

    E[sum n_j (mean_j - mu)^2] = (J - 1) sigma2 + (n - sum n_j^2 / n) tau2; the floor keeps
    the prior from claiming slots are identical just because this sample cannot tell.
    """
    filled = [b for b in bins if b.count]
    if len(filled) < 2:
        return TAU2_FLOOR
    between = sum(b.count * (b.mean - mu) ** 2 for b in filled)
    scale = n - sum(b.count**2 for b in filled) / n
    if scale <= 0:
        return TAU2_FLOOR
    return max((between - (len(filled) - 1) * sigma2) / scale, TAU2_FLOOR)


def _winsorized(observations: list[tuple[int, int, float]]) -> list[tuple[int, int, float]]:
    """Clip log outcomes at median +- CLIP robust standard deviations.

    A viral post is ten times its account's typical post: even on the log scale that is four
    noise-widths, enough for one lucky post to crown its hour. Clipping keeps its vote (it
    still counts as a strong post) without letting it outvote everything else in the hour.
    """
    ys = [y for _, _, y in observations]
    centre = statistics.median(ys)
    mad = statistics.median(abs(y - centre) for y in ys) * 1.4826
    if mad <= 0:
        return observations
    low, high = centre - CLIP * mad, centre + CLIP * mad
    return [(d, h, min(max(y, low), high)) for d, h, y in observations]


def _pooled(bins: list[_Bin], h: int, kernel: tuple[float, ...]) -> tuple[float, float]:
    """Kernel-weighted (count, total) around hour h, circular so 23:00 neighbours 00:00."""
    count = total = 0.0
    for offset, weight in enumerate(kernel):
        sides = {(h - offset) % HOURS, (h + offset) % HOURS}
        for hour in sides:
            count += weight * bins[hour].count
            total += weight * bins[hour].total
    return count, total


def _hour_estimates(
    bins: list[_Bin], mu: float, sigma2: float, k: float, kernel: tuple[float, ...]
) -> tuple[list[float], list[float]]:
    """Posterior mean and variance of each hour's log outcome (shrunk toward mu by k)."""
    theta, var = [mu] * HOURS, [0.0] * HOURS
    for h in range(HOURS):
        count, total = _pooled(bins, h, kernel)
        weight = count / (count + k)
        theta[h] = mu + weight * (total / count - mu) if count else mu
        var[h] = sigma2 / (count + k)
    return theta, var


def _without_format_effect(posts: list[SocialPost], logs: list[float]) -> list[float]:
    """Take out what the post's format (text, image, video) explains before asking about time.

    Formats differ in reach by as much as hours do; an hour where the user happened to post
    more videos would otherwise be credited with the videos' lift. Each format's mean
    deviation is shrunk toward zero (FORMAT_PRIOR posts of prior) so a format seen twice
    moves nothing much.
    """
    mean = statistics.fmean(logs)
    by_format: dict[str, list[float]] = defaultdict(list)
    for post, y in zip(posts, logs, strict=True):
        by_format[post.content_type].append(y)
    shift = {kind: len(ys) / (len(ys) + FORMAT_PRIOR) * (statistics.fmean(ys) - mean)
             for kind, ys in by_format.items()}
    return [y - shift[post.content_type] for post, y in zip(posts, logs, strict=True)]


def _lift(log_effect: float) -> float:
    return round(math.exp(log_effect) - 1.0, 3)


def _prob_above(effect: float, variance: float) -> float:
    if variance <= 0:
        return 1.0 if effect > 0 else 0.0
    return _NORMAL.cdf(effect / math.sqrt(variance))


def _span(posts: list[SocialPost]) -> str:
    if not posts:
        return "no posts"
    first = min(p.createdAt for p in posts).date().isoformat()
    last = max(p.createdAt for p in posts).date().isoformat()
    return f"posts created {first} to {last}"


def best_posting_times(
    posts: list[SocialPost],
    timezone: str,
    platform: str | None = None,
    top_n: int = 3,
    min_posts: int = 10,
) -> BestTimeResult:
    """Hours and weekday x hour slots whose posts beat the user's typical post.

    Below `min_posts` nothing is recommended: a handful of posts cannot separate an hour from
    luck, and a confident-sounding guess is worse than saying how much more data is needed.
    """
    zone = _zone(timezone)
    top_n = max(1, min(top_n, MAX_TOP_N))
    chosen = unique_posts(p for p in posts if platform is None or p.platform == platform)
    n = len(chosen)
    baseline = ("the user's typical post: geometric mean of interactions / account median "
                "over the posts analysed")
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
        )

    outcomes = post_outcomes(chosen)
    logs = _without_format_effect(chosen, [math.log(outcomes[p.postId]) for p in chosen])
    observations = _winsorized([
        (local.weekday(), local.hour, y)
        for post, y in zip(chosen, logs, strict=True)
        for local in (post.createdAt.astimezone(zone),)
    ])
    hour_bins = [_Bin() for _ in range(HOURS)]
    for _, hour, y in observations:
        hour_bins[hour].add(y)
    ys = [y for _, _, y in observations]
    mu = statistics.fmean(ys)
    sigma2 = _within_variance(hour_bins, statistics.pvariance(ys))
    tau2 = _between_variance(hour_bins, mu, sigma2, n)
    k_hour = sigma2 / tau2
    kernel = KERNEL
    theta, var = _hour_estimates(hour_bins, mu, sigma2, k_hour, kernel)

    def _eligible(h: int) -> bool:
        """Own posts, or posts on both sides within the kernel's reach (a gap in a strong
        stretch of the day is a fair guess; the edge of one is not)."""
        if hour_bins[h].count:
            return True
        span = range(1, len(kernel))
        return any(hour_bins[(h - d) % HOURS].count for d in span) and any(
            hour_bins[(h + d) % HOURS].count for d in span)

    ranked_hours = sorted(
        (h for h in range(HOURS) if theta[h] > mu and _eligible(h)),
        key=lambda h: (theta[h], hour_bins[h].count), reverse=True,
    )[:top_n]
    optimal_hours = [
        HourSlot(hour=h, label=f"{h:02d}:00", posts=hour_bins[h].count,
                 posts_nearby=hour_bins[(h - 1) % HOURS].count + hour_bins[(h + 1) % HOURS].count,
                 expected_lift=_lift(theta[h] - mu),
                 score=round(_prob_above(theta[h] - mu, var[h]), 3))
        for h in ranked_hours
    ]

    # Weekday x hour: residuals around the hour's estimate, shrunk with their own k.
    slot_bins: dict[tuple[int, int], _Bin] = defaultdict(_Bin)
    for day, hour, y in observations:
        slot_bins[(day, hour)].add(y - theta[hour])
    filled = list(slot_bins.values())
    spread = sum(b.count * b.mean**2 for b in filled) - len(filled) * sigma2
    tau2_slot = max(spread / n, TAU2_FLOOR)
    k_slot = sigma2 / tau2_slot
    slot_estimates: list[tuple[float, float, int, int, int]] = []
    for (day, hour), b in slot_bins.items():
        if b.count < MIN_SLOT_POSTS:
            continue
        prior_weight = k_slot / (b.count + k_slot)
        effect = theta[hour] - mu + (1 - prior_weight) * b.mean
        variance = sigma2 / (b.count + k_slot) + prior_weight**2 * var[hour]
        if effect > 0:
            slot_estimates.append((effect, variance, b.count, day, hour))
    slot_estimates.sort(key=lambda s: (s[0], s[2]), reverse=True)
    optimal_slots = [
        WeekSlot(dayOfWeek=WEEKDAYS[day], hour=hour, label=f"{WEEKDAYS[day]} {hour:02d}:00",
                 posts=count, expected_lift=_lift(effect),
                 score=round(_prob_above(effect, variance), 3))
        for effect, variance, count, day, hour in slot_estimates[:top_n]
    ]

    confidence = 0.0
    increase: float | None = None
    if ranked_hours:
        best = ranked_hours[0]
        # 2P - 1 maps "a coin flip" to 0; the sample-size factor keeps a clear effect seen in
        # a few posts from sounding certain.
        certainty = 2 * _prob_above(theta[best] - mu, var[best]) - 1
        evidence = sum(hour_bins[h].count for h in ranked_hours)
        confidence = round(max(0.0, certainty) * evidence / (evidence + 10), 2)
        increase = round(statistics.fmean(math.exp(theta[h] - mu) for h in ranked_hours) - 1, 3)

    if optimal_hours:
        message = (f"best hours in {timezone}: "
                   + ", ".join(f"{s.label} ({s.expected_lift:+.0%}, {s.posts} posts)"
                               for s in optimal_hours))
    else:
        message = "no hour stands out from the user's typical post yet"

    return BestTimeResult(
        timezone=timezone, platform=platform, period=_span(chosen), posts_analyzed=n,
        enough_data=True, posts_needed=0, message=message, baseline=baseline,
        optimal_hours=optimal_hours, optimal_slots=optimal_slots, confidence=confidence,
        expected_engagement_increase=increase,
        method=(f"slot = createdAt in {timezone}; outcome = interactions / account median "
                f"(log, +1 smoothed); empirical-Bayes shrinkage, k={k_hour:.1f} posts per hour "
                f"(neighbouring hours pooled at weight {kernel[1]:g}), "
                f"k={k_slot:.1f} per weekday x hour slot"),
    )
