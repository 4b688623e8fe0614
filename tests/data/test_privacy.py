"""No raw ID number, name or phone number from the inputs gets past the reader."""

from __future__ import annotations

import hashlib
import hmac

import pandas as pd

from civmon.data import load
from civmon.data.contracts import output_schema
from civmon.data.pseudonymise import KEY_LENGTH

from .conftest import CHILD, PEOPLE, bad_checksum, one, valid_tables, write_csv, write_folder, write_xlsx, zh_header


def _identifiers(tables) -> set[str]:
    """Every ID number, name and phone in the tables (ID numbers also in lower case and without
    the check character, so partial leaks are caught too)."""
    out = set()
    for ident, name, phone in PEOPLE:
        out |= {ident, ident.lower(), ident[:17], name}
        if phone:
            out.add(phone)
    for _, rows in tables.values():
        for r in rows:
            out |= {v for v in r if isinstance(v, str) and len(v) == 18 and v[:17].isdigit()}
    return out


def _all_text(df: pd.DataFrame) -> list[str]:
    texts = [str(c) for c in df.columns] + [str(i) for i in df.index]
    for col in df.columns:
        texts += [str(v) for v in df[col].tolist()]
        if isinstance(df[col].dtype, pd.CategoricalDtype):
            texts += [str(v) for v in df[col].cat.categories]
    return texts


def _leaks(texts, secrets) -> list[tuple[str, str]]:
    return [(s, t) for t in texts for s in secrets if s in t]


def _privacy_folder(tmp_path, with_errors: bool = True):
    tables = valid_tables()
    # Mixed sources: members as GB18030 with Chinese headers, temp relief as XLSX, the child's
    # ID number also mistyped into a free-text column, one ID with a bad checksum.
    folder = write_folder(tmp_path / "data", tables, skip=("relief_members",))
    header, rows = tables["relief_members"]
    if with_errors:
        rows[2][1] = bad_checksum(rows[2][1])
    write_csv(folder / "低收入家庭成员.csv", zh_header("relief_members"), rows, encoding="gb18030")
    write_xlsx(folder / "temp_relief.xlsx", zh_header("temp_relief"), [
        ["T1", PEOPLE[0][0], PEOPLE[0][1], "330502001", "2023-02-03", 2, "2,000", "疾病"],
        ["T2", CHILD[0], CHILD[1], "330502002", "2023-03-03", 1, 500, "教育"],
    ])
    if with_errors:
        write_csv(folder / "relief_households.csv", *_households_with_id_in_text(tables))
    tables["relief_members"] = (header, rows)
    return folder, tables


def _households_with_id_in_text(tables):
    header, rows = tables["relief_households"]
    rows.append(["H3", "低保", "330502002", "330502002001", "1", "0", "2022-01-01", "", "", "否", "否"])
    rows[-1][0] = PEOPLE[2][0]  # an ID number typed as the household number
    return header, rows


def test_no_raw_identifier_in_any_returned_frame(tmp_path):
    folder, tables = _privacy_folder(tmp_path)
    res = load(folder, key="a secret key", cache_dir=tmp_path / "cache")
    secrets = _identifiers(tables)
    assert len(secrets) >= 12
    assert {"relief_members", "temp_relief", "child_subsidy"} <= set(res.data)
    for name, df in res.data.items():
        assert _leaks(_all_text(df), secrets) == [], name
        assert not {"id_number", "name", "phone", "applicant_id_number", "applicant_name"} & set(df.columns)
    # the problems name rows, never identifiers
    report_text = [res.report.format()] + _all_text(res.report.to_frame().astype(str))
    assert _leaks(report_text, secrets) == []
    assert one(res.report, "ID number in a column that is not an ID column").row == 4
    assert one(res.report, "bad ID number checksum").file == "低收入家庭成员.csv"


def test_cache_files_hold_no_raw_identifier(tmp_path):
    folder, tables = _privacy_folder(tmp_path, with_errors=False)
    res = load(folder, key="a secret key", cache_dir=tmp_path / "cache")
    assert res.report.ok, res.report.format()
    files = [p for p in (tmp_path / "cache").rglob("*") if p.is_file()]
    assert sum(p.suffix == ".parquet" for p in files) == len(res.data) == 6
    secrets = _identifiers(tables)
    for p in files:
        blob = p.read_bytes()
        assert [s for s in secrets if s.encode("utf-8") in blob or s.encode("gb18030") in blob] == [], p
        assert b"a secret key" not in blob


def test_keys_are_hmac_of_the_id_number_and_schema_holds(tmp_path):
    folder, _ = _privacy_folder(tmp_path)
    res = load(folder, key="a secret key", use_cache=False)
    child = res.data["child_subsidy"]
    expected = hmac.new(b"a secret key", CHILD[0].encode(), hashlib.sha256).hexdigest()[:KEY_LENGTH]
    assert set(child["person_key"]) == {expected}
    temp = res.data["temp_relief"]
    assert temp["applicant_key"].iloc[1] == expected  # the same person links across datasets
    assert temp["applicant_birth_date"].iloc[0] == pd.Timestamp("1980-01-01")
    assert temp["applicant_sex"].tolist() == ["M", "F"]
    other = load(folder, key="another key", use_cache=False).data["child_subsidy"]
    assert set(other["person_key"]).isdisjoint(child["person_key"])
    for name, df in res.data.items():
        output_schema(name).validate(df)


def test_id_number_in_a_categorical_code_column_is_hashed(tmp_path):
    tables = valid_tables()
    header, rows = tables["relief_payments"]
    rows[1][header.index("township_code")] = PEOPLE[1][0]
    folder = write_folder(tmp_path / "d", {"relief_payments": (header, rows)})
    res = load(folder, key="k", use_cache=False)
    p = one(res.report, "ID number in a column that is not an ID column")
    assert (p.row, p.column, p.value) == (3, "township_code", PEOPLE[1][0][:6] + "********" + PEOPLE[1][0][-4:])
    df = res.data["relief_payments"]
    assert _leaks(_all_text(df), _identifiers({"relief_payments": (header, rows)})) == []
    assert isinstance(df["township_code"].dtype, pd.CategoricalDtype)
    assert df["township_code"].astype(str).tolist()[0] == "330502001"
    assert len(df["township_code"].astype(str).tolist()[1]) == KEY_LENGTH
