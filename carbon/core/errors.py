"""One error hierarchy for the whole domain core. `api/errors.py` maps it to HTTP once."""

from __future__ import annotations

from dataclasses import dataclass, field

from carbon.core import messages


class CarbonError(Exception):
    """Base of every domain error. `code` is a stable machine-readable string."""

    code = "error"
    generic_key: str | None = None  # a catalogue entry that leads an uncatalogued (English) message in Chinese

    def __init__(self, message: str | None = None, *, field: str | None = None, key: str | None = None,
                 params: dict | None = None):
        """``message``: the English text. Or ``key`` and ``params``: an entry of carbon/core/messages.py, which gives
        the English ``message`` and the Chinese one (``text()``); ``message`` given too overrides the English."""
        self.key = key
        self.params = dict(params or {})
        if message is None:
            message = messages.text(key, "en", **self.params) if key else self.code
        super().__init__(message)
        self.message = message
        self.field = field

    def text(self, lang: str | None = None) -> str:
        """The message in ``lang`` (``zh`` or ``en``; default CARBON_LANG, else Chinese). English when the message
        has no catalogue entry."""
        lang = lang or messages.current_lang()
        if lang == "en":
            return self.message
        if self.key is None:
            return messages.text(self.generic_key, lang, detail=self.message) if self.generic_key else self.message
        return messages.text(self.key, lang, **self.params)

    def problems(self, lang: str | None = None) -> list[str]:
        """One line per problem, for the CLI: the message itself here; a row report adds one line per bad row."""
        return [self.text(lang)]


class ValidationError(CarbonError):
    code = "validation_error"


class UnitError(ValidationError):
    """A unit string that does not parse, or has the wrong dimension for where it is used."""

    code = "unit_error"


class GWPError(ValidationError):
    """A gas has no GWP value in the chosen set (e.g. NF3 under SAR)."""

    code = "gwp_missing"


class FactorError(ValidationError):
    """A factor row is malformed, or a factor needed by a calculation is missing."""

    code = "factor_error"


class LimitExceeded(ValidationError):
    """An input beyond a configured bound (rows, columns, cells, text length, XLSX expansion): 422.

    ``limit`` names the bound (``rows``, ``columns``, ...), ``limit_value`` is its value, ``actual`` what the input
    has (or declares, or has at least: reading stops at the first value past the bound) and ``setting`` the
    environment variable that raises it.

    Worded either by ``message`` (English only) or by ``key``/``params``: the entry of what was measured ("the file
    has at least", "line 7 has"), which the frame ``limit_exceeded`` completes with the figures, the limit's unit
    (``limit_unit_<limit>``) and the setting, in either language.
    """

    code = "limit_exceeded"

    def __init__(self, message: str | None = None, *, limit: str, limit_value: int, actual: int | float,
                 setting: str | None = None, field: str | None = "file", key: str | None = None,
                 params: dict | None = None):
        self.limit = limit
        self.limit_value = limit_value
        self.actual = actual
        self.setting = setting
        if message is None and key is not None:
            message = self._framed(key, dict(params or {}), "en")
        super().__init__(message, field=field, key=key, params=params)

    def _framed(self, key: str, params: dict, lang: str) -> str:
        unit = f"limit_unit_{self.limit}"
        return messages.text("limit_exceeded", lang, what=messages.text(key, lang, **params), actual=self.actual,
                             unit=messages.text(unit, lang) if unit in messages.catalogue() else self.limit,
                             limit_value=self.limit_value, setting=self.setting)

    def text(self, lang: str | None = None) -> str:
        lang = lang or messages.current_lang()
        if self.key is None or lang == "en":
            return super().text(lang)
        return self._framed(self.key, self.params, lang)

    def as_dict(self) -> dict:
        return {"limit": self.limit, "limit_value": self.limit_value, "actual": self.actual, "setting": self.setting}


class TooLarge(LimitExceeded):
    """The upload or request body itself is larger than allowed: 413."""

    code = "too_large"


@dataclass
class RowError:
    row: int  # 1-based data row number as a user sees it in the file (header is row 1 → data from 2)
    column: str
    reason: str
    value: str | None = None
    key: str | None = None  # the reason's entry in carbon/core/messages.py, if it has one (reason is its English)
    params: dict | None = None

    @classmethod
    def of(cls, row: int, column: str, exc: CarbonError, value: str | None = None) -> RowError:
        """The row error for a cell whose check raised ``exc`` (its message key and parameters carried along)."""
        return cls(row, column, exc.message, value, key=exc.key, params=exc.params or None)

    @classmethod
    def keyed(cls, row: int, column: str, key: str, value: str | None = None, **params) -> RowError:
        return cls(row, column, messages.text(key, "en", **params), value, key=key, params=params or None)

    def reason_text(self, lang: str | None = None) -> str:
        if self.key is None or (lang or messages.current_lang()) == "en":
            return self.reason
        return messages.text(self.key, lang, **(self.params or {}))

    def as_dict(self) -> dict:
        """``reason`` in English (the contract); ``text(lang)`` is the whole line in either language."""
        return {"row": self.row, "column": self.column, "reason": self.reason, "value": self.value}

    def text(self, lang: str | None = None) -> str:
        lang = lang or messages.current_lang()
        shown = messages.text("row_value", lang, value=self.value) if self.value is not None else ""
        return messages.text("row_problem", lang, row=self.row, column=self.column, reason=self.reason_text(lang),
                             shown=shown)

    def __str__(self) -> str:
        return self.text("en")


@dataclass
class ImportRejected(ValidationError):
    """An all-or-nothing import that was rejected: every bad row is listed."""

    errors: list[RowError] = field(default_factory=list)
    what: str = "import"

    def __post_init__(self):
        key = "compile_rejected" if self.what.startswith("compile") else "import_rejected"
        super().__init__(field="file", key=key, params={"what": self.what, "n": len(self.errors)})

    code = "import_rejected"

    def report(self) -> str:
        return "\n".join([self.message, *(str(e) for e in self.errors)])

    def problems(self, lang: str | None = None) -> list[str]:
        return [self.text(lang), *(e.text(lang) for e in self.errors)]


class NotFound(CarbonError):
    code = "not_found"
    generic_key = "not_found"


class Conflict(CarbonError):
    code = "conflict"
    generic_key = "conflict"


class Forbidden(CarbonError):
    code = "forbidden"
    generic_key = "forbidden"


class Unauthorized(CarbonError):
    code = "unauthorized"
    generic_key = "unauthorized"
