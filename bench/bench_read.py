"""Reading benchmark: 1M relief payment rows from CSV, first read versus cached read.

Run as `python bench/bench_read.py [--rows N] [--repeat 3]`. Writes a synthetic
relief_payments.csv (plus a small roster so the reference check runs) to a temporary folder,
then times `civmon.data.load` (parse + validate + pseudonymise, with an empty cache) and the
cached read (Parquet), median of the repeats, and peak Python heap memory (tracemalloc) of one
run of each. Prints a table with the ratio cached / first.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))

from civmon.data import load  # noqa: E402
from civmon.data.pseudonymise import SAMPLE_KEY  # noqa: E402


def write_payments(folder: Path, rows: int, seed: int = 0) -> Path:
    """relief_households.csv and a relief_payments.csv of `rows` rows, written with pandas."""
    rng = np.random.default_rng(seed)
    n_households = max(-(-rows // 24), 1)
    hh = np.array([f"H{i:07d}" for i in range(n_households)])
    town = np.array([f"330502{i:03d}" for i in range(1, 15)])
    hh_town = town[rng.integers(0, len(town), n_households)]
    cats = np.array(["低保", "低保边缘", "特困"])
    hh_cat = cats[rng.choice(3, n_households, p=[0.6, 0.3, 0.1])]
    pd.DataFrame({
        "household_id": hh, "category": hh_cat, "township_code": hh_town,
        "village_code": [f"{t}001" for t in hh_town], "persons": rng.integers(1, 6, n_households),
        "income_per_capita": rng.integers(0, 900, n_households), "entry_date": "2020-01-01",
        "exit_date": "", "exit_reason": "", "labour_capacity": "否", "employment_support": "否",
    }).to_csv(folder / "relief_households.csv", index=False)
    who = np.arange(rows) % n_households
    month = (np.arange(rows) // n_households) % 24
    months = pd.period_range("2022-01", periods=24, freq="M")
    amount = rng.integers(500, 5000, rows)
    pd.DataFrame({
        "household_id": hh[who],
        "month": np.asarray(months.strftime("%Y-%m"))[month],
        "category": hh_cat[who],
        "amount": [f"{a:,}.00" for a in amount],
        "due_date": np.asarray(months.to_timestamp().strftime("%Y/%-m/10"))[month],
        "paid_date": np.asarray(months.to_timestamp().strftime("%Y年%-m月12日"))[month],
        "township_code": hh_town[who],
    }).to_csv(folder / "relief_payments.csv", index=False)
    return folder / "relief_payments.csv"


def timed(fn, repeat: int) -> tuple[float, float]:
    """(median seconds over `repeat` runs, peak traced MiB of one extra run)."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return statistics.median(times), peak / 2**20


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "data"
        folder.mkdir()
        path = write_payments(folder, args.rows)
        size = path.stat().st_size / 2**20
        caches = iter(range(10_000))

        def first():
            res = load(folder, key=SAMPLE_KEY, cache_dir=Path(tmp) / f"cache{next(caches)}")
            assert res.report.ok, res.report.format()
            assert len(res.data["relief_payments"]) == args.rows

        warm = Path(tmp) / "warm"
        load(folder, key=SAMPLE_KEY, cache_dir=warm)

        def cached():
            res = load(folder, key=SAMPLE_KEY, cache_dir=warm)
            assert all(res.from_cache.values())
            assert len(res.data["relief_payments"]) == args.rows

        t1, m1 = timed(first, args.repeat)
        t2, m2 = timed(cached, args.repeat)
    print(f"relief_payments.csv: {args.rows:,d} rows, {size:.1f} MiB (median of {args.repeat})")
    print(f"{'read':<34s} {'time s':>8s} {'peak MiB':>9s}")
    print(f"{'first (parse+validate+pseudonymise)':<34s} {t1:8.2f} {m1:9.0f}")
    print(f"{'cached (Parquet)':<34s} {t2:8.2f} {m2:9.0f}")
    print(f"{'ratio cached / first':<34s} {t2 / t1:8.2f} {m2 / m1:9.2f}")


if __name__ == "__main__":
    main()
