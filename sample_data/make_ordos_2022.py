"""Write the bundled SYNTHETIC Ordos 2022 activity dataset (sample_data/ordos_2022_synthetic.csv).

Synthetic but plausible: the magnitudes follow the shape of Ordos' economy described in the 14th FYP
ecology plan (coal is ~87% of energy use; a national coal and power base exporting electricity; modern
coal chemicals; livestock on grassland; a growing forestry sink) and are NOT official statistics. Do not
cite them. Deterministic: running this script again gives the same file.

The coal chemicals (2.B.8, 1.B.3) are four SYNTHETIC plants with a carbon mass balance each, named in the
`facility` column (示例…厂(合成数据)); their assumptions are in the comment above COAL_CHEMICAL_PLANTS.

    .venv/bin/python sample_data/make_ordos_2022.py
"""

from __future__ import annotations

import csv
from pathlib import Path

OUT = Path(__file__).with_name("ordos_2022_synthetic.csv")
YEAR = 2022

# banners/districts: code -> weights used to spread city-scale activity (synthetic)
BANNERS = {
    "东胜区": dict(urban=0.30, power=0.04, mining_ug=0.02, mining_sf=0.02, chem=0.02, herd=0.03, farm=0.04, forest=0.05),
    "康巴什区": dict(urban=0.10, power=0.00, mining_ug=0.00, mining_sf=0.00, chem=0.00, herd=0.01, farm=0.01, forest=0.03),
    "达拉特旗": dict(urban=0.12, power=0.28, mining_ug=0.05, mining_sf=0.05, chem=0.08, herd=0.16, farm=0.30, forest=0.12),
    "准格尔旗": dict(urban=0.14, power=0.30, mining_ug=0.10, mining_sf=0.55, chem=0.20, herd=0.06, farm=0.10, forest=0.10),
    "鄂托克前旗": dict(urban=0.04, power=0.04, mining_ug=0.08, mining_sf=0.05, chem=0.15, herd=0.14, farm=0.07, forest=0.12),
    "鄂托克旗": dict(urban=0.07, power=0.12, mining_ug=0.10, mining_sf=0.10, chem=0.22, herd=0.20, farm=0.08, forest=0.15),
    "杭锦旗": dict(urban=0.05, power=0.02, mining_ug=0.00, mining_sf=0.02, chem=0.03, herd=0.18, farm=0.20, forest=0.18),
    "乌审旗": dict(urban=0.06, power=0.06, mining_ug=0.15, mining_sf=0.02, chem=0.25, herd=0.14, farm=0.12, forest=0.15),
    "伊金霍洛旗": dict(urban=0.12, power=0.14, mining_ug=0.50, mining_sf=0.19, chem=0.05, herd=0.08, farm=0.08, forest=0.10),
}

