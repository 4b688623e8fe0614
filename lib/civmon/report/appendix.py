"""The appendices every report carries: data quality (validation warnings), the assumptions log of
the estimation methods (`assumptions_log`) and provenance."""

from __future__ import annotations

import pandas as pd

from civmon.data.spec import DATASETS
from civmon.report.provenance import provenance, provenance_tables
from civmon.report.robustness import assumptions_log  # noqa: F401  (the notebooks call cr.appendix.assumptions_log)
from civmon.programmes import datasets_read
from civmon.report.tables import Group, Table, Text, table


def data_quality_frame(validation, datasets) -> pd.DataFrame:
    """Validation warnings for the datasets a report reads, aggregated: no cell values (they may be personal)."""
    cols = ["数据集", "字段", "问题", "应为", "涉及行数", "行号示例"]
    if validation is None:
        return pd.DataFrame(columns=cols)
    df = validation.to_frame()
    df = df[df["severity"] == "warning"]
    if "dataset" in df.columns:
        df = df[df["dataset"].isin(datasets) | df["dataset"].isna()]
    if df.empty:
        return pd.DataFrame(columns=cols)
    df = df.assign(dataset=df["dataset"].fillna(df["file"]), column=df["column"].fillna("—"))
    rows = []
    for (ds, col, msg, exp), g in df.groupby(["dataset", "column", "message", "expected"], dropna=False, sort=True):
        nums = g["row"].dropna().astype(int).tolist()
        zh = DATASETS[ds].zh if ds in DATASETS else ds
        rows.append([zh, col, msg, exp, len(g), "、".join(map(str, nums[:5])) + ("…" if len(nums) > 5 else "")])
    return pd.DataFrame(rows, columns=cols)


def data_quality(ctx) -> Table | Text:
    """The data-quality appendix of one report."""
    frame = data_quality_frame(ctx.validation, datasets_read(ctx.programme))
    if frame.empty:
        return Text(["本报告所用数据均通过校验，无数据质量提示。"])
    return table(frame, caption="附表 数据质量提示（校验警告）", numbered=False,
                 notes=["行号为 Excel 中所见行号（表头为第1行）。出于隐私保护，不显示单元格原值。"])


HOW_ZH = {"file name": "按文件名识别", "headers": "按表头识别", "mapping file": "按映射文件"}


def provenance_section(ctx) -> Group:
    """Parameters, input files (with how each was recognised) and digests, and software versions, as three tables."""
    reads = set(datasets_read(ctx.programme))
    files: dict[str, list[str]] = {}
    for t in ctx.tables:
        if t["dataset"] in reads:
            files.setdefault(t["dataset"], []).append(f"{t['table']}（{HOW_ZH.get(t['how'], t['how'])}）")
    record = provenance(ctx.params, {k: v for k, v in ctx.sha256.items() if k in reads},
                        {k: "、".join(v) for k, v in files.items()})
    params, inputs, soft = provenance_tables(record)
    return Group([table(params, caption="附表 运行参数", numbered=False),
                  table(inputs, caption="附表 输入数据文件（SHA-256）", numbered=False),
                  table(soft, caption="附表 软件版本与运行信息", numbered=False)])
