"""Shared pieces of the inventory-store tests (service, API, CLI).

Only energy-sector data are used: the other sectors' tables and factor files are being written. For the
same reason the factor library is loaded from a copy of the energy files only (``energy_factors``), so
a half-edited file of another sector cannot break these tests; the store does not care which rows the
library holds.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from carbon.factors import service as factor_service
from carbon.factors.library import FACTOR_DIR

# 达拉特旗 power plants burning raw coal, a surface coal mine, residential natural gas in 准格尔旗,
# notation keys for 乌审旗 (no oil production, no underground mines). Issue 19: a row of another year is refused,
# not kept as history, unless its category is a time series such as landfill.
ACTIVITY_CSV = """region,year,category,item,quantity,unit,note
达拉特旗,2022,1.A.1.a,原煤,1000,t,电厂A
达拉特旗,2022,1.A.1.a,原煤,500,t,电厂B
达拉特旗,2022,1.B.1.a.ii,原煤,50000,t,露天矿
准格尔旗,2022,1.A.4.b,天然气,12,万m3,
乌审旗,2022,1.B.2.a,原油,NO,t,no oil production
乌审旗,2022,1.B.1.a.i,原煤,NO,t,no underground mines
""".encode()

# Row 3: unknown region; row 4: not a number; row 5: mass unit for 万m3-only? (a volume in t is fine,
# so use an energy category with a unit of the wrong dimension: 公顷).
BAD_CSV = """region,year,category,item,quantity,unit
达拉特旗,2022,1.A.1.a,原煤,1000,t
火星,2022,1.A.1.a,原煤,10,t
达拉特旗,2022,1.A.1.a,原煤,lots,t
达拉特旗,2022,1.A.4.b,天然气,12,公顷
""".encode()

EXPECTED_BAD_ROWS = {(3, "region"), (4, "quantity"), (5, "unit")}

LOCAL_FACTORS_CSV = """category,item,parameter,value,unit,region,source
1.A.1.a,原煤,ncv,20.0,GJ/t,,鄂尔多斯市能源统计实测 2022
""".encode()


def energy_csv(rows: int, *, year: int = 2022, region: str = "达拉特旗") -> bytes:
    """A synthetic file of ``rows`` raw-coal combustion records (quantity 1, 2, 3, ... t)."""
    lines = ["region,year,category,item,quantity,unit"]
    lines.extend(f"{region},{year},1.A.1.a,原煤,{i + 1},t" for i in range(rows))
    return ("\n".join(lines) + "\n").encode()


_COPY: dict[str, Path] = {}


def _energy_factor_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the energy factor files, made once per test run."""
    if "root" not in _COPY:
        root = tmp_path_factory.mktemp("factors") / "emission_factors"
        shutil.copytree(FACTOR_DIR / "energy", root / "energy")
        (root / "parameters").mkdir()
        shutil.copy(FACTOR_DIR / "parameters" / "energy.csv", root / "parameters" / "energy.csv")
        _COPY["root"] = root
    return _COPY["root"]


@pytest.fixture(autouse=True)
def energy_factors(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Import this fixture into a test module: the store then compiles with the energy library only."""
    root = _energy_factor_dir(tmp_path_factory)
    monkeypatch.setattr(factor_service, "FACTOR_ROOT", root)
    return root
