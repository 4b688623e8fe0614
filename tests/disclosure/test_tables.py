"""Small-cell suppression: primary and secondary cells, true totals, and no hidden cell derivable."""

import numpy as np
import pandas as pd
import pytest

from civmon.disclosure import SUPPRESSED, audit, suppress_counts, suppress_series_for_chart

CATS = ["低保", "低保边缘", "特困"]


def township_table():
    """Three villages by category with one small cell (甲村 低保边缘 = 3), row and column totals."""
    df = pd.DataFrame({"村社区": ["甲村", "乙村", "丙村"],
                       "低保": [12, 15, 30], "低保边缘": [3, 9, 25], "特困": [20, 11, 8]})
    df["小计"] = df[CATS].sum(axis=1)
    total = pd.DataFrame([["合计", *df[CATS + ["小计"]].sum()]], columns=df.columns)
    return pd.concat([df, total], ignore_index=True)


KW = dict(total_row="合计", total_column="小计", label_column="村社区")


def relation_matrix(df, cols, kw):
    """Each row (cells = its 小计) and each column (cells = its 合计, or a published constant)
    as a row of A x = b over all count cells, built independently of the library."""
    body = [c for c in cols if c != kw.get("total_column")]
    cells = [(i, c) for i in range(len(df)) for c in cols]
    pos = {cell: k for k, cell in enumerate(cells)}
    trow = df.index[df[kw["label_column"]] == kw["total_row"]][0] if kw.get("total_row") else None
    rows = []
    if kw.get("total_column"):
        for i in range(len(df)):
            a = np.zeros(len(cells))
            for c in body:
                a[pos[(i, c)]] = 1
            a[pos[(i, kw["total_column"])]] = -1
            rows.append(a)
    for c in cols:  # column totals are public even without a total row (the default)
        a = np.zeros(len(cells))
        for i in range(len(df)):
            a[pos[(i, c)]] = -1 if i == trow else 1
        rows.append(a)
    return np.array(rows), cells


def derivable(df, mask, cols, kw):
    """Hidden cells whose value the relations fix (the unit vector lies in the row space of the
    relations restricted to hidden cells)."""
    A, cells = relation_matrix(df, cols, kw)
    hid = [k for k, (i, c) in enumerate(cells) if mask.iloc[i][c]]
    A_h = A[:, hid]
    r = np.linalg.matrix_rank(A_h)
    out = []
    for n, k in enumerate(hid):
        e = np.zeros(len(hid))
        e[n] = 1
        if np.linalg.matrix_rank(np.vstack([A_h, e])) == r:
            out.append(cells[k])
    return out


class TestTownshipTable:
    def test_primary_and_secondary_cells_are_the_hand_computed_rectangle(self):
        df = township_table()
        s = suppress_counts(df, CATS + ["小计"], **KW)
        # 甲村 低保边缘 (3) is primary; its row takes the smallest other cell (低保 12), its column
        # the smallest other (乙村 9); 低保 then needs a second cell: 乙村 15. A 2 x 2 rectangle.
        expected = {("甲村", "低保边缘"), ("甲村", "低保"), ("乙村", "低保边缘"), ("乙村", "低保")}
        hidden = {(df.at[i, "村社区"], c) for i in df.index for c in df.columns if s.mask.at[i, c]}
        assert hidden == expected
        assert (s.primary, s.secondary) == (1, 3)
        for r, c in expected:
            assert s.frame.loc[df["村社区"] == r, c].item() == SUPPRESSED
        assert s.note == "＊ 少于5户（人）的单元格及可据以推算的单元格已隐去。"
        assert s.exposed == []

    def test_totals_are_the_true_totals_and_shown_cells_unchanged(self):
        df = township_table()
        s = suppress_counts(df, CATS + ["小计"], **KW)
        f, m = s.frame, s.mask
        for i, c in zip(*np.nonzero(~m.to_numpy())):
            assert f.iat[i, c] == df.iat[i, c]
        body = f.index[:3]
        for c in CATS + ["小计"]:  # columns: shown cells + hidden originals = the shown total
            shown = sum(f.at[i, c] for i in body if not m.at[i, c])
            hidden = sum(df.at[i, c] for i in body if m.at[i, c])
            assert shown + hidden == f.at[3, c] == df.loc[body, c].sum()
            if not m.loc[body, c].any():
                assert shown == f.at[3, c]  # a column with nothing hidden adds up to its total
        for i in f.index:  # rows likewise against 小计
            shown = sum(f.at[i, c] for c in CATS if not m.at[i, c])
            hidden = sum(df.at[i, c] for c in CATS if m.at[i, c])
            assert shown + hidden == f.at[i, "小计"]
        assert f.at[3, "小计"] == 133

    def test_no_hidden_cell_can_be_worked_out(self):
        df = township_table()
        s = suppress_counts(df, CATS + ["小计"], **KW)
        assert derivable(df, s.mask, CATS + ["小计"], KW) == []
        # brute force over the hidden rectangle: a + b = 15 (甲村), c + d = 24 (乙村),
        # a + c = 27 (低保), b + d = 12 (低保边缘); all non-negative solutions
        sols = [(a, 15 - a, c, 24 - c) for a in range(16) for c in range(25)
                if a + c == 27 and (15 - a) + (24 - c) == 12]
        assert len(sols) == 13  # 甲村 低保边缘 could be anything from 0 to 12
        assert {b for _, b, _, _ in sols} == set(range(13))
        ranges = audit(df, s.mask, CATS + ["小计"], **KW)
        assert (ranges.high > ranges.low).all()
        row = ranges[(ranges["row"] == "甲村") & (ranges["column"] == "低保边缘")].iloc[0]
        assert (row.value, row.low, row.high) == (3, 0, 12)

    def test_a_leaky_pattern_is_detected_by_the_independent_check(self):
        df = township_table()
        mask = pd.DataFrame(False, index=df.index, columns=df.columns)
        mask.loc[0, "低保边缘"] = mask.loc[0, "低保"] = True  # row protected, columns not
        assert set(derivable(df, mask, CATS + ["小计"], KW)) == {(0, "低保边缘"), (0, "低保")}
        assert (audit(df, mask, CATS + ["小计"], **KW).eval("high - low") == 0).all()


