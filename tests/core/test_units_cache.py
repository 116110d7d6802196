"""The pint cache (carbon/core/units.py, ``cache_folder``) never serves a stale unit definition (issue 17 point 2).

The registry is built twice from a copy of units_zh.txt, with the cache in tmp_path. Between the two builds one
definition changes while the file keeps its path, its size and its modification time: a cache keyed on any of those
(rather than on the file's content) would give the old definition back, and the second assertion would fail.
"""

from __future__ import annotations

import os

import pytest

from carbon.core import units

NAME = "cache_probe_unit"
ORIGINAL = units.DEFINITIONS


def _write(path, factor: int) -> None:
    text = ORIGINAL.read_text(encoding="utf-8")
    path.write_text(text + f"\n{NAME} = {factor} * kilogram\n", encoding="utf-8")


def _kg(registry) -> float:
    return float(registry.Quantity(1, NAME).to("kilogram").magnitude)


def test_a_changed_definition_file_is_read_again_not_taken_from_the_cache(tmp_path, monkeypatch):
    definitions = tmp_path / "units_zh.txt"
    cache = tmp_path / "cache"
    cache.mkdir()
    monkeypatch.setattr(units, "DEFINITIONS", definitions)

    _write(definitions, 2)
    assert _kg(units._registry(cache)) == pytest.approx(2.0)
    cached = sorted(p.name for p in cache.rglob("*") if p.is_file())
    assert cached, "the registry wrote no cache: this test would prove nothing"
    assert _kg(units._registry(cache)) == pytest.approx(2.0)  # built again, from the cache

    stat = definitions.stat()
    _write(definitions, 3)  # same path, same size ...
    os.utime(definitions, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # ... same modification time
    assert definitions.stat().st_size == stat.st_size and definitions.stat().st_mtime_ns == stat.st_mtime_ns

    assert _kg(units._registry(cache)) == pytest.approx(3.0)


def test_the_cache_lives_in_the_user_cache_folder_not_the_package(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    folder = units.cache_folder()
    assert folder == tmp_path / "carbon" / "pint" and folder.is_dir()
    assert units.DEFINITIONS.parent not in folder.parents
