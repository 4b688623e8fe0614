"""Eldercare programme of the synthetic sample: care centres, upgrades, services, satisfaction,
institutions and their safety inspections, dementia-care beds, carers and meal coverage.

Calibration (2023H1, district): 200 centres open at 2023-06-30, 15 institutions inspected, a
service total of about 105,000 person-times ("10万余"), 100 dementia-care beds opened in 2023,
149 carers certified, meal service in 92.5% of villages and communities, 25 upgrade plans.

Planted effect (truth["upgrade_effects"]): centre upgrades complete in staggered monthly cohorts
(an earlier 2021-22 wave and the seed's 2023 wave). From the completion month on (event time
e = 0, 1, ...), the expected monthly service person-times rise by a + b * min(e, cap) and the
expected centre-month mean satisfaction score by a' + b' * min(e, cap'), with (a, b) differing by
cohort. Outcomes are additive: centre effect + month effect (trend and seasonality) + effect +
noise, so pre-trends are flat and never-upgraded centres are valid controls.

Scale k multiplies centres (and their upgrade cohorts), institutions and carers; villages,
communities and meal coverage follow the fixed geography. Calibration holds at scale 1.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from civmon.sample.base import MONTHS, SAMPLE_END, SampleParts, canonical, uniform_dates
from civmon.sample.people import IdAllocator, make_people

REF_END = pd.Timestamp("2023-06-30")
AREA_STANDARD_M2_PER_100_HH = 20.0  # [E] the 2023 area rule was not found; a parameter
CENTRES_OPEN_AT_REF = 200
CENTRES_OPENED_2021_2023H1 = 12
CENTRES_OPENED_2023H2 = 5
SERVICE_TARGET_H1 = 105_000  # expected 2023H1 service total, the seed's "10万余"
INSTITUTIONS = 32
INSPECTED_2023H1 = 15
DEMENTIA_BEDS_BY_YEAR = {2021: 60, 2022: 80, 2023: 100}
CARERS = 1150
CERTIFIED_2023H1 = 149
MEAL_NEVER, MEAL_2023H2 = 15, 8  # villages/communities without meal service; opened in 2023H2
UPGRADES_PLANNED_2023 = 25

# Satisfaction responses: with probability SURVEY_NOISE_Q a response is drawn from SURVEY_NOISE_P
# (mean 3.2) whatever the centre; otherwise it is the centre-month's latent score m randomly
# rounded to one of its two neighbouring integers (mean exactly m). The expected score is thus
# q * 3.2 + (1 - q) * m, linear in m, so an effect d on m moves the expected score by (1 - q) * d.
SURVEY_NOISE_Q = 0.08
SURVEY_NOISE_P = np.array([0.10, 0.15, 0.35, 0.25, 0.15])

# Upgrade cohorts: completion month, wave (plan year), centres at scale 1,
# service effect (a, b, cap) in person-times per month, satisfaction effect (a, b, cap) in score points.
COHORTS: tuple[tuple[str, int, int, tuple[float, float, int], tuple[float, float, int]], ...] = (
    ("2021-06", 2021, 6, (10.0, 1.8, 24), (0.13, 0.019, 20)),
    ("2021-10", 2021, 6, (8.0, 1.2, 24), (0.10, 0.013, 20)),
    ("2022-02", 2021, 5, (4.0, 0.3, 24), (0.05, 0.003, 20)),
    ("2022-06", 2021, 5, (3.0, 0.25, 24), (0.03, 0.003, 20)),
    ("2023-08", 2023, 6, (8.0, 1.0, 24), (0.13, 0.03, 20)),
    ("2023-10", 2023, 6, (8.0, 1.0, 24), (0.13, 0.03, 20)),
    ("2023-12", 2023, 4, (8.0, 1.0, 24), (0.13, 0.03, 20)),
)
UPGRADES_2023_IN_WORKS = 5  # started in 2023H2, not completed by 2023-12

_FINDING_TYPES = ("fire", "electrical", "food", "building", "management", "other")
_FINDING_P = (0.30, 0.22, 0.12, 0.10, 0.20, 0.06)
_INST_SUFFIX = ("颐养院", "敬老院", "康养中心", "养老院", "福利院", "护理院", "老年公寓", "颐乐园")


def _ts(s: str) -> pd.Timestamp:
    return pd.Timestamp(s)



def _month_index(dates) -> np.ndarray:
    """Months since 2021-01 (0 .. 35 inside the sample) of dates."""
    d = pd.DatetimeIndex(dates)
    return ((d.year - 2021) * 12 + d.month - 1).to_numpy()


def _n(x: float, scale: float, lo: int = 1) -> int:
    return max(lo, int(round(x * scale)))


def effect(params: tuple[float, float, int], e) -> np.ndarray:
    """Planted effect at event time(s) e >= 0: a + b * min(e, cap)."""
    a, b, cap = params
    return a + b * np.minimum(np.asarray(e, dtype=float), cap)


# --- centres ------------------------------------------------------------------------------------

def _centres(areas: pd.DataFrame, rng: np.random.Generator, scale: float) -> pd.DataFrame:
    """Township centres (>= 1,500 m2), village centres (200-600 m2), community centres; old urban
    neighbourhood centres are small for the households they serve."""
    towns = areas[areas.level == "township"].reset_index(drop=True)
    vill = areas[areas.level == "village"].reset_index(drop=True)
    comm = areas[areas.level == "community"].reset_index(drop=True)
    n_ref = _n(CENTRES_OPEN_AT_REF, scale, 30)
    n_late = _n(CENTRES_OPENED_2023H2, scale)
    n_total = n_ref + n_late
    n_town = len(towns)
    n_other = n_total - n_town
    n_comm = int(round(n_other * 0.33))
    n_vill = n_other - n_comm

    def pick(frame, n):
        idx = np.concatenate([rng.permutation(len(frame)) for _ in range(n // len(frame) + 1)])[:n]
        return frame.iloc[idx].reset_index(drop=True)

    # township centres sit in the township's first community (or first village)
    seat = (areas[areas.level != "township"].groupby("parent_code", sort=False).head(1)
            .set_index("parent_code")["area_code"])
    t = pd.DataFrame({"kind": "township", "township_code": towns.area_code,
                      "village_code": towns.area_code.map(seat).to_numpy(),
                      "urban_rural": towns.urban_rural, "name": towns.area_name + "居家养老服务中心"})
    c = pick(comm, n_comm)
    c = pd.DataFrame({"kind": "community", "township_code": c.parent_code, "village_code": c.area_code,
                      "urban_rural": "urban", "name": c.area_name + "居家养老服务照料中心"})
    v = pick(vill, n_vill)
    v = pd.DataFrame({"kind": "village", "township_code": v.parent_code, "village_code": v.area_code,
                      "urban_rural": "rural", "name": v.area_name + "居家养老服务照料中心"})
    df = pd.concat([t, c, v], ignore_index=True)
    n = len(df)
    kind = df["kind"].to_numpy()
    jiedao = df.township_code.map(areas.set_index("area_code").area_name).str.endswith("街道").to_numpy()
    old = (kind == "community") & jiedao & (rng.random(n) < 0.6)

    area = np.where(kind == "township", rng.uniform(1500, 3000, n),
           np.where(kind == "village", rng.uniform(200, 600, n),
           np.where(old, rng.uniform(120, 380, n), rng.uniform(350, 900, n))))
    # households served per m2: old neighbourhood centres serve far more than the rule allows
    density = np.where(kind == "township", rng.uniform(2.0, 4.5, n),
              np.where(old, rng.uniform(4.0, 12.0, n), rng.uniform(2.0, 5.6, n)))
    households = np.round(area * density).astype(int)
    star = np.where(kind == "township", rng.integers(4, 6, n),
           np.where(old, rng.integers(1, 4, n), rng.integers(2, 5, n)))

    # opening dates: township centres first; a few open during 2021..2023H1 and in 2023H2
    opened = np.where(kind == "township", uniform_dates(rng, "2012-01-01", "2016-12-31", n),
                      uniform_dates(rng, "2013-01-01", "2019-12-31", n))
    other = np.flatnonzero(kind != "township")
    chosen = rng.choice(other, n_late + _n(CENTRES_OPENED_2021_2023H1, scale), replace=False)
    opened[chosen[:n_late]] = uniform_dates(rng, "2023-07-01", "2023-12-15", n_late)
    opened[chosen[n_late:]] = uniform_dates(rng, "2021-01-01", "2023-06-15", len(chosen) - n_late)

    df["centre_id"] = [f"ZL{i + 1:05d}" for i in range(n)]
    dup = df.groupby("name").cumcount().to_numpy()
    df["centre_name"] = np.where(dup > 0, df["name"] + (dup + 1).astype(str) + "号点", df["name"])
    df["old_neighbourhood"] = old
    df["floor_area_m2"] = np.round(area, 1)
    df["households_served"] = households
    df["star_level"] = star
    df["opened_date"] = opened
    return df


def _upgrades(centres: pd.DataFrame, rng: np.random.Generator, scale: float) -> pd.DataFrame:
    """Two upgrade waves: 2021 plans completing 2021-06..2022-06, the seed's 25 plans of 2023H1
    completing 2023-08..2023-12 or still in works. Old-neighbourhood centres are favoured."""
    pool = centres[(centres.kind != "township") & (centres.opened_date < _ts("2020-01-01"))]
    weight = np.where(pool.old_neighbourhood, 4.0, 1.0)
    sizes = [_n(c[2], scale) for c in COHORTS]
    n_works = _n(UPGRADES_2023_IN_WORKS, scale)
    n_2023 = _n(UPGRADES_PLANNED_2023, scale)
    n_not_started = max(0, n_2023 - n_works - sum(s for s, c in zip(sizes, COHORTS) if c[1] == 2023))
    n_all = sum(sizes) + n_works + n_not_started
    ids = rng.choice(pool.centre_id.to_numpy(), n_all, replace=False, p=weight / weight.sum())
    rows = []
    k = 0
    for (label, wave, _, _, _), size in zip(COHORTS, sizes):
        done_month = _ts(label + "-01")
        completed = uniform_dates(rng, done_month, done_month + pd.offsets.MonthEnd(0), size)
        if wave == 2021:
            started = completed - pd.to_timedelta(rng.integers(60, 150, size), unit="D").to_numpy()
            planned = np.minimum(uniform_dates(rng, "2021-01-05", "2021-03-31", size),
                                 started - np.timedelta64(14, "D"))
        else:
            lo = {"2023-08": "2023-04-10", "2023-10": "2023-07-01", "2023-12": "2023-08-01"}[label]
            hi = {"2023-08": "2023-06-20", "2023-10": "2023-08-15", "2023-12": "2023-09-20"}[label]
            started = uniform_dates(rng, lo, hi, size)
            planned = np.minimum(uniform_dates(rng, "2023-01-05", "2023-06-28", size),
                                 started - np.timedelta64(14, "D"))
        rows.append(pd.DataFrame({"centre_id": ids[k:k + size], "planned_date": planned,
                                  "started_date": started, "completed_date": completed, "cohort": label}))
        k += size
    started = uniform_dates(rng, "2023-09-01", "2023-11-30", n_works)
    rows.append(pd.DataFrame({"centre_id": ids[k:k + n_works],
                              "planned_date": uniform_dates(rng, "2023-01-05", "2023-06-28", n_works),
                              "started_date": started, "completed_date": pd.NaT, "cohort": None}))
    k += n_works
    rows.append(pd.DataFrame({"centre_id": ids[k:k + n_not_started],
                              "planned_date": uniform_dates(rng, "2023-01-05", "2023-06-28", n_not_started),
                              "started_date": pd.NaT, "completed_date": pd.NaT, "cohort": None}))
    up = pd.concat(rows, ignore_index=True)
    up["township_code"] = up.centre_id.map(centres.set_index("centre_id").township_code)
    up["budget"] = np.round(rng.uniform(300_000, 800_000, len(up)), -2)
    return up


# --- monthly services and satisfaction ----------------------------------------------------------

def _panel(centres: pd.DataFrame, upgrades: pd.DataFrame) -> pd.DataFrame:
    """One row per centre and month the centre served (from the month after opening)."""
    first = np.maximum(_month_index(centres.opened_date) + 1, 0)
    first = np.where(centres.opened_date < MONTHS[0], 0, first)
    n_months = np.clip(len(MONTHS) - first, 0, None)
    ci = np.repeat(np.arange(len(centres)), n_months)
    starts = np.repeat(np.cumsum(n_months) - n_months, n_months)
    t = first[ci] + np.arange(len(ci)) - starts
    p = pd.DataFrame({"ci": ci, "t": t})
    p["centre_id"] = centres.centre_id.to_numpy()[ci]
    g = centres.centre_id.map(upgrades.dropna(subset=["completed_date"]).set_index("centre_id").cohort)
    p["cohort"] = g.to_numpy()[ci]
    g_t = pd.Series(p["cohort"]).map({c[0]: _month_index([_ts(c[0] + "-01")])[0] for c in COHORTS})
    p["e"] = (p["t"] - g_t).to_numpy()  # NaN for never-upgraded centres
    return p


def _cohort_effects(p: pd.DataFrame, which: int) -> np.ndarray:
    """Planted effect on each panel row (0 before completion and for never-upgraded centres)."""
    out = np.zeros(len(p))
    for c in COHORTS:
        m = (p["cohort"].to_numpy() == c[0]) & (p["e"].to_numpy() >= 0)
        out[m] = effect(c[which], p["e"].to_numpy()[m])
    return out


def _month_effects(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Common month effects: trend + seasonality (+ small shocks) for services and satisfaction."""
    t = np.arange(len(MONTHS))
    season = np.array([-3, -9, 0, 1, 1, 0, -3, -4, 1, 4, 1, 2], float)  # Spring Festival dip, 重阳 peak
    serv = 0.4 * (t - 17.5) + season[MONTHS.month - 1] + rng.normal(0, 1.5, len(t))
    sat = 0.002 * (t - 17.5) + np.clip(rng.normal(0, 0.015, len(t)), -0.03, 0.03)
    return serv, sat