class TestRules:
    def test_zeros_are_shown_unless_asked(self):
        df = pd.DataFrame({"村": list("ABCD"), "孤儿": [0, 7, 9, 12]})
        s = suppress_counts(df, ["孤儿"], label_column="村")
        assert not s.mask.to_numpy().any() and s.note == ""
        s = suppress_counts(df, ["孤儿"], label_column="村", suppress_zeros=True)
        assert s.mask["孤儿"].tolist() == [True, True, False, False]  # 0, then smallest other (7)
        assert (s.primary, s.secondary) == (1, 1)

    def test_threshold(self):
        df = pd.DataFrame({"村": list("ABCD"), "n": [3, 4, 10, 20]})
        assert suppress_counts(df, ["n"], threshold=3, label_column="村").mask["n"].sum() == 0
        s = suppress_counts(df, ["n"], threshold=4, label_column="村")
        assert s.mask["n"].tolist() == [True, True, False, False]
        assert "少于4户" in s.note

    def test_one_small_cell_under_a_public_column_total_gets_a_partner(self):
        # the township total of each column is published elsewhere: one hidden village would be
        # the total minus the others
        df = pd.DataFrame({"村": list("ABCD"), "n": [2, 40, 9, 30]})
        s = suppress_counts(df, ["n"], label_column="村")
        assert s.mask["n"].tolist() == [True, False, True, False]
        s = suppress_counts(df, ["n"], label_column="村", column_sums_public=False)
        assert s.mask["n"].tolist() == [True, False, False, False]

    def test_small_margins_are_hidden_too(self):
        df = pd.DataFrame({"村": ["A", "B", "C", "合计"], "x": [1, 0, 2, 3], "y": [6, 8, 9, 23]})
        df["小计"] = df.x + df.y
        s = suppress_counts(df, ["x", "y", "小计"], total_row="合计", total_column="小计", label_column="村")
        assert s.mask.loc[3, "x"]  # the township total of x is 3
        assert derivable(df, s.mask, ["x", "y", "小计"], dict(total_row="合计", total_column="小计", label_column="村")) == []

    def test_rates_and_amounts_follow_their_denominator(self):
        df = pd.DataFrame({"村": list("ABCD"), "户数": [2, 40, 9, 30], "金额": [1800.0, 36000, 8100, 27000],
                           "达标率": [0.5, 0.9, 0.8, 1.0], "人口": [100, 900, 300, 800]})
        s = suppress_counts(df, ["户数"], label_column="村", amount_columns={"金额": "户数"},
                            rate_columns={"达标率": "户数"})
        for c in ["户数", "金额", "达标率"]:
            assert s.mask[c].tolist() == [True, False, True, False]
        assert not s.mask["人口"].any() and not s.mask["村"].any()
        assert s.dependent == 4
        assert s.frame.at[1, "金额"] == 36000

    def test_index_labels_and_errors(self):
        df = pd.DataFrame({"n": [1, 20, 30, 51]}, index=["A", "B", "C", "合计"])
        s = suppress_counts(df, ["n"], total_row="合计")
        assert s.mask["n"].tolist() == [True, True, False, False]
        with pytest.raises(ValueError, match="not found"):
            suppress_counts(df, ["n"], total_row="总计")
        with pytest.raises(KeyError):
            suppress_counts(df, ["m"])
        with pytest.raises(ValueError, match="denominator"):
            suppress_counts(df, ["n"], rate_columns={"n": "m"})

    def test_nullable_integers_and_missing_counts(self):
        df = pd.DataFrame({"村": list("ABCD"), "n": pd.array([2, None, 9, 30], dtype="Int64")})
        s = suppress_counts(df, ["n"], label_column="村")
        # a missing count is unknown to readers too, so it already protects the 2
        assert s.mask["n"].tolist() == [True, False, False, False] and s.frame.at[2, "n"] == 9
        assert s.exposed == []

    def test_a_table_of_one_area_under_a_public_total_is_reported_exposed(self):
        df = pd.DataFrame({"村": ["A"], "n": [3]})
        s = suppress_counts(df, ["n"], label_column="村")
        assert s.mask.at[0, "n"] and s.exposed == [("A", "n")]


