"""Sector calculators (pure, vectorised by the engine). Importing this package registers them."""

from carbon.inventory.calc import energy  # noqa: F401
from carbon.inventory.calc import coal_mining  # noqa: F401
from carbon.inventory.calc import waste  # noqa: F401
from carbon.inventory.calc import ippu  # noqa: F401
from carbon.inventory.calc import agriculture  # noqa: F401
from carbon.inventory.calc import lulucf  # noqa: F401
from carbon.inventory.calc import coal_chemicals  # noqa: F401
