"""The publication gate: personal data in text, HTML, PDF and tables is found and masked;
clean report text, numbers, CSS and file digests are not flagged."""

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from civmon.data.pseudonymise import SAMPLE_KEY, hash_ids, id_checksum
from civmon.publish import (Scanner, raw_names_from_folder, raw_pseudonyms_from_folder, scan_path, scan_report,
                            scan_text)
from civmon.sample.geography import build_areas
from civmon.sample.people import names as fake_names

SEED = Path("/work/shared/seed/000_ae60f4d183840c6b.txt")


def pdf_text(path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True).stdout


def make_id(first17: str) -> str:
    return first17 + id_checksum(first17)


ID = make_id("33050219850317201")  # a valid 18-character ID number
ID_X = next(make_id(f"3305021972080{i:04d}") for i in range(1000) if id_checksum(f"3305021972080{i:04d}") == "X")
NAMES = {"张伟", "王建国", "林红", "施建", "李"}


def kinds(findings):
    return sorted(f.kind for f in findings)


class TestText:
    def test_each_kind_found_and_masked(self):
        key = hash_ids(pd.Series([ID]), SAMPLE_KEY).iloc[0]
        text = (f"户主：张伟\n身份证号 {ID}，联系电话 138-1234-5678\n"
                f"王建国同志的旧证 330502850317201，密钥 {SAMPLE_KEY}，编号 {key}")
        found = scan_text(text, names=NAMES, secrets={SAMPLE_KEY}, pseudonyms={key})
        assert kinds(found) == ["id_number", "id_number_15", "name", "name", "phone", "pseudonym", "secret"]
        by = {f.kind: f for f in found}
        assert by["id_number"].excerpt == "330502********…" + ID[-1] and by["id_number"].line == 2
        assert by["phone"].excerpt == "138****5678"
        assert by["id_number_15"].excerpt == "330502******…1"
        assert {f.excerpt for f in found if f.kind == "name"} == {"张*", "王**"}
        assert by["secret"].excerpt == f"<{len(SAMPLE_KEY)} characters>"
        assert by["pseudonym"].excerpt == key[:4] + "…"
        for f in found:  # no message repeats a value in full
            line = f.format()
            for value in (ID, "13812345678", "1234-5678", "330502850317201", SAMPLE_KEY, key, "张伟", "王建国"):
                assert value not in line

    def test_id_numbers(self):
        assert kinds(scan_text(ID_X)) == ["id_number"] and ID_X.endswith("X")
        assert kinds(scan_text(ID_X.lower())) == ["id_number"]
        assert kinds(scan_text("ＩＤ３３０５０２１９８５０３１７２０１" + ID[-1])) == ["id_number"]  # full-width
        wrong = ID[:17] + str((int(ID[17]) + 1) % 10 if ID[17] != "X" else 0)
        f = scan_text(wrong)
        assert kinds(f) == ["id_number"] and f[0].detail == "wrong check character"  # mistyped, still an ID
        random18 = "999999999999999999"
        assert scan_text(random18) == []  # no province, no date, wrong check
        assert scan_text("1" + ID) == [] and scan_text(ID + "5") == []  # inside a longer number
        assert scan_text("0." + ID) == []  # decimals of a number

    def test_old_ids_need_a_region_and_a_date(self):
        assert kinds(scan_text("330502850317201")) == ["id_number_15"]
        assert scan_text("330502851317201") == []  # month 13
        assert scan_text("990502850317201") == []  # no province 99
        assert scan_text("1330502850317201") == []  # 16 digits

    @pytest.mark.parametrize("phone", ["13812345678", "138 1234 5678", "138-1234-5678", "+86 13812345678",
                                       "+86-138-1234-5678", "8613812345678", "电话:19912345678。",
                                       "13812345678.0"])
    def test_phone_forms(self, phone):
        found = scan_text(phone)
        assert kinds(found) == ["phone"] and found[0].excerpt[:3] in ("138", "199")

    def test_numbers_that_are_not_phones(self):
        for text in ["0.13812345678", "13812345678.25", "213812345678", "1381234567", "138 1234  5678",
                     "12345678901", "3,138,123,456"]:
            assert scan_text(text) == [], text

    def test_names_need_two_characters_and_stand_alone_if_two(self):
        assert kinds(scan_text("| 张伟 | 3 |", names=NAMES)) == ["name"]
        assert kinds(scan_text("<td>林红</td>", names=NAMES)) == ["name"]
        assert scan_text("推进养老设施建设，林红村、林红社区", names=NAMES) == []  # inside Chinese text
        assert kinds(scan_text("对象王建国户", names=NAMES)) == ["name"]  # three characters: anywhere
        assert scan_text("李 李 李", names=NAMES) == []  # one-character names are ignored
        assert kinds(scan_text("张 伟", names={"张　伟"})) == [] and kinds(scan_text("张伟", names={"张　伟"})) == ["name"]

    def test_clean_report_text_has_no_findings(self):
        rng = np.random.default_rng(0)
        names = set(fake_names(rng, rng.random(20_000) < 0.5))
        areas = build_areas(0)
        text = (SEED.read_text(encoding="utf-8") if SEED.exists() else "") + "\n".join(
            f"{a}\t{p:,}\t{p * 13:,}\t{p / 1000:.2f}%" for a, p in zip(areas.area_name, areas.population))
        text += ("\n救助金额 3,564,000 元；截至 20230630；统计时点 2023-06-30；卡号 6222020200112233；"
                 "颜色 #1f4e79 #ffffff；比例 0.13812345678901；文件 sha256 3f9a1c2b4d5e6f70…；"
                 "提交 1a2b3c4d5e6f；共 13812 户；人口 2,030,000；代码 330502001001；电话 0572-2345678")
        assert scan_text(text, names=names, secrets={SAMPLE_KEY}) == []

    def test_pseudonym_rule(self):
        key = hash_ids(pd.Series([ID]), SAMPLE_KEY).iloc[0]
        assert kinds(scan_text(f"key={key}")) == ["pseudonym"]  # any 16-hex token with a letter and a digit
        assert scan_text(f"sha256: {key}…") == []  # a shortened digest, as provenance shows it
        assert scan_text("abcdefabcdefabcd 1234567812345678") == []
        assert kinds(scan_text("1234567812345678", pseudonyms={"1234567812345678"})) == ["pseudonym"]
        assert scan_text("x" + key) == [] and scan_text(key + "0") == []


