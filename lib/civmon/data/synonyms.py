"""Headers as the ministry's and the province's systems and the bureau's clerks write them.

Each column's own Chinese header (spec.py) and English name are always accepted; these are the
other names its exports use. `公民身份号码` is the data element's name in GB 11643 and the
civil-affairs information systems; the others are taken from the county 低保 and 特困 ledgers,
the 残疾人两项补贴 and 儿童福利 systems and the 养老 and 移民 platforms' export templates as
staff meet them. A synonym that would name two columns of one dataset is not used for it (see
readers.header_aliases), so a shared list per column name is safe.
"""

from __future__ import annotations

# column name -> other headers (any dataset)
COLUMN_SYNONYMS: dict[str, tuple[str, ...]] = {
    "id_number": ("身份证号码", "公民身份号码", "证件号码", "身份证件号码", "证件号", "身份证"),
    "applicant_id_number": ("申请人身份证号码", "申请人公民身份号码", "申请人证件号码", "身份证号码", "公民身份号码"),
    "name": ("户主姓名", "对象姓名", "救助对象姓名", "人员姓名"),
    "applicant_name": ("申请人", "姓名"),
    "phone": ("手机号码", "电话", "联系方式"),
    "household_id": ("家庭编号", "户号", "户主编号", "救助户编号"),
    "relation": ("与户主关系（称谓）", "家庭关系"),
    "township_code": ("乡镇（街道）", "所属乡镇", "所属乡镇（街道）", "镇街", "乡镇街道", "乡镇", "街道（乡镇）",
                      "乡镇代码", "所属街道"),
    "village_code": ("村（社区）", "所属村社区", "所属村（社区）", "村社区", "村居", "村（居）", "社区（村）"),
    "month": ("发放年月", "所属月份", "发放月份", "年月", "所属年月", "月份"),
    "category": ("保障类别", "救助类别", "对象类别", "保障类型", "人员类别"),
    "amount": ("实发金额", "救助金额", "发放金额", "补贴金额", "金额"),
    "due_date": ("应发放日期", "计划发放日期"),
    "paid_date": ("实际发放日期", "发放日期", "实发日期", "到账日期"),
    "persons": ("保障人口数", "家庭人口数", "救助人口数"),
    "income_per_capita": ("家庭月人均收入", "人均月收入", "月人均收入"),
    "entry_date": ("审批日期", "纳入日期", "批准日期", "保障起始日期", "审批时间"),
    "exit_date": ("停保日期", "注销日期", "退出日期", "停发日期"),
    "exit_reason": ("停保原因", "注销原因", "退出原因"),
    "labour_capacity": ("劳动能力", "是否有劳动能力"),
    "employment_support": ("就业帮扶", "是否参加就业帮扶"),
    "effective_date": ("生效日期", "执行时间"),
    "standard": ("保障标准（元/人/月）", "标准", "保障标准"),
    "disability_grade": ("残疾级别", "残疾等级（级）"),
    "low_income": ("是否低收入家庭", "低收入家庭成员"),
    "registered_date": ("登记时间", "录入日期", "认定日期"),
    "child_type": ("儿童类型", "保障对象类别"),
    "subsidy_type": ("补贴类别", "补贴名称"),
}
