"""Child and disability subsidies of the sample, with the registries they are matched against.

Registries are snapshots taken at the end of the sample (2023-12-31) and are larger than the
recipient lists: besides recipients they hold people not eligible for a subsidy and a planted
share of eligible people never enrolled (the 应纳尽纳 gap, written to the truth file).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from civmon.sample.base import SAMPLE_END
from civmon.sample.calibrate import oversample
from civmon.sample.people import IdAllocator, birth_dates, names
from civmon.sample.places import assign_places, month_starts, random_days_in_months
from civmon.sample.relief_roster import N_MONTHS, TARGET_MONTHS, monthly_standards_cents
from civmon.sample.subsidy import spell_rows, thin_to_total, trim_rows

H1 = np.asarray(TARGET_MONTHS)
EXTRACT_DATE = SAMPLE_END

# --- children -------------------------------------------------------------------------------------
CHILD_STANDARDS = {"orphan": {2021: 1880, 2022: 1960, 2023: 2080}}
CHILD_STANDARDS["in_difficulty"] = {y: v // 2 for y, v in CHILD_STANDARDS["orphan"].items()}
CHILD_STOCK = {"orphan": 66, "in_difficulty": 380}  # at 2021-01, scale 1, before thinning
CHILD_INFLOW = {"orphan": 0.9, "in_difficulty": 7.5}  # per month
CHILD_EXIT_RATE = {"orphan": 0.03, "in_difficulty": 0.16}  # per year, besides turning 18
CHILD_NEVER_ENROLLED = 0.07  # share of identified children never paid (planted gap)
TARGET_CHILD_CENTS = 310_160_000

# --- disability -----------------------------------------------------------------------------------
DISABILITY_STOCK = 11800  # registered disabled persons alive at 2021-01 (scale 1, before thinning)
DISABILITY_INFLOW = 38.0  # new registrations per month
GRADE_PROBS = (0.12, 0.22, 0.30, 0.36)
P_LOW_INCOME = 0.14
DEATH_RATE = {1: 0.06, 2: 0.04, 3: 0.025, 4: 0.025}  # per year
NEVER_ENROLLED = {"living": 0.06, "nursing": 0.03}
LIVING_SHARE = 0.30  # of the 低保 standard, per month
NURSING_SHARE = {1: 0.30, 2: 0.25}
TARGET_LIVING_CENTS = 296_590_000
TARGET_NURSING_CENTS = 678_060_000


def repeated(values: np.ndarray, index: np.ndarray) -> pd.Categorical:
    """values[index] as a categorical: monthly payment files repeat each person's ID and name."""
    codes, uniques = pd.factorize(np.asarray(values))
    return pd.Categorical.from_codes(codes[index], categories=uniques)


def _year_of_month(month: np.ndarray) -> np.ndarray:
    return 2021 + month // 12


