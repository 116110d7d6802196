"""Charts as SVG text (no plotting library, no raster): pure functions of plain numbers.

WeasyPrint renders inline SVG with the page's fonts, so Chinese labels need the CJK font named on the
<svg> (``FONT``). Every chart escapes its labels; sizes are in CSS pixels (WeasyPrint: 96 px = 1 in).
"""

from __future__ import annotations

import math
from html import escape

FONT = "'Noto Sans CJK SC', 'Noto Sans CJK', 'WenQuanYi Micro Hei', sans-serif"
PALETTE = ["#1b6ca8", "#e07b39", "#3a9d5d", "#c23b3b", "#7d5ba6", "#8c6d31", "#d16ba5", "#5f7f8f", "#b5a642"]
STATUS_COLOURS = {"on_track": "#3a9d5d", "warning": "#e0a030", "off_track": "#c23b3b", None: "#8a8a8a"}


def _svg(width: int, height: int, body: list[str], title: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
            f'font-family="{escape(FONT)}" font-size="11" role="img" aria-label="{escape(title)}">'
            f'<title>{escape(title)}</title>' + "".join(body) + "</svg>")


def _fmt(v: float, digits: int = 0) -> str:
    return f"{v:,.{digits}f}"


def nice_max(value: float) -> float:
    """A round axis end at or above ``value`` (1, 2, 2.5, 5 × 10^n)."""
    if value <= 0:
        return 1.0
    exp = math.floor(math.log10(value))
    for m in (1, 2, 2.5, 5, 10):
        if m * 10**exp >= value:
            return m * 10**exp
    return 10 ** (exp + 1)


def donut(items: list[tuple[str, float]], *, title: str, unit: str, width: int = 620, height: int = 240) -> str:
    """Shares of positive values (e.g. emissions by sector). Non-positive items are listed under the legend
    (a sink is not a share of emissions)."""
    pos = [(label, v) for label, v in items if v > 0]
    rest = [(label, v) for label, v in items if v <= 0]
    total = sum(v for _, v in pos)
    cx, cy, r_out, r_in = 120, height / 2, 95, 55
    body = []
    angle = -math.pi / 2
    for i, (label, v) in enumerate(pos):
        share = v / total if total else 0
        if share >= 0.9999:
            body.append(f'<circle cx="{cx}" cy="{cy}" r="{(r_out + r_in) / 2}" fill="none" stroke="{PALETTE[i % 9]}" '
                        f'stroke-width="{r_out - r_in}"/>')
            break
        end = angle + share * 2 * math.pi
        large = 1 if share > 0.5 else 0
        p = [(cx + r * math.cos(a), cy + r * math.sin(a)) for r, a in ((r_out, angle), (r_out, end), (r_in, end), (r_in, angle))]
        body.append(f'<path d="M{p[0][0]:.2f},{p[0][1]:.2f} A{r_out},{r_out} 0 {large} 1 {p[1][0]:.2f},{p[1][1]:.2f} '
                    f'L{p[2][0]:.2f},{p[2][1]:.2f} A{r_in},{r_in} 0 {large} 0 {p[3][0]:.2f},{p[3][1]:.2f} Z" '
                    f'fill="{PALETTE[i % 9]}" stroke="#fff" stroke-width="1"/>')
        angle = end
    body.append(f'<text x="{cx}" y="{cy - 4}" text-anchor="middle" font-size="12">合计</text>')
    body.append(f'<text x="{cx}" y="{cy + 12}" text-anchor="middle" font-size="11">{_fmt(total)} {escape(unit)}</text>')
    y = 30
    for i, (label, v) in enumerate(pos):
        share = v / total * 100 if total else 0
        body.append(f'<rect x="260" y="{y - 10}" width="12" height="12" fill="{PALETTE[i % 9]}"/>')
        body.append(f'<text x="280" y="{y}">{escape(label)}  {_fmt(v)} {escape(unit)}（{share:.1f}%）</text>')
        y += 22
    for label, v in rest:
        body.append(f'<text x="280" y="{y}" fill="#555">{escape(label)}  {_fmt(v)} {escape(unit)}（不计入占比）</text>')
        y += 22
    return _svg(width, max(height, y + 10), body, title)