HTML_LEAK = """<!DOCTYPE html><html><head><style>
body {{ color: #1f4e79; background: url(data:image/png;base64,iVBORw0KGgo13812345678AAAA); }}
.c-0123456789abcdef0 {{ margin: 0 }}
</style></head><body>
<h1>报告</h1><!-- 13812345678 -->
<p>推进养老设施建设。</p>
<img alt="户主：张伟" title="设施建设" src="data:image/png;base64,AAAA{id}AAAA13912345678">
<table><tr><td>{id}</td><td>林红</td></tr></table>
<script>var d = {{"n": "\\u738b\\u5efa\\u56fd"}};</script>
</body></html>
"""


class TestFiles:
    def test_html_text_and_attributes_not_data_uris(self, tmp_path):
        p = tmp_path / "r.html"
        p.write_text(HTML_LEAK.format(id=ID), encoding="utf-8")
        rep = scan_report([p], names=NAMES)
        found = {(f.kind, f.excerpt, f.line, f.where) for f in rep.findings}
        assert found == {("phone", "138****5678", 5, "comment"),
                         ("name", "张*", 7, "img@alt"),  # attribute values are text too
                         ("id_number", "330502********…" + ID[-1], 8, None),
                         ("name", "林*", 8, None),
                         ("name", "王**", 9, None)}  # \u-escaped in a script
        # nothing from the style sheet (colours, base64) or the data: URI of the image
        assert not rep.ok and f"{p}, line ~8: ID number" in rep.format()

    def test_pdf_pages(self, tmp_path):
        pytest.importorskip("weasyprint")
        if shutil.which("pdftotext") is None:
            pytest.skip("poppler-utils not installed")
        from weasyprint import HTML

        pdf = tmp_path / "r.pdf"
        HTML(string=f"""<html><body style="font-family: 'Noto Sans CJK SC'">
            <p>第一页：推进养老设施建设。金额 3,564,000 元。</p>
            <p style="page-break-before: always">户主 张伟 男</p><p>身份证 {ID}</p><p>手机 139 1234 5678</p>
            </body></html>""").write_pdf(pdf)
        rep = scan_report([pdf], names=NAMES)
        assert sorted((f.kind, f.page, f.excerpt) for f in rep.findings) == [
            ("id_number", 2, "330502********…" + ID[-1]), ("name", 2, "张*"), ("phone", 2, "139****5678")]
        assert all(f"{pdf}, page 2" in line for line in rep.format().splitlines()[:-1])

    def test_pdf_table_cells_that_wrap_are_not_names(self, tmp_path):
        pytest.importorskip("weasyprint")
        if shutil.which("pdftotext") is None:
            pytest.skip("poppler-utils not installed")
        from weasyprint import HTML

        rows = "".join(f"<tr><td>{v}</td><td>{n}</td><td>{n * 3}</td></tr>"
                       for v, n in [("林红村", 12), ("高明社区", 30), ("金华新村", 7)])
        html = (f"<html><body style=\"font-family: 'Noto Sans CJK SC'\"><table style=\"width: 40mm; "
                f"table-layout: fixed\"><col style=\"width: 9mm\"><col><col>{rows}</table>"
                f"<p>名单 张伟 王芳 等</p></body></html>")
        pdf = tmp_path / "wrap.pdf"
        HTML(string=html).write_pdf(pdf)
        names = {"林红", "高明", "金华", "张伟", "王芳"}
        assert "林红\n" in pdf_text(pdf)  # the village column wraps after two characters
        assert sorted(f.excerpt for f in scan_report([pdf], names=names).findings) == ["张*", "王*"]

    def test_tables_csv_xlsx_json(self, tmp_path):
        df = pd.DataFrame({"指标": ["低保户数", "联系人"], "值": ["3,115", "13812345678"]})
        df.to_csv(tmp_path / "a.csv", index=False, encoding="gb18030")
        pd.DataFrame({"姓名": ["王建国"], "n": [3]}).to_excel(tmp_path / "b.xlsx", index=False, sheet_name="表")
        (tmp_path / "c.json").write_text(json.dumps({"rows": [{"id": ID, "value": 0.13812345678901}]}),
                                         encoding="utf-8")
        rep = scan_path(tmp_path, names=NAMES)
        got = sorted((Path(f.file).name, f.kind, f.line, f.where) for f in rep.findings)
        assert got == [("a.csv", "phone", 3, None), ("b.xlsx", "name", None, "sheet 表 row 2"),
                       ("c.json", "id_number", None, "$.rows[0].id")]

    def test_folder_skips_notebooks_and_fails_closed(self, tmp_path):
        (tmp_path / "sub").mkdir()
        (tmp_path / "sub" / "r.html").write_text("<p>ok 3,115 户</p>", encoding="utf-8")
        (tmp_path / "r.ipynb").write_text(json.dumps({"cells": [{"source": ID}]}), encoding="utf-8")
        rep = scan_path(tmp_path)
        assert rep.ok and [p.name for p in rep.skipped] == ["r.ipynb"] and len(rep.files) == 1
        assert "no findings in 1 file(s)" in rep.format()
        (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.7 not really")
        rep = scan_path(tmp_path)
        assert kinds(rep.findings) == ["unreadable"] and not rep.ok
        with pytest.raises(FileNotFoundError):
            scan_path(tmp_path / "missing")

    def test_scanner_reused_across_reports(self, tmp_path):
        s = Scanner(names=NAMES)
        (tmp_path / "a.html").write_text("<td>张伟</td>", encoding="utf-8")
        assert kinds(scan_report([tmp_path / "a.html"], scanner=s).findings) == ["name"]
        assert len(s.names) == 4


class TestRawNames:
    def test_name_columns_of_every_file(self, tmp_path):
        pd.DataFrame({"household_id": ["H1", "H2"], "id_number": [ID, ID_X], "name": ["张伟", " 王 芳 "],
                      "phone": ["13812345678", None]}).to_csv(tmp_path / "relief_members.csv", index=False)
        gb = "低收入家庭成员花名册\n户编号,身份证号,姓名\nH3,{},欧阳明华\nH4,{},李\n".format(ID, ID_X)
        (tmp_path / "成员.csv").write_bytes(gb.encode("gb18030"))
        pd.DataFrame({"申请人姓名": ["赵敏", None], "金额": [1, 2]}).to_excel(tmp_path / "temp.xlsx", index=False)
        pd.DataFrame({"area_name": ["林红村"], "名称": ["高新社区"]}).to_csv(tmp_path / "areas.csv", index=False)
        (tmp_path / "notes.txt").write_text("姓名\n不是数据", encoding="utf-8")
        assert raw_names_from_folder(tmp_path) == {"张伟", "王芳", "欧阳明华", "赵敏"}

    def test_pseudonyms_of_the_raw_ids_match_the_readers(self, tmp_path):
        pd.DataFrame({"身份证号": [ID, ID_X.lower(), None], "姓名": ["张伟", "王芳", "李娜"]}).to_csv(
            tmp_path / "relief_members.csv", index=False)
        keys = raw_pseudonyms_from_folder(tmp_path, SAMPLE_KEY)
        assert keys == set(hash_ids(pd.Series([ID, ID_X]), SAMPLE_KEY))
        assert len(keys) == 2 and all(len(k) == 16 for k in keys)

    def test_scanner_for_a_data_folder(self, tmp_path):
        pd.DataFrame({"id_number": [ID], "name": ["欧阳明华"]}).to_csv(tmp_path / "relief_members.csv", index=False)
        s = Scanner.for_data(tmp_path, key=SAMPLE_KEY)
        key = hash_ids(pd.Series([ID]), SAMPLE_KEY).iloc[0]
        text = f"欧阳明华 {SAMPLE_KEY} {key}"
        assert kinds(s.text(text)) == ["name", "pseudonym", "secret"]
        assert kinds(Scanner.for_data(tmp_path).text(text)) == ["name", "pseudonym"]  # generic rule only
