"""The methods chapter of the inventory report lists the unverified defaults used (未核实的缺省值) with the share of
the city's CO2e that rests on them (rows that used at least one ÷ total, sinks by absolute value)."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from carbon.inventory import service as inventory_service
from carbon.reporting import service as report_service

from .test_report_coal_chemicals import _chapter

# methanol: every flow verified (feedstock coal measured locally, methanol 12/32 stoichiometric) except the slag's
# carbon fraction, which the plant measures too; the boiler coal uses CN NCV / carbon content / oxidation (unverified)
ACTIVITY = """region,year,category,item,quantity,unit,note,facility
乌审旗,2022,2.B.8.a,原料煤,1000,t,气化原料煤,测试甲醇厂
乌审旗,2022,2.B.8.a,甲醇,1000,t,精甲醇,测试甲醇厂
乌审旗,2022,1.A.2,原煤,100,t,锅炉燃料,
""".encode()
LOCAL = """category,item,parameter,value,unit,region,year,source
2.B.8.a,原料煤,carbon_fraction,0.60,dimensionless,乌审旗,,plant laboratory (test)
""".encode()


def test_methods_chapter_lists_unverified_defaults_and_their_share(session: Session):
    inv = inventory_service.create_inventory(session, year=2022, label="test (synthetic)")
    assert inv.factor_profile == "CN"
    inventory_service.import_activity(session, inventory_id=inv.id, filename="a.csv", content=ACTIVITY)
    inventory_service.compile_inventory(session, inventory_id=inv.id, local_factors=LOCAL)
    session.commit()
    ctx = report_service.inventory_report_context(session, year=2022, inventory_id=inv.id, draws=200)
    uv = ctx["unverified"]
    refs = {r["ref"] for r in uv["rows"]}
    assert "CN2011-NCV-raw_coal@v1" in refs and "CN2011-CC-raw_coal@v1" in refs
    assert "STOICH-C-methanol@v1" not in refs  # verified (stoichiometry)
    assert not any(r.startswith("local-") for r in refs)  # a measured value is not a default
    # the 2.B.8.a balance (825 t CO2) used only the measured coal and verified methanol: not flagged;
    # the 1.A.2 coal rows are flagged, so the share is 1.A.2's CO2e over the total
    city = ctx["totals"]
    a2 = sum(r["co2e_t"] for r in ctx["city_categories"] if r["category"] == "1.A.2" and r["co2e_t"] == r["co2e_t"])
    assert uv["co2e_t"] == pytest.approx(a2, rel=1e-9)
    assert 0 < uv["share_pct"] < 100
    assert uv["verified_used"] >= 1
    html = report_service.report_html(session, year=2022, inventory_id=inv.id, draws=200)
    text = _chapter(html, "方法与排放因子来源")
    assert "未核实的缺省值" in text and "CN2011-NCV-raw_coal@v1" in text
    assert f"{uv['share_pct']:.1f}%" in text
    assert "缺省因子方案：CN" in text
    assert city  # the totals chapter is still there
