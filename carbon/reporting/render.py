"""HTML (Jinja2) to PDF (WeasyPrint). Pure rendering: a context dict in, bytes out; no database.

Templates live in ``reports/templates/``; the stylesheet is a static file beside them (``report.css``),
linked from the template and resolved through ``base_url``. CSS is never templated: Jinja's autoescape
turned ``"Noto Sans CJK SC"`` into ``&#34;…`` inside a <style> block, the CSS became invalid and the page
silently fell back to a font without Chinese glyphs (engineering-notes §3, gotcha 1).

Fonts: a CJK font must be installed (fonts-noto-cjk, scripts/bootstrap); without one WeasyPrint draws
empty boxes without an error, so the tests check the PDF with ``pdffonts``. libharfbuzz-subset0 makes
writing the PDF ~15× faster (§3).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from carbon.core.resources import data_dir
from carbon.reporting import labels

TEMPLATES = data_dir("templates")  # reports/templates/ (carbon/_data/templates in a wheel)


def _num(value, digits: int = 0) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value:,.{digits}f}"


def _wan(value, digits: int = 1, sign: bool = False) -> str:
    """t → 万t (10^4 t), the unit of Chinese inventory tables (``sign``: a change, with its + or −)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value / 1e4:+,.{digits}f}" if sign else f"{value / 1e4:,.{digits}f}"


def _pct(value, digits: int = 1, sign: bool = False) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value:+.{digits}f}%" if sign else f"{value:.{digits}f}%"


@lru_cache(maxsize=4)
def environment(root: str = str(TEMPLATES)) -> Environment:
    env = Environment(loader=FileSystemLoader(root), autoescape=select_autoescape(["html", "j2"]),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["num"] = _num
    env.filters["wan"] = _wan
    env.filters["pct"] = _pct
    env.filters["zh"] = labels.without_english_aside  # "未发生 (not occurring)" → "未发生"
    env.filters["svg"] = lambda s: Markup(s)  # charts are built by carbon.reporting.charts, labels escaped there
    return env


def render_html(template: str, context: dict, *, root: Path = TEMPLATES) -> str:
    return environment(str(root)).get_template(template).render(**context)


@dataclass
class Rendered:
    pdf: bytes
    pages: int


def html_to_pdf(html: str, *, base_url: Path = TEMPLATES) -> Rendered:
    """Lay out and write the PDF (the expensive part: about 0.1–0.3 s per page)."""
    from weasyprint import HTML  # imported here: the CLI and API start without loading Pango

    document = HTML(string=html, base_url=str(base_url) + "/").render()
    return Rendered(pdf=document.write_pdf(), pages=len(document.pages))


def render_pdf(template: str, context: dict, *, root: Path = TEMPLATES) -> Rendered:
    return html_to_pdf(render_html(template, context, root=root), base_url=root)
