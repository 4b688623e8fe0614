"""Scoping a run to the district or one township, and naming areas by their codes."""

from __future__ import annotations

import pandas as pd

from civmon.errors import ScopeError


def resolve_scope(scope: str, areas: pd.DataFrame | None) -> tuple[str | None, str]:
    """Township code (None for the district) and the scope's Chinese label."""
    if scope in ("district", "", None):
        return None, "全区"
    if areas is None:
        raise ScopeError(f"scope '{scope}' needs the areas table to find the township")
    towns = areas[areas["level"] == "township"]
    hit = towns[(towns["area_code"].astype(str) == str(scope)) | (towns["area_name"].astype(str) == str(scope))]
    if hit.empty:
        names = "、".join(towns["area_name"].astype(str))
        raise ScopeError(f"scope '{scope}' is not a township of the data. Use 'district', 'all', or one of: {names}")
    row = hit.iloc[0]
    return str(row["area_code"]), str(row["area_name"])


def scope_frames(data: dict[str, pd.DataFrame], township: str | None) -> dict[str, pd.DataFrame]:
    """Filter every dataset with a township_code column to one township (identity for the district)."""
    if township is None:
        return dict(data)
    out = {}
    for name, df in data.items():
        if "township_code" in df.columns and name != "kpi":
            out[name] = df[df["township_code"].astype(str) == township]
        elif name == "areas":
            out[name] = df[(df["area_code"].astype(str) == township) | (df["parent_code"].astype(str) == township)]
        elif name == "kpi":
            out[name] = df[df["township_code"].astype("string").fillna("") == township]
        else:
            out[name] = df
    return out


def area_names(areas: pd.DataFrame) -> pd.Series:
    """area_code -> area_name for every area (townships, villages, communities)."""
    return pd.Series(areas["area_name"].astype(str).to_numpy(), index=areas["area_code"].astype(str).to_numpy())


def township_names(areas: pd.DataFrame) -> pd.Series:
    """township code -> name."""
    t = areas[areas["level"].astype(str) == "township"]
    return pd.Series(t["area_name"].astype(str).to_numpy(), index=t["area_code"].astype(str).to_numpy())


def label_areas(codes: pd.Series, names: pd.Series) -> pd.Series:
    """The names of area codes (the code itself where the name is unknown)."""
    c = codes.astype(str)
    return c.map(names).fillna(c)
