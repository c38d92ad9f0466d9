"""Best time to post on hard, realistic data: CloudStro beside every simple method and a ceiling.

The demo generator plants a strong hour; real histories are harder. This generator hides one
best local hour per user with a modest lift (1.3x to 1.8x engagement per view), heavy
post-to-post noise (lognormal sigma 0.4 to 0.6, occasional viral posts, Poisson counts on
small accounts), reach that varies +-30% from post to post independently of the slot, the best
hour posted at least, uneven habits that differ per account, two to four accounts per user of
very different size (one in six does not report views), eight timezones, and a 16-week window
that spans the autumn DST changes (so a UTC hour is not one local hour).

Printed on the same users, in the same run (hidden hour among the top 3, by posts per user):

* CloudStro: `optimalTimes` of the insight `insights.build.timing_insight` writes (the
  builder `insights refresh` stores), with its confidence for the calibration check;
* hand: mean by local hour of each post's interactions per view over its account's median
  (interactions over the account median where an account reports no views);
* naive UTC: mean raw interactions by UTC hour;
* oracle, knows every draw: the posterior over the hidden hour given the generator's exact
  noise model and every nuisance value (account rates, formats, weekdays, background hours,
  the views of accounts that report none): above any ceiling a method could reach;
* oracle, knows the noise model: the same posterior for an oracle that knows the generator's
  model, its constants and the user's noise level but no other draw (the ceiling the goal is
  set against);
* the same oracle not told that the best hour lies in 07-22 (it weighs every hour posted at
  alike, as a method must), which measures what that piece of the generator is worth;
* the same oracle given CloudStro's own priors on the best hour (any hour posted at, the
  estimator's half-normal lift) instead of the generator's: it knows the noise model and
  nothing of the signal a product could not assume;
* ablations: CloudStro's estimator with one design choice switched off at a time.

Beside each oracle: how often CloudStro finds the hour where the oracle does, and the oracle's
lead with its paired standard error. Then how often each other oracle finds the hour where the
ceiling does: methods that differ only in what they are told agree on 96-99% of those users,
which is the scale the "95% where the oracle finds it" goal is read on.

    .venv/bin/python benchmarks/bench_best_time.py [--users 1200] [--seed 11] [--no-ablations]
    .venv/bin/python benchmarks/bench_best_time.py --knowledge  # each piece of the noise model
    .venv/bin/python benchmarks/bench_best_time.py --setting issue  # the issue's own data
    .venv/bin/python benchmarks/bench_best_time.py --signal  # what knowing the signal is worth
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import math
import random
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _harness import markdown_table  # noqa: E402

from cloudstro.analytics.best_time import BestTimeOptions, best_posting_times  # noqa: E402
from cloudstro.analytics.hour_model import LIFT_LOG_PRIOR, PEAK_LIFTS, clipped  # noqa: E402
from cloudstro.insights.build import timing_insight  # noqa: E402
from cloudstro.store.records import SocialPost  # noqa: E402

NOW = datetime(2026, 11, 25, tzinfo=UTC)
WINDOW_DAYS = 16 * 7
ZONES = ("America/New_York", "America/Los_Angeles", "Europe/London", "Europe/Berlin",
         "Asia/Tokyo", "Australia/Sydney", "Asia/Kolkata", "America/Sao_Paulo")
PLATFORMS = ("twitter", "instagram", "tiktok", "facebook", "rednote")
FORMATS = ("text", "image", "video")
FORMAT_REACH = {"text": 0.8, "image": 1.0, "video": 1.5}
FORMAT_RATE = {"text": 0.85, "image": 1.1, "video": 0.9}
VIRAL_LOW, VIRAL_HIGH = 3.0, 6.0
SIZE_BANDS = ((40, 59), (60, 89), (90, 10_000))
CONFIDENT = 0.8
REACH_LOG_VARIANCE = float(np.var(np.log(np.linspace(0.7, 1.3, 1001))))
VIRAL_CANDIDATE_Z, MAX_VIRAL_CANDIDATES = 1.5, 6
BEST_HOURS = range(7, 23)  # where the generator hides the best hour (posts also fall at 23)
CEILING = "oracle: knows the noise model"
SHOULDERS = (0.0, 0.25, 0.5)  # what a method that is not told the shoulder allows for


@dataclass(frozen=True)
class Setting:
    """How hard the data is: what the generator draws, and so what its oracles know."""

    lifts: tuple[float, ...]  # the best hour's lift, uniform on these (the oracles' grid)
    shoulders: tuple[float, ...]  # the share of the lift an hour either side gets
    sigmas: tuple[float, float]  # the user's lognormal rate noise, uniform in this range
    viral_p: float  # the chance a post goes viral (3x to 6x)
    views_missing_p: float  # the chance an account reports no views
    weekday_sd: float  # the spread of weekday levels
    background_sd: float  # the spread of the other hours' levels
    accounts: tuple[int, int]  # accounts per user
    posts: tuple[int, int]  # posts per user
    zones: tuple[str, ...]


SETTINGS = {
    # The benchmark's own: every difficulty the issue lists, and more that real data has.
    "hard": Setting(lifts=(1.3, 1.4, 1.5, 1.6, 1.7, 1.8), shoulders=SHOULDERS,
                    sigmas=(0.4, 0.6), viral_p=0.02, views_missing_p=1 / 6, weekday_sd=0.08,
                    background_sd=0.05, accounts=(2, 4), posts=(40, 130), zones=ZONES),
    # The data the best-time issue was measured on: one 1.6x hour and nothing else that
    # varies by slot but the weekday, sigma 0.5, no viral posts, views on every account, two
    # accounts, 40 to 120 posts, seven timezones.
    "issue": Setting(lifts=(1.6,), shoulders=(0.0,), sigmas=(0.5, 0.5), viral_p=0.0,
                     views_missing_p=0.0, weekday_sd=0.08, background_sd=0.0, accounts=(2, 2),
                     posts=(40, 120), zones=ZONES[:7]),
}


@dataclass
class Account:
    platform: str
    author: str
    followers: int
    views_per_follower: float
    base_rate: float
    reports_views: bool
    format_weights: tuple[float, float, float]
    hour_weights: list[float]


@dataclass
class TruePost:
    """What the oracle knows about a post besides its counts."""

    local_hour: int
    known_log_mean: float  # log expected interactions without the hidden hour's effect
    true_views: float


@dataclass
class HardUser:
    user_id: str
    zone: str
    best_hour: int
    lift: float
    shoulder: float
    sigma: float
    background: list[float]
    setting: Setting
    posts: list[SocialPost] = field(default_factory=list)
    truth: list[TruePost] = field(default_factory=list)


def hour_effects(best: int, lift: float, shoulder: float, background: list[float]) -> list[float]:
    """Log effect of each local hour: the peak, a shoulder an hour either side, background."""
    effects = list(background)
    effects[best] += math.log(lift)
    for side in (-1, 1):
        effects[(best + side) % 24] += shoulder * math.log(lift)
    return effects


def _habits(rng: random.Random, used: list[int], best: int) -> list[float]:
    """Uneven local posting habits: most posts at a handful of habitual hours (each account
    weighting them its own way), the best hour among them but the least used, and one post
    in ten at any waking hour."""
    weights = [0.1 / 17 if hour >= 7 else 0.0 for hour in range(24)]
    habitual = [rng.uniform(0.3, 1.5) for _ in used]
    scale = 0.9 / sum(habitual)
    for hour, weight in zip(used, habitual, strict=True):
        weights[hour] += weight * scale
    weights[best] = 0.5 * min(weights[hour] for hour in used if hour != best)
    return weights


def _local_moment(rng: random.Random, zone: ZoneInfo, hour: int) -> datetime:
    day = NOW.astimezone(zone).date() - timedelta(days=rng.randrange(1, WINDOW_DAYS))
    wall = datetime.combine(day, clock(hour, rng.randrange(60), rng.randrange(60)), zone)
    moment = wall.astimezone(UTC)
    if moment.astimezone(zone).hour != hour:  # a spring-forward gap: take the next day
        moment = datetime.combine(day + timedelta(days=1), clock(hour, 5), zone).astimezone(UTC)
    return moment


def _poisson(rng: random.Random, mean: float) -> int:
    if mean > 50:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    threshold, count, product = math.exp(-mean), 0, rng.random()
    while product > threshold:
        count += 1
        product *= rng.random()
    return count


def make_user(rng: random.Random, index: int, setting: Setting) -> HardUser:
    posts = rng.randint(*setting.posts)
    zone_name = setting.zones[index % len(setting.zones)]
    zone = ZoneInfo(zone_name)
    best = rng.choice(BEST_HOURS)
    user = HardUser(
        user_id=f"hard-{index:04d}", zone=zone_name, best_hour=best,
        lift=rng.uniform(min(setting.lifts), max(setting.lifts)),
        shoulder=rng.choice(setting.shoulders), sigma=rng.uniform(*setting.sigmas),
        background=[rng.gauss(0, setting.background_sd) for _ in range(24)], setting=setting)
    effects = hour_effects(best, user.lift, user.shoulder, user.background)
    weekday = [rng.gauss(0, setting.weekday_sd) for _ in range(7)]
    used = sorted({best, *rng.sample([h for h in BEST_HOURS if h != best],
                                     rng.randint(4, 8))})
    accounts = []
    for number, platform in enumerate(rng.sample(PLATFORMS, rng.randint(*setting.accounts))):
        accounts.append(Account(
            platform=platform, author=f"{user.user_id}-{number}",
            followers=round(math.exp(rng.uniform(math.log(1_000), math.log(1_000_000)))),
            views_per_follower=rng.uniform(0.2, 2.0), base_rate=rng.uniform(0.02, 0.08),
            reports_views=rng.random() >= setting.views_missing_p,
            format_weights=(rng.random(), rng.random(), rng.random()),
            hour_weights=_habits(rng, used, best)))
    shares = [rng.uniform(0.3, 1.0) for _ in accounts]
    for i in range(posts):
        account = rng.choices(accounts, weights=shares)[0]
        hour = rng.choices(range(24), weights=account.hour_weights)[0]
        created = _local_moment(rng, zone, hour)
        local = created.astimezone(zone)
        kind = rng.choices(FORMATS, weights=account.format_weights)[0]
        views = (account.followers * account.views_per_follower * FORMAT_REACH[kind]
                 * rng.uniform(0.7, 1.3))
        # What the oracle may know: everything but the hidden peak and the noise draws.
        known = account.base_rate * FORMAT_RATE[kind] * math.exp(
            weekday[local.weekday()] + user.background[local.hour])
        rate = account.base_rate * FORMAT_RATE[kind] * math.exp(
            weekday[local.weekday()] + effects[local.hour]) * rng.lognormvariate(0, user.sigma)
        if rng.random() < setting.viral_p:
            rate *= rng.uniform(VIRAL_LOW, VIRAL_HIGH)
        total = _poisson(rng, views * rate)
        comments = round(total * rng.uniform(0.03, 0.1))
        shares_count = round(total * rng.uniform(0.05, 0.2))
        media = None if kind == "text" else [
            {"type": "image" if kind == "image" else "video",
             "url": f"https://cdn.example.com/{user.user_id}/{i}"}]
        user.posts.append(SocialPost.model_validate({
            "userId": user.user_id, "id": f"{user.user_id}-{i:04d}",
            "platform": account.platform, "content": f"post {i}", "authorId": account.author,
            "authorName": account.author, "authorHandle": f"@{account.author}",
            "engagement": {"likes": total - comments - shares_count, "shares": shares_count,
                           "comments": comments,
                           "views": max(round(views), total) if account.reports_views
                           else None},
            "media": media, "createdAt": created, "fetchedAt": NOW, "isOwn": True}))
        user.truth.append(TruePost(local.hour, math.log(views * known), views))
    return user


# --------------------------------------------------------------------------- the methods


def top_three(means: dict[int, float]) -> list[int]:
    return sorted(means, key=means.__getitem__, reverse=True)[:3]


def hand_calculation(user: HardUser) -> list[int]:
    """Mean by local hour of rate per view / the account's median rate (or interactions /
    median interactions where the account reports no views)."""
    zone = ZoneInfo(user.zone)
    by_account: dict[str | None, list[SocialPost]] = defaultdict(list)
    for post in user.posts:
        by_account[post.authorId].append(post)
    by_hour: dict[int, list[float]] = defaultdict(list)
    for posts in by_account.values():
        with_views = all(post.engagement.views for post in posts)
        values: list[float] = []
        for post in posts:
            if with_views:
                assert post.engagement.views  # with_views: every post here has them
                values.append(post.engagement.interactions / post.engagement.views)
            else:
                values.append(float(post.engagement.interactions))
        median = statistics.median(values) or 1.0
        for post, value in zip(posts, values, strict=True):
            by_hour[post.createdAt.astimezone(zone).hour].append(value / median)
    return top_three({hour: statistics.fmean(v) for hour, v in by_hour.items()})


def naive_utc(user: HardUser) -> list[int]:
    by_hour: dict[int, list[int]] = defaultdict(list)
    for post in user.posts:
        by_hour[post.createdAt.hour].append(post.engagement.interactions)
    return top_three({hour: statistics.fmean(v) for hour, v in by_hour.items()})


def oracle(user: HardUser) -> list[int]:
    """Posterior of the hidden hour under the generator's model, every nuisance value known.

    Counts are Poisson around views x rate with lognormal rate noise (and the viral mixture);
    the likelihood of log((k + 0.5) / known mean) is taken as normal with the lognormal
    variance plus the Poisson one, mixed with the viral component. The prior is the
    generator's: hour uniform on 07-22, lift and shoulder on their grids; like every method,
    it names only hours the user has posted at.
    """
    counts = np.array([post.engagement.interactions for post in user.posts], dtype=float)
    known = np.array([t.known_log_mean for t in user.truth])
    hours = np.array([t.local_hour for t in user.truth])
    observed = np.log(counts + 0.5) - known
    viral_mean = statistics.fmean(math.log(v) for v in np.linspace(VIRAL_LOW, VIRAL_HIGH, 50))
    viral_var = statistics.pvariance([math.log(v) for v in np.linspace(VIRAL_LOW, VIRAL_HIGH, 50)])
    setting = user.setting
    posterior: dict[int, float] = {}
    for best in sorted(set(hours.tolist()) & set(BEST_HOURS)):
        distance = np.minimum(np.abs(hours - best), 24 - np.abs(hours - best))
        terms = []
        for lift in setting.lifts:
            for shoulder in setting.shoulders:
                effect = np.where(distance == 0, 1.0, np.where(distance == 1, shoulder, 0.0))
                mean = effect * math.log(lift)
                expected = np.exp(known + mean)
                variance = user.sigma**2 + 1.0 / (expected + 0.5)
                normal = _log_normal_pdf(observed, mean, variance)
                viral = _log_normal_pdf(observed, mean + viral_mean, variance + viral_var)
                mixed = (np.logaddexp(normal + math.log(1 - setting.viral_p),
                                      viral + math.log(setting.viral_p))
                         if setting.viral_p else normal)
                terms.append(float(mixed.sum()))
        posterior[best] = float(np.logaddexp.reduce(terms))
    return top_three(posterior)


@dataclass(frozen=True)
class Knowledge:
    """What the noise-model oracle is told of the generator; each False withholds one piece
    and puts in its place what a method has to do without it."""

    where: bool = True  # the best hour lies in BEST_HOURS (else: any hour posted at)
    lift: bool = True  # the setting's lifts (else: CloudStro's lift prior)
    shoulders: bool = True  # the setting's shoulders (else: any of SHOULDERS, equally likely)
    sigma: bool = True  # the user's noise level (else: estimated from the residuals)
    formats: bool = True  # the format constants (else: random format levels, sd FORMAT_SD)
    level_sds: bool = True  # the weekday and hour spreads (else: WIDE_LEVEL_SDS, guessed wide)
    viral: bool = True  # the viral mixture (else: none, outcomes clipped as CloudStro clips)


FORMAT_SD = 0.3
WIDE_LEVEL_SDS = (0.15, 0.10)
CLOUDSTRO_PRIORS = Knowledge(where=False, lift=False, shoulders=False)


def noise_model_oracle(user: HardUser, knows: Knowledge = Knowledge()) -> list[int]:
    """The posterior of the hidden hour for an oracle that knows the generator's model but
    not its draws: the ceiling the goal is set against.

    It knows the user's noise level (sigma), the format constants, the viral mixture and the
    spread of weekday (sd 0.08) and other-hour (sd 0.05) levels. It does not know any
    account's rate or audience, any weekday's or other hour's level, or the views of an
    account that reports none. On the log scale each post's outcome is its account's level (a
    flat prior, integrated out) plus Gaussian weekday and hour levels plus the hidden peak
    plus noise, so for a fixed set of viral posts the marginal likelihood of every (hour,
    lift, shoulder) is exact. Virality is summed over every subset of the posts that could be
    viral (more than 1.5 noise sds above their account's level, at most six).

    `knows` withholds pieces one at a time. Without `where` and `lift` the oracle knows the
    noise model and nothing of the signal that a product could not assume (CLOUDSTRO_PRIORS);
    withholding the noise model's pieces too measures what each is worth to a method that
    must estimate it (`--knowledge`).
    """
    zone = ZoneInfo(user.zone)
    posts = user.posts
    accounts = sorted({post.authorId for post in posts if post.authorId is not None})
    with_views = {author: all(p.engagement.views for p in posts if p.authorId == author)
                  for author in accounts}
    y = np.empty(len(posts))
    noise = np.empty(len(posts))  # before the rate noise, which is added once sigma is known
    a = np.zeros((len(posts), len(accounts)))
    w = np.zeros((len(posts), 7))
    b = np.zeros((len(posts), 24))
    f = np.zeros((len(posts), len(FORMATS)))
    hours = np.empty(len(posts), dtype=int)
    for i, post in enumerate(posts):
        assert post.authorId is not None  # so no post was left out of `accounts`
        kind = ("text" if not post.media else
                "image" if post.media[0].type == "image" else "video")
        rate, reach = ((FORMAT_RATE[kind], FORMAT_REACH[kind]) if knows.formats else (1.0, 1.0))
        local = post.createdAt.astimezone(zone)
        count = post.engagement.interactions + 0.5
        noise[i] = 1.0 / count  # Poisson counting
        if with_views[post.authorId]:
            assert post.engagement.views  # its account reports views on every post
            y[i] = math.log(count / post.engagement.views) - math.log(rate)
        else:
            y[i] = math.log(count) - math.log(rate * reach)
            noise[i] += REACH_LOG_VARIANCE  # the views it never reported varied +-30%
        a[i, accounts.index(post.authorId)] = 1.0
        w[i, local.weekday()] = 1.0
        b[i, local.hour] = 1.0
        f[i, FORMATS.index(kind)] = 1.0
        hours[i] = local.hour
    if not knows.viral:
        y = _clipped_within_accounts(y, a)
    noise += user.sigma**2 if knows.sigma else _residual_variance(y, noise, a)
    setting = user.setting
    weekday_sd, hour_sd = ((setting.weekday_sd, setting.background_sd) if knows.level_sds
                           else WIDE_LEVEL_SDS)
    shared = weekday_sd**2 * (w @ w.T) + hour_sd**2 * (b @ b.T)
    if not knows.formats:
        shared += FORMAT_SD**2 * (f @ f.T)
    viral_logs = np.log(np.linspace(VIRAL_LOW, VIRAL_HIGH, 50))
    viral_mean, viral_var = float(viral_logs.mean()), float(viral_logs.var())
    viral_p = setting.viral_p if knows.viral else 0.0

    candidates = _viral_candidates(y, noise, a) if viral_p else []
    if knows.lift:
        lifts, lift_log_prior = [math.log(v) for v in setting.lifts], np.zeros(len(setting.lifts))
    else:
        lifts, lift_log_prior = [float(v) for v in PEAK_LIFTS], LIFT_LOG_PRIOR
    shoulders = setting.shoulders if knows.shoulders else SHOULDERS
    posted = set(hours.tolist())  # only they are named, so only they are hypotheses
    best_hours = [h for h in (BEST_HOURS if knows.where else range(24)) if h in posted]
    means, keys = _peak_means(hours, best_hours, lifts, shoulders)
    column_prior = np.tile(np.repeat(lift_log_prior, len(shoulders)), len(best_hours))
    by_hour: dict[int, list[float]] = defaultdict(list)
    for size in range(len(candidates) + 1):
        for subset in itertools.combinations(candidates, size):
            chosen = list(subset)
            variances = noise.copy()
            variances[chosen] += viral_var
            shifted = y.copy()
            shifted[chosen] -= viral_mean
            quadratic, log_det = _restricted_gaussian(shifted, means, variances, shared, a)
            prior = ((size * math.log(viral_p) if size else 0.0)
                     + (len(y) - size) * math.log(1 - viral_p))
            log_terms = prior - 0.5 * (log_det + quadratic) + column_prior
            for (best, _lift, _shoulder), term in zip(keys, log_terms, strict=True):
                by_hour[best].append(float(term))
    return top_three({best: float(np.logaddexp.reduce(terms))
                      for best, terms in by_hour.items()})


def _clipped_within_accounts(y: np.ndarray, a: np.ndarray) -> np.ndarray:
    """Outcomes clipped as CloudStro clips them: around each account's median, at
    CLIP robust sds of all the posts' deviations."""
    medians = np.array([np.median(y[column == 1]) for column in a.T])
    level = a @ medians
    return level + np.array(clipped(list(y - level)))


def _residual_variance(y: np.ndarray, counting: np.ndarray, a: np.ndarray) -> float:
    """The rate noise a method would estimate: the variance around each account's mean
    (degrees of freedom corrected) less the counting noise the counts already explain."""
    levels = (a.T @ y) / a.sum(axis=0)
    spread = float(((y - a @ levels) ** 2).sum()) / max(len(y) - a.shape[1], 1)
    return max(spread - float(counting.mean()), 0.01)


def _viral_candidates(y: np.ndarray, noise: np.ndarray, a: np.ndarray) -> list[int]:
    """Posts far enough above their account's weighted mean that virality is plausible."""
    weights = 1.0 / noise
    levels = (a.T @ (weights * y)) / (a.T @ weights)
    z = (y - a @ levels) / np.sqrt(noise)
    order = [int(i) for i in np.argsort(-z) if z[i] > VIRAL_CANDIDATE_Z]
    return order[:MAX_VIRAL_CANDIDATES]


def _peak_means(hours: np.ndarray, best_hours: list[int], log_lifts: list[float],
                shoulders: tuple[float, ...]
                ) -> tuple[np.ndarray, list[tuple[int, float, float]]]:
    """Each hypothesis's mean log effect per post (columns), and its (hour, log lift,
    shoulder); hours outermost, then lifts, then shoulders."""
    keys = [(best, lift, shoulder) for best in best_hours for lift in log_lifts
            for shoulder in shoulders]
    means = np.empty((len(hours), len(keys)))
    for column, (best, lift, shoulder) in enumerate(keys):
        distance = np.minimum(np.abs(hours - best), 24 - np.abs(hours - best))
        effect = np.where(distance == 0, 1.0, np.where(distance == 1, shoulder, 0.0))
        means[:, column] = effect * lift
    return means, keys


def _restricted_gaussian(y: np.ndarray, means: np.ndarray, variances: np.ndarray,
                         shared: np.ndarray, a: np.ndarray) -> tuple[np.ndarray, float]:
    """For y ~ N(A alpha + mean, diag(variances) + shared) with a flat prior on alpha: each
    column's quadratic form (y - mean)' P (y - mean), and the log-determinant term that
    depends on the covariance (log|Sigma| + log|A' Sigma^-1 A|)."""
    sigma = shared + np.diag(variances)
    factor = np.linalg.cholesky(sigma)
    solve = np.linalg.solve
    whitened_a = solve(factor, a)
    gram = whitened_a.T @ whitened_a
    residuals = solve(factor, y[:, None] - means)
    projected = whitened_a.T @ residuals
    quadratic = (residuals**2).sum(axis=0) - (projected * solve(gram, projected)).sum(axis=0)
    log_det = 2 * float(np.log(np.diag(factor)).sum()) + float(np.linalg.slogdet(gram)[1])
    return quadratic, log_det


def _log_normal_pdf(x: np.ndarray, mean: np.ndarray | float, variance: np.ndarray | float
                    ) -> np.ndarray:
    return -0.5 * (np.log(2 * math.pi * variance) + (x - mean) ** 2 / variance)


def cloudstro(user: HardUser) -> tuple[list[int], float]:
    insight = timing_insight(user.user_id, user.posts, user.zone, None, NOW)
    return [int(label[:2]) for label in insight.data["optimalTimes"]], insight.confidence


def variant(options: BestTimeOptions) -> Callable[[HardUser], list[int]]:
    def run(user: HardUser) -> list[int]:
        result = best_posting_times(user.posts, user.zone, options=options)
        return [slot.hour for slot in result.optimal_hours]
    return run


ABLATIONS: dict[str, BestTimeOptions] = {
    "outcome: interactions / median only": BestTimeOptions(outcome="interactions"),
    "outcome: rate per view only": BestTimeOptions(outcome="rate"),
    "no neighbouring hours": BestTimeOptions(neighbours=False),
    "no background level between hours": BestTimeOptions(background=False),
    "no weekday level": BestTimeOptions(weekday=False),
    "no format adjustment": BestTimeOptions(formats=False),
    "one format level for all accounts": BestTimeOptions(account_formats=False),
    "one flat shrinkage (no per-account noise)": BestTimeOptions(account_noise=False),
    "rank by posterior mean only (no peak model)": BestTimeOptions(rank="mean"),
    "rank by P(best) under the GP (no peak model)": BestTimeOptions(rank="probability"),
    "hours without own posts (between posted ones) listed too": BestTimeOptions(gaps=True),
    "no reach check (interactions always weighed first)": BestTimeOptions(reach_check=False),
}


# --------------------------------------------------------------------------- the report


def paired_gap(first: list[bool], second: list[bool]) -> tuple[float, float]:
    """Hit-rate difference of two methods on the same users, and its standard error.

    Users both methods find (or both miss) say nothing about which is better, so the error
    comes from the users only one finds; it is far smaller than that of two separate rates,
    which is what makes a gap of a few points on a few hundred users readable at all.
    """
    count = len(first)
    only_first = sum(a and not b for a, b in zip(first, second, strict=True))
    only_second = sum(b and not a for a, b in zip(first, second, strict=True))
    gap = (only_first - only_second) / count
    variance = (only_first + only_second) / count - gap**2
    return gap, math.sqrt(max(variance, 0.0) / count)


WITHHELD: dict[str, Knowledge] = {
    "knows the noise model, CloudStro's priors on the best hour": CLOUDSTRO_PRIORS,
    "... sigma estimated from the residuals":
        dataclasses.replace(CLOUDSTRO_PRIORS, sigma=False),
    f"... format levels unknown (random, sd {FORMAT_SD})":
        dataclasses.replace(CLOUDSTRO_PRIORS, formats=False),
    f"... weekday and hour spreads guessed wide {WIDE_LEVEL_SDS}":
        dataclasses.replace(CLOUDSTRO_PRIORS, level_sds=False),
    "... no viral mixture, outcomes clipped":
        dataclasses.replace(CLOUDSTRO_PRIORS, viral=False),
    "... all four withheld": dataclasses.replace(CLOUDSTRO_PRIORS, sigma=False, formats=False,
                                                 level_sds=False, viral=False),
}
# What the ceiling knows of the signal, withheld piece by piece down to CloudStro's priors.
SIGNAL: dict[str, Knowledge] = {
    "knows the noise model and the signal (the ceiling)": Knowledge(),
    "... not where the best hour lies": Knowledge(where=False),
    "... nor the lift (CloudStro's lift prior)": Knowledge(where=False, lift=False),
    "... the lift, not the shoulder (any of 0, 0.25, 0.5)":
        Knowledge(where=False, shoulders=False),
    "... neither (CloudStro's priors on the best hour)": CLOUDSTRO_PRIORS,
}


def knowledge_report(users: list[HardUser], variants: dict[str, Knowledge]) -> None:
    """What each piece of knowledge is worth: the first oracle of `variants`, then the others,
    each withholding pieces and putting in their place what a method would have to do."""
    ceiling = [user.best_hour in noise_model_oracle(user) for user in users]
    engine = [user.best_hour in cloudstro(user)[0] for user in users]
    print(f"CloudStro: {statistics.fmean(engine):.1%} of {len(users)} users, "
          f"{_share_where(engine, ceiling):.1%} where the ceiling finds the hour "
          f"({statistics.fmean(ceiling):.1%})\n")
    rows = []
    full: list[bool] = []
    for name, knows in variants.items():
        started = time.perf_counter()
        found = [user.best_hour in noise_model_oracle(user, knows) for user in users]
        full = full or found
        lead, lead_error = paired_gap(found, engine)
        loss, loss_error = paired_gap(full, found)
        rows.append([name, f"{statistics.fmean(found):.1%}",
                     f"{lead:+.1%} ({lead_error:.1%})", f"{loss:+.1%} ({loss_error:.1%})",
                     f"{_share_where(found, ceiling):.1%}",
                     f"{(time.perf_counter() - started) / len(users) * 1000:.0f}"])
    print(markdown_table(["oracle", "found", "lead over CloudStro (se)",
                          "loss against the first (se)", "where the ceiling finds it",
                          "ms/user"], rows))


def _share_where(found: list[bool], reference: list[bool]) -> float:
    """How often `found` holds on the users where `reference` does."""
    return statistics.fmean(f for f, r in zip(found, reference, strict=True) if r)


def band(posts: int) -> str:
    for low, high in SIZE_BANDS:
        if low <= posts <= high:
            return f"{low}+" if high > 1000 else f"{low}-{high}"
    return "other"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=1200)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--setting", choices=sorted(SETTINGS), default="hard",
                        help="hard: this benchmark's generator; issue: the data the best-time "
                             "issue was measured on (one 1.6x hour, sigma 0.5, two accounts)")
    parser.add_argument("--no-ablations", action="store_true")
    parser.add_argument("--only", default="", help="run only ablations containing this text")
    parser.add_argument("--knowledge", action="store_true",
                        help="instead of the comparison: what each piece of the noise model "
                             "is worth to the oracle (about 20 min at 1,200 users)")
    parser.add_argument("--signal", action="store_true",
                        help="instead of the comparison: what the ceiling's knowledge of the "
                             "signal (where, how large, how wide the best hour is) is worth")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    started = time.perf_counter()
    users = [make_user(rng, i, SETTINGS[args.setting]) for i in range(args.users)]
    print(f"generated {len(users)} {args.setting} users, {sum(len(u.posts) for u in users)} posts, "
          f"{len({u.zone for u in users})} timezones in {time.perf_counter() - started:.1f}s")
    if args.knowledge or args.signal:
        knowledge_report(users, WITHHELD if args.knowledge else SIGNAL)
        return

    methods: dict[str, Callable[[HardUser], list[int]]] = {
        "hand (rate / account median)": hand_calculation, "naive UTC": naive_utc,
        "oracle: knows every draw": oracle,
        CEILING: noise_model_oracle,
        "oracle: knows the noise model, not where the best hour lies":
            lambda user: noise_model_oracle(user, Knowledge(where=False)),
        "oracle: knows the noise model, only CloudStro's priors on the best hour":
            lambda user: noise_model_oracle(user, CLOUDSTRO_PRIORS),
    }
    if not args.no_ablations:
        methods.update({f"ablation: {name}": variant(o) for name, o in ABLATIONS.items()
                        if args.only in name})
    hits: dict[str, dict[str, list[bool]]] = defaultdict(lambda: defaultdict(list))
    confident = confident_right = 0
    oracle_hits: dict[str, list[bool]] = defaultdict(list)
    engine_hits: list[bool] = []
    seconds: dict[str, float] = defaultdict(float)
    for user in users:
        size = band(len(user.posts))
        started = time.perf_counter()
        hours, confidence = cloudstro(user)
        seconds["CloudStro"] += time.perf_counter() - started
        right = user.best_hour in hours
        hits["CloudStro"][size].append(right)
        engine_hits.append(right)
        if confidence >= CONFIDENT:
            confident += 1
            confident_right += right
        for name, method in methods.items():
            started = time.perf_counter()
            hit = user.best_hour in method(user)
            seconds[name] += time.perf_counter() - started
            hits[name][size].append(hit)
            if name.startswith("oracle"):
                oracle_hits[name].append(hit)

    bands = [band(low) for low, _ in SIZE_BANDS]
    rows = []
    for name in ("CloudStro", *methods):
        cells = [f"{statistics.fmean(hits[name][b]):.0%}" if hits[name][b] else "-"
                 for b in bands]
        everyone = [h for b in bands for h in hits[name][b]]
        rows.append([name, *cells, f"{statistics.fmean(everyone):.0%}",
                     f"{seconds[name] / len(users) * 1000:.1f}"])
    counts = [len(hits["CloudStro"][b]) for b in bands]
    print(f"\nhidden best local hour among the top 3 (users per band: "
          f"{', '.join(f'{b}: {c}' for b, c in zip(bands, counts, strict=True))})\n")
    print(markdown_table(["method", *[f"{b} posts" for b in bands], "all", "ms/user"], rows))
    print()
    for name, found in oracle_hits.items():
        gap, error = paired_gap(found, engine_hits)
        print(f"where the {name} finds the hour ({sum(found)} users): CloudStro finds it "
              f"for {_share_where(engine_hits, found):.0%}; the {name} leads by {gap:+.1%} "
              f"(paired standard error {error:.1%})")
    # How high "finds it where the ceiling does" can go for a method as good as the ceiling in
    # all but what it is told: the bar the 95% goal is read against.
    ceiling = oracle_hits[CEILING]
    for name, found in oracle_hits.items():
        if name != CEILING:
            print(f"where the {CEILING} finds the hour, the {name} finds it for "
                  f"{_share_where(found, ceiling):.1%}")
    share = confident_right / confident if confident else float("nan")
    print(f"calibration: confidence >= {CONFIDENT}: {confident_right}/{confident} right "
          f"({share:.0%})")


if __name__ == "__main__":
    main()
