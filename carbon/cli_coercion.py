"""Command-line values of plain types (str, int, bool, Path and lists of them) coerced without pydantic.

typer 0.29 coerces every value through a pydantic ``TypeAdapter`` that it builds on first use; importing pydantic
and building the adapters costs about 0.12 s of every ``carbon`` command, a tenth of ``carbon compile`` on 10^4 rows
(issue 17; bench/cli.py prints the figures). For the plain types this module does what those adapters do: a ``str``
stays as click gives it, a decimal integer becomes an ``int``, a ``bool`` stays, and a ``Path`` goes through typer's
own ``coerce_cli_path`` (its existence and permission checks) handed a ``Path``, so no adapter is needed. Any other
value (``12.5`` for an int, bytes, ...) and any other annotation (enums, numbers with bounds, a custom parser, files)
go to typer's own coercion, with its messages.

It relies on typer internals (``_TyperParameter._runtime_param``, ``typer._coercion.RuntimeParam``); with a typer
that lacks them, ``plain_coercion`` leaves every command as it is. To remove it: delete the call in
``carbon.cli_lazy.load`` (tests/test_cli_startup.py then sees pydantic imported by a command that runs).
"""

from __future__ import annotations

import re
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

try:
    from typer._coercion import RuntimeParam, build_runtime_param
    from typer._param_types import coerce_cli_path
except ImportError:  # a typer without this layer: its own coercion stays
    RuntimeParam = None

_DECIMAL = re.compile(r"-?(0|[1-9][0-9]{0,17})")  # what int() and pydantic both read the same way
_FALLBACK = object()


def _plain_leaf(annotation: Any, info: Any) -> type | None:
    """The plain type of a parameter's (element) annotation, or None when typer's coercion must decide."""
    if getattr(info, "parser", None) is not None or getattr(info, "click_type", None) is not None:
        return None
    if annotation is str or annotation is bool:
        return annotation
    if annotation is int and info.min is None and info.max is None and not getattr(info, "clamp", False):
        return int
    if annotation is Path and getattr(info, "path_type", None) in (None, Path):
        return Path
    return None


if RuntimeParam is not None:

    @dataclass(frozen=True)
    class PlainRuntimeParam(RuntimeParam):
        """typer's runtime coercion contract for one parameter of a plain type (``many``: a list of them)."""

        leaf: type
        many: bool

        def _coerce_value(self, value: Any, param, ctx) -> Any:
            values = value if self.many else (value,)
            if self.many and not isinstance(value, (list, tuple)):
                return self._typer(value, param, ctx)
            out = []
            for item in values:
                done = self._one(item, param, ctx)
                if done is _FALLBACK:
                    return self._typer(value, param, ctx)
                out.append(done)
            return out if self.many else out[0]

        def _one(self, item: Any, param, ctx) -> Any:
            if self.leaf is str:
                return item if isinstance(item, str) else _FALLBACK
            if self.leaf is bool:
                return item if isinstance(item, bool) else _FALLBACK
            if self.leaf is int:
                if type(item) is int:
                    return item
                return int(item) if isinstance(item, str) and _DECIMAL.fullmatch(item) else _FALLBACK
            if isinstance(item, (str, Path)):  # Path: typer's checks, handed a Path so that no adapter is built
                return coerce_cli_path(Path(item), self.parameter_info, path_type=Path, param=param, ctx=ctx)
            return _FALLBACK

        @staticmethod
        def _typer(value: Any, param, ctx) -> Any:
            return build_runtime_param(param.type_descriptor)._coerce_value(value, param=param, ctx=ctx)


def plain_coercion(command) -> None:
    """Give each plain-typed parameter of ``command`` and of every command under it the coercion above."""
    if RuntimeParam is None:
        return
    help_option = command.get_help_option(command.context_class(command))  # made once per command, then kept
    for param in [*command.params, *([help_option] if help_option is not None else [])]:
        descriptor = getattr(param, "type_descriptor", None)
        if descriptor is None or getattr(param, "_runtime_param", False) is not None or descriptor.file_annotation:
            continue
        annotation, many = descriptor.annotation, False
        if typing.get_origin(annotation) is list and len(typing.get_args(annotation)) == 1:
            annotation, many = typing.get_args(annotation)[0], True
        leaf = _plain_leaf(annotation, descriptor.parameter_info)
        if leaf is not None:
            param._runtime_param = PlainRuntimeParam(parameter_info=descriptor.parameter_info,
                                                     annotation=descriptor.annotation, leaf=leaf, many=many)
    for sub in getattr(command, "commands", {}).values():
        plain_coercion(sub)
