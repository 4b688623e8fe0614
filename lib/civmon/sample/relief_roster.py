"""The low-income roster of the sample: household spells, their monthly payments and the standards.

Model (all parameters are module constants, written to the truth file):
- Standards: 低保 1080 yuan/person/month until the rise on RISE_DATE to 1154; 特困 standard and
  低保边缘 threshold are 1.5 x 低保 (1620 -> 1731).
- Assistance is the gap: 低保 (standard - income) x persons; 低保边缘 half of (threshold - income)
  x persons; 特困 the full 特困 standard. Payments are monthly (due on the 10th), from the first
  due date after entry to the month before exit.
- Spells: households enter every month (Poisson), stay for a Weibull proportional-hazards duration
  with planted hazard ratios for labour capacity and employment support, and leave with a reason.
  Spells begun before 2021 are kept when still open on 2021-01-01 (left truncation).
- The rise makes households with income between the old and new lines eligible: a batch enters in
  the two months after the rise (`marginal`, small gaps). The rise came with a coverage drive
  (应保尽保) that adds an extra monthly inflow of ordinary households afterwards. Both are `induced`:
  the causal effect of the rise on the caseload (a level and a slope change); the rise also lifts
  every payment (spending level) and the extra inflow bends spending upwards (spending slope).
- Calibration: the roster is thinned at random (the same rate for everyone) so that exactly the
  target number of low-income households is on the roster on 2023-06-30; household sizes and
  incomes are adjusted so the persons and the 2023-H1 funds hit the summary to the cent.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from civmon.sample.base import SAMPLE_END
from civmon.sample.calibrate import integers_to_sum, oversample
from civmon.sample.places import assign_places, month_index, month_starts, random_days_in_months

CATEGORIES = ("dibao", "dibian", "tekun")
DIBAO_STANDARDS = (("2019-07-01", 1010.0), ("2020-07-01", 1080.0), ("2023-04-01", 1154.0))
RISE_DATE = pd.Timestamp("2023-04-01")
UPPER_RATIO = 1.5  # 特困 standard and 低保边缘 threshold, as a multiple of the 低保 standard
DIBIAN_GAP_SHARE = 0.5

HAZARD_RATIOS = {"labour_capacity": 1.8, "employment_support": 1.5}
WEIBULL_SHAPE = 0.8
BASELINE_SCALE_YEARS = 16.0  # Weibull scale for households without labour capacity or support
P_LABOUR = 0.35
P_SUPPORT = {True: 0.55, False: 0.08}  # employment support, by labour capacity
DIBIAN_SHARE = 0.14
PERSON_PROBS = (0.65, 0.24, 0.08, 0.022, 0.008)  # 1..5 persons: mean about 1.5
INFLOW_PER_MONTH = 23.5  # low-income households entering per month at scale 1 (before thinning)
INFLOW_TREND = 0.0  # relative growth of the inflow per month within the sample window
PAST_START_MONTH = -12 * 25  # spells can start from 1996
INDUCED_BATCH = 125  # households made eligible by the rise, entering within two months of it
INDUCED_MONTHLY = 8.0  # extra entries per month after the rise (coverage drive)

TEKUN_STOCK = 690  # 特困 persons on the roster at 2021-01 (scale 1)
TEKUN_INFLOW = 5.0
TEKUN_EXIT_RATE = 0.085  # per year (mostly deaths)

TARGET_HOUSEHOLDS = 3115
TARGET_PERSONS = 4675
TARGET_FUNDS_CENTS = 2_327_210_000  # 2327.21万 yuan
TARGET_DATE = pd.Timestamp("2023-06-30")
TARGET_MONTHS = range(24, 30)  # 2023-01 .. 2023-06 as months since 2021-01

N_MONTHS = 36
LATE_SHARE = 0.03  # payments made after the due date
UNPAID_SHARE = 0.001  # payments never made (no paid date)
EXIT_REASONS = ("employment", "income_rise", "death", "moved", "other")
EXIT_REASON_PROBS = {
    "support": (0.55, 0.25, 0.06, 0.08, 0.06),
    "labour": (0.35, 0.35, 0.10, 0.10, 0.10),
    "none": (0.02, 0.33, 0.45, 0.08, 0.12),
    "tekun": (0.0, 0.0, 0.85, 0.08, 0.07),
}


def standards_table() -> pd.DataFrame:
    """relief_standards: 低保 standard, 低保边缘 threshold and 特困 standard by effective date."""
    rows = []
    for eff, dibao in DIBAO_STANDARDS:
        upper = round(dibao * UPPER_RATIO)
        rows += [("dibao", eff, dibao), ("dibian", eff, float(upper)), ("tekun", eff, float(upper))]
    df = pd.DataFrame(rows, columns=["category", "effective_date", "standard"])
    df["effective_date"] = pd.to_datetime(df["effective_date"])
    return df.sort_values(["category", "effective_date"], ignore_index=True)


def monthly_standards_cents(standards: pd.DataFrame, category: str) -> np.ndarray:
    """The standard in force on the first day of each sample month, in cents (36 values)."""
    s = standards[standards["category"] == category].sort_values("effective_date")
    starts = month_starts(np.arange(N_MONTHS))
    pos = np.searchsorted(s["effective_date"].to_numpy(), starts.to_numpy(), side="right") - 1
    return np.round(s["standard"].to_numpy()[pos] * 100).astype(np.int64)


def _durations_days(rng, labour, support) -> np.ndarray:
    """Weibull proportional-hazards spell lengths in days with the planted hazard ratios."""
    lin = (np.log(HAZARD_RATIOS["labour_capacity"]) * labour
           + np.log(HAZARD_RATIOS["employment_support"]) * support)
    e = rng.exponential(1.0, len(labour))
    years = BASELINE_SCALE_YEARS * (e / np.exp(lin)) ** (1.0 / WEIBULL_SHAPE)
    return np.floor(np.minimum(years, 80.0) * 365.25).astype(np.int64) + 1


def _inflow_months(rng, scale: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Entry months (months since 2021-01): baseline, the rise's batch, the coverage drive."""
    over = oversample(scale)  # simulate slightly more, then thin at random to hit the target exactly
    months = np.arange(PAST_START_MONTH, N_MONTHS)
    lam = INFLOW_PER_MONTH * over * scale * np.where(months >= 0, 1 + INFLOW_TREND * months, 1.0)
    base = np.repeat(months, rng.poisson(lam))
    rise = month_index([RISE_DATE])[0]
    batch = rise + (rng.random(int(round(INDUCED_BATCH * over * scale))) < 0.4).astype(np.int64)
    after = np.arange(rise, N_MONTHS)
    extra = np.repeat(after, rng.poisson(INDUCED_MONTHLY * over * scale, len(after)))
    return base, batch, extra


