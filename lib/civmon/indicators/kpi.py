"""Indicators of the summary's other work (charity, community, civil affairs), read from `kpi`.

The `kpi` dataset holds one value per indicator id, period label and township (empty township =
district). Values are in the indicator's unit. Kinds: `flow` (a count or sum over the period),
`stock` (the level at the period's end), `annual` (a yearly figure such as a plan or a number of
units: a half-year or quarter without its own row takes its year's row).
"""

from __future__ import annotations

import pandas as pd

from civmon.indicators.registry import indicator
from civmon.period import Period

# id, programme, label_zh, label_en, unit, kind
KPI_INDICATORS: tuple[tuple[str, str, str, str, str, str], ...] = (
    ("charity_projects_linked", "charity", "链接慈善项目", "Charity projects linked", "项", "flow"),
    ("venture_philanthropy_projects", "charity", "公益创投项目", "Venture philanthropy projects", "项", "flow"),
    ("new_charity_orgs", "charity", "新增慈善组织", "New charitable organisations", "家", "flow"),
    ("community_workers", "community", "社区工作者人数", "Community workers", "人", "stock"),
    ("community_workers_certified", "community", "持证社区工作者", "Certified community workers", "人", "stock"),
    ("community_workers_new_trained", "community", "新入职专职社区工作者岗前培训",
     "New community workers given induction training", "人", "flow"),
    ("exam_reward_funds", "community", "社会工作者职业水平考试奖励补贴", "Rewards for passing the social work exam",
     "万元", "flow"),
    ("service_complexes_planned", "community", "筹备建设社区服务综合体", "Community service complexes in preparation",
     "家", "annual"),
    ("marriage_cert_reissued", "affairs", "婚姻登记证补领", "Marriage certificates reissued", "件", "flow"),
    ("townships", "affairs", "乡镇街道数", "Township-level units", "个", "annual"),
    ("administrative_villages", "affairs", "行政村数", "Administrative villages", "个", "annual"),
    ("newlywed_counselling", "affairs", "参与新婚辅导新人", "Newlyweds given pre-marriage counselling", "人", "flow"),
    ("divorce_counselling", "affairs", "离婚辅导", "Divorce counselling sessions", "人次", "flow"),
    ("tomb_sweeping_visitors", "affairs", "清明祭扫群众", "Qingming tomb-sweeping visitors", "人", "flow"),
    ("after_death_online", "affairs", "逝者身后一件事网上联办", "After-death affairs handled online", "件", "flow"),
)

_FORMULA = {
    "flow": "其他工作指标表（kpi）中该指标本期的区级数值（本期合计）",
    "stock": "其他工作指标表（kpi）中该指标本期的区级数值（期末数）",
    "annual": "其他工作指标表（kpi）中该指标本期的区级数值；半年或季度无单独数值时取所在年度的数值",
}


def kpi_value(kpi: pd.DataFrame, indicator_id: str, period: Period, annual: bool = False) -> float:
    """The district-level value of an indicator for a period label (NaN when the table has none)."""
    township = kpi["township_code"].astype("string").fillna("").str.strip()
    rows = kpi[(kpi["indicator_id"] == indicator_id) & (township == "")]
    labels = rows["period"].astype("string").str.strip()
    for label in (period.label, str(period.year)) if annual and period.kind != "year" else (period.label,):
        hit = rows.loc[labels == label, "value"]
        if len(hit):
            return float(hit.iloc[0])
    return float("nan")


def _register(id_: str, programme: str, label_zh: str, label_en: str, unit: str, kind: str) -> None:
    def compute(kpi: pd.DataFrame, period: Period) -> float:
        return kpi_value(kpi, id_, period, annual=kind == "annual")

    compute.__name__ = id_
    compute.__doc__ = f"{label_en} ({kind}), read from the kpi table."
    indicator(id_, programme, label_zh, label_en, unit, _FORMULA[kind], inputs=("kpi",),
              higher_is_better=None)(compute)


for _row in KPI_INDICATORS:
    _register(*_row)