# city-scale activity: (key for the banner weight, category, item, quantity for the whole city, unit, note)
CITY_ACTIVITY = [
    # energy: fuel combustion (coal dominated)
    ("power", "1.A.1.a", "原煤", 9200, "万t", "电力和热力生产用煤"),
    ("power", "1.A.1.a", "天然气", 3.0, "亿m3", "燃气调峰"),
    ("chem", "1.A.1.c", "原煤", 2600, "万t", "煤制油/煤制烯烃自用燃料"),
    ("chem", "1.A.1.b", "炼厂干气", 25, "万t", "煤制油装置干气"),
    ("chem", "1.A.2", "原煤", 1800, "万t", "化工、冶金、建材燃料"),
    ("chem", "1.A.2", "焦炭", 210, "万t", "铁合金、电石"),
    ("chem", "1.A.2", "焦炉煤气", 9.0, "亿m3", ""),
    ("chem", "1.A.2", "天然气", 12.0, "亿m3", ""),
    ("urban", "1.A.3", "柴油", 160, "万t", "公路货运为主"),
    ("urban", "1.A.3", "汽油", 75, "万t", ""),
    ("urban", "1.A.3", "液化天然气", 22, "万t", "LNG重卡"),
    ("urban", "1.A.4.a", "天然气", 2.2, "亿m3", ""),
    ("urban", "1.A.4.a", "原煤", 40, "万t", ""),
    ("urban", "1.A.4.b", "天然气", 3.5, "亿m3", ""),
    ("urban", "1.A.4.b", "原煤", 85, "万t", "农村散煤"),
    ("urban", "1.A.4.b", "液化石油气", 4.5, "万t", ""),
    ("farm", "1.A.4.b", "秸秆", 18, "万t", "生物质（CO2为信息项）"),
    ("farm", "1.A.4.c", "柴油", 14, "万t", "农机"),
    # industrial processes
    ("chem", "2.A.1", "水泥熟料", 520, "万t", ""),
    ("chem", "2.A.2", "高钙石灰", 160, "万t", ""),
    ("chem", "2.B.1", "合成氨(煤头)", 95, "万t", "煤制合成氨"),
    ("chem", "2.B.5", "电石", 360, "万t", "电石-PVC"),
    ("chem", "2.C.2", "硅铁(75%Si)", 120, "万t", "铁合金"),
    ("chem", "2.C.3", "原铝(中间下料预焙槽)", 45, "万t", "电解铝"),
    ("power", "2.G.1", "电力设备SF6净排放量", 3.2, "t", ""),
    ("urban", "2.F.1.b", "R-410A", 38, "t", "空调维修补充"),
    ("urban", "2.F.1.a", "HFC-134a", 12, "t", ""),
    # agriculture: livestock on grassland, dry farming
    ("herd", "3.A.1", "绵羊", 520, "万只", "年均存栏"),
    ("herd", "3.A.1", "山羊", 310, "万只", ""),
    ("herd", "3.A.1", "非奶牛", 48, "万头", ""),
    ("herd", "3.A.1", "奶牛", 9, "万头", ""),
    ("herd", "3.A.1", "猪", 62, "万头", ""),
    ("herd", "3.A.1", "骆驼", 1.1, "万峰", ""),
    ("herd", "3.A.2", "绵羊", 520, "万只", ""),
    ("herd", "3.A.2", "山羊", 310, "万只", ""),
    ("herd", "3.A.2", "非奶牛", 48, "万头", ""),
    ("herd", "3.A.2", "奶牛", 9, "万头", ""),
    ("herd", "3.A.2", "猪", 62, "万头", ""),
    ("farm", "3.C.4", "化肥氮", 5.8, "万t", "折纯氮"),
    ("farm", "3.C.4", "粪肥氮", 2.1, "万t", ""),
    ("farm", "3.C.4", "秸秆还田氮", 0.9, "万t", ""),
    ("farm", "3.C.3", "尿素", 9.0, "万t", ""),
    # land-use change and forestry: the sink
    ("forest", "3.B.1.a", "乔木林", 82, "万公顷", ""),
    ("forest", "3.B.1.a", "活立木消耗", 18, "万m3", ""),
    ("forest", "3.B.5.b.i", "乔木林", 0.12, "万公顷", "征占用林地"),
    # energy: fugitive
    ("mining_ug", "1.B.1.a.i", "原煤", 26000, "万t", "井工矿产量"),
    ("mining_sf", "1.B.1.a.ii", "原煤", 42000, "万t", "露天矿产量"),
    # memo: electricity transfer (Ordos is a large net exporter)
    ("power", "M.electricity", "电力调出", 980, "亿千瓦时", "外送电量"),
    ("urban", "M.electricity", "电力调入", 35, "亿千瓦时", ""),
]


def rows() -> list[dict]:
    out = []
    for key, category, item, quantity, unit, note in CITY_ACTIVITY:
        for banner, weights in BANNERS.items():
            w = weights[key]
            if w <= 0:
                continue
            out.append({"region": banner, "year": YEAR, "category": category, "item": item,
                        "quantity": f"{quantity * w:.6g}", "unit": unit, "note": note})
    # notation keys: what does not happen in Ordos, said explicitly
    out.append({"region": "鄂尔多斯市", "year": YEAR, "category": "1.B.2.a", "item": "原油", "quantity": "NO", "unit": "",
                "note": "no crude oil production in Ordos"})
    out.extend(EXTRA_ROWS)
    return out


EXTRA_ROWS: list[dict] = []  # other sectors are appended below

