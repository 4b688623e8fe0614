"""Reading benchmark: 1M relief payment rows from CSV, first read versus cached read.

Run as `python bench/bench_read.py [--rows N] [--repeat 3]`. Writes a synthetic
relief_payments.csv (plus a small roster, so the reference check runs) to a temporary folder,
then measures `civmon.data.load`:
- first read: parse + validate + pseudonymise, with an empty cache each time;
- cached read: the validated Parquet from the cache.
Each run happens in a fresh Python process (imports done before the clock starts), so its peak
resident memory (VmHWM: interpreter, libraries and Arrow buffers included) belongs to that run
alone. The Python-heap peak (tracemalloc, which slows allocation and does not see Arrow's own
allocator) comes from a second, untimed load in the same process. Times (wall clock, and CPU
seconds of all threads, which a busy shared machine disturbs less) are the median of the repeats.
Prints a table with the ratio cached / first.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

LIB = Path(__file__).resolve().parents[1] / "lib"
sys.path.insert(0, str(LIB))


def write_payments(folder: Path, rows: int, seed: int = 0) -> Path:
    """relief_households.csv and a relief_payments.csv of `rows` rows (24 months per household)."""
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
    months = pd.period_range("2022-01", periods=24, freq="M").to_timestamp()
    amount = rng.integers(500, 5000, rows)
    pd.DataFrame({
        "household_id": hh[who],
        "month": np.asarray(months.strftime("%Y-%m"))[month],             # 2022-01
        "category": hh_cat[who],                                           # Chinese aliases
        "amount": [f"{a:,}.00" for a in amount],                           # 1,234.00
        "due_date": np.asarray(months.strftime("%Y/%-m/10"))[month],      # 2022/1/10
        "paid_date": np.asarray(months.strftime("%Y年%-m月12日"))[month],  # 2022年1月12日
        "township_code": hh_town[who],
    }).to_csv(folder / "relief_payments.csv", index=False)
    return folder / "relief_payments.csv"


def _status_mib(field: str) -> float:
    """A memory figure of this process from /proc/self/status (VmHWM: peak resident set).

    Not ru_maxrss: on Linux that keeps the parent's peak across fork and exec."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # no /proc (not Linux)


def worker(folder: Path, cache: Path, rows: int, expect_cached: bool) -> dict:
    """Loads in this process: the timed one (seconds, peak RSS), then a traced one (heap peak)."""
    from civmon.data import load
    from civmon.data.pseudonymise import SAMPLE_KEY

    base_rss = _status_mib("VmHWM")
    t0, c0 = time.perf_counter(), time.process_time()
    res = load(folder, key=SAMPLE_KEY, cache_dir=cache)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    rss = _status_mib("VmHWM")
    assert res.report.ok, res.report.format()
    assert len(res.data["relief_payments"]) == rows
    assert res.from_cache["relief_payments"] is expect_cached
    del res
    tracemalloc.start()
    load(folder, key=SAMPLE_KEY, cache_dir=cache if expect_cached else cache.with_name(cache.name + "-traced"))
    _, traced = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"seconds": seconds, "cpu": cpu, "rss_mib": rss, "base_rss_mib": base_rss, "traced_mib": traced / 2**20}


def run_worker(folder: Path, cache: Path, rows: int, cached: bool) -> dict:
    cmd = [sys.executable, __file__, "--worker", "--folder", str(folder), "--cache", str(cache),
           "--rows", str(rows)] + (["--cached"] if cached else [])
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--cached", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--cache", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.folder, args.cache, args.rows, args.cached)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "data"
        folder.mkdir()
        size = write_payments(folder, args.rows).stat().st_size / 2**20
        first = [run_worker(folder, Path(tmp) / f"cache{i}", args.rows, cached=False) for i in range(args.repeat)]
        cached = [run_worker(folder, Path(tmp) / "cache0", args.rows, cached=True) for _ in range(args.repeat)]
    rows = []
    for label, runs in (("first (parse+validate+pseudonymise)", first), ("cached (Parquet)", cached)):
        rows.append((label, *(statistics.median(r[k] for r in runs) for k in ("seconds", "cpu", "rss_mib", "traced_mib"))))
    base = statistics.median(r["base_rss_mib"] for r in first + cached)
    print(f"relief_payments.csv: {args.rows:,d} rows, {size:.1f} MiB; median of {args.repeat} runs, "
          f"each in a fresh process (RSS after imports: {base:.0f} MiB)")
    print(f"{'read':<36s} {'time s':>8s} {'CPU s':>7s} {'peak RSS MiB':>13s} {'peak heap MiB':>14s}")
    for label, t, cpu, rss, heap in rows:
        print(f"{label:<36s} {t:8.2f} {cpu:7.2f} {rss:13.0f} {heap:14.0f}")
    (_, t1, c1, r1, h1), (_, t2, c2, r2, h2) = rows
    print(f"{'ratio cached / first':<36s} {t2 / t1:8.2f} {c2 / c1:7.2f} {r2 / r1:13.2f} {h2 / h1:14.2f}")


if __name__ == "__main__":
    main()
