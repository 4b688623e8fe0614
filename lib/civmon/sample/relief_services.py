"""Event-type relief data of the sample: temporary relief, one-stop cases, 助联体 needs.

Each is generated half-year by half-year: 2023-H1 hits the summary's figures exactly, the other
half-years follow a trend with noise (TREND gives their level relative to 2023-H1).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from civmon.sample.base import SAMPLE_END, prefixed_ids
from civmon.sample.calibrate import cents_to_total, integers_to_sum
from civmon.sample.people import IdAllocator, make_people
from civmon.sample.places import assign_places, township_codes

HALVES = tuple(pd.Timestamp(f"{y}-{m:02d}-01") for y in (2021, 2022, 2023) for m in (1, 7))
REFERENCE_HALF = 4  # 2023-H1
# level of each half-year relative to 2023-H1, before noise
TREND = {
    "temp_relief": (0.80, 0.92, 0.86, 1.02, 1.0, 1.08),
    "one_stop": (0.70, 0.78, 0.83, 0.92, 1.0, 1.05),
    "alliance": (0.0, 0.45, 0.62, 0.80, 1.0, 1.10),  # the 助联体 started collecting in 2021-07
}

TEMP_TARGET = {"households": 127, "person_times": 246, "funds_cents": 90_950_000}
TEMP_REPEAT_SHARE = 0.18  # extra events per household within a half-year
TEMP_REASONS = (("illness", "accident", "disaster", "education", "other"), (0.46, 0.16, 0.05, 0.14, 0.19))
TEMP_ON_ROSTER_SHARE = 0.4  # applicants who are members of a roster household

ONE_STOP_TARGET = {"person_times": 30620, "funds_cents": 1_480_860_000}
ONE_STOP_CHANNELS = ("minimum_living", "temporary", "medical", "education", "housing", "employment", "other")
ONE_STOP_CASE_SHARE = (0.22, 0.06, 0.45, 0.08, 0.04, 0.08, 0.07)
ONE_STOP_PERSONS_MEAN = (2.5, 0.9, 3.4, 0.4, 0.6, 0.3, 0.5)  # extra persons per case (Poisson)
ONE_STOP_AMOUNT_LOG_MEAN = (7.0, 7.9, 5.6, 7.2, 8.6, 6.2, 6.0)  # log yuan per case

ALLIANCE_TARGET = {"collected": 138, "resolved": 72}
ALLIANCE_TYPES = (("living", "medical", "education", "employment", "care", "psychological", "other"),
                  (0.30, 0.22, 0.10, 0.12, 0.14, 0.05, 0.07))
ALLIANCE_RESOLVE_DAYS = 70.0  # mean days to resolution
ALLIANCE_NEVER_RESOLVED = 0.15


def _half_days(rng, half: int, n: int) -> pd.DatetimeIndex:
    start = HALVES[half]
    end = start + pd.DateOffset(months=6)
    days = (end - start).days
    return pd.DatetimeIndex(start + pd.to_timedelta(rng.integers(0, days, n), unit="D"))


def _level(rng, key: str, half: int, value: float, scale: float) -> int:
    if half == REFERENCE_HALF:
        return int(round(value * scale))
    return int(round(value * scale * TREND[key][half] * (1 + 0.06 * rng.standard_normal())))


def temp_relief(rng: np.random.Generator, areas: pd.DataFrame, ids: IdAllocator,
                members: pd.DataFrame, scale: float) -> pd.DataFrame:
    """Temporary-relief events: lognormal amounts in hundreds of yuan, 500 to 20,000 per event."""
    heads = members[members["relation"] == "户主"]
    n_pool = int(sum(_level(rng, "temp_relief", h, TEMP_TARGET["households"], scale) for h in range(6)) * 0.8)
    pool = make_people(rng, ids, n_pool, "adult")
    pool["township_code"], _ = assign_places(areas, rng, n_pool, rural_weight=1.3)
    frames = []
    for h in range(6):
        n_hh = _level(rng, "temp_relief", h, TEMP_TARGET["households"], scale)
        n_roster = int(round(n_hh * TEMP_ON_ROSTER_SHARE))
        a = heads.iloc[rng.choice(len(heads), n_roster, replace=False)]
        b = pool.iloc[rng.choice(len(pool), n_hh - n_roster, replace=False)]
        app = pd.concat([a[["id_number", "name", "township_code"]], b[["id_number", "name", "township_code"]]],
                        ignore_index=True)
        n_ev = n_hh + int(round(n_hh * TEMP_REPEAT_SHARE))
        who = np.r_[np.arange(n_hh), rng.choice(n_hh, n_ev - n_hh)]
        persons = 1 + np.minimum(rng.poisson(0.65, n_ev), 6)
        amount = np.exp(rng.normal(np.log(4200), 0.75, n_ev)) * persons ** 0.4
        if h == REFERENCE_HALF:
            persons = integers_to_sum(persons, int(round(TEMP_TARGET["person_times"] * scale)), rng, lo=1, hi=8)
            total = int(round(TEMP_TARGET["funds_cents"] * scale / 10000)) * 10000
        else:
            total = _level(rng, "temp_relief", h, TEMP_TARGET["funds_cents"] / 10000, scale) * 10000
        cents = cents_to_total(np.clip(amount, 500, 20000) * 100, total, rng, unit=10000, lo=50000, hi=2_000_000)
        reason = rng.choice(TEMP_REASONS[0], n_ev, p=TEMP_REASONS[1])
        frames.append(pd.DataFrame({
            "applicant_id_number": app["id_number"].to_numpy()[who],
            "applicant_name": app["name"].to_numpy()[who],
            "township_code": app["township_code"].to_numpy()[who],
            "date": _half_days(rng, h, n_ev), "persons": persons, "amount": cents / 100.0, "reason": reason,
        }))
    df = pd.concat(frames, ignore_index=True).sort_values(["date", "applicant_id_number"], ignore_index=True)
    df.insert(0, "event_id", [f"LS{d.year}{i + 1:06d}" for i, d in enumerate(df["date"])])
    return df


def one_stop_cases(rng: np.random.Generator, areas: pd.DataFrame, scale: float) -> pd.DataFrame:
    """One-stop relief cases by channel; persons and amounts calibrated for 2023-H1."""
    frames = []
    mean_persons = 1 + np.dot(ONE_STOP_CASE_SHARE, ONE_STOP_PERSONS_MEAN)
    for h in range(6):
        pt = _level(rng, "one_stop", h, ONE_STOP_TARGET["person_times"], scale)
        n = int(round(pt / mean_persons))
        ch = rng.choice(len(ONE_STOP_CHANNELS), n, p=ONE_STOP_CASE_SHARE)
        persons = 1 + rng.poisson(np.asarray(ONE_STOP_PERSONS_MEAN)[ch])
        persons = integers_to_sum(persons, pt, rng, lo=1, hi=60)
        raw = np.exp(rng.normal(np.asarray(ONE_STOP_AMOUNT_LOG_MEAN)[ch], 0.9)) * persons ** 0.5
        funds = _level(rng, "one_stop", h, ONE_STOP_TARGET["funds_cents"], scale)
        cents = cents_to_total(raw * 100, funds, rng, unit=1, lo=100)
        tw, _ = assign_places(areas, rng, n, rural_weight=1.2)
        frames.append((tw.codes, _half_days(rng, h, n).to_numpy(), ch, persons, cents))
    tw_code, date, ch, persons, cents = (np.concatenate([f[i] for f in frames]) for i in range(5))
    order = np.lexsort((tw_code, date))  # by date, then township (stable)
    towns = township_codes(areas)
    df = pd.DataFrame({
        "case_id": prefixed_ids("YZS", np.arange(1, len(order) + 1), 8),
        "township_code": pd.Categorical.from_codes(tw_code[order], categories=towns),
        "date": date[order],
        "channel": pd.Categorical.from_codes(ch[order], categories=ONE_STOP_CHANNELS),
        "persons": persons[order], "amount": cents[order] / 100.0,
    })
    return df


def alliance_needs(rng: np.random.Generator, areas: pd.DataFrame, scale: float) -> pd.DataFrame:
    """助联体 needs: collected, then resolved after a lag or never; 2023-H1 counts calibrated."""
    frames = []
    for h in range(6):
        n = _level(rng, "alliance", h, ALLIANCE_TARGET["collected"], scale)
        if n <= 0:
            continue
        collected = _half_days(rng, h, n)
        lag = pd.to_timedelta(np.floor(rng.exponential(ALLIANCE_RESOLVE_DAYS, n)).astype(np.int64) + 1, unit="D")
        resolved = pd.Series(collected + lag).where(rng.random(n) >= ALLIANCE_NEVER_RESOLVED)
        if h == REFERENCE_HALF:
            resolved = _calibrate_resolved(rng, collected, resolved, int(round(ALLIANCE_TARGET["resolved"] * scale)))
        frames.append(pd.DataFrame({
            "township_code": rng.choice(township_codes(areas), n),
            "need_type": rng.choice(ALLIANCE_TYPES[0], n, p=ALLIANCE_TYPES[1]),
            "collected_date": collected, "resolved_date": resolved.where(resolved <= SAMPLE_END).to_numpy(),
        }))
    df = pd.concat(frames, ignore_index=True).sort_values(["collected_date", "township_code"], kind="stable",
                                                          ignore_index=True)
    df.insert(0, "need_id", [f"ZLT{i + 1:05d}" for i in range(len(df))])
    return df


def _calibrate_resolved(rng, collected: pd.DatetimeIndex, resolved: pd.Series, target: int) -> pd.Series:
    """Move a few resolution dates across the half-year's end so exactly `target` fall within it."""
    end = HALVES[REFERENCE_HALF] + pd.DateOffset(months=6) - pd.Timedelta(days=1)
    resolved = resolved.copy()
    done = (resolved <= end).to_numpy()
    k = int(done.sum()) - target
    if k > 0:
        pick = rng.choice(np.flatnonzero(done), k, replace=False)
        resolved.iloc[pick] = end + pd.to_timedelta(rng.integers(3, 60, k), unit="D")
    elif k < 0:
        pick = rng.choice(np.flatnonzero(~done), -k, replace=False)
        span = (end - collected[pick]).days.to_numpy()
        resolved.iloc[pick] = collected[pick] + pd.to_timedelta(np.floor(rng.random(-k) * (span + 1)), unit="D")
    return resolved
