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


def build_frame(data: str) -> str:
    """``##`` + length + data + CRC + CRLF: the frame a data acquisition unit would send for ``data``."""
    return f"##{len(data):04d}{data}{crc16(data):04X}\r\n"


def parse_frame(text: str, *, tz: timezone = BEIJING, check_crc: bool = True) -> Frame:
    """One frame, with or without its trailing CRLF. Raises ``ParseError`` naming the problem."""
    raw = text[:-2] if text.endswith("\r\n") else text.rstrip("\r\n")
    if not raw.startswith("##"):
        raise ParseError("frame must start with '##'", field="header")
    if len(raw) < 2 + 4 + 4:
        raise ParseError(f"frame too short ({len(raw)} characters)", field="length")
    length_text = raw[2:6]
    if not length_text.isdigit():
        raise ParseError(f"data length {length_text!r} is not 4 decimal digits", field="length")
    declared = int(length_text)
    data, crc_text = raw[6:-4], raw[-4:]
    if declared > MAX_DATA_LENGTH:
        raise ParseError(f"data length {declared} exceeds {MAX_DATA_LENGTH}", field="length")
    if len(data) != declared:
        raise ParseError(f"bad length: header says {declared} characters, data segment has {len(data)}",
                         field="length")
    if not re.fullmatch(r"[0-9A-Fa-f]{4}", crc_text):
        raise ParseError(f"CRC {crc_text!r} is not 4 hex digits", field="crc")
    if check_crc:
        expected = crc16(data)
        if int(crc_text, 16) != expected:
            raise ParseError(f"bad CRC: frame says {crc_text.upper()}, data segment gives {expected:04X}",
                             field="crc")
    return parse_data(data, tz=tz)


def parse_data(data: str, *, tz: timezone = BEIJING) -> Frame:
    """The data segment ``QN=...;...;CP=&&...&&``."""
    start = data.find("CP=&&")
    if start < 0:
        raise ParseError("missing field CP (expected 'CP=&&...&&')", field="CP")
    if not data.endswith("&&") or len(data) < start + len("CP=&&") + 2:
        raise ParseError("CP is not closed with '&&'", field="CP")
    header_text, cp = data[:start], data[start + len("CP=&&"):-2]
    header: dict[str, str] = {}
    for part in header_text.split(";"):
        if not part:
            continue
        key, sep, value = part.partition("=")
        if not sep:
            raise ParseError(f"header field {part!r} has no '='", field="header")
        if key in header:
            raise ParseError(f"header field {key} given twice", field=key)
        header[key] = value
    missing = [k for k in HEADER_FIELDS if not header.get(k)]
    if missing:
        raise ParseError(f"missing field(s): {', '.join(missing)}", field=missing[0])
    if not header["CN"].isdigit() or len(header["CN"]) != 4:
        raise ParseError(f"CN {header['CN']!r} is not a 4-digit command code", field="CN")
    flag = header.get("Flag")
    if flag is not None and not flag.isdigit():
        raise ParseError(f"Flag {flag!r} is not a number", field="Flag")
    data_time: datetime | None = None
    readings: dict[str, dict] = {}
    for group in cp.split(";"):
        if not group:
            continue
        for item in group.split(","):
            key, sep, value = item.partition("=")
            if not sep:
                raise ParseError(f"CP item {item!r} has no '='", field="CP")
            if key == "DataTime":
                data_time = _time(value, tz)
                continue
            code, dash, name = key.rpartition("-")
            if not dash or not _CODE.match(code):
                raise ParseError(f"CP item {key!r} is not 'code-Field'", field="CP")
            r = readings.setdefault(code, {"values": {}, "flag": None})
            if name == "Flag":
                if value not in FLAGS:
                    raise ParseError(f"unknown flag {value!r} for {code} (known: {', '.join(FLAGS)})",
                                     field=f"{code}-Flag")
                r["flag"] = value
            elif name in VALUE_FIELDS:
                try:
                    number = float(value)
                except ValueError:
                    raise ParseError(f"{key} value {value!r} is not a number", field=key) from None
                if number != number or number in (float("inf"), float("-inf")):
                    raise ParseError(f"{key} value {value!r} is not finite", field=key)
                r["values"][name] = number
            # other fields (e.g. -SampleTime, -EFlag, -Ala) are ignored: not needed for emissions
    if data_time is None:
        raise ParseError("missing field DataTime in CP", field="DataTime")
    return Frame(qn=header["QN"], st=header["ST"], cn=header["CN"], pw=header["PW"], mn=header["MN"],
                 flag=flag, data_time=data_time,
                 readings={c: Reading(c, r["values"], r["flag"]) for c, r in readings.items()})


def _time(value: str, tz: timezone) -> datetime:
    if not (len(value) == 14 and value.isdigit()):
        raise ParseError(f"DataTime {value!r} is not YYYYMMDDhhmmss", field="DataTime")
    try:
        return datetime(int(value[0:4]), int(value[4:6]), int(value[6:8]), int(value[8:10]), int(value[10:12]),
                        int(value[12:14]), tzinfo=tz)
    except ValueError:
        raise ParseError(f"DataTime {value!r} is not a valid date and time", field="DataTime") from None


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