def children(rng: np.random.Generator, areas: pd.DataFrame, ids: IdAllocator,
             scale: float) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """child_subsidy and children_registry frames, calibrated so 2023-H1 payments hit the target."""
    parts = []
    for kind in ("orphan", "in_difficulty"):
        n0 = int(round(CHILD_STOCK[kind] * scale * oversample(scale)))
        entry0 = pd.Timestamp("2021-01-01") - pd.to_timedelta(rng.integers(30, 365 * 8, n0), unit="D")
        new_m = np.repeat(np.arange(N_MONTHS), rng.poisson(CHILD_INFLOW[kind] * scale * oversample(scale), N_MONTHS))
        entry = entry0.append(random_days_in_months(rng, new_m))
        n = len(entry)
        age_at_entry = np.where(np.arange(n) < n0, rng.uniform(0, 10, n), rng.uniform(0, 17, n))
        birth = entry - pd.to_timedelta(np.floor(age_at_entry * 365.25), unit="D")
        adult = birth + pd.DateOffset(years=18)
        from_ = np.maximum(entry.to_numpy(), np.datetime64("2021-01-01"))
        status_end = pd.DatetimeIndex(from_ + np.floor(
            rng.exponential(365.25 / CHILD_EXIT_RATE[kind], n)).astype("timedelta64[D]"))
        end = pd.DatetimeIndex(np.minimum(adult.to_numpy(), status_end.to_numpy()))
        parts.append(pd.DataFrame({"child_type": kind, "entry_date": entry, "end_date": end, "birth": birth}))
    df = pd.concat(parts, ignore_index=True)
    df = df[df["end_date"] > pd.Timestamp("2021-01-01")].reset_index(drop=True)
    n = len(df)
    df["never_enrolled"] = rng.random(n) < CHILD_NEVER_ENROLLED
    df["township_code"], _ = assign_places(areas, rng, n, rural_weight=1.3)

    unit, month, share = spell_rows(df["entry_date"], df["end_date"].where(df["end_date"] <= EXTRACT_DATE))
    paid = ~df["never_enrolled"].to_numpy()[unit]
    unit, month, share = unit[paid], month[paid], share[paid]
    std = np.array([[CHILD_STANDARDS[k][_year_of_month(m)] for m in range(N_MONTHS)]
                    for k in ("orphan", "in_difficulty")])
    kind_idx = (df["child_type"].to_numpy() == "in_difficulty").astype(int)[unit]
    amount = np.round(std[kind_idx, month] * share).astype(np.int64) * 100
    in_h1 = np.isin(month, H1)
    contrib = np.bincount(unit[in_h1], weights=amount[in_h1], minlength=n).astype(np.int64)
    target = int(round(TARGET_CHILD_CENTS * scale / 10000)) * 10000
    keep, excess = thin_to_total(contrib, np.ones(n, bool), target, rng)
    rows = keep[unit]
    amount = trim_rows(amount, np.flatnonzero(rows & in_h1 & (share < 1)), excess, rng,
                       fallback=np.flatnonzero(rows & in_h1))
    df = df.assign(kept=keep)

    male = rng.random(n) < 0.52
    id_numbers, _ = ids.issue(df["birth"], male)
    df["id_number"], df["name"] = id_numbers, names(rng, male)
    township = df["township_code"].array
    u, m, a = unit[rows], month[rows], amount[rows]
    order = np.lexsort((u, township.codes[u], m))  # by month, township, person
    u, m, a = u[order], m[order], a[order]
    kinds = ("orphan", "in_difficulty")
    pay = pd.DataFrame({
        "id_number": repeated(df["id_number"].to_numpy(), u),
        "name": repeated(df["name"].to_numpy(), u),
        "township_code": township.take(u),
        "month": month_starts(m),
        "child_type": pd.Categorical.from_codes(pd.Categorical(df["child_type"], kinds).codes[u], kinds),
        "amount": a / 100.0,
    })

    df = df[df["kept"]].reset_index(drop=True)
    current = (df["entry_date"] <= EXTRACT_DATE) & (df["end_date"] > EXTRACT_DATE)
    lag = pd.to_timedelta(rng.integers(5, 45, len(df)), unit="D")
    reg = df[current].assign(registered_date=(df["entry_date"] - lag)[current])
    registry = reg[["id_number", "name", "township_code", "child_type", "registered_date"]]
    registry = registry.sort_values(["township_code", "registered_date", "id_number"], ignore_index=True)
    truth = {
        "standards_yuan_per_month": {k: {str(y): v for y, v in d.items()} for k, d in CHILD_STANDARDS.items()},
        "never_enrolled_share": CHILD_NEVER_ENROLLED,
        "never_enrolled_in_registry": int(reg["never_enrolled"].sum()),
        "registry_size": int(len(reg)),
        "gap_definition": "children in children_registry (snapshot 2023-12-31) never paid a child subsidy",
    }
    return pay, registry, truth


