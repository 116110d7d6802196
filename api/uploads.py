"""Helpers shared by routers: bounded file uploads and DataFrames as JSON rows."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from fastapi import UploadFile
from fastapi.exceptions import HTTPException


def read_upload(upload: UploadFile, max_bytes: int) -> bytes:
    """The uploaded file's bytes; 413 when it is larger than `max_bytes` (read no further than that)."""
    data = upload.file.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise HTTPException(413, f"file larger than {max_bytes // (1024 * 1024)} MB")
    return data


def json_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """DataFrame rows as JSON-able dicts (NaN -> null, numpy scalars -> Python)."""
    clean = frame.astype(object).where(frame.notna(), None)
    return [{k: (v.item() if isinstance(v, np.generic) else v) for k, v in row.items()}
            for row in clean.to_dict(orient="records")]
