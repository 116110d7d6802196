"""Helpers shared by routers: bounded file uploads and DataFrames as JSON rows."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from fastapi import Request, UploadFile

from carbon.core.input_limits import InputLimits, check_size


def read_upload(upload: UploadFile, request: Request) -> bytes:
    """The uploaded file's bytes, read no further than the app's ``input_max_upload_bytes`` (413 beyond it).

    The body limit (``FastAPI(max_body_size=...)`` in api/main.py) has already refused a larger request; the
    file's rows, columns, cells and text are bounded by the readers (carbon/core/input_limits.py)."""
    limits = InputLimits.from_settings(request.app.state.settings)
    data = upload.file.read(limits.upload_bytes + 1)
    check_size(len(data), limits, upload.filename or "file")
    return data


def json_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """DataFrame rows as JSON-able dicts (NaN -> null, numpy scalars -> Python)."""
    clean = frame.astype(object).where(frame.notna(), None)
    return [{k: (v.item() if isinstance(v, np.generic) else v) for k, v in row.items()}
            for row in clean.to_dict(orient="records")]
