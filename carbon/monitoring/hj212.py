"""A pure parser for HJ 212-2017 frames (《污染物在线监控(监测)系统数据传输标准》).

Frame (HJ 212-2017 §6.3 通讯包结构)::

    ##  dddd  <data segment>  CCCC  \\r\\n
    |   |     |               |     package tail
    |   |     |               CRC16 of the data segment, 4 hex digits
    |   |     QN=...;ST=..;CN=....;PW=......;MN=......;Flag=.;CP=&&...&&
    |   length of the data segment in ASCII characters, 4 decimal digits
    header

The CRC is the standard's own (its appendix A, "CRC 校验算法"): register 0xFFFF; for each byte of the data
segment ``reg = (reg >> 8) ^ byte``, then 8 times ``reg = (reg >> 1) ^ 0xA001`` if the low bit is set, else
``reg >>= 1``; written as 4 upper-case hex digits. (It differs from Modbus CRC16, which XORs the byte into
the *low* byte without the shift.) Checked against frames published with their CRC, see
tests/monitoring/test_hj212.py.

The CP part is ``DataTime=YYYYMMDDhhmmss;code-Field=value,code-Flag=X;...``: data of one time, fields
``Rtd`` (real-time), ``Avg``/``Min``/``Max``/``Cou`` (statistics of minute, hourly and daily data), and a
``Flag`` per code. DataTime is local time of the data acquisition unit; in China that is Beijing time
(UTC+8), which is what this parser assumes (``tz`` argument).

Pure: strings in, dataclasses out. Every problem is a ``ParseError`` naming what is wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from carbon.core.errors import ValidationError

BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")

# CN (command code) of data uploads, HJ 212-2017 table 13 (命令编码表)
CN_KINDS = {
    "2011": "realtime",  # 实时数据
    "2051": "minute",  # 分钟数据
    "2061": "hourly",  # 小时数据
    "2031": "daily",  # 日数据
}

# Data flags, HJ 212-2017 table 9 (数据标记). Only N (normal) counts for emissions.
FLAGS = {
    "N": "normal (在线监控(监测)仪器仪表工作正常)",
    "F": "stopped (停运)",
    "M": "maintenance (维护)",
    "S": "manual value (手工输入的设定值)",
    "D": "fault (故障)",
    "C": "calibration (校准)",
    "T": "over range (超测上限)",
    "B": "communication failure (通讯异常)",
}
VALID_FLAGS = frozenset({"N"})


@dataclass(frozen=True)
class Pollutant:
    code: str
    name: str
    name_zh: str
    unit: str  # unit of Rtd/Avg/Min/Max
    cou_unit: str | None  # unit of Cou (the period's total), where the standard gives one


# Units as data. The pollutant codes are HJ 212-2017 appendix B (B.1 气体类, B.2 烟气参数). The units are those
# the standard's code table gives for the Rtd/Avg values, as we read it; ASSUMPTIONS to be checked against the
# standard's text before production (and against each site's data acquisition unit configuration):
# - concentrations (a05001, a05002) in mg/m3 at standard conditions (273.15 K, 101.325 kPa), dry basis, as CEMS
#   report them after conversion (HJ 75-2017 §6); a site that sends CO2 in percent by volume is converted with
#   ``compute.percent_co2_to_mg_m3``;
# - flue-gas flow a00000 in m3/s (standard, dry) for Rtd/Avg, and m3 for Cou;
# - temperature in degrees Celsius, pressure in kPa (taken as the absolute flue-gas pressure; a DAU that sends
#   static gauge pressure must add the barometric pressure first), humidity and O2 in percent by volume.
# Cross-checked (not against the standard itself) with an independent data-acquisition vendor's HJ 212-2017 code
# table, lingkejia/bocon-operation-app src/lib/polcodeList17.js (commit 378d6a72): it agrees for a05001 (mg/m³,
# total kg), a00000 (m³/s, total m³), a01011 m/s, a01012 ℃, a01013 kPa, a01014 %, a01016 m², a19001 %. For a05002
# (CH4) it lists ng/m³ first (mg/m³ and g/m³ selectable) and g as the total's unit: a site's CH4 unit must be
# confirmed with its DAU configuration before its figures are used (a factor 10^6 apart; the range rule flags it).
POLLUTANTS: dict[str, Pollutant] = {p.code: p for p in (
    Pollutant("a05001", "CO2", "二氧化碳", "mg/m3", "kg"),
    Pollutant("a05002", "CH4", "甲烷", "mg/m3", "kg"),
    Pollutant("a00000", "flue_gas_flow", "废气(烟气流量)", "m3/s", "m3"),
    Pollutant("a01011", "velocity", "烟气流速", "m/s", None),
    Pollutant("a01012", "temperature", "烟气温度", "degC", None),
    Pollutant("a01013", "pressure", "烟气压力", "kPa", None),
    Pollutant("a01014", "humidity", "烟气湿度", "%", None),
    Pollutant("a01016", "duct_area", "烟道截面积", "m2", None),
    Pollutant("a19001", "O2", "氧气含量", "%", None),
)}

VALUE_FIELDS = ("Rtd", "Avg", "Min", "Max", "Cou", "ZsRtd", "ZsAvg", "ZsMin", "ZsMax")
HEADER_FIELDS = ("QN", "ST", "CN", "PW", "MN")  # required; Flag is optional (a version/ack bit field)
MAX_DATA_LENGTH = 1024  # HJ 212-2017 §6.3: the data segment is 0..1024 characters

_CODE = re.compile(r"^[A-Za-z0-9]{1,16}$")
_HEX4 = re.compile(r"[0-9A-Fa-f]{4}")


class ParseError(ValidationError):
    code = "hj212_parse_error"


@dataclass(frozen=True)
class Reading:
    code: str  # pollutant code, e.g. a05001
    values: dict[str, float]  # Rtd / Avg / Min / Max / Cou ... -> value
    flag: str | None  # N, F, M, S, D, C, T, B (None if the frame gives none)

    @property
    def valid(self) -> bool:
        return self.flag is None or self.flag in VALID_FLAGS

    def value(self, preferred: tuple[str, ...] = ("Avg", "Rtd")) -> float | None:
        for f in preferred:
            if f in self.values:
                return self.values[f]
        return None


@dataclass(frozen=True)
class Frame:
    qn: str
    st: str
    cn: str
    pw: str
    mn: str
    flag: str | None
    data_time: datetime  # tz-aware (the DAU's local time, Beijing by default)
    readings: dict[str, Reading] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        return CN_KINDS.get(self.cn, "other")


def crc16_bitwise(data: str | bytes) -> int:
    """The HJ 212-2017 CRC16 of ``data`` (the data segment), bit by bit as the standard writes it."""
    reg = 0xFFFF
    for byte in data.encode("ascii") if isinstance(data, str) else data:
        reg = (reg >> 8) ^ byte
        for _ in range(8):
            reg = (reg >> 1) ^ 0xA001 if reg & 1 else reg >> 1
    return reg


def _eight_steps(value: int) -> int:
    for _ in range(8):
        value = (value >> 1) ^ 0xA001 if value & 1 else value >> 1
    return value


# Table-driven form: the standard's ``reg = (reg >> 8) ^ byte`` leaves an 8-bit value (the low byte of the register
# is dropped), and the 8 shift/XOR steps of an 8-bit value are a table lookup, so ``reg = T[(reg >> 8) ^ byte]``.
_TABLE = tuple(_eight_steps(i) for i in range(256))


def crc16(data: str | bytes) -> int:
    """The HJ 212-2017 CRC16 of ``data`` (the data segment); equal to ``crc16_bitwise``, one lookup per byte."""
    reg = 0xFFFF
    table = _TABLE
    for byte in data.encode("ascii") if isinstance(data, str) else data:
        reg = table[(reg >> 8) ^ byte]
    return reg


# Many CRCs at once (numpy). The register after a byte is ``T[x]`` and only its high byte reaches the next step, so
# the state is the 8-bit ``x_n = (T[x_(n-1)] >> 8) ^ byte_n`` (``x_1 = 0xFF ^ byte_1``) and the CRC is ``T[x_N]``.
# ``L(x) = T[x] >> 8`` is linear over GF(2) (a CRC table without initial value is), hence
# ``x_N = XOR over n of L^(N-n)(byte_n)`` (``byte_1`` XOR 0xFF): one lookup in the table of the powers of L per byte,
# then an XOR per segment, all done by numpy for a whole batch of segments.
_BATCH = 8192  # segments per numpy pass (bounds the temporary arrays to a few MB)
_powers_of_l = None  # (MAX_DATA_LENGTH, 256) uint8: row k is L^k, built on first use


def _powers():
    global _powers_of_l
    if _powers_of_l is None:
        import numpy as np

        step = np.array([t >> 8 for t in _TABLE], dtype=np.uint8)
        rows = [np.arange(256, dtype=np.uint8)]
        for _ in range(MAX_DATA_LENGTH - 1):
            rows.append(step[rows[-1]])
        _powers_of_l = np.stack(rows)
    return _powers_of_l


def crc16_many(segments: list[str]) -> list[int | None]:
    """``crc16`` of each data segment, computed together; ``None`` for a segment this does not compute (longer
    than ``MAX_DATA_LENGTH``, which the frame checks refuse before the CRC, or not ASCII: ``crc16`` raises)."""
    import numpy as np

    out: list[int | None] = [None] * len(segments)
    todo: list[int] = []
    for i, s in enumerate(segments):
        if not s:
            out[i] = 0xFFFF
        elif len(s) <= MAX_DATA_LENGTH and s.isascii():
            todo.append(i)
    if not todo:
        return out
    powers, table = _powers(), np.array(_TABLE, dtype=np.uint16)
    for first in range(0, len(todo), _BATCH):
        batch = todo[first:first + _BATCH]
        buf = np.frombuffer("".join([segments[i] for i in batch]).encode("ascii"), dtype=np.uint8).copy()
        lengths = np.array([len(segments[i]) for i in batch], dtype=np.int64)
        ends = np.cumsum(lengths)
        starts = ends - lengths
        buf[starts] ^= 0xFF  # the register starts at 0xFFFF
        from_end = np.repeat(ends - 1, lengths) - np.arange(len(buf), dtype=np.int64)
        x = np.bitwise_xor.reduceat(powers[from_end, buf], starts)
        for i, crc in zip(batch, table[x].tolist(), strict=True):
            out[i] = crc
    return out


def build_frame(data: str) -> str:
    """``##`` + length + data + CRC + CRLF: the frame a data acquisition unit would send for ``data``."""
    return f"##{len(data):04d}{data}{crc16(data):04X}\r\n"


