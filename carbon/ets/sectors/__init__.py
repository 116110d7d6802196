"""MRV calculators of the sectors joining the national ETS in 2024-25: cement, aluminium smelting, steel.

Each module is pure (plain dicts in, plain dicts out) and named after its guideline's equations; see
``carbon.ets.sectors.common`` for the shared checks, flags, fuel combustion and the coverage rule.
"""

from carbon.ets.sectors import aluminium, cement, steel

CALCULATORS = {"cement": cement.compute, "aluminium": aluminium.compute, "steel": steel.compute}
SECTOR_INDUSTRIES = tuple(CALCULATORS)
