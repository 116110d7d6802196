"""The bundled SYNTHETIC Ordos 2022 sample (sample_data/): one function that loads it into a store.

Used by the report benchmark and the report tests, so that both render exactly what the README's main job
(scripts/demo, through the same steps on the CLI) renders.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from carbon.core.resources import data_dir

SAMPLE_DIR: Path = data_dir("sample_data")  # sample_data/ (carbon/_data/sample_data in a wheel)
ACTIVITY = "ordos_2022_synthetic.csv"
LOCAL_FACTORS = "ordos_local_factors.csv"
ECONOMY = "ordos_economy_synthetic.csv"
PLAN = "ordos_plan_indicators.csv"


def load_sample(session: Session, *, label: str = "鄂尔多斯市 2022 (synthetic sample)") -> int:
    """Create the 2022 city inventory, import and compile the sample with its local factors, and import the
    synthetic economy and the plan's indicators. Returns the inventory id; commits nothing."""
    from carbon.intensity import service as intensity_service
    from carbon.inventory import service as inventory_service

    def read(name: str) -> bytes:
        return (SAMPLE_DIR / name).read_bytes()

    inv = inventory_service.create_inventory(session, year=2022, label=label)
    inventory_service.import_activity(session, inventory_id=inv.id, filename=ACTIVITY, content=read(ACTIVITY))
    inventory_service.compile_inventory(session, inventory_id=inv.id, local_factors=read(LOCAL_FACTORS))
    intensity_service.import_economy(session, content=read(ECONOMY), filename=ECONOMY)
    intensity_service.import_plan_indicators(session, content=read(PLAN), filename=PLAN)
    return inv.id
