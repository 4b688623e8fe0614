"""Coverage study of the ITS error models: which one's 95% intervals cover the level and slope change?

    python bench/its_coverage.py                 # 500 series per design, every error model
    python bench/its_coverage.py --reps 100      # a quicker look
    python bench/its_coverage.py --write         # also write lib/civmon/resources/its_coverage.csv
                                                 # and docs/its_coverage.md (what the method note cites)
    python bench/its_coverage.py --render        # re-render docs/its_coverage.md from the csv

Designs:
(a) the sample's own generating process around the 低保 standard rise: the relief roster of
    `civmon.sample` regenerated with seeds 1, 2, ... (seeds whose roster cannot be calibrated are
    skipped and the next taken), monthly caseload and spending 2021-01 to the report's end
    (2023H2: 36 months, 9 after the rise; 2023H1: 30 months, 3 after). The estimand is the sample's
    planted truth: the least-squares level and slope of the exact effect (series minus its
    no-rise counterfactual) over the post-rise months of the window.
(b) Turner et al. 2021 (BMC Med Res Methodol 21:181), section "Simulation design": segmented
    linear series with the interruption at the midpoint, AR(1) errors with rho in {0, 0.2, 0.4,
    0.6, 0.8} (stationary start), lengths 24, 48 and 100. Every error model offered is
    equivariant in the mean, so coverage does not depend on the size of the planted level and slope
    change (fixed here at 2 and 0.1 error SDs) nor on the error variance.

For each method and design it prints the bias, the empirical SE (SD of the estimates), the mean
model SE and the 95% coverage of level and slope (Monte Carlo SE of a coverage near 0.95 with 500
series: about 0.01). Seeds are fixed: the study is reproducible to the last digit.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

from civmon.evaluation.its_checks import judged
from civmon.stats.its import ERRORS

ROOT = Path(__file__).resolve().parents[1]
RESULTS_CSV = ROOT / "lib" / "civmon" / "resources" / "its_coverage.csv"
RESULTS_MD = ROOT / "docs" / "its_coverage.md"
TURNER_N = (24, 48, 100)
TURNER_RHO = (0.0, 0.2, 0.4, 0.6, 0.8)
TERMS = ("level_change", "slope_change")


def turner_series(n: int, rho: float, rng: np.random.Generator, level: float = 2.0, slope: float = 0.1):
    """One series of Turner et al.'s design; returns (frame t, y; intervention; truth by term)."""
    t0 = n // 2
    t = np.arange(n)
    e = rng.standard_normal(n)
    u = np.empty(n)
    u[0] = e[0] / np.sqrt(1 - rho ** 2)
    for i in range(1, n):
        u[i] = rho * u[i - 1] + e[i]
    y = 1.0 + 0.05 * t + level * (t >= t0) + slope * (t - t0) * (t >= t0) + u
    return pd.DataFrame({"t": t, "y": y}), t0, {"level_change": level, "slope_change": slope}


def sample_roster_series(seed: int):
    """The sample's monthly caseload and spending with their no-rise counterfactuals, or None when
    the seed's roster cannot be calibrated."""
    from civmon.sample import relief_roster
    from civmon.sample.geography import build_areas
    from civmon.sample.base import programme_rng
    from civmon.sample.relief import build_roster

    try:
        _, _, truth = build_roster(programme_rng(seed, "relief"), build_areas(0), 1.0,
                                   relief_roster.standards_table())
    except ValueError:
        return None
    return truth["its"]


def projection(effect: np.ndarray, rise: int) -> dict:
    """Least-squares level and slope of the effect over the post-rise months (the truth's definition)."""
    slope, level = np.polyfit(np.arange(len(effect) - rise, dtype=float), effect[rise:], 1)
    return {"level_change": float(level), "slope_change": float(slope)}


def sample_cases(outcome: str, months: int, reps: int) -> list:
    """(frame, intervention, truth) for `reps` calibratable seeds of the sample, window of `months`."""
    cases, seed = [], 0
    while len(cases) < reps:
        seed += 1
        its_t = sample_roster_series(seed)
        if its_t is None:
            continue
        y = np.asarray(its_t[outcome], float)[:months]
        cf = np.asarray(its_t[f"{outcome}_counterfactual"], float)[:months]
        rise = its_t["rise_month_index"]
        cases.append((pd.DataFrame({"t": np.arange(months), "y": y}), rise, projection(y - cf, rise)))
    return cases


def run_design(args) -> list[dict]:
    """Every method on every series of one design; one row per method with the study's figures."""
    from civmon.stats import EstimationError, its

    name, kind, spec, reps, methods = args
    if kind == "turner":
        rng = np.random.default_rng([2021, spec[0], int(spec[1] * 10)])
        cases = [turner_series(spec[0], spec[1], rng) for _ in range(reps)]
    else:
        cases = sample_cases(spec[0], spec[1], reps)
    rows = []
    for m in methods or ERRORS:
        est = {k: [] for k in TERMS}
        se = {k: [] for k in TERMS}
        hit = {k: [] for k in TERMS}
        failed = 0
        for frame, t0, truth in cases:
            try:
                r = its(frame, "t", "y", t0, errors=m)
            except EstimationError:
                failed += 1
                continue
            for k in TERMS:
                res = getattr(r, k)
                est[k].append(res.estimate - truth[k])
                se[k].append(res.se)
                hit[k].append(res.ci_low <= truth[k] <= res.ci_high)
        row = {"design": name, "method": m, "series": len(cases) - failed, "failed": failed}
        for k in TERMS:
            short = k.split("_")[0]
            row[f"{short}_bias"] = float(np.mean(est[k]))
            row[f"{short}_emp_se"] = float(np.std(est[k], ddof=1))
            row[f"{short}_model_se"] = float(np.mean(se[k]))
            row[f"{short}_coverage"] = float(np.mean(hit[k]))
        rows.append(row)
    return rows