def parse_frame(text: str, *, tz: timezone = BEIJING, check_crc: bool = True) -> Frame:
    """One frame, with or without its trailing CRLF. Raises ``ParseError`` naming the problem."""
    return _frame(*_scan(_data_segment(_raw(text), check_crc), tz))


def _raw(text: str) -> str:
    return text[:-2] if text.endswith("\r\n") else text.rstrip("\r\n")


def _data_segment(raw: str, check_crc: bool, crc: int | None = None) -> str:
    """The data segment of a frame without its CRLF, after the checks of length and CRC (``crc``: the data
    segment's CRC if already computed)."""
    if not raw.startswith("##"):
        raise ParseError(key="monitoring_frame_no_header", field="header")
    if len(raw) < 2 + 4 + 4:
        raise ParseError(key="monitoring_frame_too_short", params={"length": len(raw)}, field="length")
    length_text = raw[2:6]
    if not length_text.isdigit():
        raise ParseError(key="monitoring_length_not_digits", params={"length": length_text}, field="length")
    declared = int(length_text)
    data, crc_text = raw[6:-4], raw[-4:]
    if declared > MAX_DATA_LENGTH:
        raise ParseError(key="monitoring_length_too_large", params={"length": declared, "limit": MAX_DATA_LENGTH},
                         field="length")
    if len(data) != declared:
        raise ParseError(key="monitoring_length_mismatch", params={"declared": declared, "actual": len(data)},
                         field="length")
    if not _HEX4.fullmatch(crc_text):
        raise ParseError(key="monitoring_crc_not_hex", params={"crc": crc_text}, field="crc")
    if check_crc:
        expected = crc16(data) if crc is None else crc
        if int(crc_text, 16) != expected:
            raise ParseError(key="monitoring_crc_mismatch", params={"crc": crc_text.upper(), "expected": expected},
                             field="crc")
    return data


