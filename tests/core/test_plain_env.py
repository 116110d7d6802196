"""The settings that ``carbon compile`` reads without pydantic (carbon/core/plain_env.py) are the settings: the same
values as ``Settings()`` for every spelling it takes, and ``Settings()``'s own reading (or refusal) for the rest."""

from __future__ import annotations

from dataclasses import fields

import pytest

from carbon.core import input_limits
from carbon.core.input_limits import InputLimits
from carbon.core.settings import Settings, get_settings
from carbon.inventory.io import csv_encoding


@pytest.fixture(autouse=True)
def fresh_settings():
    get_settings.cache_clear()  # the fast path is only taken before Settings was built
    yield
    get_settings.cache_clear()


def _from_settings() -> InputLimits:
    return InputLimits.from_settings(Settings())


def test_defaults_are_the_settings_defaults():
    # the fast path uses InputLimits' defaults; they must be the Settings fields' defaults
    for f in fields(InputLimits):
        assert f.default == Settings.model_fields[f"input_max_{f.name}"].default, f.name


@pytest.mark.parametrize("env", [{}, {"CARBON_INPUT_MAX_ROWS": "10000000"}, {"carbon_input_max_cells": "123"},
                                 {"CARBON_INPUT_MAX_UPLOAD_BYTES": "1073741824", "CARBON_INPUT_MAX_COLUMNS": "8"}])
def test_plain_values_equal_what_settings_reads(monkeypatch, env):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    fast = input_limits.current_limits()
    assert not get_settings.cache_info().currsize  # read without building Settings
    assert fast == _from_settings()


@pytest.mark.parametrize("value", ["1e6", " 5", "-3", "0", "５"])
def test_other_spellings_go_to_settings(monkeypatch, value):
    monkeypatch.setenv("CARBON_INPUT_MAX_ROWS", value)
    try:
        expected = _from_settings()
    except Exception as exc:  # pydantic refuses it: so must the fast path (through get_settings)
        with pytest.raises(type(exc)):
            input_limits.current_limits()
    else:
        assert input_limits.current_limits() == expected


@pytest.mark.parametrize("value, bom", [(None, True), ("0", False), ("false", False), ("ON", True), ("yes", True)])
def test_csv_bom_switch_equals_settings(monkeypatch, value, bom):
    if value is not None:
        monkeypatch.setenv("CARBON_CSV_BOM", value)
    assert Settings().csv_bom is bom
    assert csv_encoding() == ("utf-8-sig" if bom else "utf-8")
