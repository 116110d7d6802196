"""Shared inputs for the ETS tests: example E-1 of shared/reference/examples.md and valid USCCs."""

from __future__ import annotations

import copy

from carbon.ets.uscc import make_uscc

# Example E-1: 600 MW conventional coal (300 MW class and above), condensing, water-cooled, 2022 rules.
E1_REPORT = {
    "year": 2022,
    "units": [{
        "id": "1", "type": "coal_300_plus", "capacity_mw": 600, "cooling": "water", "operating_hours": 6000,
        "fuels": [{"name": "原煤", "quantity": 1_500_000, "unit": "t", "ncv": 20.0, "ncv_unit": "GJ/t",
                   "carbon_content": 0.027, "carbon_content_unit": "tC/GJ", "oxidation": 0.99}],
        "purchased_electricity_mwh": 10_000, "gross_generation_mwh": 3_300_000, "supplied_mwh": 3_118_500,
        "heat_supplied_gj": 0, "heat_ratio": 0,
    }],
}

# Public codes that carry a correct check character (GB 32100-2015), and made-up ones for Ordos emitters
# (150602 = 东胜区 division code), completed with their check character.
TENCENT = "91440300708461136T"
EMITTER_A = make_uscc("91150602MA0N00001")
EMITTER_B = make_uscc("91150621MA0N00002")
VERIFIER_USCC = make_uscc("91110000MA0100003")


def e1(**unit_changes) -> dict:
    report = copy.deepcopy(E1_REPORT)
    report["units"][0].update(unit_changes)
    return report
