"""Server-rendered SVG charts: pure functions from numbers to SVG strings (no JavaScript, no
CDN). Every mark carries `data-label`/`data-value` so tests and scripts can read the data;
each chart is paired with a text table in its template for screen readers."""

from html import escape

W, H = 560, 220
PAD_L, PAD_R, PAD_T, PAD_B = 48, 12, 24, 44
PALETTE = ["#0969da", "#cf222e", "#e16f24", "#d4a72c", "#2da44e", "#8250df"]
STATE_COLOURS = {"green": "#2da44e", "amber": "#d4a72c", "red": "#cf222e"}


def _e(value) -> str:
    return escape(str(value), quote=True)


def _num(value) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)


def _open(title: str, chart_id: str, kind: str, width=W, height=H) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-labelledby="{_e(chart_id)}-title" class="ops-chart" data-chart="{_e(kind)}" '
        f'id="{_e(chart_id)}" style="max-width:{width}px;font-family:sans-serif;font-size:11px">',
        f'<title id="{_e(chart_id)}-title">{_e(title)}</title>',
    ]


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    for exp in range(-2, 12):
        for step in (1, 2, 2.5, 5):
            candidate = step * 10.0 ** exp
            if candidate >= value:
                return candidate
    return float(value)


def _y_axis(parts, top: float, unit: str, height=H):
    plot_h = height - PAD_T - PAD_B
    for i in range(5):
        v = top * i / 4
        y = PAD_T + plot_h - plot_h * i / 4
        parts.append(f'<line x1="{PAD_L}" y1="{y:.1f}" x2="{W - PAD_R}" y2="{y:.1f}" stroke="#d0d7de" stroke-width="0.5"/>')
        parts.append(f'<text x="{PAD_L - 4}" y="{y + 3:.1f}" text-anchor="end" fill="#57606a">{_e(_num(round(v, 1)))}{_e(unit)}</text>')


def _legend(parts, names_colours, y=12):
    x = PAD_L
    for name, colour in names_colours:
        parts.append(f'<rect x="{x}" y="{y - 8}" width="10" height="10" fill="{colour}"/>')
        parts.append(f'<text x="{x + 14}" y="{y + 1}" fill="#24292f">{_e(name)}</text>')
        x += 18 + 7 * len(name)


def _empty(parts, message="No data for this period", height=H):
    parts.append(f'<text x="{W / 2}" y="{height / 2}" text-anchor="middle" fill="#57606a" class="ops-chart-empty">{_e(message)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def line_chart(*, chart_id: str, title: str, labels: list[str], series: list[tuple[str, list]], unit: str = "") -> str:
    """Lines over categorical x labels; None values leave a gap (no point)."""
    parts = _open(title, chart_id, "line")
    values = [v for _, vals in series for v in vals if v is not None]
    if not labels or not values:
        return _empty(parts)
    top = _nice_max(max(values))
    _y_axis(parts, top, unit)
    plot_w, plot_h = W - PAD_L - PAD_R, H - PAD_T - PAD_B
    step = plot_w / max(len(labels) - 1, 1)
    for i, text in enumerate(labels):
        if len(labels) <= 12 or i % 2 == 0:
            parts.append(f'<text x="{PAD_L + i * step:.1f}" y="{H - PAD_B + 14}" text-anchor="middle" fill="#57606a">{_e(text)}</text>')
    colours = []
    for n, (name, vals) in enumerate(series):
        colour = PALETTE[n % len(PALETTE)]
        colours.append((name, colour))
        points = [(PAD_L + i * step, PAD_T + plot_h - plot_h * v / top, v, labels[i])
                  for i, v in enumerate(vals) if v is not None]
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _, _ in points)
            parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{path}"/>')
        for x, y, v, text in points:
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}" class="ops-point" '
                         f'data-series="{_e(name)}" data-label="{_e(text)}" data-value="{_e(_num(v))}">'
                         f'<title>{_e(name)} {_e(text)}: {_e(_num(v))}{_e(unit)}</title></circle>')
    _legend(parts, colours)
    parts.append("</svg>")
    return "".join(parts)


def grouped_bar_chart(*, chart_id: str, title: str, labels: list[str], series: list[tuple[str, list]],
                      unit: str = "", top: float | None = None) -> str:
    """Vertical bars grouped by x label, one bar per series; None draws nothing."""
    parts = _open(title, chart_id, "grouped-bar")
    values = [v for _, vals in series for v in vals if v is not None]
    if not labels or not values:
        return _empty(parts)
    top = top or _nice_max(max(values))
    _y_axis(parts, top, unit)
    plot_w, plot_h = W - PAD_L - PAD_R, H - PAD_T - PAD_B
    group_w = plot_w / len(labels)
    bar_w = max(group_w * 0.8 / max(len(series), 1), 1.0)
    colours = []
    for n, (name, vals) in enumerate(series):
        colour = PALETTE[n % len(PALETTE)]
        colours.append((name, colour))
        for i, v in enumerate(vals):
            if v is None:
                continue
            h = plot_h * min(v, top) / top
            x = PAD_L + i * group_w + group_w * 0.1 + n * bar_w
            parts.append(f'<rect x="{x:.1f}" y="{PAD_T + plot_h - h:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                         f'fill="{colour}" class="ops-bar" data-series="{_e(name)}" data-label="{_e(labels[i])}" '
                         f'data-value="{_e(_num(v))}"><title>{_e(name)} {_e(labels[i])}: {_e(_num(v))}{_e(unit)}</title></rect>')
    for i, text in enumerate(labels):
        parts.append(f'<text x="{PAD_L + i * group_w + group_w / 2:.1f}" y="{H - PAD_B + 14}" text-anchor="middle" '
                     f'fill="#57606a">{_e(text)}</text>')
    _legend(parts, colours)
    parts.append("</svg>")
    return "".join(parts)


