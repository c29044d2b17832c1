"""The run report: one self-contained HTML page, its figures drawn by matplotlib as embedded PNGs.

Every number on the page comes from the query pack (the same SQL Athena runs), gathered by the
analytics use case, so the report and an analyst's queries cannot disagree; the only numbers
computed here are the precision panel's projections (a half-width shrinks as t/√n). Figures use
matplotlib's object API (``Figure`` rendered by the Agg canvas): no pyplot, no global backend state.
How the intervals are computed: docs/analysis.md.
"""

from __future__ import annotations

import base64
import html
import io
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from matplotlib.figure import Figure

from application.analytics.report_data import (
    Heatmap,
    ReportData,
    axis_label,
    describe_point,
    projected_half_width,
    swept_dimensions,
    value_text,
)

Row = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class MetricView:
    column: str
    title: str
    scale: float
    fmt: Callable[[float], str]
    higher_is_better: bool


KEY_METRICS: tuple[MetricView, ...] = (
    MetricView("health_score", "health score", 1.0, lambda v: f"{v:.2f}", True),
    MetricView("conversion_rate", "conversion (%)", 100.0, lambda v: f"{v:.0f}%", True),
    MetricView("platform_revenue", "platform revenue (currency)", 1.0, lambda v: f"{v:,.0f}", True),
    MetricView("driver_payouts", "driver payouts (currency)", 1.0, lambda v: f"{v:,.0f}", True),
    MetricView("avg_time_to_match_ms", "avg time to match (s)", 1e-3, lambda v: f"{v:.0f}", False),
    MetricView("driver_utilization", "driver utilisation (%)", 100.0, lambda v: f"{v:.0f}%", True),
)
HEATMAP_METRICS = tuple((m.column, m.higher_is_better) for m in KEY_METRICS)
PRECISION_TITLES: Mapping[str, str] = {
    "conversion_rate": "conversion",
    "avg_time_to_match_ms": "avg time to match",
    "avg_time_to_pickup_ms": "avg time to pickup",
    "platform_revenue": "platform revenue",
    "driver_payouts": "driver payouts",
    "abandonment_rate": "abandonment rate",
    "driver_utilization": "driver utilisation",
    "avg_surge_multiplier": "avg surge multiplier",
}
SERIES = (
    ("riders_waiting", "riders waiting", "#d62728"),
    ("drivers_idle", "drivers idle", "#2ca02c"),
    ("drivers_on_trip", "drivers on trip", "#1f77b4"),
)


def render_report(data: ReportData, *, top: int = 10) -> str:
    page = _Page(data.run_id)
    page.header(data.context, data.coverage, data.ends)
    if data.heatmaps and data.ends:
        replicates = int(data.ranking[0]["replicates"])
        page.heatmaps(data.heatmaps, replicates)
        page.ranking(data.ranking[:top], len(data.ranking))
        page.precision(data.precision, replicates)
        page.time_series(data.ends, data.series, replicates)
    else:
        page.note("No point of this run has results yet: nothing to map or rank.")
    page.coverage(data.coverage, data.failures)
    page.profile(data.profile)
    return page.render()


