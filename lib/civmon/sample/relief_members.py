"""Members of the sample's roster households: fake people consistent with each household."""

from __future__ import annotations

import numpy as np
import pandas as pd

from civmon.sample.people import IdAllocator, birth_dates, names, phones


def household_members(rng: np.random.Generator, ids: IdAllocator, households: pd.DataFrame) -> pd.DataFrame:
    """One row per member (`persons` per household); the head has labour capacity or is older.

    Heads of households with labour capacity are working-age adults; otherwise mostly elderly.
    Other members are spouses, children or parents. Only the head has a phone number on file.
    """
    persons = households["persons"].to_numpy(dtype=np.int64)
    hh = np.repeat(np.arange(len(households)), persons)
    pos = np.arange(len(hh)) - np.repeat(np.cumsum(persons) - persons, persons)
    n = len(hh)
    labour = households["labour_capacity"].to_numpy(dtype=bool)[hh]
    tekun = (households["category"].to_numpy() == "tekun")[hh]
    head = pos == 0
    head_role = np.where(labour, "adult", np.where(rng.random(n) < 0.65, "elderly", "adult"))
    head_role = np.where(tekun, "elderly", head_role)
    u = rng.random(n)
    other_role = np.where(u < 0.45, "child", np.where(u < 0.8, "adult", "elderly"))
    role = np.where(head, head_role, other_role)
    relation = np.where(head, "户主", np.select(
        [role == "child", (role == "adult") & (pos == 1)], ["子女", "配偶"], "父母"))
    born = pd.DatetimeIndex(np.empty(n, dtype="datetime64[ns]"))
    born_arr = born.to_numpy().copy()
    for r in ("child", "adult", "elderly"):
        sel = role == r
        born_arr[sel] = birth_dates(rng, int(sel.sum()), r).to_numpy()
    male = rng.random(n) < np.where(head, 0.6, 0.45)
    id_numbers, _ = ids.issue(born_arr, male)
    phone = np.where(head, phones(rng, n), None)
    return pd.DataFrame({
        "household_id": households["household_id"].array.take(hh),
        "id_number": id_numbers,
        "name": names(rng, male),
        "phone": phone,
        "relation": relation,
        "township_code": households["township_code"].array.take(hh),
    })
