"""Places by name or by code: township and village columns may hold the code, the full name (织里镇)
or the name without its suffix (织里), resolved through `areas`. A name that is no known place is
an error that suggests the nearest one; codes are left to the cross-dataset checks."""

from __future__ import annotations

import difflib
import re

import numpy as np
import pandas as pd

from civmon.data.validation import ERROR, ValidationReport

MSG_UNKNOWN_PLACE = "unknown place name"
SUFFIXES = ("街道", "镇", "乡", "社区", "村")


def _short(name: str) -> str:
    for s in SUFFIXES:
        if name.endswith(s) and len(name) > len(s):
            return name[: -len(s)]
    return name


def _names(areas: pd.DataFrame, levels) -> dict[str, list[tuple[str, str]]]:
    """Name (full and without suffix) -> [(code, township code)] for the areas of `levels`."""
    a = areas[areas["level"].astype(str).isin(levels)]
    out: dict[str, list[tuple[str, str]]] = {}
    for code, name, parent in zip(a["area_code"].astype(str), a["area_name"].astype(str),
                                  a["parent_code"].astype("string").fillna("")):
        town = code if parent == "" else str(parent)
        for n in {name, _short(name)}:
            out.setdefault(n, []).append((code, town))
    return out


def _looks_like_name(v: str) -> bool:
    return bool(re.search(r"[^\d\s]", v))


def _resolve(values: pd.Series, towns: pd.Series | None, names: dict, codes: set[str]):
    """(resolved values as objects, mask of names that are no known place)."""
    out = values.astype(object).to_numpy(copy=True)
    bad = np.zeros(len(out), bool)
    for i, v in enumerate(out):
        if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
            continue
        v = str(v).strip()
        if v in codes or not _looks_like_name(v):
            continue
        hits = names.get(v) or names.get(_short(v)) or []
        if len(hits) > 1 and towns is not None:
            hits = [h for h in hits if h[1] == str(towns.iloc[i])] or hits
        if len(hits) == 1:
            out[i] = hits[0][0]
        else:
            bad[i] = True
            out[i] = None
    return out, bad


def resolve_places(frames: dict[str, pd.DataFrame], areas: pd.DataFrame, files: dict[str, str],
                   headers: dict[str, dict[str, str]], report: ValidationReport) -> None:
    """Replace place names by their codes in every dataset's township_code and village_code (in place);
    report names that are no known place, with the nearest known name."""
    towns = _names(areas, ("township",))
    villages = _names(areas, ("village", "community"))
    town_codes = set(areas.loc[areas["level"].astype(str) == "township", "area_code"].astype(str))
    village_codes = set(areas.loc[areas["level"].astype(str) != "township", "area_code"].astype(str))
    for name, df in frames.items():
        if name == "areas":
            continue
        for column, names, codes in (("township_code", towns, town_codes), ("village_code", villages, village_codes)):
            if column not in df or not len(df):
                continue
            s = df[column]
            distinct = pd.Series(s.dropna().unique()).astype(str)
            if not distinct.map(lambda v: v not in codes and _looks_like_name(v)).any():
                continue  # codes only (the usual case): nothing to do
            context = df["township_code"] if column == "village_code" and "township_code" in df else None
            resolved, bad = _resolve(s, context, names, codes)
            if bad.any():
                known = sorted(names)
                shown = [str(v) for v in s.astype(object).to_numpy()[bad]]
                hint = difflib.get_close_matches(shown[0], known, n=1)
                expected = (f"a place of the areas list (e.g. {hint[0]})" if hint else "a place of the areas list") + \
                    "; a code, a full name or a name without 镇/街道/乡"
                report.add_cells(files.get(name, name), headers.get(name, {}).get(column, column), MSG_UNKNOWN_PLACE,
                                 expected, ERROR, name, df.index.to_numpy()[bad], shown)
            values = pd.Series(resolved, index=df.index, dtype="object")
            df[column] = pd.Categorical(values.where(values.notna(), None))
