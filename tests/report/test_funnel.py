"""The funnel-plot wording (civmon.report.funnel and the programmes' *_funnel elements): the sentence
names the townships outside the limits and no other, the outlier table hides small counts, and the
elements are left out where there is no funnel (township reports)."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd

from civmon.evaluation.funnel import funnel_result
from civmon.plots import Chart
from civmon.report import eldercare as ec
from civmon.report import funnel as rf
from civmon.report import migrants as rm
from civmon.report import relief as rl
from civmon.report.tables import Group, Table

from test_architecture import computing_in

TOWNS = [f"第{i}镇" for i in range(1, 11)]


def planted(threshold=None):
    """Around 80%: 第9镇 390/600 = 65% far below the 99.8% limit; 第10镇 3/6 = 50% looks as low but lies
    inside the wide limits of a township that small (P(X <= 3 | 6, 0.8) = 0.099)."""
    k = [322, 398, 479, 401, 318, 482, 405, 390, 390, 3]
    n = [400, 500, 600, 500, 400, 600, 500, 480, 600, 6]
    return funnel_result(pd.DataFrame({"township": TOWNS, "k": k, "n": n}), rate="x", label_zh="某比率",
                         district_rate=0.8, threshold=threshold)


def test_the_sentence_names_the_township_outside_the_limits_and_not_the_small_one():
    f = planted()
    s = rf.funnel_sentences(f, "某比率", key="k")[0]
    assert "第9镇某比率低于99.8%控制限" in s and "见⟦表:k⟧" in s
    assert "第10镇" not in s  # 50% but 3 of 6: inside its limits, never called low
    assert "其余乡镇（街道）均在95%控制限以内" in s and "区平均水平（80.0%）" in s


def test_all_within_the_limits_says_so_without_ranking():
    f = funnel_result(pd.DataFrame({"township": TOWNS[:4], "k": [80, 41, 160, 3], "n": [100, 50, 200, 5]}),
                      rate="x", label_zh="x", district_rate=0.8, threshold=None)
    s = rf.funnel_sentences(f, "某比率")
    assert s == [("与区平均水平（80.0%）相比，各乡镇（街道）某比率均在95%控制限以内，与区平均水平的差异可由随机波动解释，"
                  "不据此判断高低。")]
    assert rf.outlier_table(f, caption="c", key="k", numerator="a", denominator="b") is None


def test_the_overdispersion_adjustment_is_mentioned_when_applied():
    rng = np.random.default_rng(12)
    n = rng.integers(200, 800, 10)
    k = rng.binomial(n, rng.beta(16, 4, 10))
    f = funnel_result(pd.DataFrame({"township": TOWNS, "k": k, "n": n}), rate="x", label_zh="x",
                      district_rate=k.sum() / n.sum(), threshold=None)
    text = "".join(rf.funnel_sentences(f, "某比率"))
    assert f.adjusted and "过度离散" in text and "乘法调整" in text


def test_outlier_table_lists_positions_and_hides_small_counts():
    f = planted(threshold=5)
    t = rf.outlier_table(f, caption="各乡镇（街道）某比率：超出控制限的乡镇（街道）", key="k", numerator="甲数",
                         denominator="乙数")
    assert isinstance(t, Table)
    assert list(t.frame.columns) == ["乡镇（街道）", "分子", "分母", "比率（%）", "区平均（%）", "位置"]
    row = t.frame.set_index("乡镇（街道）").loc["第9镇"]
    assert row["位置"] == "低于99.8%控制限" and row["分子"] == 390
    assert any("分子为甲数，分母为乙数" in n for n in t.notes)
    # a hidden township outside the limits: its position is listed, its counts are not
    frame = rf.outlier_frame(replace(f, units=f.units.assign(hidden=f.units["township"] == "第9镇")))
    assert frame.loc[0, "分子"] == "＊" and frame.loc[0, "比率（%）"] == "＊" and frame.loc[0, "位置"] == "低于99.8%控制限"


def test_funnel_section_groups_chart_sentence_and_table_with_captions_without_numbers():
    g = rf.funnel_section(planted(), subject="某比率", caption="各乡镇（街道）某比率", key="x_funnel", numerator="a",
                          denominator="b", xlabel="分母（人）", source="合成数据")
    assert isinstance(g, Group)
    chart, table = g.parts[0], g.parts[-1]
    assert isinstance(chart, Chart) and chart.key == "x_funnel" and chart.caption == "各乡镇（街道）某比率漏斗图"
    assert isinstance(table, Table) and table.key == "x_funnel" and not re.search(r"\d", table.caption)
    assert chart.png()[:4] == b"\x89PNG"
    assert rf.funnel_section(None, subject="s", caption="c", key="k", numerator="a", denominator="b", xlabel="x",
                             source="s") is None


def _ev(funnels, district=True):
    return SimpleNamespace(funnels=funnels, inputs=SimpleNamespace(
        is_district=district, synthetic=True, params=SimpleNamespace(district="吴兴区", disclosure_threshold=5)),
        assumptions=SimpleNamespace(deadline_month=4, deadline_day=30))


def test_each_programme_shows_its_funnels_in_the_district_and_none_in_a_township():
    f = planted()
    cases = [(rl.timeliness_funnel, "payment_timeliness"), (rl.needs_funnel, "need_resolution"),
             (ec.meal_funnel, "meal_coverage"), (ec.area_funnel, "area_compliance"),
             (ec.rectification_funnel, "rectification"), (ec.carers_funnel, "carer_certification"),
             (rm.entitled_funnel, "paid_in_full"), (rm.timeliness_funnel, "payment_timeliness"),
             (rm.visits_funnel, "visit_coverage")]
    keys = set()
    for fn, rate in cases:
        g = fn(_ev({rate: f}))
        assert isinstance(g, Group) and "第9镇" in repr(g)
        keys.add((fn.__module__, g.parts[0].key))
        assert fn(_ev(None, district=False)) is None and fn(_ev({})) is None
    assert len(keys) == len(cases)


def test_funnel_phrasing_computes_nothing():
    path = Path(rf.__file__)
    assert computing_in(path) == []
