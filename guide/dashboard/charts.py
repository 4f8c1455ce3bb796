"""Server-rendered SVG charts that read without JavaScript. Presentation attributes only (no
inline CSS), so the strict Content-Security-Policy holds; each chart has a title and a table
beside it in the page for screen readers."""

from markupsafe import Markup, escape

WIDTH, HEIGHT, PAD = 640, 240, 40
COLOURS = ("#0b4f8a", "#00703c", "#b10e1e", "#6f3c97", "#8a5300")


def _scale(maximum: float) -> float:
    return (HEIGHT - 2 * PAD) / maximum if maximum else 0


def line_chart(chart_id: str, title: str, labels: list[str], series: list[tuple[str, list[int]]]) -> Markup:
    """Daily lines: one per series, days along the bottom."""
    maximum = max((max(values) for _, values in series if values), default=0)
    scale = _scale(maximum)
    step = (WIDTH - 2 * PAD) / max(len(labels) - 1, 1)
    parts = [
        f'<svg viewBox="0 0 {WIDTH} {HEIGHT + 30}" role="img" aria-labelledby="{chart_id}" class="chart">',
        f'<title id="{chart_id}">{escape(title)}</title>',
        f'<line x1="{PAD}" y1="{HEIGHT - PAD}" x2="{WIDTH - PAD}" y2="{HEIGHT - PAD}" stroke="#505a5f"/>',
        f'<text x="{PAD - 6}" y="{PAD + 4}" text-anchor="end" font-size="12" fill="#1b1b1b">{maximum}</text>',
        f'<text x="{PAD - 6}" y="{HEIGHT - PAD + 4}" text-anchor="end" font-size="12" fill="#1b1b1b">0</text>',
    ]
    if labels:
        parts.append(
            f'<text x="{PAD}" y="{HEIGHT - PAD + 18}" font-size="12" fill="#1b1b1b">{escape(labels[0])}</text>'
        )
        parts.append(
            f'<text x="{WIDTH - PAD}" y="{HEIGHT - PAD + 18}" text-anchor="end" font-size="12" fill="#1b1b1b">'
            f"{escape(labels[-1])}</text>"
        )
    for index, (name, values) in enumerate(series):
        colour = COLOURS[index % len(COLOURS)]
        points = " ".join(f"{PAD + i * step:.1f},{HEIGHT - PAD - v * scale:.1f}" for i, v in enumerate(values))
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2.5" points="{points}"/>')
        parts.append(f'<rect x="{PAD + index * 150}" y="{HEIGHT + 8}" width="14" height="14" fill="{colour}"/>')
        parts.append(
            f'<text x="{PAD + index * 150 + 20}" y="{HEIGHT + 20}" font-size="13" fill="#1b1b1b">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def bar_chart(chart_id: str, title: str, items: list[tuple[str, float]], show=str) -> Markup:
    """Horizontal bars with their values written at the end (as `show` writes them): arrivals by
    source, the funnel, every commune ranked."""
    row, label_width = 34, 200
    height = row * len(items) + 10
    maximum = max((value for _, value in items), default=0)
    usable = WIDTH - label_width - 70
    parts = [
        f'<svg viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="{chart_id}" class="chart">',
        f'<title id="{chart_id}">{escape(title)}</title>',
    ]
    for index, (label, value) in enumerate(items):
        y = 5 + index * row
        width = usable * value / maximum if maximum else 0
        parts.append(
            f'<text x="{label_width - 8}" y="{y + 20}" text-anchor="end" font-size="14" fill="#1b1b1b">'
            f"{escape(label)}</text>"
        )
        parts.append(f'<rect x="{label_width}" y="{y + 4}" width="{width:.1f}" height="22" fill="{COLOURS[0]}"/>')
        parts.append(
            f'<text x="{label_width + width + 6:.1f}" y="{y + 20}" font-size="14" fill="#1b1b1b">'
            f"{escape(show(value))}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))
