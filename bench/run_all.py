"""Every benchmark, one after another (`make bench`). Each prints its own table and ratios."""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = [["bench_read.py"], ["bench_scan.py"], ["pdf.py"], ["batch.py", "--quick"]]

if __name__ == "__main__":
    status = 0
    for script in SCRIPTS:
        print(f"\n=== {' '.join(script)} ===", flush=True)
        status |= subprocess.call([sys.executable, str(HERE / script[0]), *script[1:]])
    sys.exit(status)