def parse_data(data: str, *, tz: timezone = BEIJING) -> Frame:
    """The data segment ``QN=...;...;CP=&&...&&``."""
    return _frame(*_scan(data, tz))


def _frame(header: dict[str, str], data_time: datetime, readings: dict[str, list]) -> Frame:
    return Frame(qn=header["QN"], st=header["ST"], cn=header["CN"], pw=header["PW"], mn=header["MN"],
                 flag=header.get("Flag"), data_time=data_time,
                 readings={c: Reading(c, values, flag) for c, (values, flag) in readings.items()})


Scan = tuple[dict[str, str], datetime, dict[str, list]]  # header fields, DataTime, code -> [values, flag]

# The fast path: the usual frame (header fields in the standard's order, every CP item ``code-Field=value`` or
# ``DataTime=...``) read by two regular expressions. Anything else, and any error, goes to ``_scan_strict``, the
# reference reading, which also writes the error reports; the fast path returns only what that one would.
_FAST_SEGMENT = re.compile(r"QN=([^;=]+);ST=([^;=]+);CN=([0-9]{4});PW=([^;=]+);MN=([^;=]+);(?:Flag=([0-9]+);)?"
                           r"CP=&&(.*)&&")
_CP_ITEM = r"(?:[A-Za-z0-9]{1,16}-[^-=;,]*|DataTime)=[^;,]*"
_FAST_CP = re.compile(rf"{_CP_ITEM}(?:[;,]{_CP_ITEM})*;?")
_CP_TOKEN = re.compile(r"(?:([A-Za-z0-9]{1,16})-([^-=;,]*)|DataTime)=([^;,]*)")
_VALUE_FIELDS = frozenset(VALUE_FIELDS)


