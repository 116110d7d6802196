"""The Chinese inventory report as a PDF: rendered once (module fixture) from the bundled synthetic sample, then
checked with poppler's pdffonts (a CJK font is embedded: missing glyphs fail silently otherwise) and pdftotext
(the title and every banner name are there), and its page count. Charts are checked as SVG without a PDF."""

from __future__ import annotations

import subprocess
import xml.etree.ElementTree as ET

import pytest

from carbon.core import migrate
from carbon.core.db import make_engine, session_scope
from carbon.core.regions import REGIONS
from carbon.intensity import service as intensity_service
from carbon.sample import load_sample
from carbon.reporting import charts
from carbon.reporting import service as report_service
from carbon.reporting.render import html_to_pdf



@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The sample report of 2022, as the README's main job makes it (plus an adopted banner split)."""
    path = tmp_path_factory.mktemp("report")
    url = f"sqlite:///{path / 'report.db'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    try:
        with session_scope(engine) as s:
            load_sample(s)
            carbon_target = next(t for t in intensity_service.list_targets(s, city_only=True)
                                 if t.metric == "carbon_intensity")
            intensity_service.adopt(s, target_id=carbon_target.id, method="intensity_level")
        with session_scope(engine) as s:
            html = report_service.report_html(s, year=2022, draws=2000)
    finally:
        engine.dispose()
    rendered = html_to_pdf(html)
    pdf = path / "ordos_2022_inventory.pdf"
    pdf.write_bytes(rendered.pdf)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    return {"pdf": pdf, "pages": rendered.pages, "text": text, "fonts": fonts, "html": html}


def test_a_cjk_font_is_embedded(report):
    lines = [line for line in report["fonts"].splitlines()[2:] if line.strip()]
    cjk = [line for line in lines if "CJK" in line or "WenQuanYi" in line]
    assert cjk, report["fonts"]
    assert all(line.split()[-5] == "yes" for line in cjk)  # the "emb" column


def test_title_and_every_banner_name_are_text(report):
    text = report["text"]
    assert "温室气体清单" in text
    assert "鄂尔多斯市2022年温室气体清单报告" in text.replace(" ", "")
    missing = [r.name_zh for r in REGIONS if r.name_zh not in text]
    assert missing == []


def test_the_report_states_its_numerator_target_rule_and_sources(report):
    text = report["text"].replace(" ", "")
    for phrase in ("能源活动二氧化碳排放（不含信息项）", "进度判定规则", "关键类别", "蒙特卡罗", "来源文献", "注释键",
                   "合成示例数据"):
        assert phrase in text, phrase


def test_page_count_is_plausible_and_pages_are_numbered(report):
    # cover, summary, 8 chapters with tables (the factor list alone is several pages), an appendix
    assert 12 <= report["pages"] <= 80
    assert f"第 {report['pages']} 页 / 共 {report['pages']} 页" in report["text"]
    # table headers repeat: the factor table's header appears on more than one page
    assert report["text"].count("因子编号") >= 2


def test_charts_are_valid_svg_with_escaped_labels():
    svgs = [
        charts.donut([("能源活动", 90.0), ("工业<过程>", 10.0), ("林业", -5.0)], title="占比", unit="万t"),
        charts.hbars([("达拉特旗", 12.5), ("杭锦旗 & 乌审旗", -3.0)], title="强度", unit="t/万元", reference=("全市", 7.0)),
        charts.lines([{"label": "实际", "points": [(2020, 7.3), (2022, 7.2)]},
                      {"label": "目标", "points": [(2020, 7.3), (2025, 6.0)], "dashed": True}],
                     title="趋势", unit="t/万元", x_range=(2020, 2025)),
    ]
    for svg in svgs:
        root = ET.fromstring(svg)
        assert root.tag.endswith("svg") and "Noto Sans CJK SC" in root.get("font-family")
    assert "工业&lt;过程&gt;" in svgs[0] and "杭锦旗 &amp; 乌审旗" in svgs[1]
    assert "不计入占比" in svgs[0]  # a sink is not a share of emissions


def test_the_sample_report_shows_the_synthetic_coal_chemical_plants_and_the_cross_sector_warnings(report):
    text = report["text"].replace(" ", "")
    assert "三、煤化工碳平衡" in text and "交叉核对（警示）" in text
    for facility in ("示例煤制烯烃厂(合成数据)", "示例煤制甲醇厂(合成数据)", "示例煤直接液化厂(合成数据)",
                     "示例煤制天然气厂(合成数据)"):
        assert facility in report["html"], facility
    # one feedstock-coal warning per plant's banner (the plants' fuel coal is in 1.A.1.c: expected, not excluded)
    for banner in ("乌审旗：2.B.8.b", "鄂托克旗：2.B.8.a", "伊金霍洛旗：1.B.3.a", "准格尔旗：1.B.3.b"):
        assert banner in text, banner


def test_without_a_previous_year_the_report_says_so_and_has_no_comparison_chapter(report):
    text = report["text"].replace(" ", "")
    assert "库中无2021年（上年）已编制的清单，未做同比比较。" in text
    assert "与上年比较" not in text