# --------------------------------------------------------------------------------------------------
# Coal chemicals and fuel transformation by carbon mass balance (IPCC 2006 Vol 3 Eq. 3.17): four SYNTHETIC
# plants, one balance each (the `facility` column; the names say 合成数据). Sizes follow the kind of plants
# Ordos has (a coal-to-olefins complex in 乌审旗, large methanol in 鄂托克旗, the direct coal liquefaction
# plant in 伊金霍洛旗, coal-to-SNG) but they are NOT any real plant's figures.
#
# What the balance covers: the feedstock coal (原料煤: gasification / liquefaction / hydrogen-production coal)
# and the carbon leaving in products, by-products, slag and CO2 sold. The plants' utility FUEL coal (boilers,
# power and steam) is NOT in the balance: it is already in the city rows above, 1.A.1.c 原煤 2,600万t
# "煤制油/煤制烯烃自用燃料" (spread by the `chem` weights: 乌审旗 650, 鄂托克旗 572, 准格尔旗 520,
# 伊金霍洛旗 130万t), which is more than the ~100-140万t each of the CTO and methanol plants, ~65万t of the
# SNG plant and ~50万t of the DCL plant burn as fuel. So no 燃料煤 rows: reporting the fuel coal in the
# balance as well would count it twice. No earlier row holds feedstock coal (2.B.1 合成氨(煤头) and 2.B.5 电石
# are other products with product-based factors; 1.A.2 原煤 is fuel of chemicals, metallurgy and building
# materials). The compile's cross-sector check still warns, per banner, that feedstock coal (2.B.8 / 1.B.3)
# and 1.A coal are both reported there (原料煤重复计算?): that warning is expected here, the 1.A coal being the
# plants' fuel and other industry's, not their feedstock. One overlap the check does not see: the 1.A.1.b 炼厂干气
# rows ("煤制油装置干气") are off-gas of coal-to-liquids burnt on site, whose carbon a CTL balance already counts
# as emitted; in 伊金霍洛旗 that is 1.25万t dry gas, ~3.6万t CO2 (1.3% of the DCL balance), left as it was.
#
# Carbon fractions: defaults of emission_factors/ippu/carbon_balance_v1.csv (raw coal 0.5513 t C/t, products
# by stoichiometry, CTL oil 0.8686, tar 0.616, SNG 389.31 GJ/万m3 x 15.32 t C/TJ = 5.96 t C/万m3), except the
# SYNTHETIC plant-measured rows of ordos_local_factors.csv: the CTO plant's gasification coal in 乌审旗 (0.60
# t C/t, a higher-rank coal than the raw-coal average) and the gasifier slag of every plant (含碳废弃物 0.10 t C/t).
#
# Process CO2 the balances give (t CO2 per t of product; literature for comparison):
#   CTO      280万t coal -> 35万t ethylene + 30万t propylene, 12万t CO2 sold, 15万t slag:
#            ~394万t CO2, ~6.1 t/t olefins (process ~5-7; ~10 with utilities, the utilities being in 1.A.1.c)
#   methanol 330万t coal -> 180万t methanol, 10万t slag: ~416万t CO2, ~2.3 t/t methanol (process ~2-3)
#   DCL      300万t coal (liquefaction feed and hydrogen-production coal; with ~50万t fuel coal in 1.A.1.c the
#            plant's ~3.5 Mt) -> 100万t oil products + 8万t tar + 2万t sulphur, 10万t slag:
#            ~266万t CO2, ~2.7 t/t oil (process ~2-3)
#   SNG      220万t coal -> 8亿m3 SNG (80,000万m3) + 5万t tar + 1.5万t sulphur: ~259万t CO2, ~3.2 t per 1000 Nm3
#            (process; with its ~1.5 t from utility fuel in 1.A.1.c ~4.7, against ~4.8 total in the literature)
# --------------------------------------------------------------------------------------------------

