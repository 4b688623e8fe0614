"""One chart style for every report: CJK labels, print resolution, readable in grey, units and a source line.

Charts are built on `matplotlib.figure.Figure` (not pyplot), wrapped in `Chart`, which renders itself
as an embedded PNG with a caption and source line, so notebooks show exactly what the PDF prints.
"""

from __future__ import annotations

import base64
import html
import io
from dataclasses import dataclass

import matplotlib
import numpy as np
import pandas as pd
from matplotlib import font_manager
from matplotlib.figure import Figure

from civmon.errors import MissingFontError
from civmon.report.captions import caption_html, plain

CJK_FONTS = ("Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", "WenQuanYi Micro Hei",
             "SimHei")
# Colours differ in lightness as well as hue, and series also differ by line style and marker, so
# charts stay readable when printed in grey.
COLOURS = ("#1f4e79", "#d9822b", "#6a9f58", "#8c3b3b", "#7f7f7f", "#9c7fba", "#2c8c99", "#c4a000")
LINESTYLES = ("-", "--", "-.", ":", (0, (5, 1, 1, 1)), (0, (3, 1)), "-", "--")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
DPI = 200


def cjk_font() -> str:
    """The first installed CJK font family of CJK_FONTS; raise with the fix if none is."""
    names = {f.name for f in font_manager.fontManager.ttflist}
    for name in CJK_FONTS:
        if name in names:
            return name
    raise MissingFontError("No Chinese font found for charts. Install Noto CJK (Debian: apt-get install "
                           "fonts-noto-cjk; conda: font-ttf-noto-cjk), then delete matplotlib's font cache.")


def style() -> dict:
    """Matplotlib rc settings of the house style (applied per figure, never globally)."""
    return {
        "font.family": "sans-serif",
        "font.sans-serif": [cjk_font(), "DejaVu Sans"],
        "axes.unicode_minus": False,
        "font.size": 9.5,
        "axes.titlesize": 11,
        "axes.labelsize": 9.5,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "grid.color": "#d9dde3",
        "grid.linewidth": 0.6,
        "axes.prop_cycle": matplotlib.cycler(color=COLOURS),
        "legend.frameon": False,
        "figure.dpi": 100,
    }


@dataclass
class Chart:
    """A finished chart: the figure, its caption and source line; displays as an embedded PNG."""

    figure: Figure
    caption: str
    source: str
    alt: str = ""
    key: str | None = None  # what sentences refer to (civmon.report.captions.see); numbered 图N at export

    def png(self) -> bytes:
        buf = io.BytesIO()
        with matplotlib.rc_context(style()):
            self.figure.savefig(buf, format="png", dpi=DPI, bbox_inches="tight")
        return buf.getvalue()

    def _repr_html_(self) -> str:
        data = base64.b64encode(self.png()).decode()
        width_px = int(self.figure.get_figwidth() * 96)
        return (f'<figure class="chart"><figcaption class="chart-title">{caption_html("图", self.caption, self.key)}</figcaption>'
                f'<img src="data:image/png;base64,{data}" alt="{html.escape(plain(self.alt or self.caption))}" '
                f'style="width:100%;max-width:{width_px}px">'
                f'<p class="source-note">资料来源：{html.escape(self.source)}</p></figure>')

    def __repr__(self) -> str:
        return f"Chart({self.caption!r})"


def new_figure(width: float = 8.0, height: float = 3.6, ncols: int = 1, nrows: int = 1, **kw):
    """A figure and axes in the house style."""
    with matplotlib.rc_context(style()):
        fig = Figure(figsize=(width, height), layout="constrained")
        axes = fig.subplots(nrows, ncols, squeeze=True, **kw)
    return fig, axes


def _series_style(i: int) -> dict:
    return dict(color=COLOURS[i % len(COLOURS)], linestyle=LINESTYLES[i % len(LINESTYLES)],
                marker=MARKERS[i % len(MARKERS)], markersize=3.5, linewidth=1.6)


