"""Relief (社会救助) programme of the synthetic sample: every relief dataset and its planted truth.

See `relief_roster` for the roster model and the planted effects (the standard's rise, exit
hazard ratios), `relief_subsidies` for child and disability subsidies and registries, and
`relief_services` for temporary relief, one-stop cases and 助联体 needs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from civmon.sample import relief_roster as R
from civmon.sample import relief_services, relief_subsidies
from civmon.sample.base import SampleParts, canonical, prefixed_ids
from civmon.sample.calibrate import integers_to_sum
from civmon.sample.people import IdAllocator
from civmon.sample.places import month_index, month_starts
from civmon.sample.relief_members import household_members


def build_roster(rng: np.random.Generator, areas: pd.DataFrame, scale: float,
                 standards: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """relief_households (with an `induced` flag) and relief_payments, calibrated; plus ITS truth."""
    low = R.simulate_lowincome(rng, areas, scale)
    low = R.thin_to_target(low, int(round(R.TARGET_HOUSEHOLDS * scale)), rng)
    active = R.on_roster(low, R.TARGET_DATE)
    low["persons"] = integers_to_sum(low["persons"].to_numpy(), int(round(R.TARGET_PERSONS * scale)), rng,
                                     lo=1, hi=6, mask=active)
    df = pd.concat([low, R.simulate_tekun(rng, areas, scale)], ignore_index=True)
    df = df.sort_values("entry_date", kind="stable", ignore_index=True)
    df.insert(0, "household_id", prefixed_ids("HH", np.arange(1, len(df) + 1), 7))

    inc = R.assign_incomes(rng, df, standards)
    hh, month = R.payment_rows(df)
    order = np.lexsort((hh, month))  # the file lists payments by month, then household
    hh, month = hh[order], month[order]
    target = int(round(R.TARGET_FUNDS_CENTS * scale))
    inc = R.calibrate_funds(df, inc, hh, month, standards, target)
    cat = df["category"].to_numpy()
    persons = df["persons"].to_numpy(dtype=np.int64)
    amount = R.amounts_cents(cat[hh], inc[hh], persons[hh], month, standards)
    df["income_per_capita"] = inc / 100.0
    df["exit_reason"] = R.exit_reasons(rng, df)
    due, paid = R.payment_dates(rng, month)
    cat_codes = pd.Categorical(cat, categories=R.CATEGORIES).codes
    payments = pd.DataFrame({
        "household_id": df["household_id"].array.take(hh), "month": month_starts(month),
        "category": pd.Categorical.from_codes(cat_codes[hh], categories=R.CATEGORIES),
        "amount": amount / 100.0, "due_date": due, "paid_date": paid,
        "township_code": df["township_code"].array.take(hh),
    })
    truth = _roster_truth(df, hh, month, inc, amount, standards, paid, due)
    return df, payments, truth


def _its_projection(effect: np.ndarray, rise: int) -> dict:
    """Level and slope of the exact monthly effect over the post-rise months (OLS on 1, k)."""
    post = effect[rise:]
    k = np.arange(len(post), dtype=float)
    slope, level = np.polyfit(k, post, 1)
    return {"level_change": float(level), "slope_change_per_month": float(slope)}


def _roster_truth(df, hh, month, inc, amount, standards, paid, due) -> dict:
    """Planted values of the roster: standards, the rise's exact effect series, hazard ratios, lateness."""
    cat = df["category"].to_numpy()
    low = np.isin(cat, ("dibao", "dibian"))
    induced = df["induced"].to_numpy()
    persons = df["persons"].to_numpy(dtype=np.int64)
    rise = int(month_index([R.RISE_DATE])[0])
    ends = month_starts(np.arange(R.N_MONTHS)) + pd.offsets.MonthEnd(0)
    caseload = np.array([int((R.on_roster(df, e) & low).sum()) for e in ends])
    caseload_cf = np.array([int((R.on_roster(df, e) & low & ~induced).sum()) for e in ends])
    rows_low = low[hh]
    spend = np.bincount(month[rows_low], weights=amount[rows_low], minlength=R.N_MONTHS) / 100
    cf_rows = rows_low & ~induced[hh]
    cf_amount = R.amounts_cents(cat[hh[cf_rows]], inc[hh[cf_rows]], persons[hh[cf_rows]], month[cf_rows],
                                standards, counterfactual=True)
    spend_cf = np.bincount(month[cf_rows], weights=cf_amount, minlength=R.N_MONTHS) / 100
    labels = [d.strftime("%Y-%m") for d in month_starts(np.arange(R.N_MONTHS))]
    low_df = df[low]
    window = low_df["exit_date"].notna()
    late = pd.Series(paid).isna().to_numpy() | (paid > due.to_numpy())
    return {
        "standards": {"dibao": [[d, v] for d, v in R.DIBAO_STANDARDS], "upper_ratio": R.UPPER_RATIO,
                      "dibian_gap_share": R.DIBIAN_GAP_SHARE, "rise_date": R.RISE_DATE.strftime("%Y-%m-%d")},
        "its": {
            "definition": ("Monthly series 2021-01..2023-12 of low-income (低保+低保边缘) households on the roster "
                           "at month end and of their assistance paid per month (yuan). The causal effect of the "
                           "rise on RISE_DATE is the series minus its counterfactual: households made eligible by "
                           "the rise (`induced`) removed, and every other payment at the pre-rise standards. "
                           "level_change/slope_change are the OLS intercept and slope of that exact effect "
                           "on months since the rise (0 = the rise month), over the post-rise months."),
            "months": labels,
            "rise_month_index": rise,
            "caseload": caseload.tolist(), "caseload_counterfactual": caseload_cf.tolist(),
            "spending": np.round(spend, 2).tolist(), "spending_counterfactual": np.round(spend_cf, 2).tolist(),
            "caseload_effect": _its_projection((caseload - caseload_cf).astype(float), rise),
            "spending_effect": _its_projection(spend - spend_cf, rise),
            "planted": {"induced_batch": R.INDUCED_BATCH, "induced_monthly_inflow": R.INDUCED_MONTHLY},
        },
        "survival": {
            "definition": ("Cox proportional hazards of all-cause exit from assistance for 低保/低保边缘 household "
                           "spells (relief_households), time since entry_date, left-truncated at 2021-01-01 "
                           "(spells begun earlier enter the risk set then), right-censored at 2023-12-31 "
                           "(exit_date empty). Covariates labour_capacity and employment_support."),
            "hazard_ratios": dict(R.HAZARD_RATIOS),
            "log_hazard_ratios": {k: float(np.log(v)) for k, v in R.HAZARD_RATIOS.items()},
            "baseline": {"distribution": "weibull", "shape": R.WEIBULL_SHAPE, "scale_years": R.BASELINE_SCALE_YEARS},
            "spells": int(len(low_df)), "exits_observed": int(window.sum()),
        },
        "payments": {"late_share_planted": R.LATE_SHARE, "unpaid_share_planted": R.UNPAID_SHARE,
                     "late_or_unpaid_rows": int(late.sum()), "rows": int(len(late)),
                     "definition": "on time: paid_date on or before due_date; unpaid rows have no paid_date"},
        "calibration": {"households_2023_06_30": int((R.on_roster(df, R.TARGET_DATE) & low).sum()),
                        "persons_2023_06_30": int(persons[R.on_roster(df, R.TARGET_DATE) & low].sum())},
    }


