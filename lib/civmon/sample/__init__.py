"""The built-in synthetic sample: generated once into a cache folder and reused.

`sample_dir()` returns a folder holding the sample for a seed and scale, generating it the first
time. The folder name carries a hash of the generator's source, so a changed generator never
reuses a stale sample. Root: `$CIVMON_CACHE` if set, else `~/.cache/civmon`.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

CACHE_ENV = "CIVMON_CACHE"
DEFAULT_SEED = 20230630

__all__ = ["sample_dir", "source_hash", "cache_root", "DEFAULT_SEED"]


def source_hash() -> str:
    """A short hash of everything that shapes the sample's bytes (generator, spec, kpi ids)."""
    here = Path(__file__).resolve().parent
    lib = here.parent
    files = sorted(here.glob("*.py")) + [lib / "data" / "spec.py", lib / "indicators" / "kpi.py"]
    h = hashlib.sha256()
    for f in files:
        if f.exists():
            h.update(f.name.encode())
            h.update(f.read_bytes())
    return h.hexdigest()[:12]


def cache_root(cache_dir: Path | str | None = None) -> Path:
    """Where samples are cached: the argument, else $CIVMON_CACHE, else ~/.cache/civmon."""
    if cache_dir is not None:
        return Path(cache_dir)
    env = os.environ.get(CACHE_ENV)
    return Path(env) if env else Path.home() / ".cache" / "civmon"


def sample_dir(cache_dir: Path | str | None = None, seed: int = DEFAULT_SEED, scale: float = 1.0) -> Path:
    """The folder of the synthetic sample for (seed, scale), generated on first use.

    Generation writes into a temporary folder next to the target and renames it into place, so a
    half-written sample is never reused and concurrent callers do not clash.
    """
    from civmon.sample.generate import MARKER, generate_sample

    root = cache_root(cache_dir)
    target = root / f"sample-{seed}-{scale:g}-{source_hash()}"
    if (target / MARKER).exists():
        return target
    root.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=root))
    try:
        generate_sample(tmp, seed=seed, scale=scale)
        try:
            os.rename(tmp, target)
        except OSError:
            if not (target / MARKER).exists():  # not a concurrent winner: a stale partial folder
                shutil.rmtree(target, ignore_errors=True)
                os.rename(tmp, target)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return target