def line_chart(df: pd.DataFrame, x: str, y: str, group: str | None = None, *, caption: str, ylabel: str,
               source: str, xlabel: str = "", vlines: dict | None = None, key: str | None = None) -> Chart:
    """Lines of y over x, one per group, with optional labelled vertical markers (e.g. a policy change)."""
    with matplotlib.rc_context(style()):
        fig, ax = new_figure()
        groups = [(None, df)] if group is None else list(df.groupby(group, observed=True, sort=True))
        for i, (name, part) in enumerate(groups):
            part = part.sort_values(x)
            ax.plot(part[x], part[y], label=None if name is None else str(name), **_series_style(i))
        for label, when in (vlines or {}).items():
            ax.axvline(when, color="#444", linewidth=1, linestyle=":")
            ax.annotate(label, (when, 1), xycoords=("data", "axes fraction"), ha="left", va="top", fontsize=8.5,
                        xytext=(3, -2), textcoords="offset points")
        ax.set_ylabel(ylabel)
        ax.set_xlabel(xlabel)
        ax.yaxis.set_major_formatter(matplotlib.ticker.StrMethodFormatter("{x:,.0f}"))
        if group is not None:
            ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8.5)
    return Chart(fig, caption, source, key=key)


def bar_chart(df: pd.DataFrame, category: str, value: str, *, caption: str, xlabel: str, source: str,
              reference: float | None = None, reference_label: str = "", horizontal: bool = True,
              value_format: str = "{:,.0f}", key: str | None = None) -> Chart:
    """Bars per category (horizontal by default, for long township names), with an optional target line."""
    df = df.sort_values(value)
    with matplotlib.rc_context(style()):
        fig, ax = new_figure(8.0, max(2.4, 0.28 * len(df) + 1.0))
        bars = ax.barh(df[category].astype(str), df[value], color=COLOURS[0]) if horizontal else \
            ax.bar(df[category].astype(str), df[value], color=COLOURS[0])
        for b, v in zip(bars, df[value]):
            if pd.notna(v):
                ax.annotate(value_format.format(v), (b.get_width(), b.get_y() + b.get_height() / 2),
                            xytext=(3, 0), textcoords="offset points", va="center", fontsize=8)
        if reference is not None:
            ax.axvline(reference, color=COLOURS[3], linestyle="--", linewidth=1.2)
            ax.annotate(reference_label, (reference, 1.0), xycoords=("data", "axes fraction"), fontsize=8.5,
                        color=COLOURS[3], xytext=(3, -2), textcoords="offset points", va="top")
        ax.set_xlabel(xlabel)
        ax.grid(axis="y", visible=False)
    return Chart(fig, caption, source, key=key)


def estimate_chart(df: pd.DataFrame, x: str, *, caption: str, ylabel: str, source: str, xlabel: str = "",
                   reference_x: float | None = -0.5, estimate="estimate", low="ci_low", high="ci_high", key: str | None = None) -> Chart:
    """Point estimates with 95% intervals (event studies): zero line and the treatment onset marked."""
    with matplotlib.rc_context(style()):
        fig, ax = new_figure()
        d = df.sort_values(x)
        ax.axhline(0, color="#444", linewidth=0.9)
        if reference_x is not None:
            ax.axvline(reference_x, color="#777", linestyle=":", linewidth=1)
        yerr = np.vstack([d[estimate] - d[low], d[high] - d[estimate]])
        ax.errorbar(d[x], d[estimate], yerr=yerr, fmt="o", color=COLOURS[0], ecolor=COLOURS[0], capsize=2.5,
                    markersize=4, linewidth=1.2, label="估计值及95%置信区间")
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.legend(loc="upper left", fontsize=8.5)
    return Chart(fig, caption, source, key=key)


