"""Chinese wording of validation messages, for the data-quality appendix of the (Chinese) reports.

The terminal output stays in English; `ValidationReport.to_frame()` adds a `message_zh` column.
"""

from __future__ import annotations

import re

from civmon.data.spec import DATASETS

MESSAGES_ZH = {
    # file and folder
    "folder not found": "找不到数据文件夹",
    "unknown dataset": "未知数据集",
    "no file for dataset": "缺少数据集文件",
    "file not recognised as a dataset": "无法识别文件对应的数据集",
    "hidden sheet ignored": "隐藏的工作表，已忽略",
    "empty sheet ignored": "空工作表，已忽略",
    "no such sheet": "找不到指定的工作表",
    "mapping file problem": "映射文件（civmon-data.yaml）有误",
    "rows repeated in another file (kept once)": "与其他文件重复的行（只保留一次）",
    "same key in two files": "两个文件中有相同编号的记录",
    "unknown place name": "未知的地名",
    "total or signature row dropped": "合计行或签名行（已剔除）",
    "empty file": "空文件",
    "no data rows": "没有数据行",
    "unreadable encoding": "无法识别的文件编码",
    "unreadable Excel file": "无法读取的Excel文件",
    "unreadable Parquet file": "无法读取的Parquet文件",
    "unreadable CSV file": "无法读取的CSV文件",
    "truncated last line": "最后一行不完整（文件被截断）",
    "wrong number of fields": "字段数与表头不符",
    "file ends inside a quoted value (truncated?)": "文件在引号内结束（可能被截断）",
    "file does not end with a line break": "文件末尾没有换行（最后一行可能不完整）",
    # columns
    "missing column": "缺少列",
    "extra column": "多余的列（已忽略）",
    "column appears twice": "列重复",
    # cells
    "not a date": "日期格式错误",
    "not a month": "月份格式错误",
    "not an amount": "金额格式错误",
    "not a number": "不是数字",
    "not a whole number": "不是整数",
    "not yes/no": "应填是或否",
    "unknown value": "取值不在允许范围内",
    "not an 18-character ID number": "身份证号不是18位",
    "bad ID number checksum": "身份证号校验位错误",
    "ID number in a column that is not an ID column": "非身份证号列中出现身份证号",
    "empty value": "必填项为空",
    "negative amount": "金额为负数",
    "below minimum": "低于下限",
    "above maximum": "高于上限",
    "not the first day of a month": "不是月初日期",
    "duplicate key": "重复记录",
    # across datasets
    "unknown township": "乡镇街道代码不在区划名录中",
    "unknown village or community": "村社区代码不在区划名录中",
    "village or community not in this township": "村社区不属于该乡镇街道",
    "person in two households in the same month": "同一人同月属于两个家庭",
    "month outside the data's coverage": "月份超出数据覆盖期",
    "date after the end of the data's coverage": "日期晚于数据覆盖期",
    "date in the future": "日期晚于今天",
    "date before 1950": "日期早于1950年",
}

_NOT_IN = re.compile(r"^(\w+) not in (\w+)$")


def message_zh(message: str, dataset: str | None = None) -> str:
    """The Chinese wording of a message ('household_id not in relief_households' -> '户编号在低收入对象名册中不存在')."""
    if message in MESSAGES_ZH:
        return MESSAGES_ZH[message]
    m = _NOT_IN.match(message)
    if m and m.group(2) in DATASETS:
        column, target = m.groups()
        try:
            label = DATASETS[dataset].column(column).zh if dataset in DATASETS else column
        except KeyError:
            label = column
        return f"{label}在{DATASETS[target].zh}中不存在"
    return message
