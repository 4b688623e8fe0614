"""Reservoir-migrant post-support programme of the synthetic sample: the register, direct-subsidy
payments, post-support projects, the household income and satisfaction panel, the rural income
benchmark and follow-up visits.

Calibration (subsidy year and project year 2023; projects completed by 2023-06-30): 5940 persons
paid, 356.4万 paid, 16 projects, 11 completed by mid-year, 1670.7436万 budgeted ("1670.74万余").

Planted (truth):
- Reconciliation anomalies per subsidy year (entitlement is fixed on 1 January of the year: on the
  register and eligible by then, no death, move or removal before then): eligible but unpaid;
  paid twice; paid after death, move or removal; wrong amount. Wrong amounts are all shortfalls
  that exactly offset the duplicates, so the year's total is still persons paid x 600.
- Removals: deaths, moves and other removals with the event date and a lagged register update.
- Income DiD: log per-capita income = log benchmark + household effect + village-year shock +
  noise + effect, where the effect of a village's first completed project is theta x (years since
  the completion year), from the year after completion on.

Scale k multiplies the register (persons paid are exactly 5940 x k, paid 600 each on net), the
anomaly pattern (repeated round(k) times) and the survey households per village; the 48 migrant
villages and the projects stay as they are.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from civmon.data.pseudonymise import SAMPLE_KEY, hash_ids
from civmon.sample.base import SAMPLE_END, SampleParts, canonical, uniform_dates
from civmon.sample.people import IdAllocator, make_people

SUBSIDY = 600.0  # yuan per person per year [S]
PERSONS_PAID_2023 = 5940
PROJECT_FUNDS_2023 = 16_707_436.0  # yuan: prints as 1670.74万 and is at least 1670.74万
PROJECTS_COMPLETED_BY_MID_2023 = 11
PAYMENT_YEARS = (2021, 2022, 2023)
PAYMENT_DEADLINE = "04-30"  # [E] the annual payment is due by 30 April
MIGRANT_VILLAGES = 48
SURVEY_HOUSEHOLDS_PER_VILLAGE = 15
SURVEY_YEARS = (2019, 2020, 2021, 2022, 2023)
# Huzhou rural per-capita disposable income: 2021 stated; the others are estimates [E]
BENCHMARK = {2019: (34_803.0, "estimate"), 2020: (37_244.0, "estimate"), 2021: (41_303.0, "stated"),
             2022: (44_000.0, "estimate"), 2023: (47_000.0, "estimate")}
INCOME_OFFSET = -0.02  # log migrant income relative to the benchmark, before effects
INCOME_SD = {"village": 0.08, "household": 0.22, "village_year": 0.025, "noise": 0.06}
DID_THETA = 0.05  # log points of extra growth per year after a village's first completed project
SATISFIED_P = 0.95
VISIT_P, SECOND_VISIT_P = 0.9, 0.25
EVENTS_PER_YEAR = 73  # deaths, moves and other removals per year at scale 1
EVENT_REASON_P = {"death": 0.75, "moved": 0.2, "other": 0.05}
ADDITIONS = {2021: 4, 2022: 4}  # persons newly verified during the year
INELIGIBLE = 12  # persons on the register found not eligible

# Anomalies per subsidy year at scale 1: unpaid, duplicates, paid after removal (reasons), wrong
# amounts as shortfalls (they sum to 600 x duplicates).
ANOMALIES = {
    2021: {"unpaid": 8, "duplicate": 2, "after_removal": ("death", "death", "moved", "other"),
           "shortfalls": (300, 300, 300, 300)},
    2022: {"unpaid": 10, "duplicate": 4, "after_removal": ("death", "death", "death", "death", "moved", "other"),
           "shortfalls": (300, 300, 300, 300, 400, 400, 400)},
    2023: {"unpaid": 12, "duplicate": 3, "after_removal": ("death", "death", "death", "moved", "other"),
           "shortfalls": (300, 300, 300, 300, 100, 100, 400)},
}

# Projects: per year, the (village slot, completion status) of each project. Slots index the
# shuffled migrant villages; status: in_year, late_in_year (finish slipped, same year),
# next_year (finish slipped into the next year), by_mid (2023: done by 30 June), h2 (2023: done
# in the second half), in_works (started, not done), not_started.
_S = "in_year"
PROJECT_PLAN = {
    2021: [(0, _S), (1, _S), (2, _S), (3, "late_in_year"), (4, _S), (5, _S), (6, _S), (7, _S), (8, "late_in_year"),
           (9, _S), (10, _S), (11, "next_year"), (12, "next_year"), (0, _S), (1, _S)],
    2022: [(13, _S), (14, _S), (15, "late_in_year"), (16, _S), (17, _S), (18, _S), (19, _S), (20, _S),
           (21, "next_year"), (0, _S), (1, _S), (2, "late_in_year"), (3, _S), (4, _S), (5, _S)],
    2023: [(22, "by_mid"), (23, "by_mid"), (24, "by_mid"), (25, "by_mid"), (26, "h2"), (27, "h2"),
           (28, "in_works"), (29, "not_started"), (2, "by_mid"), (3, "by_mid"), (4, "by_mid"), (5, "by_mid"),
           (6, "by_mid"), (7, "by_mid"), (8, "by_mid"), (9, "h2")],
}
_TYPES = ("infrastructure", "environment", "industry", "training")
_TYPE_P = (0.45, 0.25, 0.2, 0.1)
_TYPE_NAMES = {"infrastructure": ("道路硬化工程", "桥梁改造工程", "水利设施提升工程"),
               "environment": ("人居环境整治项目", "污水管网改造工程"),
               "industry": ("特色产业发展项目", "农旅融合项目"),
               "training": ("移民技能培训项目",)}


def _ts(s) -> pd.Timestamp:
    return pd.Timestamp(s)



def _days(x) -> np.ndarray:
    return pd.to_timedelta(np.asarray(x).astype(np.int64), unit="D").to_numpy()


def entitled_mask(register: pd.DataFrame, year: int) -> pd.Series:
    """Entitlement for a subsidy year, fixed on 1 January: eligible, registered by then, and no
    death, move or removal before then."""
    jan1 = _ts(f"{year}-01-01")
    gone = (register["event_date"] < jan1).fillna(False) | (register["removal_date"] < jan1).fillna(False)
    return (register["eligible"].fillna(False).astype(bool) & (register["registered_date"] <= jan1).fillna(False)
            & ~gone.astype(bool))


# --- register -----------------------------------------------------------------------------------

def _register(areas, villages, rng, ids, scale, reps) -> pd.DataFrame:
    """Persons in households in the migrant villages, with events, lagged removals, additions
    and a few ineligible persons. Sizes are set so that exactly the target is entitled in 2023."""
    a23 = ANOMALIES[2023]
    n_ent23 = int(round(PERSONS_PAID_2023 * scale)) - reps * len(a23["after_removal"]) + reps * a23["unpaid"]
    n_ev = max(4, int(round(EVENTS_PER_YEAR * scale)))
    groups = {"ev2023": n_ev, "stay": n_ent23 - n_ev}
    for y in (2022, 2021, 2020, 2019):
        groups[f"ev{y}"] = n_ev
    groups["ineligible"] = max(1, int(round(INELIGIBLE * scale)))
    n = sum(groups.values())
    label = np.repeat(np.array(list(groups)), list(groups.values()))

    # households: sizes 1..6, each in one migrant village
    sizes = rng.choice(np.arange(1, 7), int(n / 2.5) + 20, p=[0.12, 0.28, 0.30, 0.18, 0.09, 0.03])
    sizes = sizes[: np.searchsorted(np.cumsum(sizes), n) + 1]
    sizes[-1] -= sizes.sum() - n
    hh = np.repeat(np.arange(len(sizes)), sizes)
    hh_village = rng.choice(len(villages), len(sizes), p=rng.dirichlet(np.full(len(villages), 6.0)))
    label = label[rng.permutation(n)]

    elderly = label != "stay"
    elderly[label == "stay"] = rng.random((label == "stay").sum()) < 0.35
    people = pd.concat([make_people(rng, ids, int(elderly.sum()), "elderly"),
                        make_people(rng, ids, int((~elderly).sum()), "adult")], ignore_index=True)
    order = np.empty(n, dtype=np.int64)
    order[np.flatnonzero(elderly)] = np.arange(elderly.sum())
    order[np.flatnonzero(~elderly)] = elderly.sum() + np.arange((~elderly).sum())
    people = people.iloc[order].reset_index(drop=True)

    reg = pd.DataFrame({"id_number": people.id_number, "name": people.name,
                        "household_id": [f"YM{h + 1:05d}" for h in hh],
                        "township_code": villages.parent_code.to_numpy()[hh_village[hh]],
                        "village_code": villages.area_code.to_numpy()[hh_village[hh]],
                        "group": label})
    reg["eligible"] = label != "ineligible"
    reg["registered_date"] = uniform_dates(rng, "2006-07-01", "2008-12-31", len(sizes))[hh]
    reg["event_date"] = pd.NaT
    reg["removal_date"] = pd.NaT
    reg["removal_reason"] = None
    # additions: verified during 2021 and 2022, entitled from the next year
    stay = np.flatnonzero(label == "stay")
    add = rng.choice(stay, sum(int(round(v * scale)) or 1 for v in ADDITIONS.values()), replace=False)
    k = 0
    for y, v in ADDITIONS.items():
        m = int(round(v * scale)) or 1
        reg.loc[add[k:k + m], "registered_date"] = uniform_dates(rng, f"{y}-03-01", f"{y}-11-30", m)
        k += m
    # events with lagged removals
    for y in (2019, 2020, 2021, 2022, 2023):
        idx = np.flatnonzero(label == f"ev{y}")
        reason = rng.choice(list(EVENT_REASON_P), len(idx), p=list(EVENT_REASON_P.values()))
        if y + 1 in ANOMALIES:  # enough of each reason for next year's paid-after-removal cases
            needed = np.tile(ANOMALIES[y + 1]["after_removal"], reps)
            reason[: len(needed)] = needed
        ev = uniform_dates(rng, f"{y}-01-01", f"{y}-12-31", len(idx))
        lag = np.where(rng.random(len(idx)) < 0.1, rng.integers(120, 400, len(idx)),
                       np.round(rng.lognormal(np.log(40), 0.6, len(idx))))
        removal = ev + _days(lag)
        other = reason == "other"
        removal[other] = ev[other]  # an 'other' removal has no separate event
        reg.loc[idx, "event_date"] = np.where(other, np.datetime64("NaT"), ev)
        reg.loc[idx, "removal_date"] = removal
        reg.loc[idx, "removal_reason"] = reason
    reg["event_date"] = pd.to_datetime(reg["event_date"])
    reg["removal_date"] = pd.to_datetime(reg["removal_date"]).where(lambda s: s <= SAMPLE_END)
    return reg


# --- payments -----------------------------------------------------------------------------------

def _payments(reg: pd.DataFrame, rng, reps) -> tuple[pd.DataFrame, dict]:
    """Annual payments with the planted anomalies; fixes the register-update dates of the
    persons paid after their death or move (updated only after the payment, or not yet)."""
    towns = np.sort(reg.township_code.unique())
    rows, truth = [], {}
    for year in PAYMENT_YEARS:
        spec = ANOMALIES[year]
        batch = pd.Series(uniform_dates(rng, f"{year}-03-01", f"{year}-04-20", len(towns)), index=towns)
        if year >= 2022:  # one township pays late each year
            batch.iloc[rng.integers(len(towns))] = uniform_dates(rng, f"{year}-05-10", f"{year}-06-10", 1)[0]
        ent = np.flatnonzero(entitled_mask(reg, year).to_numpy())
        n_unpaid, n_dup, n_wrong = reps * spec["unpaid"], reps * spec["duplicate"], reps * len(spec["shortfalls"])
        pick = rng.choice(ent, n_unpaid + n_dup + n_wrong, replace=False)
        unpaid, dup, wrong = pick[:n_unpaid], pick[n_unpaid:n_unpaid + n_dup], pick[n_unpaid + n_dup:]
        # paid after removal: persons whose death/move/removal fell in the previous year
        reasons = np.tile(spec["after_removal"], reps)
        prev = reg[(reg.group == f"ev{year - 1}")]
        after = np.concatenate([rng.choice(prev.index[prev.removal_reason == r].to_numpy(), (reasons == r).sum(),
                                           replace=False) for r in dict.fromkeys(reasons)])
        payees = np.setdiff1d(ent, unpaid)
        amount = pd.Series(SUBSIDY, index=payees)
        amount[wrong] = SUBSIDY - np.tile(spec["shortfalls"], reps)
        paid_to = np.concatenate([payees, dup, after])
        amt = np.concatenate([amount.to_numpy(), np.full(len(dup) + len(after), SUBSIDY)])
        town = reg.township_code.to_numpy()[paid_to]
        date = batch.reindex(town).to_numpy() + _days(rng.integers(0, 6, len(paid_to)))
        extra = np.arange(len(payees), len(payees) + len(dup))
        date[extra] = date[extra] + _days(rng.integers(10, 40, len(dup)))
        # the register of a person paid after death or move is updated only after the payment
        late = date[len(payees) + len(dup):] + _days(rng.integers(20, 150, len(after)))
        is_event = reg.loc[after, "removal_reason"].to_numpy() != "other"
        upd = pd.Series(late, index=after).where(lambda s: s <= SAMPLE_END)
        upd.iloc[np.flatnonzero(is_event)[:1]] = pd.NaT  # one not updated at all yet
        reg.loc[after[is_event], "removal_date"] = upd[is_event].to_numpy()
        rows.append(pd.DataFrame({"person": paid_to, "year": year, "amount": amt, "paid_date": date}))
        truth[year] = {"unpaid": unpaid, "duplicate": dup, "wrong": wrong, "after": after,
                       "shortfall": SUBSIDY - amount[wrong].to_numpy(), "entitled": ent}
    pay = pd.concat(rows, ignore_index=True).sort_values(["year", "paid_date", "person"], kind="stable")
    pay = pay.reset_index(drop=True)
    pay["payment_id"] = [f"ZB{y}{i + 1:07d}" for i, y in enumerate(pay.year)]
    pay["id_number"] = reg.id_number.to_numpy()[pay.person]
    pay["township_code"] = reg.township_code.to_numpy()[pay.person]
    return pay, truth


def _subsidy_truth(reg: pd.DataFrame, pay: pd.DataFrame, planted: dict) -> dict:
    """Counts, amounts and pseudonymised person keys of the planted anomalies per year."""
    keys = hash_ids(reg.id_number, SAMPLE_KEY).to_numpy()
    out = {}
    for year, p in planted.items():
        py = pay[pay.year == year]
        anomalies = {
            "eligible_unpaid": (p["unpaid"], SUBSIDY * len(p["unpaid"])),
            "duplicate": (p["duplicate"], SUBSIDY * len(p["duplicate"])),
            "paid_after_removal": (p["after"], SUBSIDY * len(p["after"])),
            "wrong_amount": (p["wrong"], float(np.sum(p["shortfall"]))),
        }
        out[str(year)] = {
            "entitled_persons": int(len(p["entitled"])),
            "persons_paid": int(py.person.nunique()),
            "amount_paid": float(py.amount.sum()),
            "anomalies": {k: {"count": int(len(idx)), "amount": amt,
                              "person_keys": sorted(keys[idx].tolist())}
                          for k, (idx, amt) in anomalies.items()},
            "paid_in_full": int(len(p["entitled"]) - len(p["unpaid"]) - len(p["duplicate"]) - len(p["wrong"])),
            "paid_after_removal_reasons": {str(k): int(v) for k, v in pd.Series(
                reg.removal_reason.to_numpy()[p["after"]]).value_counts().sort_index().items()},
        }
    return out


# --- projects -----------------------------------------------------------------------------------

def _projects(villages, areas, rng) -> pd.DataFrame:
    """Post-support projects of 2021-2023 with slipped schedules, partial spending, acceptance."""
    rows = []
    for year, plan in PROJECT_PLAN.items():
        n = len(plan)
        slot = np.array([s for s, _ in plan])
        status = np.array([st for _, st in plan])
        if year == 2023:
            budget = 400_000 + rng.dirichlet(np.full(n, 8.0)) * (PROJECT_FUNDS_2023 - 400_000 * n)
            budget = np.floor(budget)
            budget[-1] += PROJECT_FUNDS_2023 - budget.sum()
        else:
            budget = np.round(rng.uniform(350_000, 400_000, n), -3)
        finish = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
        windows = {"in_year": (f"{year}-06-01", f"{year}-11-30"), "late_in_year": (f"{year}-09-01", f"{year}-12-20"),
                   "next_year": (f"{year + 1}-02-01", f"{year + 1}-06-30"), "by_mid": ("2023-03-01", "2023-06-28"),
                   "h2": ("2023-07-15", "2023-11-30")}
        for st, (lo, hi) in windows.items():
            m = status == st
            finish[m] = uniform_dates(rng, lo, hi, m.sum())
        done = ~np.isnat(finish)
        dur = np.where(status == "by_mid", rng.integers(50, 100, n), rng.integers(90, 200, n))
        start = finish - _days(dur)
        slipped = status == "next_year"  # started in the project year, planned to finish in it
        start[slipped] = uniform_dates(rng, f"{year}-05-01", f"{year}-09-30", slipped.sum())
        year_start = np.datetime64(f"{year}-01-05", "ns")
        start[done] = np.maximum(start[done], year_start)
        late_start = rng.random(n) < 0.25
        planned_start = np.where(late_start, start - _days(rng.integers(20, 60, n)), start + _days(rng.integers(0, 10, n)))
        planned_start = np.maximum(planned_start, np.datetime64(f"{year - 1}-12-01", "ns"))
        late_finish = np.isin(status, ["late_in_year", "next_year"]) | (done & (rng.random(n) < 0.1))
        planned_finish = np.where(late_finish, finish - _days(rng.integers(30, 120, n)),
                                  finish + _days(rng.integers(0, 20, n)))
        planned_finish[slipped] = uniform_dates(rng, f"{year}-10-01", f"{year}-12-20", slipped.sum())
        # projects not done: in works started late; not started at all
        works = status == "in_works"
        planned_start[works] = uniform_dates(rng, f"{year}-04-01", f"{year}-06-30", works.sum())
        start[works] = planned_start[works] + _days(rng.integers(60, 120, works.sum()))
        planned_finish[works] = planned_start[works] + _days(rng.integers(150, 200, works.sum()))
        idle = status == "not_started"
        planned_start[idle] = uniform_dates(rng, f"{year}-07-01", f"{year}-09-30", idle.sum())
        start[idle] = np.datetime64("NaT")
        planned_finish[idle] = planned_start[idle] + _days(rng.integers(120, 180, idle.sum()))
        planned_finish = np.maximum(planned_finish, planned_start + _days(np.full(n, 30)))
        spent_share = np.where(done, rng.uniform(0.88, 1.0, n), np.where(works, rng.uniform(0.2, 0.5, n), 0.0))
        recent = done & (finish > np.datetime64("2023-10-31", "ns"))
        spent_share[recent] = rng.uniform(0.6, 0.85, recent.sum())
        acceptance = np.where(done, "passed", None).astype(object)
        acceptance[recent] = "pending"
        if year == 2022:
            acceptance[np.flatnonzero(status == "late_in_year")[:1]] = "failed"
        ptype = rng.choice(_TYPES, n, p=_TYPE_P)
        vil = villages.iloc[slot]
        name = [vn + rng.choice(_TYPE_NAMES[t]) for vn, t in zip(vil.area_name, ptype)]
        rows.append(pd.DataFrame({
            "project_id": [f"HF{year}{j + 1:03d}" for j in range(n)], "project_name": name, "project_type": ptype,
            "township_code": vil.parent_code.to_numpy(), "village_code": vil.area_code.to_numpy(), "year": year,
            "budget": budget, "spent": np.round(budget * spent_share, 2), "planned_start": planned_start,
            "planned_finish": planned_finish, "actual_start": start, "actual_finish": finish,
            "acceptance": acceptance, "status": status}))
    return pd.concat(rows, ignore_index=True)


# --- income panel, benchmark, visits ------------------------------------------------------------

def _first_completion(projects: pd.DataFrame) -> pd.Series:
    """Year of each village's first completed project (villages with none are absent)."""
    done = projects.dropna(subset=["actual_finish"])
    return done.groupby("village_code").actual_finish.min().dt.year


