"""Server-rendered SVG charts: no chart library, nothing loaded from elsewhere, printable."""

from __future__ import annotations

from html import escape
from typing import Sequence

FUNNEL_STEPS = (
    ("contacted", "Contacted"),
    ("asked_minor", "Asked for a minor"),
    ("confirmed_minor", "Minor confirmed"),
    ("price", "Price discussed"),
    ("payment", "Payment route"),
)


def funnel_svg(counts: dict[str, int], *, width: int = 640) -> str:
    """Horizontal funnel bars with counts and the share kept from the step before."""
    row, label_w, gap = 40, 170, 8
    bar_w = width - label_w - 150
    top = max([counts.get(k, 0) for k, _ in FUNNEL_STEPS] + [1])
    height = row * len(FUNNEL_STEPS) + 10
    parts = [
        f'<svg id="funnel-chart" class="chart" role="img" aria-label="Funnel" xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}">'
    ]
    prev = None
    for i, (key, name) in enumerate(FUNNEL_STEPS):
        n = counts.get(key, 0)
        y = 5 + i * row
        w = 0 if n == 0 else max(3, round(bar_w * n / top))
        shade = ("#2f4b7c", "#8a3b2e", "#b3261e", "#8c1d18", "#601410")[i]
        share = "" if prev in (None, 0) else f"{100 * n / prev:.0f}% of previous"
        parts.append(
            f'<g class="funnel-step" data-step="{key}" data-count="{n}">'
            f'<text x="0" y="{y + row / 2 + 4}" font-size="13" fill="#1f2933">{escape(name)}</text>'
            f'<rect x="{label_w}" y="{y + 4}" width="{bar_w}" height="{row - gap - 4}" fill="#eef1f5"/>'
            f'<rect x="{label_w}" y="{y + 4}" width="{w}" height="{row - gap - 4}" fill="{shade}"/>'
            f'<text x="{label_w + bar_w + 8}" y="{y + row / 2 + 4}" font-size="14" font-weight="700" '
            f'fill="#1f2933">{n}</text>'
            f'<text x="{label_w + bar_w + 44}" y="{y + row / 2 + 4}" font-size="11" fill="#5f6b7a">{share}</text>'
            "</g>"
        )
        prev = n
    parts.append("</svg>")
    return "".join(parts)


def bars_svg(
    items: Sequence[tuple[str, int]], *, width: int = 460, css_id: str = "", vertical: bool = False
) -> str:
    """A plain bar chart (horizontal by default; vertical for a time series)."""
    top = max([n for _, n in items] + [1])
    ident = f' id="{escape(css_id)}"' if css_id else ""
    if vertical:
        height, base, n_items = 170, 140, max(len(items), 1)
        step = width / n_items
        parts = [
            f'<svg{ident} class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
            f'width="{width}" height="{height}" role="img">'
        ]
        parts.append(f'<line x1="0" y1="{base}" x2="{width}" y2="{base}" stroke="#c5ccd6"/>')
        for i, (name, n) in enumerate(items):
            h = 0 if n == 0 else max(2, round(120 * n / top))
            x = i * step + step * 0.15
            parts.append(
                f'<rect x="{x:.1f}" y="{base - h}" width="{step * 0.7:.1f}" height="{h}" fill="#2f4b7c">'
                f"<title>{escape(name)}: {n}</title></rect>"
            )
            if n:
                parts.append(
                    f'<text x="{x + step * 0.35:.1f}" y="{base - h - 3}" font-size="10" '
                    f'text-anchor="middle" fill="#1f2933">{n}</text>'
                )
            if i % max(1, n_items // 7) == 0:
                parts.append(
                    f'<text x="{x:.1f}" y="{base + 14}" font-size="10" fill="#5f6b7a">{escape(name)}</text>'
                )
        parts.append("</svg>")
        return "".join(parts)
    row, label_w = 24, 190
    bar_w = width - label_w - 60
    height = row * max(len(items), 1) + 4
    parts = [
        f'<svg{ident} class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img">'
    ]
    for i, (name, n) in enumerate(items):
        y = 2 + i * row
        w = 0 if n == 0 else max(2, round(bar_w * n / top))
        parts.append(
            f'<text x="0" y="{y + 16}" font-size="12" fill="#1f2933">{escape(name)}</text>'
            f'<rect x="{label_w}" y="{y + 4}" width="{w}" height="{row - 8}" fill="#2f4b7c"/>'
            f'<text x="{label_w + w + 6}" y="{y + 16}" font-size="12" fill="#1f2933">{n}</text>'
        )
    if not items:
        parts.append('<text x="0" y="16" font-size="12" fill="#5f6b7a">nothing yet</text>')
    parts.append("</svg>")
    return "".join(parts)
