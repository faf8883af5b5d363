"""The coordinator's chart as a PNG (bot/services/reports/charts.py): orders completed
(bars) and hours served (a line) each of the last 12 weeks, and the mix of categories
(horizontal bars). Drawn by matplotlib's Agg renderer with the CJK font of
``[recognition] certificate_font``, so that Chinese labels render (not boxes)."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")  # no display: draw into memory

from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties

from bot.i18n import Markup, Translator
from bot.services.reports.charts import Weekly


class FontMissing(Exception):
    """The chart's font is not where the configuration says."""


def labels(tr: Translator, w: Weekly) -> list[str]:
    """Every word the chart draws (its title, axes, legend, categories)."""
    words = [
        tr.plain("chart.title", unit=w.unit.name(tr.language)),
        tr.plain("chart.orders"),
        tr.plain("chart.hours"),
        tr.plain("chart.week"),
        tr.plain("chart.categories"),
    ]
    words += [_category(tr, c, code) for c, code, _ in w.categories]
    return words


def _category(tr: Translator, category: object, code: str) -> str:
    name = getattr(category, "name", None)
    return name(tr.language) if callable(name) else code


def weekly_png(tr: Translator, w: Weekly, font: str) -> bytes:
    try:
        props = FontProperties(fname=font)
        props.get_name()  # reads the file: a missing font fails here, not mid-drawing
    except (FileNotFoundError, OSError, RuntimeError) as exc:
        raise FontMissing(font) from exc
    title, orders_label, hours_label, week_label, mix_label = labels(tr, w)[:5]
    figure = Figure(figsize=(8, 6.5), dpi=110, layout="constrained")
    top, bottom = figure.subplots(2, 1, height_ratios=(3, 2))
    ticks = [f"{d:%m-%d}" for d in w.weeks]
    x = range(len(ticks))
    top.bar(x, w.orders, color="#d9534f", label=orders_label)
    top.set_ylabel(orders_label, fontproperties=props)
    top.set_xticks(list(x), ticks, rotation=45, fontsize=8)
    top.set_xlabel(week_label, fontproperties=props)
    top.set_title(title, fontproperties=props, fontsize=13)
    line = top.twinx()
    line.plot(x, [m / 60 for m in w.minutes], color="#337ab7", marker="o", label=hours_label)
    line.set_ylabel(hours_label, fontproperties=props)
    line.set_ylim(bottom=0)
    top.set_ylim(bottom=0)
    handles = top.get_legend_handles_labels()[0] + line.get_legend_handles_labels()[0]
    top.legend(handles, [orders_label, hours_label], prop=props, loc="upper left")
    names = [_category(tr, c, code) for c, code, _ in w.categories] or ["—"]
    counts = [n for _, _, n in w.categories] or [0]
    bottom.barh(range(len(names)), counts, color="#5cb85c")
    bottom.set_yticks(list(range(len(names))), names)
    for tick in bottom.get_yticklabels():
        tick.set_fontproperties(props)
    bottom.invert_yaxis()
    bottom.set_title(mix_label, fontproperties=props, fontsize=11)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def chart_caption(tr: Translator, w: Weekly) -> Markup:
    return tr.ngettext(
        "chart.caption",
        sum(w.orders),
        unit=w.unit.name(tr.language),
        orders=sum(w.orders),
        hours=f"{sum(w.minutes) / 60:g}",
    )