def designs(reps: int, methods) -> list:
    out = [(f"sample {y} {lab}", "sample", (y, m), reps, methods)
           for y in ("caseload", "spending") for lab, m in (("2023H2 (36 months, 9 after)", 36),
                                                            ("2023H1 (30 months, 3 after)", 30))]
    out += [(f"Turner n={n} rho={rho}", "turner", (n, rho), reps, methods) for n in TURNER_N for rho in TURNER_RHO]
    return out


def study(reps: int = 500, methods=None, workers: int | None = None) -> pd.DataFrame:
    """The whole study as one frame (design, method, series, bias/SE/coverage of level and slope)."""
    jobs = designs(reps, methods)
    workers = workers or max(1, min(len(jobs), os.cpu_count() or 1))
    if workers == 1:
        rows = [r for job in jobs for r in run_design(job)]
    else:
        with ProcessPoolExecutor(workers) as pool:
            rows = [r for part in pool.map(run_design, jobs) for r in part]
    return pd.DataFrame(rows)


def choose(df: pd.DataFrame) -> str:
    """The error model with the highest worst-case coverage (level and slope) over the judged designs,
    ties broken by the mean distance from 0.95: under-coverage is the error a report cannot afford."""
    j = judged(df)
    per = j.assign(worst=j[["level_coverage", "slope_coverage"]].min(axis=1),
                   dist=(j[["level_coverage", "slope_coverage"]] - 0.95).abs().mean(axis=1))
    score = per.groupby("method").agg(worst=("worst", "min"), dist=("dist", "mean"))
    return str(score.sort_values(["worst", "dist"], ascending=[False, True]).index[0])


def markdown(df: pd.DataFrame, command: str, seconds: float) -> str:
    cols = ["design", "method", "series", "level_bias", "level_emp_se", "level_model_se", "level_coverage",
            "slope_bias", "slope_emp_se", "slope_model_se", "slope_coverage"]
    head = "| " + " | ".join(cols) + " |\n|" + "---|" * len(cols) + "\n"
    body = ""
    for r in df[cols].itertuples(index=False):
        body += "| " + " | ".join(f"{v:.3g}" if isinstance(v, float) and "coverage" not in c else
                                  f"{v:.3f}" if isinstance(v, float) else str(v) for c, v in zip(cols, r)) + " |\n"
    return (f"# ITS coverage study\n\nMade by `{command}` in {seconds:.0f} s (see the docstring of "
            "`bench/its_coverage.py` for the designs and seeds). Bias and SEs are in the outcome's units "
            "(households, yuan; error SDs for Turner's designs).\n\n"
            f"Chosen default (highest worst-case coverage on the sample's process and Turner's designs with "
            f"n >= 48): **{choose(df)}**.\n\n" + head + body)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=500)
    ap.add_argument("--methods", default=None, help="comma-separated error models (default: all)")
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--write", action="store_true", help="write the results csv and docs/its_coverage.md")
    ap.add_argument("--render", action="store_true",
                    help="only re-render docs/its_coverage.md from the committed csv (no simulation)")
    a = ap.parse_args(argv)
    if a.render:
        old = RESULTS_MD.read_text(encoding="utf-8") if RESULTS_MD.exists() else ""
        found = re.search(r"Made by `([^`]*)` in (\d+) s", old)
        command, seconds = (found.group(1), float(found.group(2))) if found else ("python bench/its_coverage.py --write", 0)
        RESULTS_MD.write_text(markdown(pd.read_csv(RESULTS_CSV), command, seconds), encoding="utf-8")
        return 0
    t = time.perf_counter()
    df = study(a.reps, a.methods.split(",") if a.methods else None, a.workers)
    seconds = time.perf_counter() - t
    command = ("python bench/its_coverage.py" + (f" --reps {a.reps}" if a.reps != 500 else "")
               + (f" --methods {a.methods}" if a.methods else "") + " --write")
    text = markdown(df, command, seconds)
    print(text)
    if a.write:
        if a.methods and RESULTS_CSV.exists():  # some methods rerun: replace their rows, keep the others
            old = pd.read_csv(RESULTS_CSV)
            df = pd.concat([old[~old["method"].isin(df["method"])], df], ignore_index=True)
            order = {d[0]: i for i, d in enumerate(designs(1, None))}
            df = df.sort_values(["design", "method"], key=lambda c: c.map(order) if c.name == "design" else
                                c.map({m: i for i, m in enumerate(ERRORS)}), ignore_index=True)
            text = markdown(df, command, seconds)
        RESULTS_CSV.parent.mkdir(parents=True, exist_ok=True)
        df.round(6).to_csv(RESULTS_CSV, index=False)
        RESULTS_MD.write_text(text, encoding="utf-8")
        print(f"wrote {RESULTS_CSV.relative_to(ROOT)} and {RESULTS_MD.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
