"""The problems workbook: every stored problem of a validation as one row of an Excel sheet, in
Chinese, with what to do about it, so a data clerk can filter by file and column and fix them.

Values are shown as stored in the report: ID numbers are already masked and names never stored.
Text is written as text (`civmon.xlsx`), so a hostile cell cannot become a formula.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from civmon.data.messages_zh import message_zh
from civmon.data.spec import DATASETS
from civmon.data.validation import ERROR, WARNING, ValidationReport
from civmon.xlsx import write_frame_xlsx

SHEET = "数据问题"
COLUMNS = ["文件", "工作表", "Excel行号", "列", "值", "问题", "应为", "严重程度", "如何修改"]
WIDTHS = [32, 14, 10, 22, 26, 36, 40, 10, 60]
SEVERITY_ZH = {ERROR: "错误", WARNING: "警告"}

# How to fix each kind of problem, keyed by the message text (the MSG_* constants of readers,
# discovery, canonical, contracts, parsing, places, crosschecks and loader; literal here so this
# module imports none of them and stays below the loader).
FIX_ZH = {
    # folder and files (loader, discovery)
    "folder not found": "检查数据文件夹的路径是否正确（参数文件中的数据目录或命令行参数）。",
    "unknown dataset": "检查数据集名称的拼写；全部数据集可用 civmon contracts 查看。",
    "no file for dataset": "把该数据集的导出文件放进数据文件夹；文件名或表头不同时，用 civmon inspect 查看，"
                           "并在 civmon-data.yaml 中指定。",
    "two files for one dataset": "只保留一个文件，或确认多个文件是同一数据集的分期导出。",
    "file not recognised as a dataset": "用 civmon inspect 查看该文件最像哪个数据集，在 civmon-data.yaml 的 files "
                                        "中指定它；与本系统无关的文件请移出数据文件夹。",
    "hidden sheet ignored": "如需使用该工作表，在 Excel 中取消隐藏，或在 civmon-data.yaml 中用 sheet 指定。",
    "empty sheet ignored": "无需处理；如该表本应有数据，请重新导出。",
    "no such sheet": "核对 civmon-data.yaml 中 sheet 的名称与工作簿中的工作表名称一致。",
    "mapping file problem": "按“应为”的提示修改 civmon-data.yaml 的这一行（数据集名、列名以 civmon contracts 为准）。",
    "rows repeated in another file (kept once)": "无需处理（重复的行只计一次）；如不应重复，删除多余的文件。",
    "same key in two files": "同一编号的记录出现在两个文件中：核对哪一份正确，删除或更正另一份。",
    # reading a file (readers)
    "empty file": "该文件是空的：重新从业务系统导出。",
    "unreadable encoding": "用 Excel 或 WPS 打开后另存为“CSV UTF-8（逗号分隔）”或 .xlsx 文件。",
    "unreadable Excel file": "用 Excel 或 WPS 打开后另存为 .xlsx；打不开时请重新导出。",
    "unreadable Parquet file": "重新生成该 Parquet 文件，或改用 .xlsx / .csv 文件。",
    "unreadable CSV file": "用 Excel 或 WPS 打开后另存为“CSV UTF-8（逗号分隔）”或 .xlsx 文件。",
    "truncated last line": "文件末尾不完整（可能复制或下载中断）：重新导出该文件。",
    "wrong number of fields": "该行的列数与表头不一致：检查是否有多余的逗号或换行，或另存为 .xlsx 文件。",
    "file ends inside a quoted value (truncated?)": "文件可能被截断，或有未配对的引号：重新导出该文件。",
    "file does not end with a line break": "确认最后一行完整；完整则可忽略，否则重新导出。",
    # columns and rows (canonical)
    "missing column": "在表头行补上这一列（列名见“应为”），或在 civmon-data.yaml 的 columns 中写明文件里哪一列是它；"
                      "可用 civmon inspect 查看。",
    "extra column": "无需处理（这一列不使用）；如它其实是需要的列，在 civmon-data.yaml 的 columns 中写明对应关系。",
    "column appears twice": "删除其中一列或改名，只保留一列。",
    "ID number in a column that is not an ID column": "把身份证号移到身份证号列，这一列填写相应的编号或文字。",
    "no data rows": "检查文件是否导出完整；如本期确无数据，可以忽略。",
    "total or signature row dropped": "无需处理（合计行、签名行不计入数据）。",
    # cells (parsing)
    "not a date": "改为日期，例如 2023-01-05、2023/1/5 或 2023年1月5日。",
    "not a month": "改为月份，例如 2023-01 或 2023年1月。",
    "not an amount": "改为以元为单位的金额数字，例如 1234.50，不带单位或文字。",
    "not a number": "改为数字，不带单位或文字。",
    "not a whole number": "改为整数。",
    "not yes/no": "改为“是”或“否”。",
    "unknown value": "改为“应为”中列出的取值之一，或在 civmon-data.yaml 的 values 中写明对应关系。",
    "not an 18-character ID number": "改为18位身份证号，并把这一列设为文本格式（避免 Excel 显示为 3.3E+17）。",
    # contract (contracts)
    "empty value": "补填这一项（必填）。",
    "negative amount": "改为不小于0的金额；退款或冲销按业务规定另行记录。",
    "below minimum": "核对数值，改到“应为”所示的范围内。",
    "above maximum": "核对数值，改到“应为”所示的范围内。",
    "bad ID number checksum": "对照证件核对身份证号（常见为录错一位）并更正。",
    "not the first day of a month": "改为月份（如 2023-01），不填具体日期。",
    "duplicate key": "同一条记录出现了多次：删除重复的行，或更正编号、月份（首次出现的行见“应为”）。",
    # places (places)
    "unknown place name": "改为区划名录（areas）中的乡镇街道、村社区名称或代码（最接近的名称见“应为”）。",
    # across datasets (crosschecks)
    "unknown township": "改为区划名录中的乡镇街道代码，或在区划名录（areas）中补上该乡镇街道。",
    "unknown village or community": "改为区划名录中的村社区代码，或在区划名录（areas）中补上该村社区。",
    "village or community not in this township": "核对乡镇街道与村社区是否填错，按区划名录更正其中之一。",
    "person in two households in the same month": "核对该成员属于哪一户，从另一户的名册中删除，或更正纳入、退出日期。",
    "month outside the data's coverage": "核对月份（常见为年份录错）；确属其他期间的记录请移出本期文件。",
    "date after the end of the data's coverage": "核对日期（常见为年份录错）。",
    "date in the future": "核对日期（常见为年份录错）。",
    "date before 1950": "核对日期（常见为年份录错或把空值填成了 1900-01-01）。",
}
DEFAULT_FIX_ZH = "按“问题”和“应为”两列的说明更正这个单元格，然后重新运行 civmon validate。"
_NOT_IN = re.compile(r"^(\w+) not in (\w+)$")


def fix_zh(message: str) -> str:
    """A short Chinese instruction for a problem's message (a default for an unknown one)."""
    if message in FIX_ZH:
        return FIX_ZH[message]
    m = _NOT_IN.match(message)
    if m and m.group(2) in DATASETS:
        target = DATASETS[m.group(2)].zh
        return f"核对编号是否录错；如确为新的对象，先把它补录到{target}中。"
    return DEFAULT_FIX_ZH


