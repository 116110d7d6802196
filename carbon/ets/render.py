"""HTML (Jinja2) and PDF (WeasyPrint) for ETS disclosures and the verification/settlement summary.

Templates: ``reports/templates/ets/`` (CSS in a static file, included verbatim). PDF needs WeasyPrint
and a CJK font (scripts/bootstrap installs them); a PDF without a CJK font renders tofu boxes silently,
so the tests check the embedded fonts when one is available.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from carbon.core.db import utcnow
from carbon.core.resources import data_dir
from carbon.ets.calendar import beijing_date

TEMPLATES = data_dir("templates")  # reports/templates/ (carbon/_data/templates in a wheel)
METHOD_ZH = {"verified_emissions": "等量分配（核查排放量）", "intensity": "强度法（产量 × 强度值）",
             "exempt_actual": "按实际排放量（豁免生产线）"}
STATUS_ZH = {"compliant": "已履约", "pending": "履约期内", "non_compliant": "未足额清缴", "not_allocated": "尚未核定配额"}


def decimals(value: float, places: int = 4, significant: int = 4) -> str:
    """``places`` decimals ("%.4f", as the template's factors), more for a value so small that "%.4f" would keep
    one digit or none: it then keeps ``significant`` digits (5.3e-05 t C per Nm3 -> "0.00005300", not "0.0001")."""
    v = float(value)
    if v and abs(v) < 10 ** -(places - 1):
        places = significant - 1 - math.floor(math.log10(abs(v)))
    return f"{v:,.{places}f}"


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                      undefined=StrictUndefined)
    env.filters["decimals"] = decimals
    return env


def disclosure_html(items: list[dict[str, Any]], *, year: int | None = None) -> str:
    return environment().get_template("ets/disclosure.html").render(
        items=items, year=year, status_zh=STATUS_ZH, generated_at=beijing_date(utcnow()).isoformat())


def summary_html(data: dict[str, Any]) -> str:
    return environment().get_template("ets/summary.html").render(**data, status_zh=STATUS_ZH, method_zh=METHOD_ZH)


def year_summary_html(data: dict[str, Any]) -> str:
    """The city's year, one block per sector (summary.year_summary_data)."""
    return environment().get_template("ets/year_summary.html").render(**data, status_zh=STATUS_ZH,
                                                                      method_zh=METHOD_ZH)


def pdf(html: str) -> bytes:
    """The PDF of an HTML page (WeasyPrint). Slow (~0.3 s a page): fine for one summary, not for a list."""
    import weasyprint

    return weasyprint.HTML(string=html, base_url=str(TEMPLATES)).write_pdf()
