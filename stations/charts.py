"""A server-rendered SVG bar chart (no JavaScript, no CDN): stations per city stacked by batch,
with the requirement marked. Accessible: the SVG has a title/description and the same numbers are
in the table beside it."""

from django.utils.html import escape

BATCH_COLOURS = {1: "#b71c1c", 2: "#ef6c00", 3: "#2e7d32"}


def coverage_bars(rows, *, width: int = 720, bar_h: int = 18, gap: int = 6, label_w: int = 90) -> str:
    """rows: [(label, {batch: count}, required)] → SVG markup."""
    top = 28
    height = top + len(rows) * (bar_h + gap) + 10
    most = max([sum(b.values()) for _, b, _ in rows] + [r for *_, r in rows] + [1])
    scale = (width - label_w - 50) / most
    parts = [
        (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" '
         f'aria-labelledby="cov-title cov-desc" class="st-chart">'),
        '<title id="cov-title">各市青年之家数量（按批次）</title>',
        '<desc id="cov-desc">Stations per city stacked by batch; the dark tick marks the minimum required.</desc>',
    ]
    x0 = label_w
    lx = x0
    for batch, colour in BATCH_COLOURS.items():
        parts.append(f'<rect x="{lx}" y="6" width="12" height="12" fill="{colour}"/>'
                     f'<text x="{lx + 16}" y="16" font-size="12">第{batch}批</text>')
        lx += 70
    for i, (label, batches, required) in enumerate(rows):
        y = top + i * (bar_h + gap)
        parts.append(f'<text x="{label_w - 6}" y="{y + bar_h - 5}" font-size="12" text-anchor="end">{escape(label)}</text>')
        x = x0
        for batch in sorted(batches):
            w = batches[batch] * scale
            if w:
                parts.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{BATCH_COLOURS.get(batch, "#607d8b")}">'
                             f'<title>{escape(label)} 第{batch}批 {batches[batch]}</title></rect>')
            x += w
        total = sum(batches.values())
        colour = "#1b5e20" if total >= required else "#b71c1c"
        parts.append(f'<text x="{x + 4:.1f}" y="{y + bar_h - 5}" font-size="12" fill="{colour}">{total}</text>')
        rx = x0 + required * scale
        parts.append(f'<line x1="{rx:.1f}" x2="{rx:.1f}" y1="{y - 2}" y2="{y + bar_h + 2}" stroke="#212121" stroke-width="2"/>')
    parts.append("</svg>")
    return "".join(parts)
