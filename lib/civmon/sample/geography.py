"""Synthetic geography: 14 of Wuxing's township-level units, 230 villages and urban communities.

Township names are real (domain_notes.md); codes, villages and communities are synthetic.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

DISTRICT_CODE = "330502"
DISTRICT_NAME = "吴兴区"

# name, kind (jiedao = urban sub-district, zhen = town, xiang = township), villages, communities,
# resident population (synthetic, order of magnitude only)
TOWNSHIPS: tuple[tuple[str, str, int, int, int], ...] = (
    ("月河街道", "jiedao", 0, 9, 52000),
    ("朝阳街道", "jiedao", 0, 10, 61000),
    ("爱山街道", "jiedao", 0, 9, 55000),
    ("飞英街道", "jiedao", 0, 8, 48000),
    ("龙泉街道", "jiedao", 4, 7, 58000),
    ("环渚街道", "jiedao", 12, 6, 64000),
    ("湖东街道", "jiedao", 8, 5, 45000),
    ("杨家埠街道", "jiedao", 12, 3, 42000),
    ("织里镇", "zhen", 38, 8, 210000),
    ("八里店镇", "zhen", 30, 3, 88000),
    ("妙西镇", "zhen", 22, 1, 32000),
    ("埭溪镇", "zhen", 34, 2, 71000),
    ("东林镇", "zhen", 36, 2, 73000),
    ("道场乡", "xiang", 34, 2, 62000),
)
N_VILLAGES = sum(t[2] for t in TOWNSHIPS)  # 230 administrative villages, as in the seed

_SYLLABLES = list("安宝长春大东丰福高光和红华吉金锦康乐林龙梅明南平清庆荣瑞山盛顺太桃天新兴阳永玉振中竹")


def township_code(i: int) -> str:
    """Synthetic township code: district code + 3 digits (330502001 ..)."""
    return f"{DISTRICT_CODE}{i + 1:03d}"


def build_areas(seed: int = 0) -> pd.DataFrame:
    """The areas table (townships, villages, communities), deterministic for a seed."""
    rng = np.random.default_rng(seed)
    rows = []
    used: set[str] = set()
    for i, (name, kind, n_vil, n_com, pop) in enumerate(TOWNSHIPS):
        tcode = township_code(i)
        rows.append(dict(area_code=tcode, area_name=name, level="township", parent_code=None,
                         urban_rural="urban" if kind == "jiedao" else "rural", population=pop))
        shares = rng.dirichlet(np.full(n_vil + n_com, 4.0)) if n_vil + n_com else []
        for j in range(n_vil + n_com):
            is_village = j < n_vil
            while True:
                stem = "".join(rng.choice(_SYLLABLES, 2))
                if stem not in used:
                    used.add(stem)
                    break
            rows.append(dict(
                area_code=f"{tcode}{(j + 1):03d}",
                area_name=stem + ("村" if is_village else "社区"),
                level="village" if is_village else "community",
                parent_code=tcode,
                urban_rural="rural" if is_village else "urban",
                population=int(round(pop * shares[j])),
            ))
    return pd.DataFrame(rows)
