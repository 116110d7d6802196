"""One error hierarchy for the whole domain core. `api/errors.py` maps it to HTTP once."""

from __future__ import annotations

from dataclasses import dataclass, field


class CarbonError(Exception):
    """Base of every domain error. `code` is a stable machine-readable string."""

    code = "error"

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


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
    """

    code = "limit_exceeded"

    def __init__(self, message: str, *, limit: str, limit_value: int, actual: int | float, setting: str | None = None,
                 field: str | None = "file"):
        super().__init__(message, field=field)
        self.limit = limit
        self.limit_value = limit_value
        self.actual = actual
        self.setting = setting

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

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "reason": self.reason, "value": self.value}

    def __str__(self) -> str:
        shown = f" (value {self.value!r})" if self.value is not None else ""
        return f"row {self.row}, column {self.column}: {self.reason}{shown}"


@dataclass
class ImportRejected(ValidationError):
    """An all-or-nothing import that was rejected: every bad row is listed."""

    errors: list[RowError] = field(default_factory=list)
    what: str = "import"

    def __post_init__(self):
        msg = f"{self.what} rejected: {len(self.errors)} bad row(s); nothing was imported"
        super().__init__(msg, field="file")

    code = "import_rejected"

    def report(self) -> str:
        return "\n".join([self.message, *(str(e) for e in self.errors)])


class NotFound(CarbonError):
    code = "not_found"


class Conflict(CarbonError):
    code = "conflict"


class Forbidden(CarbonError):
    code = "forbidden"


class Unauthorized(CarbonError):
    code = "unauthorized"