def problems_frame(report: ValidationReport) -> pd.DataFrame:
    """The workbook's rows: one per stored problem and one per omitted count; errors first, then
    by file, sheet and row (an omitted count after the rows of its file and sheet)."""
    rows = []
    for p in report.problems:
        rows.append((p.severity != ERROR, p.file, p.sheet or "", 0, p.row or 0,
                     [p.file, p.sheet, p.row, p.column, p.value, message_zh(p.message, p.dataset), p.expected,
                      SEVERITY_ZH.get(p.severity, p.severity), fix_zh(p.message)]))
    for (file, column, message, severity), n in report.omitted.items():
        like = next((p for p in report.problems
                     if (p.file, p.column, p.message, p.severity) == (file, column, message, severity)), None)
        sheet, dataset = (like.sheet, like.dataset) if like else (None, None)
        rows.append((severity != ERROR, file, sheet or "", 1, 0,
                     [file, sheet, None, column, None,
                      f"{message_zh(message, dataset)}：另有 {n:,d} 行有同样的问题（未逐行列出）",
                      like.expected if like else "", SEVERITY_ZH.get(severity, severity), fix_zh(message)]))
    rows.sort(key=lambda r: r[:5])
    df = pd.DataFrame([r[5] for r in rows], columns=COLUMNS, dtype=object)
    df["Excel行号"] = df["Excel行号"].astype("Int64")
    return df


def write_problems_workbook(report: ValidationReport, path) -> Path:
    """Write the report's problems as a workbook (header frozen, filter on, widths set) at `path`,
    atomically; return the path."""
    return write_frame_xlsx(problems_frame(report), path, sheet_name=SHEET, widths=WIDTHS,
                            freeze_header=True, autofilter=True)
