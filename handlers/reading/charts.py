"""The /grafik picture: reports per day by level, and a kecamatan x day map of the condition.

Rendering uses matplotlib's object API with the headless Agg canvas (no pyplot global state), so
it is safe to run in a worker thread while the bot keeps answering. matplotlib (about 30 MB and
most of a second) is imported by the first chart, in that thread, not at start-up: most days
nobody asks for a chart.
"""

from __future__ import annotations

import io
import threading
from collections import defaultdict
from contextlib import closing
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot import texts
from bot.texts import LEVEL_LABEL
from domain.conditions import daily_conditions, tally_reports
from domain.enums import Level
from storage.db import to_sql_time
from storage.export import daily_levels, incident_timelines, open_reader

LEVEL_COLORS = {
    Level.AMAN: "#2e9e44",
    Level.WASPADA: "#f2c200",
    Level.RAWAN: "#f07d00",
    Level.DARURAT: "#d62728",
}
NO_REPORT_COLOR = "#e6e6e6"


# Charts are drawn in worker threads; matplotlib does not promise that concurrent figures are
# safe, and on a 2-core server one at a time is also the kinder use of the CPU.
_DRAWING = threading.Lock()


def render_chart(
    district: str,
    days: list[date],
    per_level: dict[Level, list[int]],
    kecamatan: list[str],
    worst: list[list[int]],
) -> bytes:
    """Renders the two panels as PNG bytes; `worst` holds -1 for belum lapor."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.colors import ListedColormap
    from matplotlib.figure import Figure

    with _DRAWING:
        figure = Figure(figsize=(11, 4 + 0.32 * len(kecamatan)), dpi=100, layout="constrained")
        FigureCanvasAgg(figure)
        bars, heat = figure.subplots(
            2, 1, gridspec_kw={"height_ratios": [3, max(3, len(kecamatan) * 0.32)]}
        )
        positions = list(range(len(days)))
        bottom = [0] * len(days)
        for level in Level:
            values = per_level[level]
            bars.bar(
                positions,
                values,
                bottom=bottom,
                color=LEVEL_COLORS[level],
                label=LEVEL_LABEL[level],
            )
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        labels = [f"{d:%d/%m}" for d in days]
        step = max(1, len(days) // 15)
        bars.set_xticks(positions[::step], labels[::step])
        bars.set_ylabel(texts.CHART_BARS_YLABEL)
        bars.set_title(texts.chart_bars_title(district))
        bars.legend(loc="upper left", ncols=4, fontsize="small")
        colors = ListedColormap([NO_REPORT_COLOR] + [LEVEL_COLORS[level] for level in Level])
        heat.imshow(
            worst, aspect="auto", cmap=colors, vmin=-1.5, vmax=3.5, interpolation="nearest"
        )
        heat.set_yticks(range(len(kecamatan)), kecamatan, fontsize="small")
        heat.set_xticks(positions[::step], labels[::step])
        heat.set_title(texts.CHART_HEAT_TITLE)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        return buffer.getvalue()


def build_chart(
    db_path: Path, district: str, kecamatan: tuple[str, ...], last: date, days: int, tz: ZoneInfo
) -> bytes:
    """Reads the last `days` local days up to `last` and renders the chart.

    The bars count reports by their own level; the map shows each kecamatan's condition, the
    one definition of /status applied over each day (domain.conditions): its worst moment.
    """
    first = last - timedelta(days=days - 1)
    start = datetime.combine(first, datetime.min.time(), tzinfo=tz)
    end = datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=tz)
    offset = int((start.utcoffset() or timedelta()).total_seconds())
    span = (to_sql_time(start), to_sql_time(end))
    day_list = [first + timedelta(days=i) for i in range(days)]
    index = {d.isoformat(): i for i, d in enumerate(day_list)}
    per_level = {level: [0] * days for level in Level}
    counts = []
    with closing(open_reader(db_path)) as conn:
        for day_text, name, level, count in daily_levels(conn, *span, offset):
            if day_text not in index:
                continue
            per_level[Level(level)][index[day_text]] += count
            counts.append((name, day_list[index[day_text]], Level(level), count))
        timelines = incident_timelines(conn, *span)  # streamed: read while the reader is open
        conditions = daily_conditions(day_list, tz, timelines, tally_reports(counts))
    worst_by: dict[str, list[int]] = defaultdict(lambda: [-1] * days)
    for (name, day), condition in conditions.items():
        if condition is not None:
            worst_by[name][(day - first).days] = int(condition)
    names = list(kecamatan) + sorted(set(worst_by) - set(kecamatan))
    matrix = [worst_by[name] if name in worst_by else [-1] * days for name in names]
    return render_chart(district, day_list, per_level, names, matrix)
