"""The programme catalogue: each programme civmon reports on, declared once.

An entry names the programme's id and Chinese title, its notebook, the datasets it reads, the
indicator ids its report leads with, and the modules holding its evaluation (numbers, English
frames, result objects) and its phrasing (Chinese tables, captions, sentences). The CLI, params,
the planner, the data dictionary, the overview and the run index all read it; nothing else lists
programmes.

To add a programme: write `civmon/evaluation/<id>.py`, `civmon/report/<id>.py` and
`notebooks/<notebook>`, register its indicators, and add one `Programme(...)` below
(docs/architecture.md walks through it). This module imports nothing from civmon, so every layer
may read it.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType

# Datasets every report reads (the area list scopes and labels everything).
SHARED_DATASETS: tuple[str, ...] = ("areas",)


@dataclass(frozen=True)
class Programme:
    """One report: what it is called, which notebook renders it and what it reads and leads with."""

    id: str
    name_zh: str  # the report's title
    notebook: str
    datasets: tuple[str, ...]  # the programme's own datasets; SHARED_DATASETS are read too
    headline_ids: tuple[str, ...] = ()  # the bureau's summary figures the report leads with
    monitoring_ids: tuple[str, ...] = ()  # further indicators shown in the headline table
    indicators: str | None = None  # module registering its indicators (civmon.indicators.<id>)
    evaluation: str | None = None  # module: the numbers (civmon.evaluation.<id>)
    phrasing: str | None = None  # module: the Chinese text (civmon.report.<id>)
    reads_all: bool = False  # the overview reads every dataset
    selectable: bool = True  # may be listed under `programmes:` in a params file
    short_zh: str = ""  # the programme's name where its indicators are grouped (the overview's scorecard)
    name_en: str = ""  # for English documentation (the data dictionary)

    @property
    def reads(self) -> tuple[str, ...]:
        """Every dataset the report reads, sorted (the incremental key hashes these)."""
        if self.reads_all:
            return all_datasets()
        return tuple(sorted({*SHARED_DATASETS, *self.datasets}))

    @property
    def report_ids(self) -> tuple[str, ...]:
        """The indicators of the report's headline table (summary figures first)."""
        return (*self.headline_ids, *self.monitoring_ids)

    def evaluation_module(self) -> ModuleType:
        return importlib.import_module(self.evaluation)

    def phrasing_module(self) -> ModuleType:
        return importlib.import_module(self.phrasing)


CATALOGUE: dict[str, Programme] = {}


def register(p: Programme) -> Programme:
    """Add a programme to the catalogue (ids are unique)."""
    if p.id in CATALOGUE:
        raise ValueError(f"programme {p.id!r} declared twice")
    CATALOGUE[p.id] = p
    return p


def unregister(pid: str) -> None:
    """Remove a programme (tests that declare a temporary one)."""
    CATALOGUE.pop(pid, None)


register(Programme(
    id="relief", name_zh="社会救助成效评估", notebook="relief_outcomes.ipynb",
    datasets=("relief_households", "relief_members", "relief_payments", "relief_standards", "temp_relief",
              "child_subsidy", "disability_subsidy", "disability_registry", "children_registry",
              "one_stop_cases", "alliance_needs"),
    headline_ids=("lowincome_households", "lowincome_persons", "lowincome_funds", "temp_relief_households",
                  "temp_relief_person_times", "temp_relief_funds", "tekun_standard", "child_subsidy_funds",
                  "disability_living_funds", "disability_nursing_funds", "one_stop_person_times", "one_stop_funds",
                  "alliance_needs_collected", "alliance_needs_resolved"),
    monitoring_ids=("dibao_standard", "tekun_dibao_ratio", "avg_payment_per_person", "payment_timeliness",
                    "exit_rate", "disability_living_enrolment", "disability_nursing_enrolment",
                    "child_subsidy_enrolment", "alliance_resolution_rate"),
    indicators="civmon.indicators.relief",
    evaluation="civmon.evaluation.relief", phrasing="civmon.report.relief", short_zh="社会救助", name_en="Social relief",
))
register(Programme(
    id="eldercare", name_zh="养老服务设施提升评估", notebook="eldercare_upgrades.ipynb",
    datasets=("care_centres", "centre_upgrades", "centre_services", "satisfaction_survey", "institutions",
              "safety_inspections", "dementia_beds", "carers", "meal_coverage"),
    headline_ids=("care_centers", "institutions_inspected", "care_center_service_times", "dementia_beds_new",
                  "certified_carers_new", "meal_service_coverage", "centers_upgrade_planned", "upgrades_started",
                  "upgrades_completed"),
    indicators="civmon.indicators.eldercare",
    evaluation="civmon.evaluation.eldercare", phrasing="civmon.report.eldercare", short_zh="养老服务", name_en="Eldercare",
))
register(Programme(
    id="migrants", name_zh="水库移民后期扶持监测评估", notebook="migrant_support.ipynb",
    datasets=("migrant_register", "migrant_payments", "migrant_projects", "migrant_survey",
              "rural_income_benchmark", "migrant_visits"),
    headline_ids=("registered_migrants", "migrant_households", "direct_subsidy_persons", "direct_subsidy_funds",
                  "projects_planned", "projects_completed", "project_funds", "project_funds_spent"),
    indicators="civmon.indicators.migrants",
    evaluation="civmon.evaluation.migrants", phrasing="civmon.report.migrants", short_zh="水库移民后期扶持", name_en="Reservoir migrants",
))
register(Programme(
    id="overview", name_zh="民政工作监测概览", notebook="overview.ipynb", datasets=("kpi",),
    indicators="civmon.indicators.kpi",
    evaluation="civmon.evaluation.overview", phrasing="civmon.report.overview", reads_all=True, selectable=False,
    short_zh="其他工作", name_en="Other work",
))

# Indicator groups that are not report programmes: other work, from the bureau's KPI table.
OTHER_WORK_ZH = {"charity": "慈善事业", "community": "社区治理", "affairs": "社会事务"}


def get(pid: str) -> Programme:
    """The catalogue entry of a programme (KeyError naming the known ids)."""
    try:
        return CATALOGUE[pid]
    except KeyError:
        raise KeyError(f"unknown programme '{pid}'; known: {', '.join(CATALOGUE)}") from None


def selectable() -> tuple[str, ...]:
    """The programmes a params file may list, in catalogue order."""
    return tuple(p.id for p in CATALOGUE.values() if p.selectable)


def report_programmes() -> tuple[Programme, ...]:
    """The programme reports (everything but the overview), in catalogue order."""
    return tuple(p for p in CATALOGUE.values() if not p.reads_all)


def datasets_read(pid: str) -> tuple[str, ...]:
    """The datasets a report reads: its programme's and the shared ones; the overview reads all."""
    return get(pid).reads


def owner(dataset: str) -> str:
    """The programme whose dataset it is ("shared" for the datasets every report reads)."""
    if dataset in SHARED_DATASETS:
        return "shared"
    for p in CATALOGUE.values():
        if dataset in p.datasets:
            return p.id
    raise KeyError(f"dataset '{dataset}' belongs to no programme of the catalogue")


def all_datasets() -> tuple[str, ...]:
    """Every dataset some programme reads, sorted (each dataset belongs to one entry; a test checks)."""
    return tuple(sorted({*SHARED_DATASETS, *(d for p in CATALOGUE.values() for d in p.datasets)}))


def group_names() -> dict[str, str]:
    """Indicator group -> Chinese name, in the order reports list them: the programmes, then other work."""
    return {**{p.id: p.short_zh for p in report_programmes()}, **OTHER_WORK_ZH}