def _png(figure: Figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _text(value: Any) -> str:
    return html.escape(str(value))


def _th(text: str, *, left: bool = False) -> str:
    return f"<th class='left'>{_text(text)}</th>" if left else f"<th>{_text(text)}</th>"


def _interval(row: Row, name: str, fmt: str) -> str:
    """``row``'s ``<name>_low`` – ``<name>_high`` on a line of its own, or nothing without one."""
    low, high = row[f"{name}_low"], row[f"{name}_high"]
    if low is None or high is None:
        return ""
    return f"<span class='ci'>{_text(fmt.format(low))} – {_text(fmt.format(high))}</span>"


def _separability(top: Sequence[Row]) -> str:
    """One sentence on whether the top point stands out from the second (docs/analysis.md)."""
    if len(top) < 2:
        return "Only one point has results."
    separable = top[0]["separable_from_next"]
    if separable is None:
        return (
            "With one replicate per point the ranking has no intervals: the top point may just be "
            "the luckiest seed."
        )
    if separable:
        return (
            f"The top point (#{top[0]['point_index']}) is separable from the next: its health "
            f"interval lies wholly above #{top[1]['point_index']}'s."
        )
    ties = sum(1 for r in top[1:] if r["overlaps_best"])
    others = "1 other point has" if ties == 1 else f"{ties} other points have"
    return (
        f"The top point (#{top[0]['point_index']}) is not separable from the next "
        f"(#{top[1]['point_index']}): their health intervals overlap. Of the {len(top)} points shown, "
        f"{others} an interval that overlaps the top point's; more replicates would narrow them."
    )


def _pct(value: float | None) -> str:
    return "" if value is None else f"±{value:.1%}"


def _count(value: int | None) -> str:
    return "" if value is None else f"{value:,}"


def _projection(rel_half_width: float | None, replicates: int, more: int) -> float | None:
    return None if rel_half_width is None else projected_half_width(rel_half_width, replicates, more)


class _Page:
    def __init__(self, run_id: str) -> None:
        self.run_id = run_id
        self.parts: list[str] = []

    def note(self, text: str) -> None:
        self.parts.append(f'<p class="note">{_text(text)}</p>')

    def image(self, figure: Figure, alt: str) -> None:
        self.parts.append(f'<img alt="{_text(alt)}" src="data:image/png;base64,{_png(figure)}">')

    def header(self, context: Row | None, coverage: Row, ends: tuple[Row, Row] | None) -> None:
        points = f"{coverage['observed_points']:,} of {coverage['expected_points'] or 0:,}"
        shards = (
            f"{coverage['succeeded_shards']} ok · {coverage['failed_shards']} failed · "
            f"{coverage['pending_shards']} pending"
        )
        cards = [("points with results", points), ("shards", shards)]
        if context:
            replicates = int(context["replicates"] or 1)
            seeds = "common seeds" if context["seed_strategy"] == "common" else "independent seeds"
            cards.append(
                ("replicates per point", f"{replicates} · {seeds}" if replicates > 1 else "1 (no intervals)")
            )
        if ends:
            cards.append(("best point", f"#{ends[0]['point_index']} · health {ends[0]['health_score']:.2f}"))
        meta = ""
        if context:
            dims = swept_dimensions(context["dimensions_json"])
            swept = "; ".join(
                f"<b>{_text(axis_label(n))}</b>: {_text(', '.join(value_text(v) for v in vs))}"
                for n, vs in dims.items()
            )
            base = json.loads(context["base_parameters_json"])
            fixed = ", ".join(f"{k}={value_text(v)}" for k, v in sorted(base.items())) or "defaults"
            meta = (
                f"<p class='meta'>accepted {_text(context['accepted_at'])} · seed {context['seed']} · "
                f"simulation model {context['simulation_model']} · "
                f"config {_text(context['config_fingerprint'][:12])}</p>"
                f"<p class='meta'>swept: {swept}</p><p class='meta'>base: {_text(fixed)}</p>"
            )
        card_html = "".join(
            f"<div class='card'><div class='label'>{_text(k)}</div><div class='value'>{_text(v)}</div></div>"
            for k, v in cards
        )
        self.parts.append(
            f"<h1>Run <code>{_text(self.run_id)}</code></h1>{meta}<div class='cards'>{card_html}</div>"
        )

    def heatmaps(self, maps: Sequence[Heatmap], replicates: int) -> None:
        first = maps[0]
        fixed = ", ".join(f"{k} = {value_text(v)}" for k, v in sorted(first.fixed.items()))
        what = (
            f"Each key metric's mean over {replicates} replicates"
            if replicates > 1
            else "Each key metric (one simulation per point)"
        )
        caption = (
            f"{what}, over "
            f"<b>{_text(axis_label(first.x_name))}</b>"
            + (f" and <b>{_text(axis_label(first.y_name))}</b>" if first.y_name else "")
            + (f", with {_text(fixed)} (the best point's values)" if fixed else "")
            + ". Brighter is better in every map; grey cells have no results (a failed or pending shard)."
        )
        if all(m.has_intervals for m in maps):
            legend = (
                "<b>★</b> the best cell of each map (highest mean, or lowest where lower is better). "
                "<b>≈</b> with a dashed outline: the cell's 95 % interval overlaps the best cell's, "
                f"so at {replicates} replicates the data cannot tell it from the best. Unmarked cells "
                "are worse than the best beyond the noise."
            )
        else:
            legend = (
                "<b>★</b> the best cell of each map. With one replicate per point there are no "
                "intervals: no cell can be told apart from the best, and the best may be the luckiest "
                "seed. Run the sweep with <code>replicates</code> ≥ 2 (docs/analysis.md)."
            )
        self.parts.append(f"<h2>Heat maps</h2><p>{caption}</p><p class='legend'>{legend}</p>")
        columns = 3
        rows = (len(maps) + columns - 1) // columns
        width = max(len(first.x_values), 2)
        height = max(len(first.y_values), 1)
        cell = min(1.0, 12.0 / (columns * width))
        row_height = 2.4 if first.y_name is None else max(3.2, 1.3 + height * cell * 0.9)
        figure = Figure(figsize=(13.5, rows * row_height))
        figure.subplots_adjust(wspace=0.45, hspace=0.55)
        for index, (view, data) in enumerate(zip(KEY_METRICS, maps, strict=True)):
            _draw_heatmap(figure.add_subplot(rows, columns, index + 1), view, data)
        self.image(figure, "heat maps of the key metrics")

    def ranking(self, top: Sequence[Row], total: int) -> None:
        head = [
            "rank",
            "point",
            "swept values",
            "health (95 % interval)",
            "conversion",
            "revenue",
            "payouts",
            "match s",
            "pickup s",
            "abandoned",
        ]
        body = "".join(
            "<tr>"
            f"<td>{r['health_rank']}</td><td>{r['point_index']}</td>"
            f"<td class='left'>{_text(describe_point(r))}</td>"
            f"<td><b>{r['health_score']:.3f}</b>{_interval(r, 'health', '{:.3f}')}</td>"
            f"<td>{r['conversion_rate']:.1%}{_interval(r, 'conversion', '{:.1%}')}</td>"
            f"<td>{r['platform_revenue']:,.0f}{_interval(r, 'revenue', '{:,.0f}')}</td>"
            f"<td>{r['driver_payouts']:,.0f}</td>"
            f"<td>{r['avg_time_to_match_ms'] / 1000:.0f}</td><td>{r['avg_time_to_pickup_ms'] / 1000:.0f}</td>"
            f"<td>{r['abandonment_rate']:.1%}</td></tr>"
            for r in top
        )
        self.parts.append(
            f"<h2>Health ranking</h2><p>The top {len(top)} of {total} points by the health score of "
            "docs/model.md, computed on each point's means over its replicates (metrics min–max "
            "normalised over this run), with 95 % intervals of the score and of its main inputs, "
            "conversion and revenue.</p>"
            f"<p class='verdict'>{_text(_separability(top))}</p>"
            f"<table><tr>{''.join(_th(h, left=h == 'swept values') for h in head)}</tr>{body}</table>"
        )

    def precision(self, rows: Sequence[Row], replicates: int) -> None:
        self.parts.append("<h2>Precision</h2>")
        if replicates < 2:
            self.note(
                "One replicate per point: nothing measures the noise of a point, so the report cannot "
                "say how precise its numbers are. Run the sweep with replicates ≥ 2 (10 is a good pilot)."
            )
            return
        more = (2 * replicates, 4 * replicates)
        body = "".join(
            f"<tr><td class='left'>{_text(PRECISION_TITLES.get(r['metric'], r['metric']))}</td>"
            f"<td>{_pct(r['rel_half_width_median'])}</td><td>{_pct(r['rel_half_width_max'])}</td>"
            + "".join(
                f"<td>{_pct(_projection(r['rel_half_width_median'], replicates, m))}</td>" for m in more
            )
            + f"<td>{_count(r['replicates_for_5pct'])}</td><td>{_count(r['replicates_for_5pct_all'])}</td>"
            f"<td>{_count(r['replicates_for_2pct'])}</td><td>{_count(r['replicates_for_2pct_all'])}</td></tr>"
            for r in rows
        )
        self.parts.append(
            f"<p>With {replicates} replicates per point, each point's 95 % interval reaches ± the "
            "half-width below, relative to the point's mean (the median point, and the worst). More "
            "replicates narrow it as t/√n: the middle columns project the median point's half-width; "
            "the last columns give the replicates needed for ±5 % and ±2 % (the median point, and "
            "every point). Blank: no point with a non-zero mean to measure against.</p>"
            "<table><tr><th class='left' rowspan='2'>metric</th>"
            f"<th colspan='2'>± half-width at {replicates}</th>"
            "<th colspan='2'>median point with</th>"
            "<th colspan='2'>replicates for ±5 %</th><th colspan='2'>replicates for ±2 %</th></tr>"
            "<tr><th>median</th><th>worst</th>"
            + "".join(f"<th>{m} replicates</th>" for m in more)
            + "<th>median</th><th>every point</th><th>median</th><th>every point</th></tr>"
            f"{body}</table>"
        )

    def time_series(
        self, ends: tuple[Row, Row], series: Mapping[str, Sequence[Row]], replicates: int
    ) -> None:
        figure = Figure(figsize=(13.5, 3.8))
        figure.subplots_adjust(wspace=0.08)
        axes = figure.subplots(1, 2, sharey=True)
        for ax, (label, row) in zip(axes, (("best", ends[0]), ("worst", ends[1])), strict=True):
            rows = series[label]
            for column, title, colour in SERIES:
                points = [r for r in rows if r["series"] == column]
                minutes = [r["timestamp_ms"] / 60_000 for r in points]
                if replicates > 1:
                    ax.fill_between(
                        minutes,
                        [r["band_low"] for r in points],
                        [r["band_high"] for r in points],
                        color=colour,
                        alpha=0.18,
                        linewidth=0,
                    )
                ax.plot(minutes, [r["mean"] for r in points], label=title, color=colour, linewidth=1.8)
            ax.set_title(
                f"{label}: point {row['point_index']} (health {row['health_score']:.2f})\n"
                f"{describe_point(row)}",
                fontsize=10,
            )
            ax.set_xlabel("simulated time (min)")
            ax.grid(alpha=0.3)
        axes[0].set_ylabel("count")
        axes[0].legend(loc="upper left", frameon=False)
        band = (
            f"Lines are the mean over the point's {replicates} replicates; the shaded band holds the "
            "10th to 90th percentile across them (about 8 replicates in 10 lie inside)."
            if replicates > 1
            else "One replicate per point: the lines are that single simulation."
        )
        self.parts.append(f"<h2>Market over time: best and worst point</h2><p>{band}</p>")
        self.image(figure, "snapshot time series of the best and worst point")

    def coverage(self, coverage: Row, failures: Sequence[Row]) -> None:
        expected = int(coverage["expected_shards"] or 0)
        missing = set(coverage["missing_shard_ids"] or [])
        failed = {int(f["shard_id"]) for f in failures if not f["succeeded_later"]}
        self.parts.append(
            f"<h2>Shard coverage</h2><p>{coverage['succeeded_shards']} of {expected} shards succeeded, "
            f"{coverage['failed_shards']} failed, {coverage['pending_shards']} have no outcome yet; "
            f"{coverage['observed_points']:,} of {coverage['expected_points'] or 0:,} points have results."
            + (f" Missing shards: {_text(_ranges(sorted(missing)))}." if missing else "")
            + "</p>"
        )
        if 0 < expected <= 2000:
            self.image(_coverage_figure(expected, missing, failed), "shard coverage")
        if failures:
            body = "".join(
                f"<tr><td>{f['shard_id']}</td><td>{f['attempt']}</td><td>{_text(f['error_code'])}</td>"
                f"<td class='left'>{_text(f['error_message'])}</td>"
                f"<td>{f['start_index']}–{f['end_index_exclusive'] - 1}</td>"
                f"<td>{'yes' if f['succeeded_later'] else 'no'}</td></tr>"
                for f in failures
            )
            self.parts.append(
                "<h3>Failures</h3><table><tr><th>shard</th><th>attempt</th><th>error code</th>"
                f"<th class='left'>message</th><th>points</th><th>succeeded later</th></tr>{body}</table>"
            )
        else:
            self.note("No shard failed.")

    def profile(self, profile: Sequence[Row]) -> None:
        def number(value: Any) -> str:
            if value is None:
                return ""
            return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"

        body = "".join(
            f"<tr><td class='left'>{_text(r['metric'])}</td><td>{number(r['min_value'])}</td>"
            f"<td>{number(r['median_value'])}</td><td>{number(r['max_value'])}</td></tr>"
            for r in profile
        )
        self.parts.append(
            "<h2>Run profile</h2><p>The spread of each point's mean over the points with results.</p>"
            "<table><tr><th class='left'>metric</th><th>min</th><th>median</th>"
            f"<th>max</th></tr>{body}</table>"
        )

    def render(self) -> str:
        return (
            "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            f"<title>ridesweep report · {_text(self.run_id)}</title><style>{_CSS}</style></head>"
            f"<body><main>{''.join(self.parts)}"
            "<footer>ridesweep report · numbers from the query pack</footer></main></body></html>\n"
        )


def _draw_heatmap(ax: Any, view: MetricView, data: Heatmap) -> None:
    values = [[None if c is None else c * view.scale for c in row] for row in data.cells]
    present = [v for row in values for v in row if v is not None]
    grid = [[float("nan") if v is None else v for v in row] for row in values]
    from matplotlib import colormaps

    colours = colormaps["viridis" if view.higher_is_better else "viridis_r"].with_extremes(bad="#e4e4e4")
    image = ax.imshow(grid, cmap=colours, aspect="auto", origin="lower")
    ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.03)
    ax.set_title(view.title, fontsize=11, fontweight="bold")
    ax.set_xticks(range(len(data.x_values)), [value_text(v) for v in data.x_values], fontsize=9)
    ax.set_xlabel(axis_label(data.x_name), fontsize=9)
    if data.y_name is not None:
        ax.set_yticks(range(len(data.y_values)), [value_text(v) for v in data.y_values], fontsize=9)
        ax.set_ylabel(axis_label(data.y_name), fontsize=9)
    else:
        ax.set_yticks([])
    _draw_marks(ax, data)
    if not present or len(data.x_values) * len(data.y_values) > 144:
        return
    low, high = min(present), max(present)
    for i, row in enumerate(values):
        for j, value in enumerate(row):
            if value is None:
                continue
            share = (value - low) / (high - low) if high > low else 0.5
            bright = share > 0.55 if view.higher_is_better else share < 0.45
            mark = " ★" if (i, j) == data.best else (" ≈" if data.ties_best[i][j] else "")
            ax.text(
                j,
                i,
                view.fmt(value) + mark,
                ha="center",
                va="center",
                fontsize=8,
                color="black" if bright else "white",
                fontweight="bold" if (i, j) == data.best else "normal",
            )