def simulate_lowincome(rng: np.random.Generator, areas: pd.DataFrame, scale: float) -> pd.DataFrame:
    """Low-income (低保 and 低保边缘) household spells before calibration."""
    base, batch, extra = _inflow_months(rng, scale)
    entry_m = np.concatenate([base, batch, extra])
    is_induced = np.r_[np.zeros(len(base), bool), np.ones(len(batch) + len(extra), bool)]
    marginal = np.r_[np.zeros(len(base), bool), np.ones(len(batch), bool), np.zeros(len(extra), bool)]
    n = len(entry_m)
    labour = rng.random(n) < P_LABOUR
    support = rng.random(n) < np.where(labour, P_SUPPORT[True], P_SUPPORT[False])
    entry = random_days_in_months(rng, entry_m)
    # induced households can only have been approved on or after the rise
    entry = pd.DatetimeIndex(np.where(is_induced & (entry < RISE_DATE), RISE_DATE, entry))
    exit_ = entry + pd.to_timedelta(_durations_days(rng, labour, support), unit="D")
    keep = exit_ > pd.Timestamp("2021-01-01")
    df = pd.DataFrame({
        "entry_date": entry[keep], "exit_date": censor(exit_[keep]), "labour_capacity": labour[keep],
        "employment_support": support[keep], "induced": is_induced[keep], "marginal": marginal[keep],
    })
    n = len(df)
    df["category"] = np.where(rng.random(n) < DIBIAN_SHARE, "dibian", "dibao")
    df["persons"] = rng.choice(np.arange(1, 6), n, p=PERSON_PROBS)
    df["township_code"], df["village_code"] = assign_places(areas, rng, n, rural_weight=1.6)
    return df


