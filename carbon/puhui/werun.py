"""WeChat WeRun (微信运动) steps, decrypted on the server with the session key of a fresh ``wx.login`` code.

The mini-program calls ``wx.getWeRunData`` and sends ``encryptedData`` and ``iv`` with a new ``wx.login`` code;
the server exchanges the code for the ``session_key`` (carbon/puhui/wechat.py), decrypts, checks and drops the key:
it is never stored, logged or returned.

WeChat's documented algorithm (开放数据校验与解密): AES-128-CBC, key = base64-decoded ``session_key`` (16 bytes),
IV = base64-decoded ``iv`` (16 bytes), PKCS#7 padding; the plaintext is JSON with ``stepInfoList``
(``[{"timestamp": <unix, start of the day in China>, "step": n}, ...]``, the last 31 days) and
``watermark`` = ``{"appid": ..., "timestamp": ...}``. The watermark's appid must be ours (data decrypted for
another mini-program is refused) and its timestamp fresh (``MAX_AGE``), so old data cannot be replayed.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from carbon.core.errors import ValidationError
from carbon.puhui import rules

MAX_AGE = timedelta(minutes=10)  # how old the watermark may be
FIELD = "werun"


class WeRunRejected(ValidationError):
    code = "werun_invalid"


@dataclass(frozen=True)
class WeRunSteps:
    """Steps per China calendar day, as WeChat decrypted them."""

    by_day: dict[date, int]
    fetched_at: datetime


def _b64(value: str, what: str, size: int | None = None) -> bytes:
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise WeRunRejected(key="puhui_werun_not_base64", params={"what": what}, field=f"{FIELD}.{what}") from None
    if size is not None and len(raw) != size:
        raise WeRunRejected(key="puhui_werun_size", params={"what": what, "size": size}, field=f"{FIELD}.{what}")
    return raw


def decrypt(*, session_key: str, encrypted_data: str, iv: str) -> dict:
    """The decrypted JSON of ``wx.getWeRunData`` (AES-128-CBC, PKCS#7); WeRunRejected when it does not decrypt."""
    key = _b64(session_key, "session_key", 16)
    vector = _b64(iv, "iv", 16)
    data = _b64(encrypted_data, "encrypted_data")
    if not data or len(data) % 16:
        raise WeRunRejected(key="puhui_werun_blocks", field=f"{FIELD}.encrypted_data")
    decryptor = Cipher(algorithms.AES(key), modes.CBC(vector)).decryptor()
    padded = decryptor.update(data) + decryptor.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    try:
        plain = unpadder.update(padded) + unpadder.finalize()
        return json.loads(plain.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise WeRunRejected(key="puhui_werun_decrypt", field=f"{FIELD}.encrypted_data") from None


def steps(*, session_key: str, encrypted_data: str, iv: str, appid: str, now: datetime) -> WeRunSteps:
    """Decrypt and check WeRun data: watermark appid == ``appid`` and a watermark no older than ``MAX_AGE``."""
    data = decrypt(session_key=session_key, encrypted_data=encrypted_data, iv=iv)
    mark = data.get("watermark") if isinstance(data, dict) else None
    if not isinstance(mark, dict) or mark.get("appid") != appid or not appid:
        raise WeRunRejected(key="puhui_werun_appid", field=f"{FIELD}.encrypted_data")
    try:
        fetched = datetime.fromtimestamp(int(mark["timestamp"]), UTC)
    except (KeyError, TypeError, ValueError, OverflowError):
        raise WeRunRejected(key="puhui_werun_no_timestamp", field=f"{FIELD}.encrypted_data") from None
    if fetched < now - MAX_AGE or fetched > now + rules.CLOCK_SKEW:
        raise WeRunRejected(key="puhui_werun_stale", params={"minutes": int(MAX_AGE.total_seconds() // 60)},
                            field=f"{FIELD}.encrypted_data")
    by_day: dict[date, int] = {}
    for item in data.get("stepInfoList") or []:
        try:
            day = rules.local_date(datetime.fromtimestamp(int(item["timestamp"]), UTC))
            by_day[day] = int(item["step"])
        except (KeyError, TypeError, ValueError, OverflowError):
            raise WeRunRejected(key="puhui_werun_entry", field=f"{FIELD}.encrypted_data") from None
    return WeRunSteps(by_day, fetched)