def _scan(data: str, tz: timezone) -> Scan:
    m = _FAST_SEGMENT.fullmatch(data)
    if m is None or not _FAST_CP.fullmatch(m[7]):
        return _scan_strict(data, tz)
    data_time = None
    readings: dict[str, list] = {}
    for code, name, value in _CP_TOKEN.findall(m[7]):
        if not code:  # DataTime
            try:
                data_time = _time(value, tz)
            except ParseError:
                return _scan_strict(data, tz)
            continue
        r = readings.get(code)
        if r is None:
            r = readings[code] = [{}, None]
        if name == "Flag":
            if value not in FLAGS:
                return _scan_strict(data, tz)
            r[1] = value
        elif name in _VALUE_FIELDS:
            try:
                number = float(value)
            except ValueError:
                return _scan_strict(data, tz)
            if number - number != 0.0:  # inf or nan
                return _scan_strict(data, tz)
            r[0][name] = number
    if data_time is None:
        return _scan_strict(data, tz)
    header = {"QN": m[1], "ST": m[2], "CN": m[3], "PW": m[4], "MN": m[5]}
    if m[6] is not None:
        header["Flag"] = m[6]
    return header, data_time, readings


def scan_lines(texts: list[str], *, tz: timezone = BEIJING) -> list[Scan | ParseError]:
    """Frames (each with or without its CRLF) read together, CRCs computed in one batch: for each, its ``Scan``
    (what ``parse_frame`` puts in a ``Frame``) or the ``ParseError`` that ``parse_frame`` would raise."""
    raws = [_raw(t) for t in texts]
    crcs = crc16_many([r[6:-4] for r in raws])
    out: list[Scan | ParseError] = []
    for raw, crc in zip(raws, crcs, strict=True):
        try:
            out.append(_scan(_data_segment(raw, True, crc), tz))
        except ParseError as exc:
            out.append(exc)
    return out