def small_multiples(df: pd.DataFrame, *, facet: str, x: str, y: str, unit: str | None = None, caption: str,
                    source: str, ncols: int = 3, mark_from=None, key: str | None = None) -> Chart:
    """One small line chart per facet (own y scale, unit in each title), shaded from `mark_from` on."""
    facets = list(dict.fromkeys(df[facet]))
    nrows = max(1, -(-len(facets) // ncols))
    with matplotlib.rc_context(style()):
        fig = Figure(figsize=(8.0, 2.1 * nrows + 0.3), layout="constrained")
        axes = np.atleast_1d(fig.subplots(nrows, ncols, squeeze=False)).ravel()
        for ax, name in zip(axes, facets):
            part = df[df[facet] == name].sort_values(x)
            ax.plot(part[x], part[y], **_series_style(0))
            u = f"（{part[unit].iloc[0]}）" if unit and len(part) else ""
            ax.set_title(f"{name}{u}", fontsize=9.5, loc="left")
            ax.tick_params(labelsize=7.5)
            ax.yaxis.set_major_formatter(matplotlib.ticker.StrMethodFormatter("{x:,.0f}"))
            if mark_from is not None:
                ax.axvspan(mark_from, part[x].max(), color="#1f4e79", alpha=0.08, linewidth=0)
            if pd.api.types.is_datetime64_any_dtype(part[x]):
                ax.xaxis.set_major_locator(matplotlib.dates.MonthLocator(bymonth=(1, 7)))
                ax.xaxis.set_major_formatter(matplotlib.dates.DateFormatter("%Y-%m"))
        for ax in axes[len(facets):]:
            ax.set_visible(False)
    return Chart(fig, caption, source, key=key)


def schedule_chart(df: pd.DataFrame, *, caption: str, source: str, as_of=None, label: str = "name",
                   planned=("planned_start", "planned_finish"), actual=("actual_start", "actual_finish"),
                   slip: str | None = "finish_slip_days", key: str | None = None) -> Chart:
    """Project schedule (Gantt-like): per row a light planned bar and a dark actual bar below it;
    an actual bar still open at `as_of` runs to that date hatched; `as_of` is marked, and the
    finish slippage in days is written at the right of late rows."""
    import matplotlib.dates as mdates
    from matplotlib.patches import Patch

    d = df.reset_index(drop=True)
    n = len(d)
    with matplotlib.rc_context(style()):
        fig, ax = new_figure(8.0, max(2.6, 0.34 * n + 1.2))
        to_num = mdates.date2num
        ys = np.arange(n)[::-1]
        for y, r in zip(ys, d.itertuples(index=False)):
            ps, pf = getattr(r, planned[0]), getattr(r, planned[1])
            ax.barh(y + 0.18, to_num(pf) - to_num(ps), left=to_num(ps), height=0.32, color="#c6d4e3",
                    edgecolor=COLOURS[0], linewidth=0.6)
            s, f = getattr(r, actual[0]), getattr(r, actual[1])
            if pd.notna(s):
                open_ = pd.isna(f)
                end = as_of if open_ and as_of is not None else f
                if pd.notna(end):
                    ax.barh(y - 0.18, to_num(end) - to_num(s), left=to_num(s), height=0.32,
                            color="white" if open_ else COLOURS[1], edgecolor=COLOURS[1], linewidth=0.8,
                            hatch="////" if open_ else None)
            if pd.isna(s) and as_of is not None and pd.Timestamp(ps) <= pd.Timestamp(as_of):
                ax.annotate("逾期未开工", (to_num(pd.Timestamp(as_of)), y - 0.18), xytext=(3, 0),
                            textcoords="offset points", va="center", fontsize=7.5, color=COLOURS[3])
            if slip and pd.notna(getattr(r, slip)) and getattr(r, slip) > 0:
                ax.annotate(f"延误{int(getattr(r, slip))}天", (to_num(f), y - 0.18), xytext=(3, 0),
                            textcoords="offset points", va="center", fontsize=7.5, color=COLOURS[3])
        if as_of is not None:
            ax.axvline(to_num(pd.Timestamp(as_of)), color="#444", linestyle=":", linewidth=1)
            ax.annotate("期末", (to_num(pd.Timestamp(as_of)), 1.0), xycoords=("data", "axes fraction"),
                        fontsize=8, xytext=(3, -2), textcoords="offset points", va="top")
        ax.set_yticks(ys)
        ax.set_yticklabels(d[label].astype(str), fontsize=8)
        ax.xaxis_date()
        dates = pd.to_datetime(pd.concat([d[c] for c in (*planned, *actual)]).dropna())
        span = (dates.max() - dates.min()).days / 30.4 if len(dates) else 12
        ax.xaxis.set_major_locator(mdates.MonthLocator(interval=max(1, int(np.ceil(span / 7)))))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m"))
        ax.grid(axis="y", visible=False)
        handles = [Patch(facecolor="#c6d4e3", edgecolor=COLOURS[0], label="计划工期"),
                   Patch(facecolor=COLOURS[1], edgecolor=COLOURS[1], label="实际工期（已完工）"),
                   Patch(facecolor="white", edgecolor=COLOURS[1], hatch="////",
                                            label="实际工期（截至期末未完工）")]
        ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=3, fontsize=8)
    return Chart(fig, caption, source, key=key)


def scatter_chart(df: pd.DataFrame, x: str, y: str, group: str | None = None, *, caption: str, xlabel: str,
                  ylabel: str, source: str, lines: dict | None = None, log: bool = False, key: str | None = None) -> Chart:
    """Points of y against x, one marker style per group, with optional labelled lines y = slope * x
    (`lines`: label -> slope; e.g. an area standard per household served)."""
    with matplotlib.rc_context(style()):
        fig, ax = new_figure(8.0, 4.2)
        groups = [(None, df)] if group is None else list(df.groupby(group, observed=True, sort=False))
        for i, (name, part) in enumerate(groups):
            ax.scatter(part[x], part[y], s=16, marker=MARKERS[i % len(MARKERS)], color=COLOURS[i % len(COLOURS)],
                       alpha=0.8, linewidths=0, label=None if name is None else f"{name}（{len(part)}）")
        if lines:
            lo, hi = float(df[x].min()), float(df[x].max())
            xs = np.geomspace(lo, hi, 50) if log else np.linspace(lo, hi, 50)
            for j, (label, slope) in enumerate(lines.items()):
                ax.plot(xs, slope * xs, color="#444", linestyle=LINESTYLES[(j + 1) % len(LINESTYLES)], linewidth=1.1,
                        label=label)
        if log:
            ax.set_xscale("log")
            ax.set_yscale("log")
        for axis in (ax.xaxis, ax.yaxis):
            axis.set_major_formatter(matplotlib.ticker.StrMethodFormatter("{x:,.0f}"))
            axis.set_minor_formatter(matplotlib.ticker.NullFormatter())
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.legend(loc="upper left", fontsize=8.5)
    return Chart(fig, caption, source, key=key)


def funnel_chart(points: pd.DataFrame, limits: pd.DataFrame, target: float, *, caption: str, xlabel: str,
                 ylabel: str, source: str, label: str = "township", x: str = "n", y: str = "rate",
                 outliers=(), levels=("95", "998"), level_labels=("95%控制限", "99.8%控制限"),
                 target_label: str = "区平均水平", point_label: str = "乡镇（街道）", key: str | None = None) -> Chart:
    """A funnel plot: one point per unit (proportion `y` against denominator `x`), the target as a
    horizontal line and the limit curves of `limits` (columns n, lower<level>, upper<level>) dashed
    (95%) and dotted (99.8%); the units named in `outliers` are labelled. Proportions are fractions,
    the y axis reads in %."""
    with matplotlib.rc_context(style()):
        fig, ax = new_figure(8.0, 4.4)
        lim = limits.sort_values("n")
        for j, (lv, text) in enumerate(zip(levels, level_labels)):
            ls = "--" if j == 0 else ":"
            ax.plot(lim["n"], lim[f"lower{lv}"], color="#444", linestyle=ls, linewidth=1.1, label=text)
            ax.plot(lim["n"], lim[f"upper{lv}"], color="#444", linestyle=ls, linewidth=1.1)
        ax.axhline(target, color=COLOURS[3], linewidth=1.2, label=f"{target_label}（{target:.1%}）")
        ax.scatter(points[x], points[y], s=22, color=COLOURS[0], alpha=0.85, linewidths=0, zorder=3, label=point_label)
        named = points[points[label].isin(list(outliers))]
        for r in named.itertuples(index=False):
            ax.annotate(str(getattr(r, label)), (getattr(r, x), getattr(r, y)), xytext=(4, 3), textcoords="offset points",
                        fontsize=8, color=COLOURS[3])
        ax.scatter(named[x], named[y], s=30, facecolors="none", edgecolors=COLOURS[3], linewidths=1.1, zorder=4)
        values = [points[y], lim[f"lower{levels[-1]}"], lim[f"upper{levels[-1]}"], pd.Series([target])]
        if len(points):  # the y range: the points and the outer limits from the smallest unit on
            inner = lim[lim["n"] >= points[x].min()]
            values = [points[y], inner[f"lower{levels[-1]}"], inner[f"upper{levels[-1]}"], pd.Series([target])]
        lo, hi = float(pd.concat(values).min()), float(pd.concat(values).max())
        pad = max(0.01, 0.06 * (hi - lo))
        ax.set_ylim(max(0.0, lo - pad), min(1.0, hi + pad) + (0.005 if hi >= 1.0 else 0.0))
        ax.set_xlim(left=0)
        ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(xmax=1.0, decimals=0 if hi - lo > 0.05 else 1))
        ax.xaxis.set_major_formatter(matplotlib.ticker.StrMethodFormatter("{x:,.0f}"))
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=4, fontsize=8.5)
    return Chart(fig, caption, source, key=key)


