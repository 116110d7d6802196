"""Where the files the program reads at run time are: inside the installed package, or in the repository.

A wheel (``pip install .``, ``pip wheel .``) carries the repository's top-level data folders as
``carbon/_data/<name>/`` (the mapping is in setup.py); an editable install (``pip install -e .``) reads
them where they are in the checkout. Both are found from the ``carbon`` package through
``importlib.resources``, so no lookup depends on the current folder.

Package-local tables (``carbon/inventory/tables``, ``carbon/ets/data``, ...) sit beside their modules and
need nothing from here.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

# name under carbon/_data -> folder in the repository (setup.py holds the same mapping for the build)
DATA_DIRS: dict[str, str] = {
    "emission_factors": "emission_factors",
    "migrations": "migrations",
    "templates": "reports/templates",
    "sample_data": "sample_data",
}


def package_root() -> Path:
    """The folder of the imported ``carbon`` package (site-packages/carbon, or the checkout's carbon/)."""
    return Path(str(files("carbon")))


def data_dir(name: str) -> Path:
    """The folder ``name`` (a key of ``DATA_DIRS``): ``carbon/_data/<name>`` in a wheel install, else the
    repository folder beside the package. Raises FileNotFoundError naming both places when neither exists."""
    if name not in DATA_DIRS:
        raise KeyError(f"unknown data folder {name!r}; known: {', '.join(sorted(DATA_DIRS))}")
    root = package_root()
    packaged = root / "_data" / name
    if packaged.is_dir():
        return packaged
    checkout = root.parent / DATA_DIRS[name]
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(
        f"data folder {name!r} not found: neither {packaged} (wheel install) nor {checkout} (repository checkout); "
        "reinstall carbon (pip install carbon-*.whl, or pip install -e . in the repository)"
    )