def _survey(reg, projects, villages, rng, scale) -> tuple[pd.DataFrame, dict]:
    """Household panel (SURVEY_YEARS) with the planted DiD effect, and its truth."""
    present = reg[reg.group == "stay"].drop_duplicates("household_id")
    per = max(2, int(round(SURVEY_HOUSEHOLDS_PER_VILLAGE * scale)))
    sample = present.groupby("village_code", group_keys=False).apply(
        lambda g: g.sample(min(per, len(g)), random_state=rng), include_groups=False)
    sample = present.loc[sample.index]
    hh = sample[["household_id", "township_code", "village_code"]].reset_index(drop=True)
    years = np.array(SURVEY_YEARS)
    nh, ny = len(hh), len(years)
    vcodes = villages.area_code.to_numpy()
    vi = pd.Index(vcodes).get_indexer(hh.village_code)
    h_eff = rng.normal(0, INCOME_SD["household"], nh)
    noise = rng.normal(0, INCOME_SD["noise"], (nh, ny))
    v_eff = rng.normal(0, INCOME_SD["village"], len(vcodes))
    vy = rng.normal(0, INCOME_SD["village_year"], (len(vcodes), ny))
    a = v_eff[vi] + h_eff
    fc = _first_completion(projects)
    first = hh.village_code.map(fc).to_numpy(dtype=float)
    since = years[None, :] - first[:, None]  # NaN for never
    tau = np.where(since >= 1, DID_THETA * since, 0.0)
    bench = np.log([BENCHMARK[y][0] for y in years])
    log_inc = bench[None, :] + INCOME_OFFSET + a[:, None] + vy[vi] + noise + tau
    out = pd.DataFrame({"household_id": np.repeat(hh.household_id, ny).to_numpy(),
                        "township_code": np.repeat(hh.township_code, ny).to_numpy(),
                        "village_code": np.repeat(hh.village_code, ny).to_numpy(),
                        "year": np.tile(years, nh),
                        "income_per_capita": np.round(np.exp(log_inc).ravel()),
                        "satisfied": rng.random(nh * ny) < SATISFIED_P})
    t = tau.ravel()
    treated = t > 0
    cohort = np.repeat(first, ny)
    yr = np.tile(years, nh)
    att_gt = {}
    for g in sorted(set(cohort[treated].astype(int))):
        att_gt[str(g)] = {str(y): DID_THETA * (y - g) for y in years if y - g >= 1}
    ev = (yr - cohort - 1)[treated].astype(int)
    never = np.isnan(cohort) | (cohort >= years.max())
    c21 = cohort == 2021
    var = sum(v ** 2 for v in INCOME_SD.values())
    truth = {
        "outcome": "log(income_per_capita)",
        "treatment": ("village's first completed post-support project (min actual_finish year); "
                      "first_treated = completion year + 1"),
        "theta_per_year": DID_THETA,
        "effect_rule": "effect = theta * (year - completion year) for year > completion year, else 0",
        "estimand": ("att_overall = mean true effect over treated household-years (observation-weighted "
                     "event times 0..max, as civmon.stats.event_study aggregates with first_treated = "
                     "completion year + 1); event_time[e] = theta * (e + 1)"),
        "att_gt": att_gt,
        "event_time": {str(e): {"effect": DID_THETA * (e + 1), "n_household_years": int((ev == e).sum())}
                       for e in sorted(set(ev))},
        "att_overall": float(t[treated].mean()),
        "did_2x2_2021_vs_never": {
            "definition": ("villages first completing in 2021 vs villages with no completion before 2023; "
                           "pre 2019-2021, post 2022-2023; effect = mean over post years"),
            "effect": float(np.mean([DID_THETA * (y - 2021) for y in (2022, 2023)])),
            "treated_villages": int(pd.Series(hh.village_code[c21[::ny]]).nunique()),
            "control_villages": int(pd.Series(hh.village_code[never[::ny]]).nunique()),
        },
        "villages_by_cohort": {str(int(k)): int(v) for k, v in
                               fc.reindex(hh.village_code.unique()).value_counts().sort_index().items()},
        "villages_never_completed": int(fc.reindex(hh.village_code.unique()).isna().sum()),
        "survey_households": int(nh),
        "income_model": {"offset_log": INCOME_OFFSET, "sd": INCOME_SD,
                         "expected_ratio_without_effect": float(np.exp(INCOME_OFFSET + var / 2))},
        "satisfied_probability": SATISFIED_P,
    }
    return out, truth