def simulate_tekun(rng: np.random.Generator, areas: pd.DataFrame, scale: float) -> pd.DataFrame:
    """特困 persons: a stock at 2021-01 plus monthly entries; exits mostly by death."""
    stock_n = int(round(TEKUN_STOCK * scale))
    entry_stock = pd.Timestamp("2021-01-01") - pd.to_timedelta(rng.integers(30, 365 * 15, stock_n), unit="D")
    months = np.arange(N_MONTHS)
    entry_new = random_days_in_months(rng, np.repeat(months, rng.poisson(TEKUN_INFLOW * scale, N_MONTHS)))
    entry = entry_stock.append(entry_new)
    dur = np.floor(rng.exponential(365.25 / TEKUN_EXIT_RATE, len(entry))).astype(np.int64) + 1
    # the stock is observed from 2021-01-01: its remaining time is exponential (memoryless)
    start = np.maximum(entry.to_numpy(), np.datetime64("2021-01-01"))
    exit_ = pd.DatetimeIndex(start + dur.astype("timedelta64[D]"))
    n = len(entry)
    df = pd.DataFrame({"entry_date": entry, "exit_date": censor(exit_), "labour_capacity": False,
                       "employment_support": False, "induced": False, "marginal": False,
                       "category": "tekun", "persons": 1})
    df["township_code"], df["village_code"] = assign_places(areas, rng, n, rural_weight=1.6)
    return df


def censor(exit_dates: pd.DatetimeIndex) -> pd.DatetimeIndex:
    """Exits after the end of the sample are not yet known: right-censor them (NaT)."""
    return pd.DatetimeIndex(exit_dates).where(pd.DatetimeIndex(exit_dates) <= SAMPLE_END)


def on_roster(df: pd.DataFrame, when: pd.Timestamp) -> np.ndarray:
    """Spells on the roster at the end of day `when`: entered on or before, not yet exited."""
    return ((df["entry_date"] <= when) & (df["exit_date"].isna() | (df["exit_date"] > when))).to_numpy()


def thin_to_target(df: pd.DataFrame, target: int, rng: np.random.Generator) -> pd.DataFrame:
    """Drop a uniform random share of spells so exactly `target` are on the roster on TARGET_DATE."""
    active = on_roster(df, TARGET_DATE)
    n_active = int(active.sum())
    if n_active < target:
        raise ValueError(f"simulated roster too small to calibrate: {n_active} < {target}")
    q = (n_active - target) / n_active
    drop_active = rng.choice(np.flatnonzero(active), n_active - target, replace=False)
    inactive = np.flatnonzero(~active)
    drop_inactive = rng.choice(inactive, int(round(q * len(inactive))), replace=False)
    keep = np.ones(len(df), bool)
    keep[np.r_[drop_active, drop_inactive]] = False
    return df[keep].reset_index(drop=True)


def assign_incomes(rng: np.random.Generator, df: pd.DataFrame, standards: pd.DataFrame) -> np.ndarray:
    """Assessed monthly income per person (cents) consistent with each household's category."""
    n = len(df)
    dibao = monthly_standards_cents(standards, "dibao")
    old, new = int(dibao[0]), int(dibao[-1])
    old_up, new_up = round(old * UPPER_RATIO), round(new * UPPER_RATIO)
    cat, marginal = df["category"].to_numpy(), df["marginal"].to_numpy()
    # 低保: 30 percent without income, the rest well below the line; 低保边缘: between the two lines;
    # households made eligible by the rise: between the old and the new line (all in cents)
    inc = np.where(rng.random(n) < 0.3, 0.0, old * 0.95 * rng.beta(1.6, 4.0, n))
    inc = np.where(cat == "dibian", old * rng.uniform(1.0, 1.48, n), inc)
    inc = np.where(marginal & (cat == "dibao"), rng.uniform(old, new - 100, n), inc)
    inc = np.where(marginal & (cat == "dibian"), rng.uniform(old_up, new_up - 100, n), inc)
    inc = np.where(cat == "tekun", 0.0, inc)
    return np.round(inc).astype(np.int64)