def _draw_marks(ax: Any, data: Heatmap) -> None:
    """A solid outline around the best cell and a dashed one around each cell that ties it, each
    drawn white over black so it shows on dark and bright cells alike."""
    from matplotlib.patches import Rectangle

    cells = [(data.best, 3.4, "solid")] if data.best is not None else []
    cells += [
        ((i, j), 2.4, "dashed") for i, row in enumerate(data.ties_best) for j, tie in enumerate(row) if tie
    ]
    for (i, j), width, style in cells:
        for colour, line_width, line_style in (("black", width, "solid"), ("white", width / 2, style)):
            ax.add_patch(
                Rectangle(
                    (j - 0.46, i - 0.46), 0.92, 0.92, fill=False, edgecolor=colour,
                    linewidth=line_width, linestyle=line_style,
                )
            )


def _coverage_figure(expected: int, missing: set[int], failed: set[int]) -> Figure:
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    columns = min(expected, 40)
    rows = (expected + columns - 1) // columns
    grid = [[float("nan")] * columns for _ in range(rows)]
    for shard in range(expected):
        grid[shard // columns][shard % columns] = (
            2.0 if shard in failed else (1.0 if shard in missing else 0.0)
        )
    figure = Figure(figsize=(min(13.5, 2.4 + columns * 0.3), 0.8 + rows * 0.3))
    ax = figure.add_subplot(1, 1, 1)
    colours = ListedColormap(["#2ca02c", "#bbbbbb", "#d62728"])
    ax.pcolormesh(grid, cmap=colours, vmin=0, vmax=2, edgecolors="white", linewidth=1.5)
    ax.set_aspect("equal")
    ax.invert_yaxis()
    ax.set_xticks([])
    ax.set_yticks([r + 0.5 for r in range(rows)], [f"{r * columns}" for r in range(rows)], fontsize=8)
    if expected <= 200:
        for shard in range(expected):
            ax.text(
                shard % columns + 0.5,
                shard // columns + 0.5,
                str(shard),
                ha="center",
                va="center",
                fontsize=7,
                color="white",
            )
    for side in ax.spines.values():
        side.set_visible(False)
    ax.set_title("shards by id", fontsize=9, loc="left")
    ax.legend(
        handles=[
            Patch(color="#2ca02c", label="succeeded"),
            Patch(color="#bbbbbb", label="pending"),
            Patch(color="#d62728", label="failed"),
        ],
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        frameon=False,
        fontsize=8,
    )
    return figure