def _visits(reg, rng) -> pd.DataFrame:
    """Follow-up visits: each household on the register at the start of a year is visited with
    probability VISIT_P, a quarter of them twice."""
    rows = []
    for year in PAYMENT_YEARS:
        on = reg[entitled_mask(reg, year)].drop_duplicates("household_id")
        vis = on[rng.random(len(on)) < VISIT_P]
        twice = vis[rng.random(len(vis)) < SECOND_VISIT_P]
        v = pd.concat([vis, twice], ignore_index=True)
        rows.append(pd.DataFrame({"household_id": v.household_id, "township_code": v.township_code,
                                  "date": uniform_dates(rng, f"{year}-01-10", f"{year}-12-20", len(v))}))
    out = pd.concat(rows, ignore_index=True).sort_values("date", kind="stable").reset_index(drop=True)
    out["visit_id"] = [f"ZF{i + 1:07d}" for i in range(len(out))]
    return out


def generate(areas: pd.DataFrame, rng: np.random.Generator, scale: float = 1.0) -> SampleParts:
    """The migrant post-support datasets (raw, canonical dtypes) and their planted truth."""
    reps = max(1, int(round(scale)))
    ids = IdAllocator("migrants")
    rural = areas[(areas.level == "village")].reset_index(drop=True)
    villages = rural.iloc[np.sort(rng.choice(len(rural), MIGRANT_VILLAGES, replace=False))]
    villages = villages.iloc[rng.permutation(len(villages))].reset_index(drop=True)  # slot order
    reg = _register(areas, villages, rng, ids, scale, reps)
    pay, planted = _payments(reg, rng, reps)
    projects = _projects(villages, areas, rng)
    survey, did_truth = _survey(reg, projects, villages, rng, scale)
    visits = _visits(reg, rng)
    bench = pd.DataFrame({"year": list(BENCHMARK), "income_per_capita": [v[0] for v in BENCHMARK.values()]})

    removed = reg.dropna(subset=["removal_date"])
    lag = (removed.removal_date - removed.event_date).dt.days
    p23 = projects[projects.year == 2023]
    truth = {
        "subsidy_per_person": SUBSIDY,
        "entitlement_rule": ("entitled for year Y: eligible, registered_date <= Y-01-01, and neither "
                             "event_date nor removal_date before Y-01-01"),
        "payment_deadline": PAYMENT_DEADLINE,
        "subsidy": _subsidy_truth(reg, pay, planted),
        "removals": {
            "by_year_and_reason": {str(y): {str(r): int(v) for r, v in g.value_counts().sort_index().items()}
                                   for y, g in removed.groupby(removed.removal_date.dt.year).removal_reason},
            "pending_at_2023_12_31": int((reg.event_date.notna() & reg.removal_date.isna()).sum()),
            "lag_days_median": float(lag.median()),
        },
        "projects": {str(y): {"planned": int(len(g)), "budget": float(g.budget.sum()),
                              "completed_in_year": int((g.actual_finish.dt.year == y).sum()),
                              "status": {str(k): int(v) for k, v in g.status.value_counts().sort_index().items()}}
                     for y, g in projects.groupby("year")},
        "projects_2023_completed_by_2023_06_30": int((p23.actual_finish <= _ts("2023-06-30")).sum()),
        "income_benchmark": {str(y): {"value": v, "source": s} for y, (v, s) in BENCHMARK.items()},
        "income_did": did_truth,
        "visits_probability": VISIT_P,
    }
    frames = {
        "migrant_register": canonical(reg, "migrant_register"),
        "migrant_payments": canonical(pay, "migrant_payments"),
        "migrant_projects": canonical(projects, "migrant_projects"),
        "migrant_survey": canonical(survey, "migrant_survey"),
        "rural_income_benchmark": canonical(bench, "rural_income_benchmark"),
        "migrant_visits": canonical(visits, "migrant_visits"),
    }
    return SampleParts(frames=frames, truth=truth)