def _services(centres, panel, rng, month_serv) -> tuple[pd.DataFrame, np.ndarray]:
    """Monthly service person-times and meal users; the level is set so that the expected 2023H1
    district total is SERVICE_TARGET_H1."""
    n = len(centres)
    base = (25 + 0.05 * centres.floor_area_m2.to_numpy() + 0.006 * centres.households_served.to_numpy()
            + np.where(centres.urban_rural.to_numpy() == "urban", 10, 0)) * np.exp(rng.normal(0, 0.2, n))
    tau = _cohort_effects(panel, 3)
    ci, t = panel["ci"].to_numpy(), panel["t"].to_numpy()
    h1 = (t >= 24) & (t <= 29)
    scale_base = (SERVICE_TARGET_H1 * n / 205 - month_serv[t[h1]].sum() - tau[h1].sum()) / base[ci[h1]].sum()
    alpha = base * scale_base
    noise = rng.normal(0, 3 + 0.07 * alpha[ci])
    y = np.clip(np.round(alpha[ci] + month_serv[t] + tau + noise), 0, None).astype(np.int64)
    meal_rate = rng.uniform(0.15, 0.4, n)
    meal = rng.poisson(alpha[ci] * meal_rate[ci] * 0.5)
    out = pd.DataFrame({"centre_id": panel["centre_id"], "month": MONTHS[t],
                        "service_person_times": y, "meal_users": meal})
    out["township_code"] = out.centre_id.map(centres.set_index("centre_id").township_code)
    return out, alpha