def its_chart(fitted: pd.DataFrame, *, caption: str, ylabel: str, source: str, intervention=None,
              intervention_label: str = "政策调整", scale: float = 1.0, key: str | None = None) -> Chart:
    """Interrupted time series: observed points, the fitted segmented line and, after the
    intervention, the counterfactual (pre-intervention trend continued) dashed. `fitted` is
    `civmon.stats.its(...).fitted` (time, observed, fitted, counterfactual, post); values are
    divided by `scale` (e.g. 1e4 for 万元)."""
    d = fitted.sort_values("time")
    with matplotlib.rc_context(style()):
        fig, ax = new_figure()
        ax.plot(d["time"], d["observed"] / scale, linestyle="none", marker="o", markersize=3.5, color=COLOURS[0],
                label="实际值")
        for post, part in d.groupby("post", sort=True):
            ax.plot(part["time"], part["fitted"] / scale, color=COLOURS[0], linewidth=1.6,
                    label="分段回归拟合值" if not post else None)
        cf = d[d["post"]]
        if len(cf):
            last_pre = d[~d["post"]].tail(1)
            cf = pd.concat([last_pre, cf])
            ax.plot(cf["time"], cf["counterfactual"] / scale, color=COLOURS[1], linestyle="--", linewidth=1.6,
                    label="反事实（调整前趋势延续）")
        if intervention is not None:
            ax.axvline(intervention, color="#444", linewidth=1, linestyle=":")
            ax.annotate(intervention_label, (intervention, 1), xycoords=("data", "axes fraction"), ha="right",
                        va="top", fontsize=8.5, xytext=(-3, -2), textcoords="offset points")
        ax.set_ylabel(ylabel)
        ax.yaxis.set_major_formatter(matplotlib.ticker.StrMethodFormatter("{x:,.0f}"))
        ax.legend(loc="upper left", fontsize=8.5)
    return Chart(fig, caption, source, key=key)


def km_chart(df: pd.DataFrame, *, caption: str, source: str, xlabel: str, ylabel: str = "仍在册比例（%）",
             group: str = "group", time: str = "time", key: str | None = None) -> Chart:
    """Kaplan-Meier step curves (in percent) with shaded pointwise confidence bands, one per group.
    `df` has group, time, survival, ci_low, ci_high and starts each group at time 0."""
    with matplotlib.rc_context(style()):
        fig, ax = new_figure(8.0, 3.4)
        for i, (name, part) in enumerate(df.groupby(group, sort=True)):
            part = part.sort_values(time)
            st = _series_style(i)
            ax.step(part[time], 100 * part["survival"], where="post", color=st["color"], linestyle=st["linestyle"],
                    linewidth=1.6, label=str(name))
            ax.fill_between(part[time], 100 * part["ci_low"], 100 * part["ci_high"], step="post", color=st["color"],
                            alpha=0.15, linewidth=0)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.set_xlim(left=0)
        ax.legend(loc="lower left", fontsize=8.5)
    return Chart(fig, caption, source, key=key)
