"""HJ 212-2017 frames: CRC against published frames, good frames, and each kind of error."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from carbon.monitoring.hj212 import ParseError, build_frame, crc16, crc16_bitwise, parse_frame, parse_lines

# Frames published with their CRC by two independent HJ 212 implementations (a Java socket test client and a
# Java CRC checker); our CRC16 must reproduce them. The second one's declared length (0223) does not match its
# data segment (217 characters) as published, so it only checks the CRC.
PUBLISHED = "##0114QN=20170831094525902;ST=22;CN=2011;PW=123456;MN=ZBLW00000197;CP=&&DataTime=20170831094525;" \
            "40-Rtd=58.0,40-Flag=N;&&7340"
PUBLISHED_2_DATA = ("ST=22;CN=2011;PW=123456;MN=C037800AM2011;CP=&&DataTime=20180328235000;SO2-Rtd=19.0,SO2-Flag=N;"
                    "NO2-Rtd=25.0,NO2-Flag=N;CO-Rtd=0.687,CO-Flag=N;O3-Rtd=76.0,O3-Flag=N;PM25-Rtd=75.0,"
                    "PM25-Flag=N;PM10-Rtd=374.0,PM10-Flag=N&&")

HOURLY = ("QN=20240101010000000;ST=31;CN=2061;PW=123456;MN=OS-STACK-001;Flag=4;CP=&&DataTime=20240101090000;"
          "a05001-Avg=250000.0,a05001-Min=248000,a05001-Max=252000,a05001-Flag=N;"
          "a00000-Avg=500.0,a00000-Cou=1800000,a00000-Flag=N;a01014-Avg=8.5,a01014-Flag=N;a19001-Avg=6.1,a19001-Flag=C&&")


def test_crc_matches_published_frames():
    assert crc16(PUBLISHED[6:-4]) == 0x7340
    assert crc16(PUBLISHED_2_DATA) == 0x4380
    assert crc16("") == 0xFFFF


@pytest.mark.parametrize("data", ["", "A", PUBLISHED_2_DATA, HOURLY, "".join(chr(i) for i in range(128))])
def test_table_crc_equals_the_standards_bitwise_algorithm(data):
    assert crc16(data) == crc16_bitwise(data)


def test_published_frame_parses():
    f = parse_frame(PUBLISHED + "\r\n")
    assert (f.qn, f.st, f.cn, f.mn, f.kind) == ("20170831094525902", "22", "2011", "ZBLW00000197", "realtime")
    assert f.readings["40"].values == {"Rtd": 58.0}


def test_good_hourly_frame():
    frame = build_frame(HOURLY)
    assert frame.startswith(f"##{len(HOURLY):04d}QN=") and frame.endswith("\r\n")
    f = parse_frame(frame)
    assert f.kind == "hourly" and f.flag == "4" and f.pw == "123456"
    assert f.data_time.astimezone(UTC) == datetime(2024, 1, 1, 1, 0, tzinfo=UTC)  # 09:00 Beijing
    co2 = f.readings["a05001"]
    assert co2.values == {"Avg": 250000.0, "Min": 248000.0, "Max": 252000.0} and co2.flag == "N" and co2.valid
    assert f.readings["a00000"].value() == 500.0
    assert not f.readings["a19001"].valid  # C = calibration


def test_bad_crc():
    frame = build_frame(HOURLY)
    broken = frame[:-6] + ("0000" if frame[-6:-2] != "0000" else "0001") + "\r\n"
    with pytest.raises(ParseError, match="bad CRC") as e:
        parse_frame(broken)
    assert e.value.field == "crc"
    tampered = frame.replace("250000.0", "150000.0")  # same length, CRC no longer matches
    with pytest.raises(ParseError, match="bad CRC"):
        parse_frame(tampered)


@pytest.mark.parametrize("mutate, message", [
    (lambda f: "##0999" + f[6:], "bad length: header says 999"),
    (lambda f: "##01x0" + f[6:], "not 4 decimal digits"),
    (lambda f: "##2000" + f[6:], "exceeds 1024"),
    (lambda f: f[2:], "must start with '##'"),
    (lambda f: "##00", "too short"),
])
def test_bad_length_and_header(mutate, message):
    with pytest.raises(ParseError, match=message):
        parse_frame(mutate(build_frame(HOURLY)))


@pytest.mark.parametrize("data, message, field", [
    (HOURLY.replace("MN=OS-STACK-001;", ""), "missing field.*MN", "MN"),
    (HOURLY.replace("QN=20240101010000000;", "").replace("PW=123456;", ""), r"missing field\(s\): QN, PW", "QN"),
    (HOURLY.replace("DataTime=20240101090000;", ""), "missing field DataTime", "DataTime"),
    (HOURLY.replace("CP=&&", "CP="), "missing field CP", "CP"),
    (HOURLY[:-2], "not closed", "CP"),
    (HOURLY.replace("DataTime=20240101090000", "DataTime=20241301090000"), "not a valid date", "DataTime"),
    (HOURLY.replace("a05001-Avg=250000.0", "a05001-Avg=abc"), "not a number", "a05001-Avg"),
    (HOURLY.replace("CN=2061", "CN=61"), "4-digit command code", "CN"),
])
def test_missing_or_malformed_fields(data, message, field):
    with pytest.raises(ParseError, match=message) as e:
        parse_frame(build_frame(data))
    assert e.value.field == field


@pytest.mark.parametrize("flag", ["X", "n", ""])
def test_unknown_flags(flag):
    with pytest.raises(ParseError, match=f"unknown flag '{flag}' for a05001") as e:
        parse_frame(build_frame(HOURLY.replace("a05001-Flag=N", f"a05001-Flag={flag}")))
    assert e.value.field == "a05001-Flag"


@pytest.mark.parametrize("flag", list("NFMSDCTB"))
def test_known_flags(flag):
    f = parse_frame(build_frame(HOURLY.replace("a05001-Flag=N", f"a05001-Flag={flag}")))
    assert f.readings["a05001"].flag == flag and f.readings["a05001"].valid == (flag == "N")


def test_parse_lines_reports_bad_lines_and_keeps_good_ones():
    good = build_frame(HOURLY).strip()
    text = f"{good}\n\n{good[:-4]}0000\n{good}\n"
    out = parse_lines(text)
    assert [n for n, _ in out.frames] == [1, 4]
    assert len(out.errors) == 1 and out.errors[0][0] == 3 and "bad CRC" in out.errors[0][1]
