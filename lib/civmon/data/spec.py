"""The datasets civmon reads: one declarative spec per dataset, the single source of column names.

Every contract (validation schema), reader, template workbook, data dictionary and the synthetic
sample are built from these specs. Column names are English snake_case; `zh` is the Chinese
header staff use in Excel (readers accept either). Every record-level dataset carries
`township_code` so that a report's scope (district or one township) is a plain filter.

Column kinds:
  str      free text or a code
  cat      a code from `values` (Chinese aliases in `value_zh` are accepted on read)
  int      whole number;  num  decimal number;  money  yuan, >= 0, thousands separators allowed
  date     a calendar day (2023-01-05, 2023/1/5, 2023年1月5日 or an Excel serial number)
  month    a calendar month (2023-01, 2023/1, 2023年1月)
  bool     是/否, Y/N, 1/0, true/false
  id_number  an 18-digit resident ID number: pseudonymised on read, never passed downstream
  name, phone  personal data: dropped on read
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Column:
    name: str
    zh: str
    kind: str
    required: bool = True  # False: the column must exist but cells may be empty
    values: tuple[str, ...] = ()
    value_zh: tuple[str, ...] = ()
    description: str = ""
    min: float | None = None
    max: float | None = None


@dataclass(frozen=True)
class Dataset:
    name: str
    zh: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    references: dict[str, str] = field(default_factory=dict)  # column -> "dataset.column"
    period_column: str | None = None  # the date or month column that defines coverage

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


def C(name, zh, kind, required=True, values=(), value_zh=(), description="", min=None, max=None):
    return Column(name, zh, kind, required, tuple(values), tuple(value_zh), description, min, max)


TOWNSHIP = C("township_code", "乡镇街道代码", "str", description="township-level unit code, see areas")
VILLAGE = C("village_code", "村社区代码", "str", description="village or community code, see areas")

DATASETS: dict[str, Dataset] = {}


def _add(ds: Dataset) -> Dataset:
    DATASETS[ds.name] = ds
    return ds


# --- shared -------------------------------------------------------------------------------------
_add(Dataset(
    "areas", "乡镇街道和村社区名录",
    "Township-level units and their villages and communities.",
    (
        C("area_code", "区划代码", "str"),
        C("area_name", "名称", "str"),
        C("level", "层级", "cat", values=("township", "village", "community"), value_zh=("乡镇街道", "行政村", "社区")),
        C("parent_code", "上级代码", "str", required=False, description="township code for villages and communities"),
        C("urban_rural", "城乡", "cat", values=("urban", "rural"), value_zh=("城镇", "农村")),
        C("population", "常住人口", "int", required=False, min=0),
    ),
    key=("area_code",),
))

# --- relief -------------------------------------------------------------------------------------
CATEGORY = dict(values=("dibao", "dibian", "tekun"), value_zh=("低保", "低保边缘", "特困"))

_add(Dataset(
    "relief_households", "低收入对象名册",
    "The low-income roster: one row per household and spell on assistance.",
    (
        C("household_id", "户编号", "str"),
        C("category", "类别", "cat", **CATEGORY),
        TOWNSHIP, VILLAGE,
        C("persons", "保障人数", "int", min=1, max=20),
        C("income_per_capita", "家庭人均月收入", "money", description="assessed monthly income per person, yuan"),
        C("entry_date", "纳入日期", "date"),
        C("exit_date", "退出日期", "date", required=False),
        C("exit_reason", "退出原因", "cat", required=False,
          values=("employment", "income_rise", "death", "moved", "other"),
          value_zh=("就业增收", "其他收入增加", "死亡", "迁出", "其他")),
        C("labour_capacity", "有劳动能力", "bool"),
        C("employment_support", "参加就业帮扶", "bool"),
    ),
    key=("household_id",),
    period_column="entry_date",
))
_add(Dataset(
    "relief_members", "低收入家庭成员",
    "Members of roster households. ID numbers, names and phones are personal data.",
    (
        C("household_id", "户编号", "str"),
        C("id_number", "身份证号", "id_number"),
        C("name", "姓名", "name"),
        C("phone", "联系电话", "phone", required=False),
        C("relation", "与户主关系", "str", required=False),
        TOWNSHIP,
    ),
    key=("id_number",),
    references={"household_id": "relief_households.household_id"},
))
_add(Dataset(
    "relief_payments", "低收入对象救助金发放",
    "Monthly assistance payments to roster households.",
    (
        C("household_id", "户编号", "str"),
        C("month", "发放月份", "month"),
        C("category", "类别", "cat", **CATEGORY),
        C("amount", "发放金额", "money"),
        C("due_date", "应发日期", "date"),
        C("paid_date", "实发日期", "date", required=False),
        TOWNSHIP,
    ),
    key=("household_id", "month", "category"),
    references={"household_id": "relief_households.household_id"},
    period_column="month",
))
_add(Dataset(
    "relief_standards", "救助标准",
    "Assistance standards by category and effective date (yuan per person per month).",
    (
        C("category", "类别", "cat", **CATEGORY),
        C("effective_date", "执行日期", "date"),
        C("standard", "标准（元/人/月）", "money"),
    ),
    key=("category", "effective_date"),
))
_add(Dataset(
    "temp_relief", "临时救助",
    "Temporary-relief events. The applicant need not be on the roster.",
    (
        C("event_id", "救助编号", "str"),
        C("applicant_id_number", "申请人身份证号", "id_number"),
        C("applicant_name", "申请人姓名", "name"),
        TOWNSHIP,
        C("date", "救助日期", "date"),
        C("persons", "救助人数", "int", min=1, max=20),
        C("amount", "救助金额", "money"),
        C("reason", "救助原因", "cat", values=("illness", "accident", "disaster", "education", "other"),
          value_zh=("疾病", "意外事故", "灾害", "教育", "其他")),
    ),
    key=("event_id",),
    period_column="date",
))
_add(Dataset(
    "child_subsidy", "孤儿及困境儿童生活补贴发放",
    "Monthly living-subsidy payments to orphans and children in difficulty.",
    (
        C("id_number", "儿童身份证号", "id_number"),
        C("name", "姓名", "name"),
        TOWNSHIP,
        C("month", "发放月份", "month"),
        C("child_type", "儿童类别", "cat", values=("orphan", "in_difficulty"), value_zh=("孤儿", "困境儿童")),
        C("amount", "发放金额", "money"),
    ),
    key=("id_number", "month"),
    period_column="month",
))
_add(Dataset(
    "disability_subsidy", "残疾人两项补贴发放",
    "Monthly disability subsidies: living subsidy (困难残疾人生活补贴) and nursing subsidy (重度残疾人护理补贴).",
    (
        C("id_number", "身份证号", "id_number"),
        C("name", "姓名", "name"),
        TOWNSHIP,
        C("month", "发放月份", "month"),
        C("subsidy_type", "补贴类型", "cat", values=("living", "nursing"), value_zh=("生活补贴", "护理补贴")),
        C("amount", "发放金额", "money"),
    ),
    key=("id_number", "month", "subsidy_type"),
    period_column="month",
))
_add(Dataset(
    "disability_registry", "残疾人登记",
    "The disabled persons' registry, for cross-registry matching (应纳尽纳).",
    (
        C("id_number", "身份证号", "id_number"),
        C("name", "姓名", "name"),
        TOWNSHIP,
        C("disability_grade", "残疾等级", "int", min=1, max=4),
        C("low_income", "低收入家庭", "bool"),
        C("registered_date", "登记日期", "date"),
    ),
    key=("id_number",),
))
_add(Dataset(
    "children_registry", "困境儿童登记",
    "Orphans and children in difficulty identified by the children's registry.",
    (
        C("id_number", "儿童身份证号", "id_number"),
        C("name", "姓名", "name"),
        TOWNSHIP,
        C("child_type", "儿童类别", "cat", values=("orphan", "in_difficulty"), value_zh=("孤儿", "困境儿童")),
        C("registered_date", "登记日期", "date"),
    ),
    key=("id_number",),
))
_add(Dataset(
    "one_stop_cases", "大救助一站式办理",
    "Cases handled by the one-stop relief service, all channels.",
    (
        C("case_id", "办件编号", "str"),
        TOWNSHIP,
        C("date", "办理日期", "date"),
        C("channel", "救助渠道", "cat",
          values=("minimum_living", "temporary", "medical", "education", "housing", "employment", "other"),
          value_zh=("最低生活保障", "临时救助", "医疗救助", "教育救助", "住房救助", "就业救助", "其他")),
        C("persons", "救助人次", "int", min=1),
        C("amount", "发放金额", "money"),
    ),
    key=("case_id",),
    period_column="date",
))
_add(Dataset(
    "alliance_needs", "助联体服务需求",
    "Needs collected by the three-level assistance alliance (助联体) and their resolution.",
    (
        C("need_id", "需求编号", "str"),
        TOWNSHIP,
        C("need_type", "需求类型", "cat",
          values=("living", "medical", "education", "employment", "care", "psychological", "other"),
          value_zh=("生活帮扶", "医疗", "教育", "就业", "照护", "心理", "其他")),
        C("collected_date", "采集日期", "date"),
        C("resolved_date", "化解日期", "date", required=False),
    ),
    key=("need_id",),
    period_column="collected_date",
))

# --- eldercare ----------------------------------------------------------------------------------
_add(Dataset(
    "care_centres", "居家养老服务照料中心",
    "Home- and community-based care centres.",
    (
        C("centre_id", "中心编号", "str"),
        C("centre_name", "中心名称", "str"),
        TOWNSHIP, VILLAGE,
        C("urban_rural", "城乡", "cat", values=("urban", "rural"), value_zh=("城镇", "农村")),
        C("old_neighbourhood", "老旧小区", "bool"),
        C("floor_area_m2", "建筑面积（平方米）", "num", min=0),
        C("households_served", "服务户数", "int", min=0),
        C("star_level", "星级", "int", min=0, max=5),
        C("opened_date", "建成日期", "date"),
    ),
    key=("centre_id",),
))
_add(Dataset(
    "centre_upgrades", "照料中心提升改造",
    "Upgrades of care centres: planned, started and completed dates, budget.",
    (
        C("centre_id", "中心编号", "str"),
        TOWNSHIP,
        C("planned_date", "方案完成日期", "date"),
        C("started_date", "开工日期", "date", required=False),
        C("completed_date", "完工日期", "date", required=False),
        C("budget", "预算（元）", "money"),
    ),
    key=("centre_id",),
    references={"centre_id": "care_centres.centre_id"},
))
_add(Dataset(
    "centre_services", "照料中心月度服务",
    "Monthly service records per centre.",
    (
        C("centre_id", "中心编号", "str"),
        TOWNSHIP,
        C("month", "月份", "month"),
        C("service_person_times", "服务人次", "int", min=0),
        C("meal_users", "助餐人数", "int", min=0),
    ),
    key=("centre_id", "month"),
    references={"centre_id": "care_centres.centre_id"},
    period_column="month",
))
_add(Dataset(
    "satisfaction_survey", "老年人满意度调查",
    "Satisfaction survey responses about care centres (score 1-5).",
    (
        C("response_id", "问卷编号", "str"),
        C("centre_id", "中心编号", "str"),
        TOWNSHIP,
        C("date", "调查日期", "date"),
        C("score", "满意度评分", "int", min=1, max=5),
    ),
    key=("response_id",),
    references={"centre_id": "care_centres.centre_id"},
    period_column="date",
))
_add(Dataset(
    "institutions", "养老机构",
    "Residential care institutions.",
    (
        C("institution_id", "机构编号", "str"),
        C("institution_name", "机构名称", "str"),
        TOWNSHIP,
        C("beds", "床位数", "int", min=0),
        C("occupied_beds", "在住人数", "int", min=0),
    ),
    key=("institution_id",),
))
_add(Dataset(
    "safety_inspections", "养老机构安全检查",
    "Safety inspections and their findings; an inspection without findings has one row with empty finding fields.",
    (
        C("inspection_id", "检查编号", "str"),
        C("institution_id", "机构编号", "str"),
        TOWNSHIP,
        C("inspection_date", "检查日期", "date"),
        C("finding_id", "问题编号", "str", required=False),
        C("finding_type", "问题类型", "cat", required=False,
          values=("fire", "electrical", "food", "building", "management", "other"),
          value_zh=("消防", "用电", "食品", "建筑", "管理", "其他")),
        C("deadline", "整改期限", "date", required=False),
        C("rectified_date", "整改完成日期", "date", required=False),
    ),
    key=("inspection_id", "finding_id"),
    references={"institution_id": "institutions.institution_id"},
    period_column="inspection_date",
))
_add(Dataset(
    "dementia_beds", "认知障碍照护床位",
    "Dementia-care beds added, by institution and opening date.",
    (
        C("institution_id", "机构编号", "str"),
        TOWNSHIP,
        C("beds", "床位数", "int", min=0),
        C("opened_date", "建成日期", "date"),
    ),
    key=("institution_id", "opened_date"),
    references={"institution_id": "institutions.institution_id"},
    period_column="opened_date",
))
_add(Dataset(
    "carers", "养老护理员",
    "Care workers and their certification.",
    (
        C("id_number", "身份证号", "id_number"),
        C("name", "姓名", "name"),
        TOWNSHIP,
        C("employer_id", "所在机构或中心编号", "str"),
        C("hired_date", "入职日期", "date"),
        C("certified_date", "取证日期", "date", required=False),
        C("left_date", "离职日期", "date", required=False),
    ),
    key=("id_number",),
))
_add(Dataset(
    "meal_coverage", "老年助餐覆盖",
    "Meal-service status of each village and community.",
    (
        C("village_code", "村社区代码", "str"),
        TOWNSHIP,
        C("meal_service_since", "助餐服务开通日期", "date", required=False),
    ),
    key=("village_code",),
    references={"village_code": "areas.area_code"},
))

# --- migrants -----------------------------------------------------------------------------------
_add(Dataset(
    "migrant_register", "水库移民后期扶持人口登记",
    "The post-support register of reservoir migrants.",
    (
        C("id_number", "身份证号", "id_number"),
        C("name", "姓名", "name"),
        C("household_id", "户编号", "str"),
        TOWNSHIP, VILLAGE,
        C("eligible", "核定扶持", "bool"),
        C("registered_date", "核定日期", "date"),
        C("event_date", "死亡或迁出日期", "date", required=False, description="date of the death or move itself"),
        C("removal_date", "核减日期", "date", required=False, description="date the register was updated"),
        C("removal_reason", "核减原因", "cat", required=False, values=("death", "moved", "other"),
          value_zh=("死亡", "迁出", "其他")),
    ),
    key=("id_number",),
))
_add(Dataset(
    "migrant_payments", "移民直补资金发放",
    "Direct-subsidy payments (600 yuan per person per year).",
    (
        C("payment_id", "发放编号", "str"),
        C("id_number", "身份证号", "id_number"),
        TOWNSHIP,
        C("year", "补助年度", "int", min=2000, max=2100),
        C("amount", "发放金额", "money"),
        C("paid_date", "发放日期", "date"),
    ),
    key=("payment_id",),
    period_column="paid_date",
))
_add(Dataset(
    "migrant_projects", "后期扶持项目",
    "Post-support projects: budget, spending, schedule and acceptance.",
    (
        C("project_id", "项目编号", "str"),
        C("project_name", "项目名称", "str"),
        C("project_type", "项目类型", "cat", values=("infrastructure", "environment", "industry", "training"),
          value_zh=("基础设施", "人居环境", "产业发展", "技能培训")),
        TOWNSHIP, VILLAGE,
        C("year", "项目年度", "int", min=2000, max=2100),
        C("budget", "安排资金（元）", "money"),
        C("spent", "已支出（元）", "money"),
        C("planned_start", "计划开工", "date"),
        C("planned_finish", "计划完工", "date"),
        C("actual_start", "实际开工", "date", required=False),
        C("actual_finish", "实际完工", "date", required=False),
        C("acceptance", "验收结果", "cat", required=False, values=("passed", "failed", "pending"),
          value_zh=("合格", "不合格", "待验收")),
    ),
    key=("project_id",),
))
_add(Dataset(
    "migrant_survey", "移民户收入与满意度调查",
    "Household panel survey of migrants: per-capita disposable income and satisfaction.",
    (
        C("household_id", "户编号", "str"),
        TOWNSHIP, VILLAGE,
        C("year", "调查年度", "int", min=2000, max=2100),
        C("income_per_capita", "人均可支配收入（元）", "money"),
        C("satisfied", "满意", "bool"),
    ),
    key=("household_id", "year"),
))
_add(Dataset(
    "rural_income_benchmark", "农村居民人均可支配收入",
    "The local rural per-capita disposable income benchmark by year.",
    (
        C("year", "年度", "int", min=2000, max=2100),
        C("income_per_capita", "人均可支配收入（元）", "money"),
    ),
    key=("year",),
))
_add(Dataset(
    "migrant_visits", "入千访万走访记录",
    "Follow-up visits to migrant households (入千访万).",
    (
        C("visit_id", "走访编号", "str"),
        C("household_id", "户编号", "str"),
        TOWNSHIP,
        C("date", "走访日期", "date"),
    ),
    key=("visit_id",),
    period_column="date",
))

# --- other work of the summary ------------------------------------------------------------------
_add(Dataset(
    "kpi", "其他工作指标",
    "Figures for the summary's other work (charity, community, affairs): indicator id, period, value.",
    (
        C("indicator_id", "指标代码", "str"),
        C("period", "期间", "str", description="a period label such as 2023H1 or 2023"),
        C("township_code", "乡镇街道代码", "str", required=False, description="empty for the district"),
        C("value", "数值", "num"),
    ),
    key=("indicator_id", "period", "township_code"),
))
