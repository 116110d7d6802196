"""Monitoring errors in Chinese by default, in their former English under Accept-Language: en / CARBON_LANG=en
(issue 19, point 5): the machine ``code`` and ``field`` do not change."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from carbon.monitoring.hj212 import ParseError, build_frame, parse_frame
from tests.ets.helpers import EMITTER_A
from tests.monitoring.test_ingest import dau_headers, stacks  # noqa: F401  (fixtures)

API = "/api/v1"
EN = {"Accept-Language": "en"}
DATA = "QN=1;ST=31;CN=2061;PW=1;MN=MN-A-1;CP=&&DataTime=20240201000000;a05001-Avg=1.0&&"


def test_a_bad_crc_in_both_languages():
    frame = build_frame(DATA).strip()
    bad = frame[:-4] + "0000"
    with pytest.raises(ParseError) as exc:
        parse_frame(bad)
    expected = frame[-4:].upper()
    assert (exc.value.code, exc.value.field) == ("hj212_parse_error", "crc")
    assert exc.value.message == f"bad CRC: frame says 0000, data segment gives {expected}"
    assert exc.value.text("zh") == f"CRC 校验失败: 数据帧中为 0000, 按数据段计算为 {expected}"


def test_an_unknown_flag_in_both_languages():
    with pytest.raises(ParseError) as exc:
        parse_frame(build_frame(DATA.replace("a05001-Avg=1.0", "a05001-Avg=1.0,a05001-Flag=Q")))
    assert exc.value.field == "a05001-Flag"
    assert exc.value.message.startswith("unknown flag 'Q' for a05001 (known: N, ")
    assert exc.value.text("zh").startswith("a05001 的数据标记 'Q' 未知 (已知: N, ")


def test_unknown_stack_and_naive_time_through_the_api(client, dau_headers):  # noqa: F811
    bureau = dau_headers["bureau"]
    params = {"start": "2024-02-01T00:00:00+08:00", "end": "2024-02-02T00:00:00+08:00"}
    zh = client.get(f"{API}/monitoring/stacks/MN-NOPE/emissions", params=params, headers=bureau)
    assert zh.status_code == 404
    assert zh.json()["error"] == {"code": "not_found", "field": "stack",
                                  "message": "没有排放口 'MN-NOPE' (请给出其 MN 或 统一社会信用代码:排放口编号)"}
    en = client.get(f"{API}/monitoring/stacks/MN-NOPE/emissions", params=params, headers={**bureau, **EN})
    assert en.json()["error"]["message"] == "no stack 'MN-NOPE' (give its MN or USCC:code)"
    naive = {**params, "start": "2024-02-01T00:00:00"}
    zh = client.get(f"{API}/monitoring/stacks/MN-A-1/emissions", params=naive, headers=bureau).json()["error"]
    assert (zh["code"], zh["field"]) == ("validation_error", "start")
    assert zh["message"] == "start 需要带 UTC 偏移, 例如 2024-01-01T00:00:00+08:00"
    en = client.get(f"{API}/monitoring/stacks/MN-A-1/emissions", params=naive, headers={**bureau, **EN}).json()["error"]
    assert en["message"] == "start needs a UTC offset, e.g. 2024-01-01T00:00:00+08:00"


def test_a_stack_registered_twice_through_the_api(client, dau_headers):  # noqa: F811
    bureau = dau_headers["bureau"]
    body = {"uscc": EMITTER_A, "code": "2#", "mn": "MN-A-1"}  # MN-A-1 is stack 1# already
    zh = client.post(f"{API}/monitoring/stacks", json=body, headers=bureau)
    assert zh.status_code == 409
    assert zh.json()["error"] == {"code": "conflict", "field": "mn", "message": "MN MN-A-1 已登记给一个排放口"}
    en = client.post(f"{API}/monitoring/stacks", json=body, headers={**bureau, **EN}).json()["error"]
    assert en["message"] == "MN MN-A-1 is already registered for a stack"


def test_the_cli_speaks_chinese_unless_told(monkeypatch):
    from carbon.cli import app

    args = ["monitoring", "emissions", "MN-A-1", "--start", "2024-02-01T00:00", "--end", "2024-02-02T00:00+08:00"]
    monkeypatch.delenv("CARBON_LANG", raising=False)
    zh = CliRunner().invoke(app, args)
    assert zh.exit_code == 2
    assert "--start 需要带 UTC 偏移, 例如 2024-01-01T00:00+08:00" in zh.output
    monkeypatch.setenv("CARBON_LANG", "en")
    en = CliRunner().invoke(app, args)
    assert en.exit_code == 2 and "--start needs a UTC offset, e.g. 2024-01-01T00:00+08:00" in en.output
    monkeypatch.delenv("CARBON_LANG")
    late = CliRunner().invoke(app, [*args[:3], "--start", "yesterday", "--end", args[-1]])
    assert late.exit_code == 2 and "--start 'yesterday' 不是 ISO 格式的日期/时间" in late.output
