"""The headline table in Chinese: status words and suppression marks."""

from civmon.disclosure import suppress_small
from civmon.evaluation.headline import Headline
from civmon.report.headline import display_frame, headline_table, notes

from disclosure.test_headline import small_headline


def test_hidden_cells_show_the_mark_and_the_table_says_why():
    h = Headline(suppress_small(small_headline(), 5), 5)
    assert list(display_frame(h)["本期"][:2]) == ["＊", "＊"]
    assert notes(h) and "5" in notes(h)[0]
    assert "少于5户（人）" in headline_table(h).to_html()


def test_status_is_written_as_a_word():
    h = Headline(small_headline())
    assert display_frame(h)["状态"].tolist() == ["达标", "—", "—", "—"]