def _satisfaction(centres, panel, rng, month_sat) -> tuple[pd.DataFrame, np.ndarray]:
    """Survey responses (6 + Poisson(4) per centre-month); see SURVEY_NOISE_Q for the score model."""
    n = len(centres)
    s = np.clip(4.15 + rng.normal(0, 0.12, n) - 0.12 * centres.old_neighbourhood.to_numpy(), 3.5, 4.3)
    ci, t = panel["ci"].to_numpy(), panel["t"].to_numpy()
    latent = s[ci] + month_sat[t] + _cohort_effects(panel, 4) / (1 - SURVEY_NOISE_Q)
    if latent.min() < 1 or latent.max() > 5:
        raise RuntimeError("satisfaction latent score outside 1..5: the expected-score model breaks")
    k = 6 + rng.poisson(4, len(panel))
    row = np.repeat(np.arange(len(panel)), k)
    m = latent[row]
    lo = np.floor(m)
    score = lo + (rng.random(len(row)) < (m - lo))
    noisy = rng.random(len(row)) < SURVEY_NOISE_Q
    score[noisy] = rng.choice(np.arange(1, 6), noisy.sum(), p=SURVEY_NOISE_P)
    month_start = MONTHS[t[row]]
    day = np.floor(rng.random(len(row)) * month_start.days_in_month).astype(int)
    out = pd.DataFrame({"response_id": [f"MY{i + 1:07d}" for i in range(len(row))],
                        "centre_id": panel["centre_id"].to_numpy()[row],
                        "date": month_start + pd.to_timedelta(day, unit="D"),
                        "score": score.astype(np.int64)})
    out["township_code"] = out.centre_id.map(centres.set_index("centre_id").township_code)
    return out, s


