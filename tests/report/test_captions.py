"""Caption numbers and cross-references are given at export, in document order, without gaps."""

import pytest

from civmon.errors import ExportError
from civmon.report.captions import caption_html, number_captions, plain, see, text_html
from civmon.report.tables import Text, table


def _doc(*parts: str) -> str:
    return "".join(parts)


def test_tables_and_charts_are_numbered_separately_in_document_order():
    body = _doc(f"<caption>{caption_html('表', '甲')}</caption>", f"<figcaption>{caption_html('图', '乙')}</figcaption>",
                f"<caption>{caption_html('表', '丙')}</caption>")
    assert number_captions(body) == "<caption>表1 甲</caption><figcaption>图1 乙</figcaption><caption>表2 丙</caption>"


def test_a_reference_names_the_number_its_caption_got_even_before_it():
    body = _doc(f"<p>{text_html('详见' + see('表', 'b') + '。')}</p>", f"<caption>{caption_html('表', 'a', 'a')}</caption>",
                f"<caption>{caption_html('表', 'b', 'b')}</caption>")
    assert number_captions(body).startswith("<p>详见表2。</p>")


def test_a_left_out_table_leaves_no_gap():
    shown = [table(__import__("pandas").DataFrame({"x": [1]}), caption=c) for c in ("一", "三")]
    body = number_captions("".join(t.to_html() for t in shown))
    assert "表1 一" in body and "表2 三" in body


def test_a_reference_to_a_missing_caption_fails_the_export():
    with pytest.raises(ExportError, match="表:gone"):
        number_captions(f"<p>{text_html(see('表', 'gone'))}</p>")


def test_two_captions_may_not_share_a_key():
    with pytest.raises(ExportError, match="two captions"):
        number_captions(caption_html("表", "a", "k") + caption_html("表", "b", "k"))


def test_appendix_tables_are_not_numbered():
    assert number_captions(caption_html("表", "附表 运行参数", numbered=False)) == "附表 运行参数"


def test_text_from_data_is_escaped_and_plain_text_shows_the_kind():
    t = Text([f"<b>见{see('图', 'x')}</b>"])
    assert "&lt;b&gt;" in t._repr_html_()
    assert repr(t) == "<b>见图</b>" and plain(see("表", "y")) == "表"