def disability(rng: np.random.Generator, areas: pd.DataFrame, ids: IdAllocator, scale: float,
               standards: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """disability_subsidy and disability_registry, calibrated on the 2023-H1 totals of both subsidies."""
    over = oversample(scale)
    n0 = int(round(DISABILITY_STOCK * scale * over))
    reg0 = pd.Timestamp("2021-01-01") - pd.to_timedelta(rng.integers(60, 365 * 20, n0), unit="D")
    new_m = np.repeat(np.arange(N_MONTHS), rng.poisson(DISABILITY_INFLOW * scale * over, N_MONTHS))
    registered = reg0.append(random_days_in_months(rng, new_m))
    n = len(registered)
    grade = rng.choice(np.arange(1, 5), n, p=GRADE_PROBS)
    low = rng.random(n) < P_LOW_INCOME
    rate = np.vectorize(DEATH_RATE.get)(grade)
    from_ = np.maximum(registered.to_numpy(), np.datetime64("2021-01-01"))
    death = pd.DatetimeIndex(from_ + np.floor(rng.exponential(365.25 / rate)).astype("timedelta64[D]"))
    death = death.where(death <= EXTRACT_DATE)
    start = registered + pd.to_timedelta(rng.integers(15, 90, n), unit="D")
    township, _ = assign_places(areas, rng, n, rural_weight=1.2)
    eligible = {"living": low, "nursing": grade <= 2}
    never = {k: eligible[k] & (rng.random(n) < NEVER_ENROLLED[k]) for k in eligible}

    dibao = monthly_standards_cents(standards, "dibao")
    std = {k: np.floor(dibao * share / 100 + 0.5).astype(np.int64) * 100
           for k, share in (("living", LIVING_SHARE), (1, NURSING_SHARE[1]), (2, NURSING_SHARE[2]))}
    paid_any = np.flatnonzero((eligible["living"] & ~never["living"]) | (eligible["nursing"] & ~never["nursing"]))
    sub_unit, month, share = spell_rows(start[paid_any], death[paid_any])
    unit = paid_any[sub_unit]
    del sub_unit
    rows = {}
    for kind in ("living", "nursing"):
        sel = eligible[kind][unit] & ~never[kind][unit]
        u, m, s = unit[sel], month[sel], share[sel]
        if kind == "living":
            full = std["living"][m]
        else:
            full = np.where(grade[u] == 1, std[1][m], std[2][m])
        rows[kind] = [u, m, s, np.round(full * s / 100).astype(np.int64) * 100]

    # calibrate: living on low-income grade 3-4 people, nursing on grade 1-2 people not low-income
    keep = np.ones(n, bool)
    strata = {"living": low & (grade >= 3), "nursing": ~low & (grade <= 2)}
    targets = {"living": TARGET_LIVING_CENTS, "nursing": TARGET_NURSING_CENTS}
    for kind in ("living", "nursing"):
        u, m, s, a = rows[kind]
        h1 = np.isin(m, H1)
        contrib = np.bincount(u[h1], weights=a[h1], minlength=n).astype(np.int64)
        target = int(round(targets[kind] * scale / 10000)) * 10000
        k, excess = thin_to_total(contrib, strata[kind], target, rng)
        keep &= k
        kept = keep[u]
        rows[kind][3] = trim_rows(a, np.flatnonzero(kept & h1 & (s < 1)), excess, rng,
                                  fallback=np.flatnonzero(kept & h1))
    male = rng.random(n) < 0.55
    role = rng.choice(["child", "adult", "elderly"], n, p=(0.06, 0.46, 0.48))
    born = np.empty(n, dtype="datetime64[ns]")
    for r in ("child", "adult", "elderly"):
        sel = role == r
        born[sel] = birth_dates(rng, int(sel.sum()), r, ref=pd.Timestamp("2023-12-31")).to_numpy()
    id_numbers, _ = ids.issue(born, male)
    person_names = names(rng, male)

    paid_units = {kind: np.unique(rows[kind][0][keep[rows[kind][0]]]) for kind in rows}
    parts = [(rows[kind][0], rows[kind][1], rows[kind][3], i) for i, kind in enumerate(("living", "nursing"))]
    u = np.concatenate([p[0][keep[p[0]]] for p in parts])
    m = np.concatenate([p[1][keep[p[0]]] for p in parts])
    a = np.concatenate([p[2][keep[p[0]]] for p in parts])
    kind_code = np.concatenate([np.full(int(keep[p[0]].sum()), p[3], dtype=np.int8) for p in parts])
    del parts, rows
    order = np.lexsort((kind_code, u, township.codes[u], m))  # by month, township, person, subsidy
    u, m, a, kind_code = u[order], m[order], a[order], kind_code[order]
    pay = pd.DataFrame({
        "id_number": repeated(id_numbers, u), "name": repeated(person_names, u),
        "township_code": township.take(u), "month": month_starts(m),
        "subsidy_type": pd.Categorical.from_codes(kind_code, categories=("living", "nursing")), "amount": a / 100.0})

    alive = keep & (registered <= EXTRACT_DATE) & death.isna()
    registry = pd.DataFrame({
        "id_number": id_numbers[alive], "name": person_names[alive], "township_code": township[alive],
        "disability_grade": grade[alive], "low_income": low[alive], "registered_date": registered[alive],
    }).sort_values(["township_code", "registered_date", "id_number"], ignore_index=True)
    truth = {
        "living_share_of_dibao_standard": LIVING_SHARE,
        "nursing_share_of_dibao_standard": {str(k): v for k, v in NURSING_SHARE.items()},
        "never_enrolled_share": NEVER_ENROLLED,
        "never_enrolled_in_registry": {k: int((never[k] & alive).sum()) for k in never},
        "unpaid_in_registry": {k: int((eligible[k] & alive & ~np.isin(np.arange(n), paid_units[k])).sum())
                               for k in eligible},
        "eligible_in_registry": {k: int((eligible[k] & alive).sum()) for k in eligible},
        "registry_size": int(alive.sum()),
        "gap_definition": ("people alive in disability_registry (snapshot 2023-12-31) eligible for a subsidy "
                           "(living: low_income; nursing: grade 1-2) and never paid it (unpaid_in_registry): the "
                           "planted never-enrolled plus people registered too recently to be paid yet"),
    }
    return pay, registry, truth
