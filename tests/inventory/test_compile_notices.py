"""`carbon compile`'s notices on a stderr that is a file or a pipe: one line per notice, never broken inside a word or
a number (rich broke them at 80 columns: "（原煤，34,258,2" / "64,191 t CO2）")."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LABELED = re.compile(r"^[^\s:：]+: \S")  # 填埋历史数据不足: ... / 跨领域核对: ...


def test_each_notice_is_one_line_on_a_piped_stderr(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("CARBON_LANG", "COLUMNS")}
    done = subprocess.run(
        [sys.executable, "-c", "from carbon.cli import app; app(prog_name='carbon')", "compile",
         "sample_data/ordos_2022_synthetic.csv", "--year", "2022", "--factors", "sample_data/ordos_local_factors.csv",
         "--out", str(tmp_path / "r.csv")],
        cwd=ROOT, capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) >= 5  # the sample gives landfill-history and cross-sector notices
    assert [line for line in lines if not LABELED.match(line)] == []
    assert any(len(line) > 80 for line in lines)  # long notices stayed whole


def test_what_compile_wrote_is_said_in_chinese_unless_english_is_asked(tmp_path):
    out = tmp_path / "r.csv"
    said = {}
    for lang in ("", "en"):
        env = {k: v for k, v in os.environ.items() if k != "CARBON_LANG"} | ({"CARBON_LANG": lang} if lang else {})
        done = subprocess.run(
            [sys.executable, "-c", "from carbon.cli import app; app(prog_name='carbon')", "compile",
             "sample_data/ordos_2022_synthetic.csv", "--year", "2022", "--factors",
             "sample_data/ordos_local_factors.csv", "--out", str(out)],
            cwd=ROOT, capture_output=True, text=True, env=env, timeout=300)
        assert done.returncode == 0, done.stderr
        said[lang] = done.stdout.strip().splitlines()[-1]
    rows = sum(1 for _ in out.open(encoding="utf-8-sig")) - 1
    assert said[""] == f"已写入 {rows} 行: {out}"
    assert said["en"] == f"wrote {rows} rows to {out}"
