"""The shareable yearly certificate (PDF): Jinja2 template -> WeasyPrint.

Template and stylesheet live in ``reports/templates/puhui/``. The CSS is a static file, never templated
(engineering-notes §3: Jinja autoescape inside ``<style>`` silently broke the font family), and sets the CJK
font family on ``html`` and ``@page``. CJK fonts are installed by ``scripts/bootstrap``; without one, Chinese
renders as empty boxes with no error, so the test checks the fonts embedded in the PDF.

One page renders in well under a second with HarfBuzz subsetting; that is acceptable in a request thread for
a rate-limited resident endpoint (a bureau report of many pages belongs in a job queue instead).
"""

from __future__ import annotations

from datetime import date

from carbon.core.errors import CarbonError
from carbon.core.resources import data_dir

TEMPLATE_DIR = data_dir("templates") / "puhui"


class PdfUnavailable(CarbonError):
    code = "pdf_unavailable"
    status = 503


def render_html(summary: dict, *, name: str, issued: date, labels: dict[str, str] | None = None) -> str:
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATE_DIR), autoescape=True)
    return env.get_template("certificate.html").render(s=summary, name=name, issued=issued.isoformat(),
                                                       labels=labels or {}, kg=f"{summary['reduction_g'] / 1000:.1f}")


def render_pdf(summary: dict, *, name: str, issued: date, labels: dict[str, str] | None = None) -> bytes:
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: the Pango libraries are missing
        raise PdfUnavailable(key="puhui_pdf_unavailable", params={"reason": type(exc).__name__}) from exc
    html = render_html(summary, name=name, issued=issued, labels=labels)
    return weasyprint.HTML(string=html, base_url=str(TEMPLATE_DIR)).write_pdf()