def hbars(items: list[tuple[str, float]], *, title: str, unit: str, width: int = 620, bar: int = 18,
          reference: tuple[str, float] | None = None, colours: list[str] | None = None, digits: int = 0) -> str:
    """Horizontal bars, one per item, negative values to the left of the axis; an optional reference line
    (e.g. the city's intensity). ``colours`` per item (e.g. by target status)."""
    values = [v for _, v in items] + ([reference[1]] if reference else [])
    hi = nice_max(max([v for v in values if v > 0], default=0))
    lo = -nice_max(-min([v for v in values if v < 0], default=0)) if any(v < 0 for v in values) else 0.0
    left, right, top = 110, 90, 24
    plot = width - left - right
    height = top + len(items) * (bar + 8) + 30
    x = lambda v: left + (v - lo) / (hi - lo) * plot  # noqa: E731
    body = [f'<text x="{left}" y="14" font-size="11" fill="#333">{escape(unit)}</text>']
    for t in (lo, (lo + hi) / 2 if lo < 0 else hi / 2, hi, 0.0):
        body.append(f'<line x1="{x(t):.1f}" y1="{top - 4}" x2="{x(t):.1f}" y2="{height - 24}" stroke="#ddd"/>')
        body.append(f'<text x="{x(t):.1f}" y="{height - 10}" text-anchor="middle" font-size="10" fill="#555">{_fmt(t, digits)}</text>')
    for i, (label, v) in enumerate(items):
        y = top + i * (bar + 8)
        x0, x1 = sorted((x(0), x(v)))
        colour = (colours[i] if colours else PALETTE[0])
        body.append(f'<text x="{left - 6}" y="{y + bar - 5}" text-anchor="end">{escape(label)}</text>')
        body.append(f'<rect x="{x0:.1f}" y="{y}" width="{max(x1 - x0, 0.5):.1f}" height="{bar}" fill="{colour}"/>')
        anchor, tx = ("start", x1 + 4) if v >= 0 else ("end", x0 - 4)
        body.append(f'<text x="{tx:.1f}" y="{y + bar - 5}" text-anchor="{anchor}" font-size="10">{_fmt(v, digits)}</text>')
    if reference:
        rx = x(reference[1])
        body.append(f'<line x1="{rx:.1f}" y1="{top - 6}" x2="{rx:.1f}" y2="{height - 24}" stroke="#c23b3b" '
                    f'stroke-dasharray="4,3" stroke-width="1.5"/>')
        body.append(f'<text x="{rx + 3:.1f}" y="{top - 8}" font-size="10" fill="#c23b3b">{escape(reference[0])} '
                    f'{_fmt(reference[1], digits)}</text>')
    return _svg(width, height, body, title)


