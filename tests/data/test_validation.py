"""Each bad input, built in code, is reported with its exact file, Excel row, column and message."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from civmon.data import DataValidationError, load, validate_folder
from civmon.data.validation import MAX_SAME_PROBLEM

from .conftest import P1, bad_checksum, csv_text, one, problems_with, write_csv, zh_header


def _load(folder, **kw):
    return load(folder, key="test-key", use_cache=False, **kw)


def test_valid_folder_passes_with_summary(folder):
    res = _load(folder)
    assert res.report.ok and res.report.problems == [], res.report.format()
    assert set(res.data) == {"areas", "relief_households", "relief_members", "relief_payments", "child_subsidy"}
    lines = res.report.summary().splitlines()
    assert len(lines) == 5
    pay = next(ln for ln in lines if ln.startswith("relief_payments"))
    assert "5 rows" in pay and "month 2023-01-01 to 2023-03-31" in pay
    hh = next(ln for ln in lines if ln.startswith("relief_households"))
    assert "2 rows" in hh and "entry_date 2020-01-05 to 2021-06-01" in hh
    assert res.report.coverage == "2023-01-01 to 2023-03-31 (inferred from the monthly records)"
    assert res.raise_for_errors() is res


def test_missing_required_column_is_an_error(folder, tables):
    header, rows = tables["relief_payments"]
    i = header.index("amount")
    write_csv(folder / "relief_payments.csv", header[:i] + header[i + 1:], [r[:i] + r[i + 1:] for r in rows])
    p = one(_load(folder).report, "missing column")
    assert (p.file, p.row, p.column, p.severity) == ("relief_payments.csv", 1, "发放金额 / amount", "error")
    assert p.expected == "a column headed 发放金额 or amount"


def test_extra_column_is_a_warning_and_dropped(folder, tables):
    header, rows = tables["relief_payments"]
    write_csv(folder / "relief_payments.csv", header + ["备注"], [r + ["note"] for r in rows])
    res = _load(folder)
    p = one(res.report, "extra column")
    assert (p.file, p.row, p.column, p.severity) == ("relief_payments.csv", 1, "备注", "warning")
    assert res.report.ok
    assert "备注" not in res.data["relief_payments"].columns


def test_wrong_types_are_reported_per_cell(folder, tables):
    header, rows = tables["relief_payments"]
    rows[1][header.index("due_date")] = "next week"
    rows[2][header.index("amount")] = "abc"
    rows[3][header.index("month")] = "2023-13"
    rows[4][header.index("category")] = "低保户"
    write_csv(folder / "relief_payments.csv", header, rows)
    hh_header, hh_rows = tables["relief_households"]
    hh_rows[0][hh_header.index("persons")] = "2.5"
    hh_rows[1][hh_header.index("labour_capacity")] = "maybe"
    write_csv(folder / "relief_households.csv", hh_header, hh_rows)
    report = _load(folder).report
    got = {(p.file, p.row, p.column, p.message, p.value) for p in report.errors}
    assert got == {
        ("relief_payments.csv", 3, "due_date", "not a date", "next week"),
        ("relief_payments.csv", 4, "amount", "not an amount", "abc"),
        ("relief_payments.csv", 5, "month", "not a month", "2023-13"),
        ("relief_payments.csv", 6, "category", "unknown value", "低保户"),
        ("relief_households.csv", 2, "persons", "not a whole number", "2.5"),
        ("relief_households.csv", 3, "labour_capacity", "not yes/no", "maybe"),
    }, report.format()
    assert one(report, "unknown value").expected == "one of 低保 (dibao), 低保边缘 (dibian), 特困 (tekun)"


def test_empty_required_cell_and_range(folder, tables):
    header, rows = tables["relief_households"]
    rows[0][header.index("entry_date")] = ""
    rows[1][header.index("persons")] = "0"
    write_csv(folder / "relief_households.csv", header, rows)
    report = _load(folder).report
    p = one(report, "empty value")
    assert (p.file, p.row, p.column, p.value) == ("relief_households.csv", 2, "entry_date", None)
    p = one(report, "below minimum")
    assert (p.row, p.column, p.value, p.expected) == (3, "persons", "0", ">= 1")


def test_negative_amount(folder, tables):
    header, rows = tables["relief_payments"]
    rows[2][header.index("amount")] = "-1,960.00"
    write_csv(folder / "relief_payments.csv", header, rows)
    p = one(_load(folder).report, "negative amount")
    assert (p.file, p.row, p.column, p.value, p.expected) == ("relief_payments.csv", 4, "amount", "-1960",
                                                               "an amount >= 0")


def test_duplicate_key_names_first_row(folder, tables):
    header, rows = tables["relief_payments"]
    rows.append(list(rows[1]))  # H1 2023-02 again, as row 7
    write_csv(folder / "relief_payments.csv", header, rows)
    p = one(_load(folder).report, "duplicate key")
    assert (p.file, p.row, p.column, p.value) == ("relief_payments.csv", 7, "household_id + month + category",
                                                  "H1 / 2023-02 / dibao")
    assert p.expected == "one row per household_id + month + category (first at row 3)"


def test_payment_for_household_not_on_roster(folder, tables):
    header, rows = tables["relief_payments"]
    rows[4][0] = "H9"
    write_csv(folder / "relief_payments.csv", header, rows)
    p = one(_load(folder).report, "household_id not in relief_households")
    assert (p.file, p.row, p.column, p.value) == ("relief_payments.csv", 6, "household_id", "H9")
    assert p.expected == "a household_id listed in 低收入对象名册 (relief_households)"


def test_unknown_township_and_village(folder, tables):
    header, rows = tables["relief_payments"]
    rows[0][header.index("township_code")] = "330502099"
    write_csv(folder / "relief_payments.csv", header, rows)
    hh_header, hh_rows = tables["relief_households"]
    hh_rows[0][hh_header.index("village_code")] = "330502001777"
    hh_rows[1][hh_header.index("village_code")] = "330502001001"  # a community of township 001, H2 is in 002
    write_csv(folder / "relief_households.csv", hh_header, hh_rows)
    report = _load(folder).report
    p = one(report, "unknown township")
    assert (p.file, p.row, p.column, p.value) == ("relief_payments.csv", 2, "township_code", "330502099")
    p = one(report, "unknown village or community")
    assert (p.file, p.row, p.column, p.value) == ("relief_households.csv", 2, "village_code", "330502001777")
    p = one(report, "village or community not in this township")
    assert (p.file, p.row, p.column, p.value) == ("relief_households.csv", 3, "village_code", "330502001001")
    assert p.expected == "a village or community of township 330502002 (it belongs to 330502001)"


def test_id_number_with_bad_checksum(folder, tables):
    header, rows = tables["relief_members"]
    rows[1][1] = bad_checksum(rows[1][1])
    rows[2][1] = "33050219450720"  # too short
    write_csv(folder / "relief_members.csv", header, rows)
    report = _load(folder).report
    p = one(report, "bad ID number checksum")
    assert (p.file, p.row, p.column) == ("relief_members.csv", 3, "id_number")
    assert p.value == rows[1][1][:6] + "********" + rows[1][1][-4:]  # masked, never the raw number
    p = one(report, "not an 18-character ID number")
    assert (p.file, p.row, p.column, p.value) == ("relief_members.csv", 4, "id_number", "330502****0720")


def test_person_in_two_households_in_the_same_month(folder, tables):
    header, rows = tables["relief_members"]
    rows.append(["H2", P1[0], P1[1], P1[2], "其他", "330502002"])  # P1 also in H2, row 5
    write_csv(folder / "relief_members.csv", header, rows)
    report = _load(folder).report
    p = one(report, "person in two households in the same month")
    assert (p.file, p.row, p.column, p.value) == ("relief_members.csv", 5, "household_id", "H2")
    # H1 from 2020-01, H2 from 2021-06: the first common month is 2021-06
    assert p.expected == "one household at a time: the same person is in household H1 (row 2) in 2021-06"


def test_two_households_at_different_times_is_only_a_duplicate(folder, tables):
    hh_header, hh_rows = tables["relief_households"]
    hh_rows[0][hh_header.index("exit_date")] = "2021-05-31"
    hh_rows[0][hh_header.index("exit_reason")] = "迁出"
    write_csv(folder / "relief_households.csv", hh_header, hh_rows)
    header, rows = tables["relief_members"]
    rows.append(["H2", P1[0], P1[1], P1[2], "其他", "330502002"])
    write_csv(folder / "relief_members.csv", header, rows)
    pay_header, pay_rows = tables["relief_payments"]
    write_csv(folder / "relief_payments.csv", pay_header, [r for r in pay_rows if r[0] == "H2"])
    report = _load(folder).report
    assert problems_with(report, "person in two households in the same month") == []
    assert one(report, "duplicate key").row == 5


def test_months_and_dates_outside_coverage(folder, tables):
    header, rows = tables["relief_payments"]
    rows.append(["H1", "2013-04", "低保", "1,960.00", "2023-04-10", "", "330502001"])  # typo year: row 7
    rows[0][header.index("paid_date")] = "2099-01-10"
    write_csv(folder / "relief_payments.csv", header, rows)
    res = load(folder, key="k", use_cache=False, today=date(2024, 1, 1))
    p = one(res.report, "month outside the data's coverage")
    assert (p.file, p.row, p.column, p.value) == ("relief_payments.csv", 7, "month", "2013-04")
    assert p.expected == "a month from 2023-01 to 2023-03"
    p = one(res.report, "date in the future")
    assert (p.row, p.column, p.value, p.expected) == (2, "paid_date", "2099-01-10", "on or before 2024-01-01")


def test_explicit_coverage(folder, tables):
    header, rows = tables["relief_payments"]
    rows[2][header.index("paid_date")] = "2023-04-02"
    write_csv(folder / "relief_payments.csv", header, rows)
    from civmon.period import Period

    res = _load(folder, coverage=Period.parse("2023-01"))
    assert res.report.coverage == "2023-01-01 to 2023-01-31 (given)"
    res = _load(folder, coverage=("2023-01-01", "2023-02-28"))
    months = problems_with(res.report, "month outside the data's coverage")
    assert sorted((p.file, p.row, p.value) for p in months) == [("child_subsidy.csv", 4, "2023-03"),
                                                                ("relief_payments.csv", 4, "2023-03")]
    late = problems_with(res.report, "date after the end of the data's coverage")
    assert sorted((p.row, p.column, p.value) for p in late) == [(4, "due_date", "2023-03-10"),
                                                                (4, "paid_date", "2023-04-02")]
    assert late[0].expected == "on or before 2023-02-28"
    assert res.report.coverage == "2023-01-01 to 2023-02-28 (given)"


def test_empty_file(folder):
    (folder / "relief_payments.csv").write_bytes(b"")
    res = _load(folder)
    p = one(res.report, "empty file")
    assert (p.file, p.row, p.column, p.severity) == ("relief_payments.csv", None, None, "error")
    assert len(res.data["relief_payments"]) == 0


def test_header_only_file_is_a_warning(folder, tables):
    write_csv(folder / "relief_payments.csv", tables["relief_payments"][0], [])
    res = _load(folder)
    p = one(res.report, "no data rows")
    assert (p.file, p.severity) == ("relief_payments.csv", "warning")


def test_truncated_last_line(folder, tables):
    header, rows = tables["relief_payments"]
    text = csv_text(header, rows)
    cut = text.rstrip("\n")
    cut = cut[: cut.rindex(",2023-02-10")]  # the file ends in the middle of its last row (row 6)
    (folder / "relief_payments.csv").write_text(cut, encoding="utf-8")
    res = _load(folder)
    p = one(res.report, "truncated last line")
    assert (p.file, p.row, p.column, p.value) == ("relief_payments.csv", 6, None, "5 fields")
    assert p.expected == "7 fields like the header"
    assert list(res.data["relief_payments"].index) == [2, 3, 4, 5]


def test_row_with_too_many_fields(folder, tables):
    header, rows = tables["relief_payments"]
    rows[1] = rows[1] + ["extra"]
    write_csv(folder / "relief_payments.csv", header, rows)
    p = one(_load(folder).report, "wrong number of fields")
    assert (p.file, p.row, p.value) == ("relief_payments.csv", 3, "8 fields")


def test_blank_lines_and_title_row_keep_excel_row_numbers(folder, tables):
    header, rows = tables["relief_payments"]
    rows[3][header.index("amount")] = "-1"
    body = csv_text(header, rows).splitlines()
    # title on row 1, header on row 2, a blank line between data rows 4 and 5
    text = "\n".join(["2023年低收入对象救助金发放表,,,,,,"] + body[:3] + [""] + body[3:]) + "\n"
    (folder / "relief_payments.csv").write_text(text, encoding="utf-8")
    res = _load(folder)
    p = one(res.report, "negative amount")
    assert p.row == 7  # data rows 3 and 4, blank row 5, then rows 6, 7 (the bad one) and 8
    assert list(res.data["relief_payments"].index) == [3, 4, 6, 7, 8]


def test_three_problems_all_reported_at_once(folder, tables):
    header, rows = tables["relief_payments"]
    rows[0][header.index("amount")] = "-5"
    rows[1][0] = "H7"
    write_csv(folder / "relief_payments.csv", header, rows)
    m_header, m_rows = tables["relief_members"]
    m_rows[0][1] = bad_checksum(m_rows[0][1])
    write_csv(folder / "relief_members.csv", m_header, m_rows)
    report = validate_folder(folder, key="k", cache_dir=folder.parent / "cache")
    assert not report.ok
    assert [(p.file, p.row, p.column, p.message) for p in report.errors] == [
        ("relief_members.csv", 2, "id_number", "bad ID number checksum"),
        ("relief_payments.csv", 2, "amount", "negative amount"),
        ("relief_payments.csv", 3, "household_id", "household_id not in relief_households"),
    ]
    text = report.format()
    assert text.startswith("3 error(s), 0 warning(s)")
    members_at, payments_at = text.index("relief_members.csv:"), text.index("relief_payments.csv:")
    assert text.index("bad ID number checksum") > members_at
    assert text.index("negative amount") > payments_at and text.index("not in relief_households") > payments_at
    frame = report.to_frame()
    assert list(frame.columns) == ["file", "row", "column", "value", "expected", "severity", "message", "dataset",
                                   "message_zh"]
    assert frame["message_zh"].tolist() == ["身份证号校验位错误", "金额为负数", "户编号在低收入对象名册中不存在"]
    assert frame["row"].tolist() == [2, 2, 3]
    with pytest.raises(DataValidationError) as exc:
        load(folder, key="k", use_cache=False).raise_for_errors()
    assert exc.value.report.n_errors == 3


def test_a_missing_dataset_is_an_error_and_two_files_of_one_are_stacked(folder, tables):
    header, rows = tables["areas"]
    write_csv(folder / "乡镇街道和村社区名录.csv", header, rows)  # areas twice: English and Chinese name
    res = _load(folder, datasets=["areas", "relief_payments", "temp_relief"])
    p = one(res.report, "rows repeated in another file (kept once)")
    assert p.dataset == "areas" and p.file == "乡镇街道和村社区名录.csv" and p.value.startswith(f"{len(rows)} rows")
    assert len(res.data["areas"]) == len(rows) and [s.path.name for s in res.sources["areas"]] == \
        ["areas.csv", "乡镇街道和村社区名录.csv"]
    p = one(res.report, "no file for dataset")
    assert (p.file, p.value, p.dataset) == (str(folder), "temp_relief", "temp_relief")
    assert set(res.data) == {"areas", "relief_payments"}


def test_many_identical_problems_are_capped_but_counted(tmp_path, tables):
    header, rows = tables["relief_payments"]
    rows = [["H1", f"{2000 + i // 12:04d}-{i % 12 + 1:02d}", "低保", "-1", f"{2000 + i // 12:04d}-{i % 12 + 1:02d}-10",
             "", "330502001"]
            for i in range(MAX_SAME_PROBLEM + 50)]
    folder = tmp_path / "d"
    folder.mkdir()
    write_csv(folder / "relief_payments.csv", header, rows)
    report = load(folder, key="k", use_cache=False, datasets=["relief_payments"]).report
    assert len(problems_with(report, "negative amount")) == MAX_SAME_PROBLEM
    assert report.n_errors == MAX_SAME_PROBLEM + 50
    text = report.format()
    assert text.count("negative amount") == 5  # the first five rows, then a count of the rest
    assert f"... and {MAX_SAME_PROBLEM - 5 + 50} more rows with this problem" in text
    assert text.splitlines()[-1].strip() == f"... and {MAX_SAME_PROBLEM - 5 + 50} more rows with this problem"
    frame = report.to_frame()
    assert frame["expected"].str.contains("50 more rows with this problem").sum() == 1


def test_chinese_headers_and_file_names(tmp_path, tables):
    folder = tmp_path / "d"
    folder.mkdir()
    header, rows = tables["relief_payments"]
    rows[0][header.index("amount")] = "-3"
    write_csv(folder / "低收入对象救助金发放.csv", zh_header("relief_payments"), rows)
    res = load(folder, key="k", use_cache=False)
    p = one(res.report, "negative amount")
    assert (p.file, p.row, p.column) == ("低收入对象救助金发放.csv", 2, "发放金额")
    assert res.files["relief_payments"].name == "低收入对象救助金发放.csv"
    assert list(res.data["relief_payments"].columns) == header


def test_canonical_values_are_known(folder):
    data = _load(folder).data
    pay = data["relief_payments"]
    assert pay["amount"].sum() == pytest.approx(3 * 1960 + 2 * 1274)
    assert pay["month"].tolist() == list(pd.to_datetime(["2023-01-01", "2023-02-01", "2023-03-01",
                                                         "2023-01-01", "2023-02-01"]))
    assert pay["paid_date"].isna().tolist() == [False, False, True, False, False]
    hh = data["relief_households"]
    assert hh["entry_date"].tolist() == list(pd.to_datetime(["2020-01-05", "2021-06-01"]))
    assert hh["exit_date"].iloc[1] == pd.Timestamp("2023-02-28")
    assert hh["exit_reason"].tolist()[1] == "death" and pd.isna(hh["exit_reason"].iloc[0])
    assert hh["labour_capacity"].tolist() == [True, False]
    assert hh["persons"].dtype == "Int64" and hh["persons"].tolist() == [2, 1]
    assert isinstance(hh["township_code"].dtype, pd.CategoricalDtype)
    assert isinstance(hh["category"].dtype, pd.CategoricalDtype)
    assert list(hh["category"].cat.categories) == ["dibao", "dibian", "tekun"]
    members = data["relief_members"]
    assert members["birth_date"].tolist() == list(pd.to_datetime(["1980-01-01", "1982-03-15", "1945-07-20"]))
    assert members["sex"].tolist() == ["M", "F", "M"]  # sequence digits 011, 022, 031: odd, even, odd


def test_two_households_from_payments_when_the_roster_is_absent(folder, tables):
    header, rows = tables["relief_members"]
    rows.append(["H2", P1[0], P1[1], P1[2], "其他", "330502002"])  # row 5; H1 and H2 both paid in 2023-01
    write_csv(folder / "relief_members.csv", header, rows)
    res = _load(folder, datasets=["relief_members", "relief_payments"])
    p = one(res.report, "person in two households in the same month")
    assert (p.row, p.value) == (5, "H2")
    assert p.expected == "one household at a time: the same person is in household H1 (row 2) in 2023-01"


def test_header_without_final_newline_reads_as_no_rows(folder, tables):
    (folder / "relief_payments.csv").write_text(",".join(tables["relief_payments"][0]), encoding="utf-8")
    res = _load(folder)
    assert one(res.report, "no data rows").severity == "warning"
    assert len(res.data["relief_payments"]) == 0


def test_overflowing_numbers_are_unreadable_not_a_crash(folder, tables):
    header, rows = tables["relief_households"]
    rows[0][header.index("persons")] = "9" * 30
    rows[1][header.index("income_per_capita")] = "1e400"
    write_csv(folder / "relief_households.csv", header, rows)
    report = _load(folder).report
    p = one(report, "not a whole number")
    assert (p.row, p.column, p.value) == (2, "persons", "9" * 30)
    p = one(report, "not an amount")
    assert (p.row, p.column, p.value) == (3, "income_per_capita", "1e400")