def _ranges(ids: Sequence[int]) -> str:
    spans: list[str] = []
    start = previous = None
    for shard in [*ids, None]:
        if shard is not None and previous is not None and shard == previous + 1:
            previous = shard
            continue
        if start is not None:
            spans.append(str(start) if start == previous else f"{start}–{previous}")
        start = previous = shard
    return ", ".join(spans)


_CSS = """
body { font-family: system-ui, -apple-system, 'Segoe UI', sans-serif; color: #1d2330; margin: 0;
       background: #f5f6f8; }
main { max-width: 1360px; margin: 0 auto; padding: 24px 28px 40px; background: #fff; }
h1 { margin: 0 0 6px; font-size: 26px; } h1 code { background: #eef1f6; padding: 0 6px; border-radius: 4px; }
h2 { margin: 30px 0 8px; font-size: 19px; border-bottom: 2px solid #e3e6ec; padding-bottom: 4px; }
h3 { font-size: 16px; margin: 18px 0 6px; }
p { margin: 6px 0; line-height: 1.45; } .meta { color: #555; font-size: 14px; margin: 2px 0; }
.note { color: #666; font-style: italic; }
.legend { font-size: 13px; color: #444; background: #f6f7f9; border-left: 3px solid #9aa3b2;
          padding: 6px 10px; }
.verdict { font-weight: 600; }
.ci { display: block; font-size: 11px; color: #667; white-space: nowrap; }
.cards { display: flex; gap: 14px; margin: 14px 0 4px; flex-wrap: wrap; }
.card { background: #eef1f6; border-radius: 8px; padding: 10px 16px; min-width: 200px; }
.card .label { font-size: 12px; color: #555; text-transform: uppercase; letter-spacing: .04em; }
.card .value { font-size: 20px; font-weight: 600; margin-top: 2px; }
img { max-width: 100%; display: block; margin: 8px 0; }
table { border-collapse: collapse; font-size: 14px; margin: 8px 0; }
th, td { padding: 5px 10px; border-bottom: 1px solid #e3e6ec; text-align: right; }
th { background: #f0f2f6; } td.left, th.left { text-align: left; }
tr:nth-child(even) td { background: #fafbfc; }
footer { margin-top: 30px; color: #888; font-size: 12px; }
"""
