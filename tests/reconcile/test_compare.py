"""Pure reconciliation: hand-built frames, literal expected values."""

from __future__ import annotations

import pandas as pd
import pytest

from carbon.reconcile.compare import merge_mapping, read_mapping, reconcile
from carbon.reconcile.service import MAPPING_FILE, load_mapping

DALAD, JUNGAR, DONGSHENG, CITY = "150621", "150622", "150602", "150600"
BANNERS = [DONGSHENG, DALAD, JUNGAR]
MAPPING = read_mapping("industry,uscc,categories,note\npower,,1.A.1.a,\ncement,,1.A.2;2.A.1,\n")
INVENTORY = pd.DataFrame([
    (DALAD, "1.A.1.a", 1_000_000.0), (DALAD, "1.A.2", 200_000.0), (DALAD, "2.A.1", 300_000.0),
    (JUNGAR, "1.A.1.a", 500_000.0), (DALAD, "4.A", 50.0)], columns=["region", "category", "co2e_t"])


def _emitters(*rows):
    return pd.DataFrame(rows, columns=["uscc", "name", "industry", "region", "verified_t"])


def _row(result, region, scope):
    (row,) = [r for r in result.rows if r["region"] == region and r["scope"] == scope]
    return row


def test_coverage_and_an_emitter_exceeding_its_category():
    em = _emitters(("P1", "达拉特电厂", "power", DALAD, 800_000.0), ("P2", "准格尔电厂", "power", JUNGAR, 600_000.0),
                   ("C1", "达拉特水泥", "cement", DALAD, 250_000.0))
    out = reconcile(INVENTORY, em, MAPPING, banners=BANNERS)
    assert _row(out, DALAD, "1.A.1.a") == {"region": DALAD, "scope": "1.A.1.a", "categories": ["1.A.1.a"],
                                          "inventory_t": 1_000_000.0, "emitters_t": 800_000.0, "n_emitters": 1,
                                          "coverage": 0.8, "status": "ok"}
    assert _row(out, DALAD, "1.A.2;2.A.1")["inventory_t"] == 500_000.0
    assert _row(out, DALAD, "1.A.2;2.A.1")["coverage"] == 0.5
    jungar = _row(out, JUNGAR, "1.A.1.a")
    assert jungar["status"] == "exceeds" and jungar["coverage"] == 1.2
    (f,) = out.findings
    assert f["kind"] == "emitters_exceed_inventory" and f["region"] == JUNGAR and f["uscc_list"] == ["P2"]
    assert f["inventory_t"] == 500_000.0 and f["emitters_t"] == 600_000.0
    city = _row(out, CITY, "1.A.1.a")
    assert (city["inventory_t"], city["emitters_t"], city["n_emitters"]) == (1_500_000.0, 1_400_000.0, 2)


def test_within_tolerance_is_not_a_finding():
    em = _emitters(("P2", "准格尔电厂", "power", JUNGAR, 502_000.0))  # +0.4 % < 0.5 %
    out = reconcile(INVENTORY, em, MAPPING, banners=BANNERS)
    assert _row(out, JUNGAR, "1.A.1.a")["status"] == "ok" and out.findings == []


def test_a_category_without_emitters_is_zero_coverage():
    out = reconcile(INVENTORY, _emitters(), MAPPING, banners=BANNERS)
    row = _row(out, JUNGAR, "1.A.1.a")
    assert (row["coverage"], row["n_emitters"], row["emitters_t"], row["status"]) == (0.0, 0, 0.0, "no_emitters")
    assert _row(out, DALAD, "1.A.2;2.A.1")["coverage"] == 0.0
    assert out.findings == []
    assert not [r for r in out.rows if r["region"] == DONGSHENG]  # nothing on either side: no row


def test_emitter_where_the_inventory_has_nothing():
    em = _emitters(("C9", "东胜水泥", "cement", DONGSHENG, 10_000.0))
    out = reconcile(INVENTORY, em, MAPPING, banners=BANNERS)
    row = _row(out, DONGSHENG, "1.A.2;2.A.1")
    assert (row["inventory_t"], row["coverage"], row["status"]) == (0.0, None, "exceeds")
    assert [f["kind"] for f in out.findings] == ["emitters_exceed_inventory"]


def test_missing_mapping_and_missing_region():
    em = _emitters(("X1", "其他企业", "other", DALAD, 1_000.0), ("P3", "无旗区电厂", "power", "", 2_000.0))
    out = reconcile(INVENTORY, em, MAPPING, banners=BANNERS)
    kinds = sorted((f["kind"], f["uscc"]) for f in out.findings)
    assert kinds == [("missing_mapping", "X1"), ("missing_region", "P3")]
    assert _row(out, DALAD, "1.A.1.a")["emitters_t"] == 0.0  # unmapped / unplaced tonnes go nowhere


def test_uscc_override_wins_over_industry():
    override = read_mapping("industry,uscc,categories,note\n,X1,1.A.1.a,自备电厂\n")
    mapping = merge_mapping(MAPPING, override)
    em = _emitters(("X1", "自备电厂", "other", DALAD, 100_000.0))
    out = reconcile(INVENTORY, em, mapping, banners=BANNERS)
    assert out.findings == [] and _row(out, DALAD, "1.A.1.a")["emitters_t"] == 100_000.0


def test_unknown_category_in_mapping():
    mapping = read_mapping("industry,uscc,categories\npower,,1.A.9\n")
    out = reconcile(INVENTORY, _emitters(), mapping, banners=BANNERS, known_categories=["1.A.1.a"])
    assert [f["kind"] for f in out.findings] == ["unknown_category"]


def test_bad_mapping_rows_are_refused():
    with pytest.raises(ValueError, match="exactly one of"):
        read_mapping("industry,uscc,categories\npower,P1,1.A.1.a\n")
    with pytest.raises(ValueError, match="no categories"):
        read_mapping("industry,uscc,categories\npower,,\n")


def test_bundled_mapping_codes_are_in_the_catalogue():
    from carbon.inventory.catalog import load_catalog

    cats = load_catalog().categories
    mapping = load_mapping()
    assert MAPPING_FILE.exists()
    assert {"power", "cement", "coal_chemical", "aluminium", "steel"} <= set(mapping["industry"])
    for scope in mapping["categories"]:
        for code in scope.split(";"):
            assert code in cats, code


def test_city_row_uses_the_inventorys_own_city_rows():
    inventory = pd.concat([INVENTORY, pd.DataFrame([(CITY, "1.A.1.a", 1_600_000.0)],
                                                   columns=["region", "category", "co2e_t"])], ignore_index=True)
    out = reconcile(inventory, _emitters(), MAPPING, banners=BANNERS)
    assert _row(out, CITY, "1.A.1.a")["inventory_t"] == 1_600_000.0  # stored city total, not 1,500,000 + 1,600,000
    assert _row(out, CITY, "1.A.1.a")["coverage"] == 0.0
