"""The inventory report's 煤化工碳平衡 chapter: per-facility carbon mass balances (IPCC 2006 Vol 3 Eq. 3.17) and
the compile's cross-sector findings (交叉核对), read from the stored inventory. The HTML is checked (no PDF:
the sample report's PDF test covers layout and fonts)."""

from __future__ import annotations

import html as html_lib
import re
from types import SimpleNamespace

from sqlalchemy.orm import Session

from carbon.inventory import service as inventory_service
from carbon.inventory.calc.coal_chemicals import BOTTOM_UP_OVERLAP
from carbon.reporting import service as report_service

FACILITY = "测试甲醇厂(单元测试)"

# 1,000 t feedstock coal at a measured 0.60 t C/t = 600 t C in; 1,000 t methanol at 12/32 = 375 t C out:
# 225 t C emitted, CO2 = 225 × 44/12 = 825 t. The 1.A.2 coal of the same banner raises the feedstock check.
BALANCE_CSV = f"""region,year,category,item,quantity,unit,note,facility
乌审旗,2022,2.B.8.a,原料煤,1000,t,气化原料煤,{FACILITY}
乌审旗,2022,2.B.8.a,甲醇,1000,t,精甲醇,{FACILITY}
乌审旗,2022,1.A.2,原煤,100,t,锅炉燃料,
""".encode()

MEASURED_COAL = """category,item,parameter,value,unit,region,year,source
2.B.8.a,原料煤,carbon_fraction,0.60,dimensionless,乌审旗,,plant laboratory (test)
""".encode()

NO_BALANCE_CSV = """region,year,category,item,quantity,unit
乌审旗,2022,1.A.2,原煤,100,t
""".encode()


def _report_html(session: Session, content: bytes, local: bytes | None = None) -> tuple[str, dict]:
    inv = inventory_service.create_inventory(session, year=2022, label="test (synthetic)")
    inventory_service.import_activity(session, inventory_id=inv.id, filename="activity.csv", content=content)
    inventory_service.compile_inventory(session, inventory_id=inv.id, local_factors=local)
    session.commit()
    context = report_service.inventory_report_context(session, year=2022, inventory_id=inv.id, draws=200)
    return report_service.report_html(session, year=2022, inventory_id=inv.id, draws=200), context


def _chapter_html(html: str, title: str) -> str:
    """One chapter's HTML, from its heading to the next chapter heading."""
    m = re.search(rf"<h2[^>]*>[^<]*、{title}</h2>(.*?)(?=<h2)", html, re.S)
    assert m, f"no chapter {title}"
    return m.group(1)


def _text(fragment: str) -> str:
    """Tags stripped, entities unescaped, spaces collapsed."""
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def _chapter(html: str, title: str) -> str:
    return _text(_chapter_html(html, title))


def test_the_report_lists_each_facility_with_its_balance_and_the_cross_sector_finding(session: Session):
    html, context = _report_html(session, BALANCE_CSV, MEASURED_COAL)
    cc = context["coal_chemicals"]
    assert len(cc["balances"]) == 1
    b = cc["balances"][0]
    assert (b["region_name"], b["category"], b["category_name"], b["facility"]) == ("乌审旗", "2.B.8.a", "甲醇生产", FACILITY)
    assert abs(b["carbon_in_t"] - 600.0) < 1e-6 and abs(b["carbon_products_t"] - 375.0) < 1e-6
    assert abs(b["co2_t"] - 825.0) < 1e-6
    assert (b["n_default"], b["n_measured"]) == (1, 1)  # methanol by stoichiometry, the coal measured

    text = _chapter(html, "煤化工碳平衡")
    assert FACILITY in text and "乌审旗" in text and "2.B.8.a 甲醇生产" in text
    row = re.search(r"<tbody>\s*<tr>(.*?)</tr>", _chapter_html(html, "煤化工碳平衡"), re.S).group(1)
    cells = [_text(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
    # region, category, facility, carbon in / products / wastes / recovered (t C), CO2 (t), defaults / measured
    assert cells == ["乌审旗", "2.B.8.a 甲醇生产", FACILITY, "600", "375", "0", "0", "825", "1 / 1"]
    # the feedstock coal beside 1.A coal of the same banner: a warning, in Chinese first, nothing excluded
    assert "交叉核对" in text
    findings = text.split("交叉核对", 1)[1]
    assert "乌审旗" in findings and "原料煤" in findings and "1.A.2" in findings and "未做扣除" in findings
    assert "无。" not in findings
    # the chapter is numbered after 旗区排放, and the chapters after it follow on
    assert "三、煤化工碳平衡" in html and "四、碳排放强度与目标完成情况" in html


def test_without_balances_the_chapter_says_none(session: Session):
    html, context = _report_html(session, NO_BALANCE_CSV)
    assert context["coal_chemicals"]["balances"] == [] and context["coal_chemicals"]["findings"] == []
    text = _chapter(html, "煤化工碳平衡")
    assert "无。本清单未报告按碳平衡法计算的煤化工或燃料转化设施" in text
    assert "t C" not in text  # no balance table
    assert text.split("交叉核对", 1)[1].strip().startswith("（警示） 无。")


def test_an_ets_verified_facility_is_shown_with_its_figure_and_no_carbon_flows():
    """A balance pulled bottom-up from the ETS has no flows: the row shows its verified CO2 only."""
    result = SimpleNamespace(  # what the chapter reads of a stored CompileResult
        balances=[{"region": "150627", "category": "1.B.3.a", "facility": "某煤制油公司", "method": "ets_verified",
                   "source": "ETS 2022 核查", "co2": {"value": 1234.5, "unit": "t"}}],
        cross_sector=[{"check": BOTTOM_UP_OVERLAP, "region": "150627", "balance_category": "1.B.3.a",
                       "facility": "某煤制油公司", "verified_co2_t": 1234.5, "region_co2_t": 99.0, "message": "overlap"}])
    cc = report_service._coal_chemicals(result)
    (b,) = cc["balances"]
    assert b["verified"] and b["region_name"] == "伊金霍洛旗" and b["co2_t"] == 1234.5 and b["carbon_in_t"] is None
    (f,) = cc["findings"]
    assert f["region_name"] == "伊金霍洛旗" and "ETS核查设施 某煤制油公司" in f["text_zh"] and f["message"] == "overlap"
