"""Ingest through the batch path (``hj212.scan_lines``) stores and reports exactly what the strict per-frame path
(``hj212.parse_frame`` frame by frame, the reference reading) gives, on a mix of good and bad frames."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from carbon.core.db import session_scope
from carbon.ets import service as ets
from carbon.monitoring import hj212, service
from carbon.monitoring.hj212 import BEIJING, build_frame
from carbon.monitoring.models import Hourly
from tests.ets.helpers import EMITTER_A

START = datetime(2024, 1, 31, 20, 0, tzinfo=UTC)


def frame(mn: str, when: datetime, cp: str, cn: str = "2061", header: str | None = None) -> str:
    t = when.astimezone(BEIJING)
    head = header if header is not None else f"QN={t:%Y%m%d%H%M%S}000;ST=31;CN={cn};PW=123456;MN={mn};Flag=4"
    return build_frame(f"{head};CP=&&DataTime={t:%Y%m%d%H%M%S};{cp}&&")


def mixed_frames() -> list[str]:
    good = "a05001-Avg=250000.5,a05001-Flag=N;a00000-Avg=500.25,a00000-Cou=1800900,a00000-Flag=M;a01014-Avg=8.0"
    frames = [frame("MN-1", START + timedelta(hours=i), good) for i in range(6)]
    frames += [
        frames[1][:-6] + "0000\r\n",  # bad CRC
        frame("MN-1", START + timedelta(hours=6), "a05001-Avg=1.0,a05001-Flag=Z"),  # invalid flag
        frame("MN-1", START, "a05001-Avg=1.0", header="QN=1;ST=31;CN=2061;MN=MN-1"),  # PW missing
        frame("MN-1", START + timedelta(hours=7), "a05001-Flag=N"),  # a flag, no value: nothing stored
        build_frame("QN=1;ST=31;CN=2061;PW=1;MN=MN-1;CP=&&a05001-Avg=1.0&&"),  # DataTime missing
        frame("MN-1", START + timedelta(hours=8), "a05001-Rtd=3.5,a05001-Flag=N;a05002-Min=1.0;x99-Avg=1"),  # Rtd only
        frame("MN-1", START + timedelta(hours=9, minutes=30), "a05001-Avg=1.0"),  # not on the hour
        frame("MN-1", START, "a05001-Rtd=1.0", cn="2011"),  # real-time data: skipped
        frame("MN-X", START, good),  # unknown MN
        frames[0],  # sent twice in one request
        frame("MN-1", START + timedelta(hours=10), "a05001-Avg=2.0;a05001-Avg=3.0;a19001-Avg=-0.0,a19001-Flag=N"),
        "",
        "##00",
    ]
    return frames


def strict_expectation(frames: list[str], stacks: dict[str, int]) -> tuple[set, list, list, int]:
    """What ingest stores and reports, computed frame by frame with ``parse_frame`` (the rules of service._ingest)."""
    rows, errors, skipped, hourly = {}, [], [], 0
    for number, line in enumerate(frames, start=1):
        try:
            f = hj212.parse_frame(line)
        except hj212.ParseError as exc:
            errors.append({"line": number, "message": exc.message, "field": exc.field})
            continue
        if f.mn not in stacks:
            errors.append({"line": number, "message": f"unknown MN {f.mn}: register the stack first", "field": "MN"})
            continue
        if f.cn != service.HOURLY_CN:
            skipped.append({"line": number, "reason": f"CN={f.cn} ({f.kind}): only hourly data (CN=2061) is stored"})
            continue
        hour = f.data_time.astimezone(UTC)
        if hour.minute or hour.second:
            errors.append({"line": number, "message": f"hourly DataTime {f.data_time:%Y%m%d%H%M%S} is not on the hour",
                           "field": "DataTime"})
            continue
        hourly += 1
        for code, reading in f.readings.items():
            if code in hj212.POLLUTANTS and reading.value() is not None:
                rows.setdefault((stacks[f.mn], hour, code), (reading.value(), reading.flag))  # the first value stays
    return {(*k, *v) for k, v in rows.items()}, errors, skipped, hourly


def test_batch_ingest_equals_the_strict_per_frame_path(engine):
    with session_scope(engine) as s:
        ets.create_emitter(s, uscc=EMITTER_A, name="鄂尔多斯甲电厂", region="东胜区", actor="test")
        stacks = {"MN-1": service.register_stack(s, uscc=EMITTER_A, code="1#", mn="MN-1").id}
    frames = mixed_frames()
    expected_rows, errors, skipped, hourly = strict_expectation(frames, stacks)
    assert len(errors) >= 7 and skipped and len(expected_rows) >= 18  # the mix has every kind
    with session_scope(engine) as s:
        r = service.ingest_frames(s, frames=frames)
    assert r.errors == errors and r.skipped == skipped
    assert (r.frames, r.hourly_frames, r.stored) == (len(frames), hourly, len(expected_rows))
    assert r.duplicates == r.records - r.stored
    with session_scope(engine) as s:
        stored = {(h.stack_id, h.hour.astimezone(UTC), h.pollutant, h.value, h.flag)
                  for h in s.scalars(select(Hourly))}
        again = service.ingest_frames(s, frames=frames)  # idempotent per record
    assert stored == expected_rows
    assert again.stored == 0 and again.as_dict() | {"stored": 0, "duplicates": 0} == \
        r.as_dict() | {"stored": 0, "duplicates": 0}