def random_table(rng):
    R, C = int(rng.integers(2, 12)), int(rng.integers(1, 5))
    X = rng.poisson(rng.choice([1, 3, 8, 20]), (R, C)) * (rng.random((R, C)) > rng.choice([0, 0.3]))
    cols = [f"c{j}" for j in range(C)]
    df = pd.DataFrame(X, columns=cols)
    df.insert(0, "area", [f"v{i}" for i in range(R)])
    kw = dict(label_column="area")
    if rng.random() < 0.6:
        df = pd.concat([df, pd.DataFrame([["合计", *X.sum(0)]], columns=df.columns)], ignore_index=True)
        kw["total_row"] = "合计"
    if rng.random() < 0.6:
        df["total"] = df[cols].sum(axis=1)
        kw["total_column"] = "total"
    return df, cols + (["total"] if "total_column" in kw else []), kw


@pytest.mark.parametrize("seed", range(3))
def test_random_tables_are_protected(seed):
    rng = np.random.default_rng(seed)
    for _ in range(20):
        df, cols, kw = random_table(rng)
        s = suppress_counts(df, cols, **kw)
        small = df[cols].isin([1, 2, 3, 4])
        assert (s.mask[cols] | ~small).all().all()  # every small count hidden
        for c in cols:  # shown cells and totals are the originals
            assert (s.frame.loc[~s.mask[c], c] == df.loc[~s.mask[c], c]).all()
        # every row / column with a hidden cell hides at least two (its total counts as a cell)
        body = [c for c in cols if c != kw.get("total_column")]
        if "total_column" in kw:
            assert set(s.mask[cols].sum(axis=1)) <= {0} | set(range(2, 99))
        if "total_row" in kw:
            assert set(s.mask[body].sum(axis=0)) <= {0} | set(range(2, 99))
        assert derivable(df, s.mask, cols, kw) == []
        ranges = audit(df, s.mask, cols, **kw)
        assert s.exposed == [] and (ranges.high - ranges.low > 1e-9).all(), (df, s.frame, ranges)


class TestChart:
    def test_small_bars_and_their_partner_become_nan(self):
        df = pd.DataFrame({"村": list("ABCDE"), "人数": [10, 2, 30, 7, 12], "比例": [.1, .2, .3, .4, .5]})
        frame, note = suppress_series_for_chart(df, "人数", value_columns=["比例"], label_column="村")
        assert frame["人数"].isna().tolist() == [False, True, False, True, False]
        assert frame["比例"].isna().tolist() == [False, True, False, True, False]
        assert frame.loc[0, "人数"] == 10 and note == "注：少于5户（人）的数值及可据以推算的数值未予显示。"

    def test_nothing_small_nothing_hidden(self):
        df = pd.DataFrame({"村": list("AB"), "人数": [10, 0]})
        out = suppress_series_for_chart(df, "人数", label_column="村")
        assert out.frame["人数"].tolist() == [10, 0] and out.note == ""