def generate(areas: pd.DataFrame, rng: np.random.Generator, scale: float = 1.0) -> SampleParts:
    """All relief datasets (raw, with personal data) and the relief truth."""
    ids = IdAllocator("relief")
    standards = R.standards_table()
    roster, payments, roster_truth = build_roster(rng, areas, scale, standards)
    members = household_members(rng, ids, roster)
    temp = relief_services.temp_relief(rng, areas, ids, members, scale)
    child_pay, child_reg, child_truth = relief_subsidies.children(rng, areas, ids, scale)
    dis_pay, dis_reg, dis_truth = relief_subsidies.disability(rng, areas, ids, scale, standards)
    one_stop = relief_services.one_stop_cases(rng, areas, scale)
    needs = relief_services.alliance_needs(rng, areas, scale)
    raw = {
        "relief_households": roster, "relief_members": members, "relief_payments": payments,
        "relief_standards": standards, "temp_relief": temp, "child_subsidy": child_pay,
        "disability_subsidy": dis_pay, "disability_registry": dis_reg, "children_registry": child_reg,
        "one_stop_cases": one_stop, "alliance_needs": needs,
    }
    frames = {name: canonical(df, name) for name, df in raw.items()}
    truth = {
        **roster_truth,
        "child_subsidy": child_truth,
        "disability_subsidy": dis_truth,
        "scale": scale,
        "calibrated_period": "2023H1",
    }
    return SampleParts(frames=frames, truth=truth)
