"""Server-rendered SVG charts for the dashboard: no JavaScript, no CDN, no chart package.

No chart library ships in our installed Python packages, and an npm chart bundle would need its
own script per chart and a CSP exception for inline data; plain SVG drawn here is accessible
(title, description, a <title> tooltip on every point) and prints. Every chart has the same
figures in a table beside it (the accessible source of truth). Output is escaped markup, marked
safe by the caller.
"""

from django.utils.html import escape

PALETTE = ("#c62828", "#1565c0", "#2e7d32", "#ef6c00", "#6a1b9a")


def _fmt(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return f"{int(value)}"


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000,
                 200000, 500000, 1000000):
        if value <= step * 5:
            return step * 5 if value > step * 4 else step * (int(value // step) + 1)
    return value


def line_chart(labels: list[str], series: list[tuple[str, list]], *, title: str, desc: str, uid: str,
               width: int = 600, height: int = 260) -> str:
    """labels: x labels; series: [(name, values)] (None = no data). Lines with points."""
    left, right, top, bottom = 48, 12, 30, 36
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for _, vs in series for v in vs if v is not None]
    ymax = _nice_max(max(values) if values else 0) if any(values) else 4
    n = max(1, len(labels) - 1)

    def x(i):
        return left + plot_w * (i / n if len(labels) > 1 else 0.5)

    def y(v):
        return top + plot_h * (1 - v / ymax)

    parts = [
        (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" '
         f'aria-labelledby="{uid}-t {uid}-d" class="yv-chart">'),
        f'<title id="{uid}-t">{escape(title)}</title><desc id="{uid}-d">{escape(desc)}</desc>',
    ]
    for k in range(5):
        v = ymax * k / 4
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#e0e0e0"/>'
                     f'<text x="{left - 6}" y="{y(v) + 4:.1f}" font-size="11" text-anchor="end" fill="#555">{_fmt(v)}</text>')
    step = max(1, len(labels) // 8)
    for i, label in enumerate(labels):
        if i % step == 0 or i == len(labels) - 1:
            parts.append(f'<text x="{x(i):.1f}" y="{height - bottom + 16}" font-size="11" text-anchor="middle" '
                         f'fill="#555">{escape(label)}</text>')
    lx = left
    for s, (name, vs) in enumerate(series):
        colour = PALETTE[s % len(PALETTE)]
        parts.append(f'<rect x="{lx}" y="8" width="12" height="12" fill="{colour}"/>'
                     f'<text x="{lx + 16}" y="18" font-size="12">{escape(name)}</text>')
        lx += 30 + 13 * len(name)
        points = [(x(i), y(v), v, labels[i]) for i, v in enumerate(vs) if v is not None]
        if len(points) > 1:
            d = " ".join(f"{px:.1f},{py:.1f}" for px, py, *_ in points)
            parts.append(f'<polyline points="{d}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for px, py, v, label in points:
            parts.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3" fill="{colour}">'
                         f'<title>{escape(label)} {escape(name)}: {_fmt(v)}</title></circle>')
    parts.append("</svg>")
    return "".join(parts)


def bar_chart(rows: list[tuple[str, float | None]], *, title: str, desc: str, uid: str, width: int = 520,
              bar_h: int = 18, gap: int = 6, label_w: int = 100, colour: str = "#c62828") -> str:
    """Horizontal bars, largest first as given: [(label, value)]."""
    top = 8
    height = top + len(rows) * (bar_h + gap) + 8
    most = max([v or 0 for _, v in rows] + [1])
    scale = (width - label_w - 60) / most
    parts = [
        (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" '
         f'aria-labelledby="{uid}-t {uid}-d" class="yv-chart">'),
        f'<title id="{uid}-t">{escape(title)}</title><desc id="{uid}-d">{escape(desc)}</desc>',
    ]
    for i, (label, value) in enumerate(rows):
        yy = top + i * (bar_h + gap)
        w = (value or 0) * scale
        parts.append(f'<text x="{label_w - 6}" y="{yy + bar_h - 5}" font-size="12" text-anchor="end">{escape(label)}</text>'
                     f'<rect x="{label_w}" y="{yy}" width="{w:.1f}" height="{bar_h}" fill="{colour}">'
                     f'<title>{escape(label)}: {_fmt(value)}</title></rect>'
                     f'<text x="{label_w + w + 4:.1f}" y="{yy + bar_h - 5}" font-size="12">{_fmt(value)}</text>')
    parts.append("</svg>")
    return "".join(parts)