def _scan_strict(data: str, tz: timezone) -> Scan:
    start = data.find("CP=&&")
    if start < 0:
        raise ParseError(key="monitoring_cp_missing", field="CP")
    if not data.endswith("&&") or len(data) < start + len("CP=&&") + 2:
        raise ParseError(key="monitoring_cp_not_closed", field="CP")
    header_text, cp = data[:start], data[start + len("CP=&&"):-2]
    header: dict[str, str] = {}
    for part in header_text.split(";"):
        if not part:
            continue
        key, sep, value = part.partition("=")
        if not sep:
            raise ParseError(key="monitoring_header_no_equals", params={"part": part}, field="header")
        if key in header:
            raise ParseError(key="monitoring_header_twice", params={"name": key}, field=key)
        header[key] = value
    missing = [k for k in HEADER_FIELDS if not header.get(k)]
    if missing:
        raise ParseError(key="monitoring_fields_missing", params={"fields": ", ".join(missing)}, field=missing[0])
    if not header["CN"].isdigit() or len(header["CN"]) != 4:
        raise ParseError(key="monitoring_cn_not_code", params={"cn": header["CN"]}, field="CN")
    flag = header.get("Flag")
    if flag is not None and not flag.isdigit():
        raise ParseError(key="monitoring_flag_not_number", params={"flag": flag}, field="Flag")
    data_time: datetime | None = None
    readings: dict[str, list] = {}
    for group in cp.split(";"):
        if not group:
            continue
        for item in group.split(","):
            key, sep, value = item.partition("=")
            if not sep:
                raise ParseError(key="monitoring_cp_item_no_equals", params={"item": item}, field="CP")
            if key == "DataTime":
                data_time = _time(value, tz)
                continue
            code, dash, name = key.rpartition("-")
            if not dash or not _CODE.match(code):
                raise ParseError(key="monitoring_cp_item_not_code_field", params={"item": key}, field="CP")
            r = readings.setdefault(code, [{}, None])
            if name == "Flag":
                if value not in FLAGS:
                    raise ParseError(key="monitoring_unknown_flag", params={"flag": value, "code": code,
                                                                           "known": ", ".join(FLAGS)},
                                     field=f"{code}-Flag")
                r[1] = value
            elif name in VALUE_FIELDS:
                try:
                    number = float(value)
                except ValueError:
                    raise ParseError(key="monitoring_value_not_number", params={"item": key, "value": value},
                                     field=key) from None
                if number != number or number in (float("inf"), float("-inf")):
                    raise ParseError(key="monitoring_value_not_finite", params={"item": key, "value": value}, field=key)
                r[0][name] = number
            # other fields (e.g. -SampleTime, -EFlag, -Ala) are ignored: not needed for emissions
    if data_time is None:
        raise ParseError(key="monitoring_datatime_missing", field="DataTime")
    return header, data_time, readings


_TIMES: dict[tuple[str, timezone], datetime] = {}  # DataTime text -> datetime: frames of many stacks share hours


def _time(value: str, tz: timezone) -> datetime:
    t = _TIMES.get((value, tz))
    if t is None:
        t = _read_time(value, tz)
        if len(_TIMES) >= 100_000:
            _TIMES.clear()
        _TIMES[(value, tz)] = t
    return t


def _read_time(value: str, tz: timezone) -> datetime:
    if not (len(value) == 14 and value.isdigit()):
        raise ParseError(key="monitoring_datatime_format", params={"value": value}, field="DataTime")
    try:
        return datetime(int(value[0:4]), int(value[4:6]), int(value[6:8]), int(value[8:10]), int(value[10:12]),
                        int(value[12:14]), tzinfo=tz)
    except ValueError:
        raise ParseError(key="monitoring_datatime_invalid", params={"value": value}, field="DataTime") from None


@dataclass
class Parsed:
    frames: list[tuple[int, Frame]]  # (line number, frame)
    errors: list[tuple[int, str]]  # (line number, message)


def parse_lines(text: str, *, tz: timezone = BEIJING) -> Parsed:
    """Frames one per line (a DAU log or a file of frames); blank lines skipped, bad lines reported, not fatal."""
    out = Parsed([], [])
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        try:
            out.frames.append((number, parse_frame(line, tz=tz)))
        except ParseError as exc:
            out.errors.append((number, exc.message))
    return out