# (banner, category, facility, [(item, quantity, unit, note)])
COAL_CHEMICAL_PLANTS = [
    ("乌审旗", "2.B.8.b", "示例煤制烯烃厂(合成数据)", [
        ("原料煤", 280, "万t", "气化原料煤（不含锅炉燃料煤，燃料煤见1.A.1.c）"),
        ("乙烯", 35, "万t", "聚合级乙烯"),
        ("丙烯", 30, "万t", "聚合级丙烯"),
        ("回收CO2", 12, "万t", "低温甲醇洗尾气CO2回收外售（食品级/驱油）"),
        ("含碳废弃物", 15, "万t", "气化炉渣和细灰"),
    ]),
    ("鄂托克旗", "2.B.8.a", "示例煤制甲醇厂(合成数据)", [
        ("原料煤", 330, "万t", "气化原料煤（不含锅炉燃料煤，燃料煤见1.A.1.c）"),
        ("甲醇", 180, "万t", "精甲醇"),
        ("含碳废弃物", 10, "万t", "气化炉渣和细灰"),
    ]),
    ("伊金霍洛旗", "1.B.3.a", "示例煤直接液化厂(合成数据)", [
        ("原料煤", 300, "万t", "液化原料煤和制氢用煤（燃料煤约50万t见1.A.1.c）"),
        ("煤制油品", 100, "万t", "柴油、石脑油、液化气"),
        ("焦油", 8, "万t", "液化重质油/焦油副产品外售"),
        ("硫磺", 2, "万t", "副产硫磺"),
        ("含碳废弃物", 10, "万t", "制氢气化炉渣"),
    ]),
    ("准格尔旗", "1.B.3.b", "示例煤制天然气厂(合成数据)", [
        ("原料煤", 220, "万t", "气化原料煤（不含锅炉燃料煤，燃料煤见1.A.1.c）"),
        ("煤制天然气", 80000, "万m3", "8亿m3/年，入管网"),
        ("焦油", 5, "万t", "固定床气化副产焦油"),
        ("硫磺", 1.5, "万t", "副产硫磺"),
    ]),
]


def coal_chemical_rows() -> list[dict]:
    return [{"region": banner, "year": YEAR, "category": category, "item": item, "quantity": f"{quantity:.6g}",
             "unit": unit, "note": note, "facility": facility}
            for banner, category, facility, flows in COAL_CHEMICAL_PLANTS for item, quantity, unit, note in flows]


EXTRA_ROWS.extend(coal_chemical_rows())


def waste_rows() -> list[dict]:
    """Landfill deposit history 2005-2022 (for the first-order decay), incineration from 2019, wastewater."""
    out = []
    landfill = {"东胜区": 22.0, "康巴什区": 5.0, "达拉特旗": 6.0, "准格尔旗": 9.0, "伊金霍洛旗": 7.0,
                "鄂托克旗": 3.0, "乌审旗": 3.0, "杭锦旗": 2.0, "鄂托克前旗": 1.5}  # 万t MSW landfilled in 2015
    for banner, base in landfill.items():
        for year in range(2005, YEAR + 1):
            growth = 1 + 0.04 * (year - 2015)
            share = 1.0 if year < 2019 else 0.45  # incineration takes over from 2019
            for item, frac in (("厨余垃圾", 0.55), ("纸类", 0.12), ("园林垃圾", 0.08), ("木材", 0.03), ("纺织物", 0.03)):
                out.append({"region": banner, "year": year, "category": "4.A", "item": item,
                            "quantity": f"{base * growth * share * frac:.6g}", "unit": "万t", "note": "填埋量"})
        if banner in ("东胜区", "准格尔旗", "伊金霍洛旗"):
            out.append({"region": banner, "year": YEAR, "category": "4.C.1", "item": "生活垃圾",
                        "quantity": f"{base * 1.28 * 0.55:.6g}", "unit": "万t", "note": "焚烧发电"})
        out.append({"region": banner, "year": YEAR, "category": "4.D.1", "item": "污水好氧处理",
                    "quantity": f"{base * 250:.6g}", "unit": "t", "note": "进水BOD"})
        out.append({"region": banner, "year": YEAR, "category": "4.D.1", "item": "污水排放氮",
                    "quantity": f"{base * 40:.6g}", "unit": "t", "note": "出水总氮"})
    for banner, cod in (("准格尔旗", 9000), ("乌审旗", 12000), ("鄂托克旗", 8000), ("达拉特旗", 4000)):
        out.append({"region": banner, "year": YEAR, "category": "4.D.2", "item": "污水好氧处理",
                    "quantity": str(cod), "unit": "t", "note": "煤化工废水COD"})
    return out


EXTRA_ROWS.extend(waste_rows())


def main() -> None:
    with open(OUT, "w", newline="", encoding="utf-8") as fh:
        fh.write("# SYNTHETIC sample data for Ordos 2022: plausible magnitudes, NOT official statistics. Made by make_ordos_2022.py\n")
        w = csv.DictWriter(fh, fieldnames=["region", "year", "category", "item", "quantity", "unit", "note", "facility"])
        w.writeheader()
        w.writerows(rows())
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