def payment_rows(df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(household row index, month index) of every monthly payment.

    Payments are due on the 10th and go out up to 3 days early: a household is paid from its entry
    month if it entered by the 6th, else from the next month, up to the month before its exit (very
    short spells get none).
    """
    entry = pd.DatetimeIndex(df["entry_date"])
    first_m = month_index(entry) + (entry.day > 6).astype(np.int64)
    exit_m = np.where(df["exit_date"].isna(), N_MONTHS, month_index(df["exit_date"].fillna(SAMPLE_END)))
    last = np.minimum(exit_m - 1, N_MONTHS - 1)
    first = np.maximum(first_m, 0)
    count = np.clip(last - first + 1, 0, None)
    hh = np.repeat(np.arange(len(df)), count)
    offsets = np.arange(len(hh)) - np.repeat(np.cumsum(count) - count, count)
    return hh, np.repeat(first, count) + offsets


def amounts_cents(cat, inc, persons, month, standards: pd.DataFrame, counterfactual=False) -> np.ndarray:
    """Monthly assistance in cents for payment rows; counterfactual=True keeps pre-rise standards."""
    std = {c: monthly_standards_cents(standards, c) for c in ("dibao", "dibian", "tekun")}
    if counterfactual:
        m = np.minimum(month, month_index([RISE_DATE])[0] - 1)
    else:
        m = month
    return np.select(
        [cat == "dibao", cat == "dibian"],
        [(std["dibao"][m] - inc) * persons, (std["dibian"][m] - inc) * persons // 2],
        std["tekun"][m] * persons)


def calibrate_funds(df: pd.DataFrame, inc: np.ndarray, hh: np.ndarray, month: np.ndarray,
                    standards: pd.DataFrame, target_cents: int) -> np.ndarray:
    """Rescale 低保 incomes (non-induced, non-zero) so 2023-H1 low-income payments hit the target.

    A single one-person household then absorbs the rounding residual (to within 3 cents).
    """
    cat = df["category"].to_numpy()
    persons = df["persons"].to_numpy(dtype=np.int64)
    scalable = (cat == "dibao") & ~df["marginal"].to_numpy() & (inc > 0)
    cap = int(monthly_standards_cents(standards, "dibao")[0] * 0.98)
    in_h1 = np.isin(month, TARGET_MONTHS) & np.isin(cat[hh], ("dibao", "dibian"))

    def total(x):
        return int(amounts_cents(cat[hh[in_h1]], x[hh[in_h1]], persons[hh[in_h1]], month[in_h1], standards).sum())

    for _ in range(4):
        rows = in_h1 & scalable[hh]
        b = int((inc[hh[rows]] * persons[hh[rows]]).sum())
        s = 1.0 + (total(inc) - target_cents) / b
        inc = np.where(scalable, np.minimum(np.round(inc * s), cap), inc).astype(np.int64)
    months_in_h1 = np.bincount(hh[in_h1], minlength=len(df))
    fine = np.flatnonzero(scalable & (persons == 1) & (months_in_h1 == len(TARGET_MONTHS)) & (inc > 20000))
    if len(fine) == 0:
        raise ValueError("no household to absorb the funds residual")
    h = fine[0]
    inc[h] += int(round((total(inc) - target_cents) / len(TARGET_MONTHS)))
    return inc


def exit_reasons(rng: np.random.Generator, df: pd.DataFrame) -> np.ndarray:
    """Exit reason of each closed spell, by household type."""
    kind = np.select([df["category"].to_numpy() == "tekun", df["employment_support"].to_numpy(),
                      df["labour_capacity"].to_numpy()], ["tekun", "support", "labour"], "none")
    out = np.full(len(df), None, dtype=object)
    u = rng.random(len(df))
    for k, probs in EXIT_REASON_PROBS.items():
        sel = kind == k
        out[sel] = np.asarray(EXIT_REASONS, dtype=object)[np.searchsorted(np.cumsum(probs), u[sel] * 0.999999)]
    out[df["exit_date"].isna().to_numpy()] = None
    return out


def payment_dates(rng: np.random.Generator, month: np.ndarray) -> tuple[pd.DatetimeIndex, np.ndarray]:
    """Due date (the 10th) and paid date: mostly 0-3 days early, about 3 percent late, a few unpaid."""
    due = month_starts(np.arange(N_MONTHS)) + pd.Timedelta(days=9)
    due_rows = due.to_numpy()[month]
    n = len(month)
    shift = -rng.integers(0, 4, n)
    late = rng.random(n) < LATE_SHARE
    shift = np.where(late, rng.integers(1, 21, n), shift)
    paid = due_rows + shift.astype("timedelta64[D]")
    paid = np.where(rng.random(n) < UNPAID_SHARE, np.datetime64("NaT"), paid)
    return pd.DatetimeIndex(due_rows), paid.astype("datetime64[ns]")
