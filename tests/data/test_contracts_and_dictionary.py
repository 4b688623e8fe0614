"""Contracts built from the spec; the data dictionary and templates cover every dataset and column."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
import pytest
from openpyxl import load_workbook

from civmon.data import data_dictionary_markdown, write_templates
from civmon.data.contracts import failures, id_checksum_ok, input_schema, output_columns, output_schema
from civmon.data.pseudonymise import is_valid_id
from civmon.data.spec import DATASETS

from .conftest import PEOPLE, bad_checksum, make_id


def test_every_dataset_has_both_schemas():
    for name, ds in DATASETS.items():
        assert set(input_schema(name).columns) == set(ds.column_names)
        out = output_schema(name)
        assert list(out.columns) == output_columns(ds)
        assert not {c.name for c in ds.columns if c.kind in ("id_number", "name", "phone")} & set(out.columns)
        assert out.strict is True


def test_checksum_check_agrees_with_reference_implementation():
    ids = [p[0] for p in PEOPLE] + [bad_checksum(p[0]) for p in PEOPLE] + [make_id("19991231", "099")[:-1] + "X"]
    got = id_checksum_ok(pd.Series(ids, dtype="string")).tolist()
    assert got == [is_valid_id(i) for i in ids]
    assert got[:4] == [True] * 4 and got[4:8] == [False] * 4
    # a known published example: 11010519491231002X is valid
    assert id_checksum_ok(pd.Series(["11010519491231002X"], dtype="string")).tolist() == [True]


def test_failures_reports_cells_with_row_index():
    ds = DATASETS["relief_standards"]
    df = pd.DataFrame({
        "category": pd.Categorical(["dibao", "dibao", "tekun"], categories=list(ds.column("category").values)),
        "effective_date": pd.to_datetime(["2023-01-01", "2023-01-01", None]),
        "standard": [1130.0, -1.0, 1469.0],
    }, index=pd.Index([2, 3, 4], name="source_row"))
    f = failures(df, "relief_standards")
    got = sorted(zip(f["row"], f["column"], f["message"]))
    assert got == [(3, "category", "duplicate key"), (3, "standard", "negative amount"),
                   (4, "effective_date", "empty value")]


def test_output_schema_rejects_a_raw_identifier_column():
    ds = "child_subsidy"
    df = pd.DataFrame({c: pd.Series(dtype="string") for c in output_columns(DATASETS[ds])})
    df["name"] = pd.Series(dtype="string")
    with pytest.raises((pa.errors.SchemaError, pa.errors.SchemaErrors)):
        output_schema(ds).validate(df)


def test_data_dictionary_lists_every_dataset_and_column():
    md = data_dictionary_markdown()
    for ds in DATASETS.values():
        assert f"### `{ds.name}` {ds.zh}" in md
        for c in ds.columns:
            assert f"| `{c.name}` | {c.zh} |" in md
    assert "CIVMON_PSEUDONYM_KEY" in md and "SYNTHETIC_SAMPLE" in md
    assert "低保 (dibao), 低保边缘 (dibian), 特困 (tekun)" in md
    assert "`person_key`, `birth_date`, `sex`" in md  # the pseudonymised columns are documented


def test_templates_one_per_dataset_with_both_headers(tmp_path):
    paths = write_templates(tmp_path)
    assert sorted(p.name for p in paths) == sorted(f"{n}.xlsx" for n in DATASETS)
    for p in paths:
        ds = DATASETS[p.stem]
        wb = load_workbook(p)
        ws = wb.worksheets[0]
        assert [c.value for c in ws[1]] == [c.zh for c in ds.columns]
        assert [c.value for c in ws[2]] == [c.name for c in ds.columns]
        assert ws.max_row == 2 and ws.freeze_panes == "A3"
        notes = wb["说明"]
        assert [r[0].value for r in notes.iter_rows(min_row=2, max_row=1 + len(ds.columns))] == [c.zh for c in ds.columns]


def test_template_dropdowns_use_chinese_values(tmp_path):
    (path,) = write_templates(tmp_path, datasets=["relief_households"])
    ws = load_workbook(path).worksheets[0]
    formulas = sorted(dv.formula1 for dv in ws.data_validations.dataValidation)
    assert '"低保,低保边缘,特困"' in formulas and '"是,否"' in formulas


def test_empty_templates_read_as_header_only(tmp_path):
    from civmon.data import load

    write_templates(tmp_path)
    res = load(tmp_path, key="k", use_cache=False)
    assert res.report.ok, res.report.format()
    assert {p.message for p in res.report.warnings} == {"no data rows"}
    assert len(res.data) == len(DATASETS) and all(len(df) == 0 for df in res.data.values())


def test_unreadable_file_gives_an_empty_canonical_frame(tmp_path):
    from civmon.data import load

    (tmp_path / "temp_relief.csv").write_bytes(b"")
    res = load(tmp_path, key="k", use_cache=False)
    assert not res.report.ok
    output_schema("temp_relief").validate(res.data["temp_relief"])
    assert list(res.data["temp_relief"].columns) == output_columns(DATASETS["temp_relief"])


def test_every_message_has_a_chinese_wording():
    from civmon.data import canonical, contracts, crosschecks, loader, parsing, readers
    from civmon.data.messages_zh import MESSAGES_ZH, message_zh

    messages = {v for m in (canonical, contracts, crosschecks, loader, readers) for k, v in vars(m).items()
                if k.startswith("MSG_") and isinstance(v, str)}
    messages |= {m for m, _ in parsing.PARSE_MESSAGES.values()} | {"unknown value"}
    assert len(messages) > 35
    assert sorted(m for m in messages if m not in MESSAGES_ZH) == []
    assert message_zh("centre_id not in care_centres", "centre_services") == "中心编号在居家养老服务照料中心中不存在"