# --- institutions, inspections, beds, carers, meals ---------------------------------------------

def _institutions(areas, rng, scale) -> pd.DataFrame:
    towns = areas[areas.level == "township"].reset_index(drop=True)
    n = _n(INSTITUTIONS, scale, 15)
    ti = np.concatenate([np.arange(len(towns)), rng.integers(0, len(towns), max(0, n - len(towns)))])[:n]
    beds = np.round(rng.uniform(30, 300, n)).astype(int)
    occupied = np.round(beds * rng.uniform(0.45, 0.78, n)).astype(int)
    stem = towns.area_name.str.replace(r"(街道|镇|乡)$", "", regex=True).to_numpy()[ti]
    name = np.char.add(stem.astype(str), rng.choice(_INST_SUFFIX, n))
    dup = pd.Series(name).groupby(name).cumcount().to_numpy()
    name = np.where(dup > 0, np.char.add(name, np.char.add("分院", (dup + 1).astype(str))), name)
    return pd.DataFrame({"institution_id": [f"JG{i + 1:03d}" for i in range(n)], "institution_name": name,
                         "township_code": towns.area_code.to_numpy()[ti], "beds": beds,
                         "occupied_beds": occupied})


def _inspections(inst: pd.DataFrame, rng: np.random.Generator, scale: float) -> tuple[pd.DataFrame, dict]:
    """Half-yearly safety inspections (some institutions twice), findings with deadlines; most
    rectified on time, some late, some still open at the end of the sample."""
    halves = pd.period_range("2021-01", "2023-12", freq="6M")
    rows = []
    n_inst = len(inst)
    for h in halves:
        start = h.start_time
        end = (start + pd.offsets.MonthEnd(6)).normalize()
        target = _n(INSPECTED_2023H1, scale) if (start.year, start.month) == (2023, 1) else None
        k = target if target is not None else int(rng.integers(int(0.38 * n_inst), int(0.56 * n_inst) + 1))
        k = min(k, n_inst)
        first = rng.choice(n_inst, k, replace=False)
        again = rng.choice(first, max(1, k // 5), replace=False)
        d1 = uniform_dates(rng, start, end - pd.Timedelta(days=60), k)
        d_first = pd.Series(d1, index=first)
        d2 = d_first.loc[again].to_numpy() + pd.to_timedelta(rng.integers(20, 55, len(again)), unit="D").to_numpy()
        rows.append(pd.DataFrame({"ii": np.concatenate([first, again]), "inspection_date": np.concatenate([d1, d2])}))
    insp = pd.concat(rows, ignore_index=True).sort_values("inspection_date", kind="stable").reset_index(drop=True)
    insp["inspection_id"] = [f"JC{d:%Y}{i + 1:04d}" for i, d in enumerate(insp.inspection_date)]
    n_find = rng.poisson(1.4, len(insp))
    r = np.repeat(np.arange(len(insp)), np.maximum(n_find, 1))
    has = np.repeat(n_find > 0, np.maximum(n_find, 1))
    seq = pd.Series(r).groupby(r).cumcount().to_numpy() + 1
    f = insp.iloc[r].reset_index(drop=True)
    nf = len(f)
    ftype = rng.choice(_FINDING_TYPES, nf, p=_FINDING_P)
    days = rng.choice([15, 30, 60], nf, p=[0.3, 0.5, 0.2])
    deadline = f.inspection_date.to_numpy() + pd.to_timedelta(days, unit="D").to_numpy()
    status = rng.choice(["on_time", "late", "open"], nf, p=[0.8, 0.12, 0.08])
    on_time = f.inspection_date.to_numpy() + pd.to_timedelta(np.floor(rng.random(nf) * days) + 1, unit="D").to_numpy()
    late = deadline + pd.to_timedelta(rng.integers(3, 60, nf), unit="D").to_numpy()
    rect = np.where(status == "on_time", on_time, np.where(status == "late", late, np.datetime64("NaT")))
    rect = pd.Series(pd.to_datetime(rect)).where(lambda s: s <= SAMPLE_END).to_numpy()
    out = pd.DataFrame({
        "inspection_id": f.inspection_id,
        "institution_id": inst.institution_id.to_numpy()[f.ii],
        "township_code": inst.township_code.to_numpy()[f.ii],
        "inspection_date": f.inspection_date,
        "finding_id": np.where(has, np.char.add(np.char.add(f.inspection_id.to_numpy().astype(str), "-"),
                                                seq.astype(str)), None),
        "finding_type": np.where(has, ftype, None),
        "deadline": pd.Series(deadline).where(has),
        "rectified_date": pd.Series(rect).where(has),
    })
    h1 = out.inspection_date.between(_ts("2023-01-01"), REF_END)
    fh1 = out[h1 & out.finding_id.notna()]
    truth = {"institutions_inspected_2023H1": int(out.loc[h1, "institution_id"].nunique()),
             "inspections_2023H1": int(out.loc[h1, "inspection_id"].nunique()),
             "findings_2023H1": int(len(fh1)),
             "findings_rectified_on_time_2023H1": int((fh1.rectified_date <= fh1.deadline).sum())}
    return out, truth


def _dementia_beds(inst, rng, scale) -> pd.DataFrame:
    """New dementia-care beds by year, in blocks of 5 beds across 3-5 institutions per year."""
    rows = []
    for year, total in DEMENTIA_BEDS_BY_YEAR.items():
        total = _n(total, scale, 5) // 5 * 5
        k = max(1, int(min(rng.integers(3, 6), total // 10, len(inst))))
        base = min(2, total // 5 // k)  # at least 2 blocks per institution where the total allows
        units = base + rng.multinomial(total // 5 - base * k, np.full(k, 1 / k))
        ii = rng.choice(len(inst), k, replace=False)
        rows.append(pd.DataFrame({"institution_id": inst.institution_id.to_numpy()[ii],
                                  "township_code": inst.township_code.to_numpy()[ii], "beds": units * 5,
                                  "opened_date": uniform_dates(rng, f"{year}-01-15", f"{year}-12-20", k)}))
    return pd.concat(rows, ignore_index=True)


def _carers(centres, inst, rng, ids, scale) -> pd.DataFrame:
    """Care workers: hires, departures and certification (rate below 100%); exactly
    CERTIFIED_2023H1 (x scale) certified in 2023H1."""
    n = _n(CARERS, scale, 200)
    people = make_people(rng, ids, n, "adult")
    hired = np.where(rng.random(n) < 0.45, uniform_dates(rng, "2012-01-01", "2020-12-31", n),
                     uniform_dates(rng, "2021-01-01", "2023-12-20", n))
    stay = pd.to_timedelta(rng.exponential(8 * 365, n).astype(int), unit="D").to_numpy()
    left = pd.Series(hired + stay).where(lambda s: s <= SAMPLE_END).to_numpy()
    h1_lo, h1_hi = _ts("2023-01-01"), REF_END
    hired_s, left_s = pd.Series(hired), pd.Series(left)
    candidates = np.flatnonzero((hired_s <= _ts("2023-06-20")) & ~(left_s < _ts("2023-01-10")))
    k = _n(CERTIFIED_2023H1, scale)
    chosen = rng.choice(candidates, k, replace=False)
    cert = pd.Series(hired + pd.to_timedelta(20 + rng.exponential(150, n).astype(int), unit="D").to_numpy())
    in_h1 = cert.between(h1_lo, h1_hi)
    cert[in_h1] = cert[in_h1] + pd.Timedelta(days=182)  # only the chosen are certified in 2023H1
    cert[rng.random(n) < 0.12] = pd.NaT
    lo = np.maximum(hired_s.iloc[chosen].to_numpy(), np.datetime64(h1_lo, "ns"))
    hi = np.minimum(left_s.iloc[chosen].fillna(h1_hi).to_numpy(), np.datetime64(h1_hi, "ns"))
    cert.iloc[chosen] = uniform_dates(rng, lo, hi, k)
    cert = cert.where((cert <= SAMPLE_END) & ~(cert > left_s))
    employers = np.concatenate([inst.institution_id.to_numpy(), centres.centre_id.to_numpy()])
    p_emp = np.concatenate([np.full(len(inst), 0.7 / len(inst)), np.full(len(centres), 0.3 / len(centres))])
    emp = rng.choice(len(employers), n, p=p_emp)
    town = np.concatenate([inst.township_code.to_numpy(), centres.township_code.to_numpy()])
    return pd.DataFrame({"id_number": people.id_number, "name": people.name, "township_code": town[emp],
                         "employer_id": employers[emp], "hired_date": hired, "certified_date": cert.to_numpy(),
                         "left_date": left})


def _meal_coverage(areas, rng) -> pd.DataFrame:
    """Meal-service opening date of every village and community; villages are the last to be
    covered (92.5% covered at 2023-06-30)."""
    va = areas[areas.level != "township"].reset_index(drop=True)
    n = len(va)
    w = np.where(va.level == "village", 3.0, 0.5)
    order = rng.choice(n, n, replace=False, p=w / w.sum())  # most likely uncovered first
    since = np.empty(n, dtype="datetime64[ns]")
    since[order[:MEAL_NEVER]] = np.datetime64("NaT")
    since[order[MEAL_NEVER:MEAL_NEVER + MEAL_2023H2]] = uniform_dates(rng, "2023-07-01", "2023-12-20", MEAL_2023H2)
    rest = order[MEAL_NEVER + MEAL_2023H2:]
    early = rng.random(len(rest)) < 0.45
    since[rest] = np.where(early, uniform_dates(rng, "2017-01-01", "2020-12-31", len(rest)),
                           uniform_dates(rng, "2021-01-01", "2023-06-30", len(rest)))
    return pd.DataFrame({"village_code": va.area_code, "township_code": va.parent_code,
                         "meal_service_since": since})


# --- truth --------------------------------------------------------------------------------------

def _effect_truth(panel: pd.DataFrame, which: int, unit: str) -> dict:
    """True cohort x event-time effects and their aggregations over the treated centre-months."""
    treated = panel[panel["e"].notna() & (panel["e"] >= 0)]
    tau = _cohort_effects(treated, which)
    cohorts = {}
    for c in COHORTS:
        m = treated["cohort"].to_numpy() == c[0]
        es = np.unique(treated["e"].to_numpy()[m]).astype(int)
        a, b, cap = c[which]
        cohorts[c[0]] = {"n_centres": int(treated.loc[m, "centre_id"].nunique()), "wave": c[1],
                         "a": a, "b": b, "cap": cap,
                         "effects": {str(e): float(effect(c[which], e)) for e in es}}
    e = treated["e"].to_numpy().astype(int)
    by_e = pd.Series(tau).groupby(e)
    event_time = {str(k): {"effect": float(v), "n_centre_months": int(by_e.size()[k])}
                  for k, v in by_e.mean().items()}
    att = {"all_post": float(tau.mean())}
    att.update({f"0-{m}": float(tau[e <= m].mean()) for m in range(int(e.max()) + 1)})
    return {"unit": unit, "cohorts": cohorts, "event_time": event_time, "att": att,
            "n_treated_centre_months": int(len(treated))}


def generate(areas: pd.DataFrame, rng: np.random.Generator, scale: float = 1.0) -> SampleParts:
    """The eldercare datasets (raw, canonical dtypes) and their planted truth."""
    ids = IdAllocator("eldercare")
    centres = _centres(areas, rng, scale)
    upgrades = _upgrades(centres, rng, scale)
    panel = _panel(centres, upgrades)
    month_serv, month_sat = _month_effects(rng)
    services, alpha = _services(centres, panel, rng, month_serv)
    survey, _ = _satisfaction(centres, panel, rng, month_sat)
    inst = _institutions(areas, rng, scale)
    inspections, insp_truth = _inspections(inst, rng, scale)
    beds = _dementia_beds(inst, rng, scale)
    carers = _carers(centres, inst, rng, ids, scale)
    meals = _meal_coverage(areas, rng)

    frames = {
        "care_centres": canonical(centres, "care_centres"),
        "centre_upgrades": canonical(upgrades, "centre_upgrades"),
        "centre_services": canonical(services, "centre_services"),
        "satisfaction_survey": canonical(survey, "satisfaction_survey"),
        "institutions": canonical(inst, "institutions"),
        "safety_inspections": canonical(inspections, "safety_inspections"),
        "dementia_beds": canonical(beds, "dementia_beds"),
        "carers": canonical(carers, "carers"),
        "meal_coverage": canonical(meals, "meal_coverage"),
    }
    h1 = services.month.between(_ts("2023-01-01"), REF_END)
    if scale == 1.0 and not 100_000 <= int(services.loc[h1, "service_person_times"].sum()) < 110_000:
        raise RuntimeError("2023H1 service person-times outside the seed's 10万余 range")
    area_req = centres.households_served / 100 * AREA_STANDARD_M2_PER_100_HH
    open_ref = centres.opened_date <= REF_END
    below = open_ref & (centres.floor_area_m2 < area_req)
    truth = {
        "reference_period": "2023H1",
        "calibration_2023H1": {
            "care_centers": int(open_ref.sum()),
            "institutions_inspected": insp_truth["institutions_inspected_2023H1"],
            "care_center_service_times_expected": SERVICE_TARGET_H1 * len(centres) / 205,
            "dementia_beds_new_2023": int(beds.loc[pd.DatetimeIndex(beds.opened_date).year == 2023, "beds"].sum()),
            "certified_carers_new": _n(CERTIFIED_2023H1, scale),
            "meal_service_coverage_pct": float(np.round(100 * (meals.meal_service_since <= REF_END).mean(), 4)),
            "centers_upgrade_planned": int(upgrades.planned_date.between(_ts("2023-01-01"), REF_END).sum()),
        },
        "area_standard_m2_per_100_households": AREA_STANDARD_M2_PER_100_HH,
        "centres_below_area_standard_2023H1": int(below.sum()),
        "area_gap_m2_2023H1": float(round((area_req - centres.floor_area_m2)[below].sum(), 1)),
        "inspections": insp_truth,
        "upgrade_effects": {
            "design": ("Staggered adoption. Treatment month = month of centre_upgrades.completed_date; "
                       "event time e = months since that month (e = 0 is the completion month). "
                       "Effect at e >= 0 is a + b * min(e, cap) for the centre's cohort, zero before "
                       "completion (no anticipation, flat pre-trends). Centres never completing an "
                       "upgrade in 2021-01..2023-12 are never treated (controls)."),
            "model": ("y = centre effect + month effect (trend + seasonality + shock) + effect + noise, "
                      "additive; services rounded to integers (rounding noise mean ~0)."),
            "estimand": ("att.all_post = mean true effect over all treated centre-months with e >= 0 in "
                         "the sample (what an imputation / Sun-Abraham estimator aggregating over treated "
                         "observations targets); att['0-m'] = the same mean restricted to 0 <= e <= m (the observation-weighted overall ATT of civmon.stats.event_study with window (-k, m)); "
                         "event_time[e] = mean over treated centre-months at e (cohorts weighted by their "
                         "centres observed at e)."),
            "twfe_note": ("A static two-way fixed-effects regression weights cohorts by treatment variance "
                          "and uses already-upgraded centres as controls; with effects that grow with e and "
                          "are largest for the earliest cohorts it falls well below att.all_post."),
            "outcomes": {
                "service_person_times": _effect_truth(panel, 3, "person-times per centre-month"),
                "satisfaction_score": _effect_truth(panel, 4, "centre-month mean satisfaction score (1-5)"),
            },
            "satisfaction_score_model": {"noise_share": SURVEY_NOISE_Q, "noise_mean": 3.2,
                                         "note": "expected score = q * 3.2 + (1 - q) * latent; planted "
                                                 "effects are on the expected score"},
        },
    }
    return SampleParts(frames=frames, truth=truth)