def lines(series: list[dict], *, title: str, unit: str, x_range: tuple[int, int], width: int = 620,
          height: int = 260, digits: int = 2) -> str:
    """Year series: each ``{"label", "points": [(year, value)], "dashed": bool, "colour"}``; markers on points."""
    ys = [v for s in series for _, v in s["points"]]
    hi = nice_max(max(ys, default=1) * 1.05)
    left, right, top, bottom = 60, 150, 20, 30
    pw, ph = width - left - right, height - top - bottom
    x0, x1 = x_range
    sx = lambda yr: left + (yr - x0) / max(x1 - x0, 1) * pw  # noqa: E731
    sy = lambda v: top + ph - v / hi * ph  # noqa: E731
    body = [f'<text x="4" y="12" font-size="10" fill="#333">{escape(unit)}</text>']
    for k in range(5):
        v = hi * k / 4
        body.append(f'<line x1="{left}" y1="{sy(v):.1f}" x2="{left + pw}" y2="{sy(v):.1f}" stroke="#e3e3e3"/>')
        body.append(f'<text x="{left - 6}" y="{sy(v) + 4:.1f}" text-anchor="end" font-size="10">{_fmt(v, digits)}</text>')
    for yr in range(x0, x1 + 1):
        body.append(f'<text x="{sx(yr):.1f}" y="{height - 10}" text-anchor="middle" font-size="10">{yr}</text>')
    for i, s in enumerate(series):
        colour = s.get("colour") or PALETTE[i % 9]
        pts = sorted(s["points"])
        if not pts:
            continue
        path = " ".join(f"{'M' if j == 0 else 'L'}{sx(a):.1f},{sy(b):.1f}" for j, (a, b) in enumerate(pts))
        dash = ' stroke-dasharray="6,4"' if s.get("dashed") else ""
        body.append(f'<path d="{path}" fill="none" stroke="{colour}" stroke-width="2"{dash}/>')
        if not s.get("dashed"):
            body.extend(f'<circle cx="{sx(a):.1f}" cy="{sy(b):.1f}" r="3" fill="{colour}"/>' for a, b in pts)
        ly = top + 14 + i * 20
        body.append(f'<line x1="{left + pw + 12}" y1="{ly - 4}" x2="{left + pw + 36}" y2="{ly - 4}" stroke="{colour}" '
                    f'stroke-width="2"{dash}/>')
        body.append(f'<text x="{left + pw + 40}" y="{ly}" font-size="10">{escape(s["label"])}</text>')
    return _svg(width, height, body, title)


def paired_hbars(items: list[tuple[str, float, float]], *, title: str, unit: str, labels: tuple[str, str],
                 width: int = 620, bar: int = 10, digits: int = 1) -> str:
    """Two horizontal bars per item (e.g. the previous year and this year by sector), negative values to the
    left of the axis, with a legend naming the two series."""
    values = [v for _, a, b in items for v in (a, b)]
    hi = nice_max(max([v for v in values if v > 0], default=0))
    lo = -nice_max(-min([v for v in values if v < 0], default=0)) if any(v < 0 for v in values) else 0.0
    left, right, top = 130, 90, 34
    plot = width - left - right
    step = 2 * bar + 12
    height = top + len(items) * step + 30
    x = lambda v: left + (v - lo) / (hi - lo) * plot  # noqa: E731
    colours = (PALETTE[5], PALETTE[0])
    body = [f'<text x="{left}" y="14" font-size="11" fill="#333">{escape(unit)}</text>']
    for k, (name, colour) in enumerate(zip(labels, colours)):
        lx = width - right - 150 + k * 80
        body.append(f'<rect x="{lx}" y="5" width="12" height="10" fill="{colour}"/>')
        body.append(f'<text x="{lx + 16}" y="14" font-size="10">{escape(name)}</text>')
    for t in (lo, (lo + hi) / 2 if lo < 0 else hi / 2, hi, 0.0):
        body.append(f'<line x1="{x(t):.1f}" y1="{top - 4}" x2="{x(t):.1f}" y2="{height - 24}" stroke="#ddd"/>')
        body.append(f'<text x="{x(t):.1f}" y="{height - 10}" text-anchor="middle" font-size="10" fill="#555">{_fmt(t, digits)}</text>')
    for i, (label, *pair) in enumerate(items):
        y = top + i * step
        body.append(f'<text x="{left - 6}" y="{y + bar + 4}" text-anchor="end">{escape(label)}</text>')
        for k, v in enumerate(pair):
            yy = y + k * bar
            x0, x1 = sorted((x(0), x(v)))
            body.append(f'<rect x="{x0:.1f}" y="{yy}" width="{max(x1 - x0, 0.5):.1f}" height="{bar}" fill="{colours[k]}"/>')
            anchor, tx = ("start", x1 + 4) if v >= 0 else ("end", x0 - 4)
            body.append(f'<text x="{tx:.1f}" y="{yy + bar - 1}" text-anchor="{anchor}" font-size="9">{_fmt(v, digits)}</text>')
    return _svg(width, height, body, title)
