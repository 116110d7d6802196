"""A few settings read straight from the environment, for commands that need nothing else of ``Settings``.

``carbon compile`` reads only the input limits (``CARBON_INPUT_MAX_*``) and ``CARBON_CSV_BOM``; importing
pydantic-settings and building ``Settings()`` for them cost 0.2 s of every run (issue 17, bench/cli.py). Here each
variable is looked up as pydantic-settings does (prefix ``CARBON_``, any letter case) and taken only when it is
written plainly: digits for a number, 0/1/true/false/yes/no/on/off for a switch. Anything else, and a process that
has built its ``Settings`` already, gets ``None``: the caller reads ``get_settings()`` instead, which parses or refuses
the value with pydantic's own words. To remove this module: make its callers read ``get_settings()`` again.
"""

from __future__ import annotations

import os
import sys

PREFIX = "CARBON_"
_TRUE = {"1", "true", "yes", "on", "t", "y"}
_FALSE = {"0", "false", "no", "off", "f", "n"}


def _environ() -> dict[str, str]:
    """The CARBON_ variables, by lower-case name (pydantic-settings is case-insensitive by default)."""
    prefix = PREFIX.lower()
    return {k.lower(): v for k, v in os.environ.items() if k.lower().startswith(prefix)}


def _settings_built() -> bool:
    module = sys.modules.get("carbon.core.settings")
    return module is not None and module.get_settings.cache_info().currsize > 0


def positive_ints(defaults: dict[str, int]) -> dict[str, int] | None:
    """{setting name: value} for settings such as ``input_max_rows`` (``CARBON_INPUT_MAX_ROWS``), each from the
    environment or its default; None when one of them is not a plain positive integer or ``Settings`` was built."""
    if _settings_built():
        return None
    env = _environ()
    out: dict[str, int] = {}
    for name, default in defaults.items():
        text = env.get((PREFIX + name).lower())
        if text is None:
            out[name] = default
        elif text.isascii() and text.isdigit() and int(text) > 0:
            out[name] = int(text)
        else:
            return None
    return out


def switch(name: str, default: bool) -> bool | None:
    """A boolean setting such as ``csv_bom`` (``CARBON_CSV_BOM``) from the environment or its default; None when it is
    not one of the plain spellings or ``Settings`` was built."""
    if _settings_built():
        return None
    text = _environ().get((PREFIX + name).lower())
    if text is None:
        return default
    word = text.lower()
    return True if word in _TRUE else False if word in _FALSE else None
