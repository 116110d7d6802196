"""The fast paths of the HJ 212 parser give what the reference reading gives: the batch CRC equals the standard's
bitwise CRC, the regular-expression scan of a data segment equals ``_scan_strict`` (result or error), and
``scan_lines`` equals ``parse_frame`` frame by frame, on good frames and on thousands of mutated ones."""

from __future__ import annotations

import random

import pytest

from carbon.monitoring import hj212
from carbon.monitoring.hj212 import BEIJING, ParseError, build_frame, crc16_bitwise, crc16_many, parse_frame, scan_lines

HOURLY = ("QN=20240101010000000;ST=31;CN=2061;PW=123456;MN=OS-STACK-001;Flag=4;CP=&&DataTime=20240101090000;"
          "a05001-Avg=250000.0,a05001-Min=248000,a05001-Max=252000,a05001-Flag=N;"
          "a00000-Avg=500.0,a00000-Cou=1800000,a00000-Flag=N;a01014-Avg=8.5,a01014-Flag=N;a19001-Avg=6.1,a19001-Flag=C&&")
REALTIME = ("QN=20170831094525902;ST=22;CN=2011;PW=123456;MN=ZBLW00000197;CP=&&DataTime=20170831094525;"
            "40-Rtd=58.0,40-Flag=N;&&")
# characters and pieces the grammar turns on, for the mutations
PIECES = [";", ",", "=", "-", "&&", "&", "CP=&&", "DataTime=", "Flag=", "-Flag=", "-Avg=", "-Rtd=", "MN=", "QN=",
          "N", "X", "0", "9", "a", "é", "٣", " ", "\n", "nan", "inf", "1e3", "-Avg=1,", ";;", "a05001", "2061"]


def outcome(call):
    try:
        return "ok", call()
    except ParseError as exc:
        return "error", exc.key, exc.params, exc.field, exc.message


def mutate(text: str, rng: random.Random) -> str:
    for _ in range(rng.randint(1, 3)):
        i = rng.randrange(len(text) + 1) if rng.random() < 0.8 else max(len(text) - 2, 0)  # often at the end of CP
        kind = rng.random()
        if kind < 0.4:
            text = text[:i] + rng.choice(PIECES) + text[i:]
        elif kind < 0.8:
            text = text[:i] + text[i + rng.randint(1, 4):]
        else:
            j = rng.randrange(len(text) + 1)
            text = text[:i] + text[j:j + 5] + text[i:]
    return text


def test_batch_crc_equals_the_standards_bitwise_algorithm():
    rng = random.Random(16)
    segments = ["", "A", HOURLY, REALTIME, "".join(chr(i) for i in range(128)), "é", "x" * 1024, "x" * 1025]
    segments += ["".join(chr(rng.randrange(128)) for _ in range(rng.choice([1, 2, 7, 255, 256, 1023, 1024])))
                 for _ in range(300)]
    got = crc16_many(segments)
    for s, crc in zip(segments, got, strict=True):
        if len(s) > hj212.MAX_DATA_LENGTH or not s.isascii():
            assert crc is None  # not computed: the frame checks refuse it first, or crc16 raises
        else:
            assert crc == crc16_bitwise(s), s


@pytest.mark.parametrize("seed", range(4))
def test_fast_scan_equals_the_strict_reading(seed):
    rng = random.Random(seed)
    fast = 0
    for _ in range(2500):
        data = mutate(rng.choice([HOURLY, REALTIME]), rng)
        expected = outcome(lambda: hj212._scan_strict(data, BEIJING))
        assert outcome(lambda: hj212._scan(data, BEIJING)) == expected, data
        fast += hj212._FAST_SEGMENT.fullmatch(data) is not None and expected[0] == "ok"
    assert fast > 100  # the fast path was taken, not only the fallback


def test_scan_lines_equals_parse_frame():
    rng = random.Random(7)
    lines = [build_frame(HOURLY), build_frame(REALTIME).strip(), "", "##00", build_frame(HOURLY)[:-6] + "0000\r\n"]
    while len(lines) < 1500:
        data = mutate(HOURLY, rng)
        frame = mutate(build_frame(HOURLY), rng) if rng.random() < 0.3 else build_frame(data) if data.isascii() else ""
        if frame.isascii():  # crc16 of a non-ASCII segment raises (as before), build_frame too
            lines.append(frame)
    for line, scan in zip(lines, scan_lines(lines), strict=True):
        expected = outcome(lambda: parse_frame(line))
        if isinstance(scan, ParseError):
            assert expected == ("error", scan.key, scan.params, scan.field, scan.message), line
        else:
            assert expected == ("ok", hj212._frame(*scan)), line
