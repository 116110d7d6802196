"""Every message a user can see is in the catalogue, in Chinese and in English (issue 19, point 5).

The control that can fail: an AST walk over carbon/ finds every ``raise SomeError(...)`` of a domain error
(a subclass of CarbonError, found by name through the class definitions) and fails when it has no ``key=``: a new
English-only message cannot land. The catalogue itself is checked: no key defined twice, both languages present,
no ``{field}`` in the Chinese that the English lacks, Chinese text actually Chinese.
"""

from __future__ import annotations

import ast
import importlib
import re
import string
from pathlib import Path

import pytest

from carbon.core import messages

ROOT = Path(__file__).resolve().parents[1] / "carbon"
DOMAINS = ["core", "factors", "inventory", "intensity", "ets", "puhui", "monitoring", "reporting", "reconcile", "cli"]

# classes whose constructor composes its message itself from keyed parts (row reports)
SELF_WORDED = {"ImportRejected", "SeriesRowErrors"}


def _sources() -> list[Path]:
    return sorted(p for p in ROOT.rglob("*.py"))


def _error_classes() -> set[str]:
    """Names of CarbonError and every class below it (by base-class name, across carbon/)."""
    bases: dict[str, set[str]] = {}
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                names = {b.attr if isinstance(b, ast.Attribute) else getattr(b, "id", "") for b in node.bases}
                bases.setdefault(node.name, set()).update(names)
    found = {"CarbonError"}
    while True:
        more = {name for name, parents in bases.items() if parents & found} - found
        if not more:
            return found
        found |= more


def _domain_of(path: Path) -> str:
    rel = path.relative_to(ROOT)
    return rel.parts[0] if len(rel.parts) > 1 else "cli"


def unkeyed_raises() -> dict[str, list[str]]:
    classes = _error_classes() - SELF_WORDED
    found: dict[str, list[str]] = {}
    for path in _sources():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)):
                continue
            func = node.exc.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if name not in classes:
                continue
            if any(k.arg in ("key", "messages") for k in node.exc.keywords):
                continue
            if not node.exc.args and not any(k.arg == "message" for k in node.exc.keywords):
                continue  # no message at all: the class's own wording
            found.setdefault(_domain_of(path), []).append(f"{path.relative_to(ROOT.parent)}:{node.lineno} {name}")
    return found


@pytest.mark.parametrize("domain", DOMAINS)
def test_every_domain_error_has_a_catalogue_key(domain):
    missing = unkeyed_raises().get(domain, [])
    assert not missing, f"{len(missing)} domain errors raised without key= (English only):\n" + "\n".join(missing)


def _fields(template: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(template) if f}


def test_catalogue_is_complete_and_consistent():
    catalogue = messages.catalogue()
    cjk = re.compile(r"[\u4e00-\u9fff]")
    for key, (zh, en) in catalogue.items():
        assert zh and en, key
        # the Chinese text uses no parameter the English does not (the English may say more, e.g. a library's
        # reason; or be pydantic's own words, {msg}, or a bare detail)
        if en not in ("{msg}", "{detail}"):
            assert _fields(zh) <= _fields(en), f"{key}: {_fields(zh)} is not within {_fields(en)}"
        stripped = re.sub(r"\{[^}]*\}", "", zh)
        assert cjk.search(stripped) or not stripped.strip(" .:;,()"), f"{key}: the Chinese text has no Chinese: {zh!r}"


def test_catalogue_keys_are_unique_across_modules():
    seen: dict[str, str] = {}
    sources = [("carbon.core.messages", messages.MESSAGES)]
    for name in messages.CATALOGUES:
        try:
            sources.append((name, importlib.import_module(name).MESSAGES))
        except ModuleNotFoundError:
            continue
    for name, table in sources:
        for key in table:
            assert key not in seen, f"{key!r} is defined in {seen.get(key)} and in {name}"
            seen[key] = name