def hbar_chart(*, chart_id: str, title: str, rows: list[tuple[str, float]], unit: str = "") -> str:
    """Horizontal bars, one per row (label, value)."""
    height = max(PAD_T + 22 * len(rows) + 12, 80)
    parts = _open(title, chart_id, "hbar", height=height)
    if not rows:
        return _empty(parts, height=height)
    top = _nice_max(max(v for _, v in rows))
    left = 140
    plot_w = W - left - PAD_R - 40
    for i, (text, v) in enumerate(rows):
        y = PAD_T + 22 * i
        w = plot_w * v / top
        parts.append(f'<text x="{left - 6}" y="{y + 13}" text-anchor="end" fill="#24292f">{_e(text[:24])}</text>')
        parts.append(f'<rect x="{left}" y="{y}" width="{w:.1f}" height="16" fill="{PALETTE[0]}" class="ops-bar" '
                     f'data-label="{_e(text)}" data-value="{_e(_num(v))}"><title>{_e(text)}: {_e(_num(v))}{_e(unit)}</title></rect>')
        parts.append(f'<text x="{left + w + 4:.1f}" y="{y + 13}" fill="#24292f">{_e(_num(v))}{_e(unit)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def threshold_chart(*, chart_id: str, title: str, rows: list[dict]) -> str:
    """Per row {"label", "value", "limit", "state", "value_text", "limit_text"}: a bar of
    value/limit (100 % = the objective) coloured by state, with the objective as a line."""
    height = max(PAD_T + 22 * len(rows) + 24, 90)
    parts = _open(title, chart_id, "threshold", height=height)
    if not rows:
        return _empty(parts, "No recovery objectives yet", height)
    left = 140
    plot_w = W - left - PAD_R - 60
    ratios = [(r["value"] / r["limit"]) if r["value"] is not None and r["limit"] else None for r in rows]
    top = max([2.0] + [min(x, 4.0) for x in ratios if x is not None])
    limit_x = left + plot_w * 1.0 / top
    for i, (row, ratio) in enumerate(zip(rows, ratios, strict=True)):
        y = PAD_T + 22 * i
        parts.append(f'<text x="{left - 6}" y="{y + 13}" text-anchor="end" fill="#24292f">{_e(str(row["label"])[:24])}</text>')
        colour = STATE_COLOURS.get(str(row.get("state")), "#57606a")
        if ratio is None:
            parts.append(f'<text x="{left + 4}" y="{y + 13}" fill="#cf222e" class="ops-bar-missing" '
                         f'data-label="{_e(row["label"])}" data-value="">no good backup</text>')
            continue
        w = plot_w * min(ratio, top) / top
        parts.append(f'<rect x="{left}" y="{y}" width="{w:.1f}" height="16" fill="{colour}" class="ops-bar" '
                     f'data-label="{_e(row["label"])}" data-value="{_e(_num(round(ratio * 100, 1)))}" '
                     f'data-state="{_e(row.get("state"))}"><title>{_e(row["label"])}: {_e(row.get("value_text", ""))} '
                     f'of {_e(row.get("limit_text", ""))} ({_e(_num(round(ratio * 100, 1)))}% of the objective)</title></rect>')
        parts.append(f'<text x="{left + w + 4:.1f}" y="{y + 13}" fill="#24292f">{_e(_num(round(ratio * 100)))}%</text>')
    parts.append(f'<line x1="{limit_x:.1f}" y1="{PAD_T - 6}" x2="{limit_x:.1f}" y2="{PAD_T + 22 * len(rows)}" '
                 f'stroke="#24292f" stroke-dasharray="4 2" class="ops-limit"/>')
    parts.append(f'<text x="{limit_x:.1f}" y="{PAD_T - 9}" text-anchor="middle" fill="#24292f">objective</text>')
    parts.append("</svg>")
    return "".join(parts)


def uptime_bar(*, chart_id: str, title: str, days: list, colours: dict, no_data: str, labels: dict) -> str:
    """The status page's 90-day bar: one rect per day coloured by its worst impact, with a
    title giving the day's minutes of impact, uptime and incidents."""
    n = max(len(days), 1)
    width, height, gap = 3 * n + (n - 1) * 1, 28, 1
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" height="{height}" '
             f'preserveAspectRatio="none" role="img" aria-labelledby="{_e(chart_id)}-title" class="uptime-bar" '
             f'id="{_e(chart_id)}"><title id="{_e(chart_id)}-title">{_e(title)}</title>']
    for i, day in enumerate(days):
        colour = colours.get(day.worst, no_data) if day.observed_minutes > 0 else no_data
        pct = day.uptime_pct
        tip = [f"{day.day.isoformat()}: {labels.get(day.worst, day.worst)}"]
        if day.impact_minutes:
            tip.append(f"{day.impact_minutes} min of impact")
        if pct is not None:
            tip.append(f"uptime {pct:.2f}%")
        tip += [f"#{iid} {ititle}" for iid, ititle in day.incidents]
        parts.append(f'<rect x="{i * (3 + gap)}" y="0" width="3" height="{height}" fill="{colour}" '
                     f'data-day="{day.day.isoformat()}" data-impact="{_e(day.worst)}" '
                     f'data-minutes="{day.impact_minutes}"><title>{_e(" · ".join(tip))}</title></rect>')
    parts.append("</svg>")
    return "".join(parts)
