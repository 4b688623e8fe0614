"""What the sample tests share: the seed, the reference figures and the calibration check."""

from pathlib import Path

import pandas as pd
import pytest

from civmon.data.pseudonymise import SAMPLE_KEY, pseudonymise
from civmon.data.spec import DATASETS
from civmon.indicators import all_indicators
from civmon.period import Period

SEED = 20230630
REFERENCE = Path(__file__).resolve().parents[2] / ".." / "shared" / "reference" / "seed_h1_2023_figures.csv"
H1 = Period.parse("2023H1")


def pseudo(parts) -> dict[str, pd.DataFrame]:
    """A programme's raw sample frames as the reader returns them (pseudonymised with the sample key)."""
    return {k: pseudonymise(v, DATASETS[k], SAMPLE_KEY) for k, v in parts.frames.items()}


def reference_rows(domain: str) -> pd.DataFrame:
    if not REFERENCE.exists():
        pytest.skip(f"reference figures not found at {REFERENCE}")
    ref = pd.read_csv(REFERENCE)
    return ref[ref.domain == domain]


def check_calibration(data: dict[str, pd.DataFrame], domain: str) -> None:
    """Every reference row of the domain: exact rows equal, at_least rows satisfied, for 2023H1."""
    reg = all_indicators()
    for row in reference_rows(domain).itertuples():
        got = reg[row.indicator_id].compute(data, H1)
        if row.bound == "exact":
            assert got == pytest.approx(row.value, abs=1e-9), f"{row.indicator_id}: {got} != {row.value}"
        else:
            assert got >= row.value, f"{row.indicator_id}: {got} < {row.value}"
