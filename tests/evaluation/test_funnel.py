"""Funnel plots by township (civmon.evaluation.funnel and the programmes' township_funnels) on small
frames built here: a planted outlier is flagged, a merely small township is not, small counts are
hidden as the township tables hide them, and the over-dispersion check lands in the assumptions."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from civmon.evaluation import eldercare as ee
from civmon.evaluation import migrants as em
from civmon.evaluation import relief as er
from civmon.evaluation.base import assumptions_of
from civmon.evaluation.funnel import FunnelResult, funnel_result, township_funnel
from civmon.period import Period

from evaluation import eldercare_data as ed

TOWNS = [f"第{i}镇" for i in range(1, 11)]


def towns(k, n, names=TOWNS):
    return pd.DataFrame({"township": names[:len(k)], "k": k, "n": n})


def planted() -> pd.DataFrame:
    """Nine townships near 80% of 400-600 and one planted 65% of 600 (z about -9); 第10镇 has 3 of 6."""
    k = [322, 398, 479, 401, 318, 482, 405, 390, 390, 3]
    n = [400, 500, 600, 500, 400, 600, 500, 480, 600, 6]
    return towns(k, n)


def test_a_planted_outlier_is_flagged_and_a_small_township_with_an_extreme_rate_is_not():
    """District 80%: 第9镇 390/600 = 65% is far below (P(X <= 390) ~ 1e-18); 第10镇 3/6 = 50% looks as low
    but P(X <= 3 | 6, 0.8) = 0.099, inside even the 95% limits."""
    f = funnel_result(planted(), rate="x", label_zh="某比率", district_rate=0.8, threshold=None)
    u = f.units.set_index("township")
    assert u.loc["第9镇", "position"] == "below_998"
    assert u.loc["第10镇", "position"] == "within" and u.loc["第10镇", "rate_pct"] == 50.0
    assert u.loc["第10镇", "p_low"] == pytest.approx(0.0989, abs=1e-4)
    assert f.names("below_998") == ["第9镇"] and "第10镇" not in f.outside["township"].tolist()
    assert f.district_pct == 80.0 and not f.adjusted


def test_small_counts_are_hidden_as_the_township_tables_hide_them():
    """Threshold 5: 第10镇 (3 of 6, and 3 unresolved) is a primary cell; one more township is hidden so
    that its counts cannot be worked out from the district totals. Its position is still reported."""
    f = funnel_result(planted(), rate="x", label_zh="某比率", district_rate=0.8, threshold=5)
    hidden = f.units.loc[f.units["hidden"], "township"].tolist()
    assert "第10镇" in hidden and len(hidden) >= 2
    assert "第10镇" not in f.shown["township"].tolist()
    assert f.note.startswith("注：少于5户（人）")
    none = funnel_result(planted(), rate="x", label_zh="某比率", district_rate=0.8, threshold=None)
    assert none.hidden == 0 and none.note == ""


def test_only_the_protected_counts_are_checked():
    """A difference n - k of 2 is small: hidden when it is protected (the default), shown when the
    table of these counts shows k and n only."""
    f = towns([98, 150, 200, 120], [100, 160, 210, 130])
    assert funnel_result(f, rate="x", label_zh="x", district_rate=0.95, threshold=5).units["hidden"].iloc[0]
    shown = funnel_result(f, rate="x", label_zh="x", district_rate=0.95, threshold=5, protect=("k", "n"))
    assert not shown.units["hidden"].any()


def test_the_centre_is_the_total_row_and_empty_townships_are_excluded():
    by = pd.DataFrame({"township": ["甲", "乙", "丙", "丁", "total"], "done": [40, 45, 30, 0, 120],
                       "due": [50, 60, 40, 0, 155]})  # the total also counts 5 of 5 without a township
    f = township_funnel(by, k="done", n="due", rate="x", label_zh="x", threshold=None)
    assert f.district_rate == pytest.approx(120 / 155)
    assert f.excluded == ("丁",) and f.units["township"].tolist() == ["甲", "乙", "丙"]
    assert township_funnel(by.iloc[[0, 1, 4]], k="done", n="due", rate="x", label_zh="x", threshold=None) is None


def test_assumptions_carry_the_over_dispersion_check():
    f = funnel_result(planted(), rate="x", label_zh="某比率", district_rate=0.8, threshold=None)
    a = f.assumptions
    assert [x.holds for x in a] == [None, True]
    assert a[1].statistic == pytest.approx(f.phi) and a[1].pvalue == pytest.approx(f.stats.pvalue)
    assert "φ=" in a[1].check and a[0].method == "漏斗图（精确二项控制限）：某比率"


def test_overdispersed_townships_widen_the_limits_and_say_so():
    rng = np.random.default_rng(12)
    n = rng.integers(200, 800, 10)
    k = rng.binomial(n, rng.beta(16, 4, 10))
    f = funnel_result(towns(k, n), rate="x", label_zh="某比率", district_rate=k.sum() / n.sum(), threshold=None)
    assert f.adjusted and f.phi > 1
    assert f.assumptions[1].holds is False and "乘法调整" in f.assumptions[1].caveat
    assert "过度离散" in f.method_note


# --- the programmes ------------------------------------------------------------------------------

def _inputs(threshold=5):
    return SimpleNamespace(is_district=True, params=SimpleNamespace(disclosure_threshold=threshold))


def test_relief_funnels_reuse_the_timeliness_counts_and_the_needs_frame():
    """Payments by township (three townships; 第3镇's 400 due, 300 on time is the planted outlier) and
    the needs frame with its total row."""
    areas = pd.DataFrame({"area_code": ["T1", "T2", "T3"], "area_name": ["第1镇", "第2镇", "第3镇"],
                          "level": ["township"] * 3, "parent_code": [None] * 3})
    due = pd.Timestamp("2023-03-10")
    rows = [("T1", 500, 490), ("T2", 600, 588), ("T3", 400, 300)]
    pay = pd.DataFrame([{"township_code": t, "due_date": due, "paid_date": due if i < ok else due + pd.Timedelta(days=3)}
                        for t, n, ok in rows for i in range(n)])
    t = er.timeliness(pay, Period.parse("2023H1"))
    needs = pd.DataFrame({"township": ["第1镇", "第2镇", "第3镇", "total"], "collected": [20, 30, 12, 62],
                          "resolved": [10, 16, 6, 32]})
    ev = SimpleNamespace(inputs=SimpleNamespace(**vars(_inputs()), data={"areas": areas}, period=Period.parse("2023H1")),
                         standards=SimpleNamespace(timeliness=t), needs=SimpleNamespace(by_township=needs))
    fs = er.township_funnels(ev, pay)
    assert set(fs) == {"payment_timeliness", "need_resolution"}
    tl = fs["payment_timeliness"]
    assert tl.district_rate == pytest.approx(t.k / t.n) and tl.names("below_998") == ["第3镇"]
    assert fs["need_resolution"].district_rate == pytest.approx(32 / 62)
    assert all(isinstance(f, FunnelResult) for f in fs.values())


def test_eldercare_funnels_from_the_township_frames():
    meals = pd.DataFrame({"township": ["甲", "乙", "丙", "total"], "places": [40, 30, 8, 78], "covered": [38, 15, 4, 57]})
    area = pd.DataFrame({"township": ["甲", "乙", "丙", "total"], "centres": [10, 12, 9, 31], "below": [2, 3, 2, 7]})
    findings = pd.DataFrame({"township_code": ["T1", "T1", "T2", "T3"], "on_time": [True, False, True, True]})
    carers = pd.DataFrame({"township": ["甲", "乙", "丙", "total"], "certified": [30, 40, 2, 72],
                           "employed": [40, 50, 3, 93]})
    ev = SimpleNamespace(inputs=SimpleNamespace(**vars(_inputs()), data_all={"areas": pd.DataFrame({
                             "area_code": ["T1", "T2", "T3"], "area_name": ["甲", "乙", "丙"], "level": ["township"] * 3,
                             "parent_code": [None] * 3})}),
                         meals=SimpleNamespace(by_township=meals), area=SimpleNamespace(by_township=area),
                         safety=SimpleNamespace(findings=findings), carers=SimpleNamespace(by_township=carers))
    fs = ee.township_funnels(ev)
    assert set(fs) == {"meal_coverage", "area_compliance", "rectification", "carer_certification"}
    assert fs["meal_coverage"].names("below_95") == ["乙"]  # 15 of 30 against 73%: P(X <= 15) = 0.006
    assert fs["meal_coverage"].hidden == 0  # places, not persons
    assert fs["area_compliance"].district_rate == pytest.approx(24 / 31)
    assert fs["rectification"].district_rate == pytest.approx(3 / 4)
    assert fs["carer_certification"].units.set_index("township").loc["丙", "hidden"]  # 2 of 3 carers


def test_migrants_funnels_from_the_by_area_frames():
    by = pd.DataFrame({"area": ["甲", "乙", "丙", "total"], "entitled": [300, 400, 200, 900],
                       "paid_in_full": [299, 398, 150, 847]})
    tl = pd.DataFrame({"area": ["甲", "乙", "丙", "total"], "paid": [300, 400, 200, 900], "on_time": [290, 390, 195, 875]})
    visits = pd.DataFrame({"area": ["甲", "乙", "丙", "total"], "households": [100, 120, 80, 300],
                           "visited": [50, 61, 38, 149]})
    ev = SimpleNamespace(inputs=_inputs(), reconciliation=SimpleNamespace(by_area=by),
                         timeliness=SimpleNamespace(by_area=tl), visits=visits)
    fs = em.township_funnels(ev)
    assert set(fs) == {"paid_in_full", "payment_timeliness", "visit_coverage"}
    full = fs["paid_in_full"].units.set_index("township")
    assert full.loc["丙", "position"] == "below_998" and full.loc["甲", "hidden"]  # a shortfall of 1 person
    assert fs["visit_coverage"].outside.empty


def test_township_reports_have_no_funnels_and_the_log_collects_their_assumptions():
    assert ed.evaluation("甲镇").funnels is None
    f = funnel_result(planted(), rate="x", label_zh="某比率", district_rate=0.8, threshold=None)
    assert assumptions_of({"x": f}) == f.assumptions  # an evaluation's funnels dict is walked by the log
