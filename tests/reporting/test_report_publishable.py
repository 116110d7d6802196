"""Issue 19 point 6: a report the bureau can publish, checked on the PDF's text (``pdftotext -layout``, poppler-utils).

The store holds the bundled sample (2022, with economy data for 2020–2022) and two more synthetic inventories made
from it: 2021 (quantities × 0.95) and 2023 (× 1.04, a year without economy data). The 2022 report has a previous
year to compare with; the 2023 report has one too, but its intensity chapter has no economy data.
"""

from __future__ import annotations

import csv
import io
import re
import subprocess
from datetime import UTC, datetime

import pytest

from carbon.core import migrate
from carbon.core.db import make_engine, session_scope
from carbon.core.settings import get_settings
from carbon.factors import library as factor_library
from carbon.inventory import service as inventory_service
from carbon.inventory.calc.base import LINEAR_METHODS, SERIES_METHODS
from carbon.reporting import labels
from carbon.reporting import service as report_service
from carbon.sample import ACTIVITY, LOCAL_FACTORS, SAMPLE_DIR, load_sample

CJK = re.compile(r"[\u4e00-\u9fff]")
# English words the issue found in the text; a code that contains one (CN2011-OF-…-oxidation-msw@v1) is a code
ENGLISH = ("dimensionless", "oxidation", "combustion", "incineration")


def shifted_activity(to_year: int, scale: float) -> bytes:
    """The sample's activity moved to ``to_year`` with every quantity × ``scale``; the landfill history series
    (rows of earlier years) kept, ending at ``to_year``; the grid-electricity memo dropped (its factor is
    published for 2022 only)."""
    text = (SAMPLE_DIR / ACTIVITY).read_text(encoding="utf-8")
    rows = list(csv.DictReader(line for line in text.splitlines() if not line.startswith("#")))
    key = lambda r: (r["region"], r["category"], r["item"], r["facility"])  # noqa: E731
    series = {key(r) for r in rows if r["year"] != "2022"}
    out = []
    for r in rows:
        if r["category"] == "M.electricity":
            continue
        if key(r) in series:
            if r["year"] == "2022" and to_year < 2022:
                continue
            out.append(r)
            if r["year"] == "2022" and to_year > 2022:
                out.append({**r, "year": str(to_year)})
            continue
        try:
            quantity = f"{float(r['quantity']) * scale:.6g}"
        except ValueError:  # a notation key (NO, NE, …)
            quantity = r["quantity"]
        out.append({**r, "year": str(to_year), "quantity": quantity})
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(out)
    return buf.getvalue().encode("utf-8")


def _pdf_text(path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict:
    path = tmp_path_factory.mktemp("publishable")
    url = f"sqlite:///{path / 'report.db'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    out: dict = {}
    try:
        with session_scope(engine) as s:
            load_sample(s)
            for year, scale in ((2021, 0.95), (2023, 1.04)):
                inv = inventory_service.create_inventory(s, year=year, label=f"鄂尔多斯市 {year} (synthetic sample)")
                inventory_service.import_activity(s, inventory_id=inv.id, filename="activity.csv",
                                                  content=shifted_activity(year, scale))
                inventory_service.compile_inventory(s, inventory_id=inv.id,
                                                    local_factors=(SAMPLE_DIR / LOCAL_FACTORS).read_bytes())
        for year, names in ((2022, {"prepared_by": "张三", "reviewed_by": "李四"}), (2023, {})):
            with session_scope(engine) as s:
                rendered, context = report_service.render_inventory_report(s, year=year, draws=500, **names)
            pdf = path / f"ordos_{year}.pdf"
            pdf.write_bytes(rendered.pdf)
            out[year] = {"text": _pdf_text(pdf), "context": context, "pages": rendered.pages}
    finally:
        engine.dispose()
    return out


def _pages(text: str) -> list[str]:
    return text.split("\f")


def _chapter_text(text: str, title: str) -> str:
    """A chapter's text in the PDF: from its heading (a line of its own, after the 目录) to the next heading."""
    body = text
    starts = [m.start() for m in re.finditer(rf"^[一二三四五六七八九十]+、{title}\s*$", body, re.M)]
    assert starts, f"no chapter {title}"  # the 目录's line carries dots and a page number: it does not match
    start = starts[0]
    after = body.index("\n", start)  # past the heading's own line ("十一、…" must not end at its "一、…")
    nxt = re.search(r"^[一二三四五六七八九十]+、\S+\s*$|^附表：", body[after:], re.M)
    return body[start: after + (nxt.start() if nxt else len(body))]


def assert_publishable_text(text: str) -> None:
    """The text checks of the issue that hold for every report (also run on the old report by hand: it failed)."""
    assert "[check]" not in text
    for word in ENGLISH:
        found = re.findall(rf"(?<![\w\-@]){word}(?![\w\-@])", text)
        assert not found, word
    assert not re.search(r"[\w\-]+\.csv", text), re.search(r".{30}[\w\-]+\.csv.{10}", text).group(0)
    assert "北京时间" in text and "UTC+08:00" in text
    assert not re.search(r"UTC(?![+\-])", text)  # every time carries its offset; none is a bare UTC time
    compact = text.replace(" ", "")
    for label in ("编制单位", "编制人", "审核人", "批准人", "日期"):
        assert label in compact, label
    assert "目录" in text


@pytest.mark.parametrize("year", [2022, 2023])
def test_the_text_is_chinese_in_local_time_with_sign_off(reports, year):
    assert_publishable_text(reports[year]["text"])
    assert "鄂尔多斯市生态环境局（盖章）" in reports[year]["text"].replace(" ", "")


def test_the_sign_off_prints_the_names_given_and_blank_lines_otherwise(reports):
    lines_2022 = reports[2022]["text"].splitlines()
    assert any("编制人" in line and "张三" in line for line in lines_2022)
    assert any("审核人" in line and "李四" in line for line in lines_2022)
    assert any(line.split() == ["批准人"] for line in lines_2022)  # not given: a line to sign, no name
    lines_2023 = reports[2023]["text"].splitlines()
    assert any(line.split() == ["编制人"] for line in lines_2023)
    assert "张三" not in reports[2023]["text"]


@pytest.mark.parametrize("year", [2022, 2023])
def test_the_table_of_contents_gives_the_page_of_every_chapter(reports, year):
    text = reports[year]["text"]
    pages = _pages(text)
    toc_page = next(i for i, p in enumerate(pages) if re.search(r"^目录\s*$", p, re.M))
    entries = re.findall(r"^((?:[一二三四五六七八九十]+、|附表：|摘要)\S*?)\s*\.{3,}\s*(\d+)\s*$", pages[toc_page], re.M)
    titles = [t for t, _ in entries]
    assert titles[0] == "摘要" and titles[-1] == "附表：全市分类别排放"
    for needed in ("与上年比较", "碳排放强度与目标完成情况", "核查结果", "方法与排放因子来源"):
        assert any(t.endswith(needed) for t in titles), needed
    numbers = [int(n) for _, n in entries]
    assert numbers == sorted(numbers) and numbers[0] > toc_page + 1
    for title, number in zip(titles, numbers):  # the page the 目录 names is the page the heading is on
        page = pages[number - 1]
        assert re.search(rf"^{re.escape(title)}\s*$", page, re.M), (title, number)


def test_the_year_on_year_chapter_compares_with_the_stored_previous_year(reports):
    ctx = reports[2022]["context"]["year_on_year"]
    assert ctx["available"] and ctx["previous_year"] == 2021
    chapter = _chapter_text(reports[2022]["text"], "与上年比较")
    assert "上年（2021年）" in chapter and "本年（2022年）" in chapter and "变化率" in chapter
    # the sample's quantities × 0.95 in 2021: energy emissions rise by about 1/0.95 − 1 = +5.3 %
    energy = next(line for line in chapter.splitlines() if line.strip().startswith("能源活动"))
    assert energy.split()[-1] == "+5.3%"
    assert "<svg" not in chapter and "2021年与2022年各领域温室气体排放" in chapter.replace(" ", "")
    summary = _pages(reports[2022]["text"])[2].replace(" ", "")
    assert "与上年（2021年）相比" in summary


def test_check_results_are_a_chapter_of_their_own(reports):
    text = reports[2022]["text"]
    chapter = _chapter_text(text, "核查结果")
    compact = chapter.replace(" ", "")
    assert "检查结果" in compact
    # the plan's [check] marker (a substitute target value) is listed here, as 待核实, not printed in the table
    assert "规划指标“单位GDP二氧化碳排放降低”的数据标注为待核实" in compact.replace("\n", "")
    assert "未核实的缺省值" in compact and "交叉核对" in compact
    plan = _chapter_text(text, "规划指标完成情况")
    assert "[check]" not in plan and "非规划数值" in plan.replace(" ", "").replace("\n", "")


def test_a_year_without_economy_data_marks_the_intensity_chapter_not_available(reports):
    assert reports[2023]["context"]["intensity"]["available"] is False
    chapter = _chapter_text(reports[2023]["text"], "碳排放强度与目标完成情况").replace(" ", "").replace("\n", "")
    assert "不可用" in chapter and "2023年无经济数据" in chapter
    assert "强度口径" not in chapter and "进度判定规则" not in chapter  # no intensity table
    assert "碳排放强度不可用" in _pages(reports[2023]["text"])[2].replace(" ", "")
    checks = _chapter_text(reports[2023]["text"], "核查结果").replace(" ", "")
    assert "数据缺项" in checks
    # and the year with economy data has its intensity table
    assert "进度判定规则" in _chapter_text(reports[2022]["text"], "碳排放强度与目标完成情况").replace(" ", "")


def test_names_in_the_appendix_are_never_wrapped(reports):
    rows = reports[2022]["context"]["city_categories"]
    longest = max((r["category_name"] for r in rows), key=len)
    assert len(longest) >= 12
    text = reports[2022]["text"]
    appendix = text[re.search(r"^附表：全市分类别排放\s*$", text, re.M).start():]
    assert any(longest in line for line in appendix.splitlines()), longest
    # every name of the appendix is whole on some line (none broken into one character per line)
    lines = appendix.splitlines()
    broken = [r["category_name"] for r in rows if not any(r["category_name"] in line for line in lines)]
    assert broken == []
    assert "fuel_combustion" not in appendix and "能源活动" in appendix


def test_every_factor_parameter_and_method_has_a_chinese_label():
    catalogue = factor_library.load_parameter_catalogue()
    used = {row.parameter for row in factor_library.load_library().rows}
    missing = sorted(p for p in used if p not in catalogue or not CJK.search(catalogue[p].name_zh))
    assert missing == []
    assert all(CJK.search(labels.parameter_zh(p)) for p in used)
    methods = {*LINEAR_METHODS, *SERIES_METHODS, "ets_verified"}
    assert sorted(m for m in methods if not CJK.search(labels.method_zh(m))) == []


def test_the_factor_table_prints_chinese_labels(reports):
    factors = reports[2022]["context"]["factors"]
    assert factors and all(CJK.search(f["parameter"]) for f in factors)
    assert not any(f["unit"] == "dimensionless" for f in factors)
    assert not any(re.search(r"[A-Za-z]{4,}", f["source_table"]) and not CJK.search(f["source_table"])
                   and not f["source_table"].startswith(("第", "表", "§", "附件")) for f in factors
                   if f["source_table"] != "见来源文献" and not re.search(r"\d", f["source_table"]))


def test_local_time_follows_carbon_timezone(monkeypatch):
    noon_utc = datetime(2026, 1, 2, 4, 30, tzinfo=UTC)
    monkeypatch.delenv("CARBON_TIMEZONE", raising=False)
    get_settings.cache_clear()
    try:
        assert labels.local_time(noon_utc) == "2026-01-02 12:30（北京时间，UTC+08:00）"
        assert labels.local_date(datetime(2026, 1, 2, 17, 0, tzinfo=UTC)) == "2026年1月3日"  # past midnight in Beijing
        monkeypatch.setenv("CARBON_TIMEZONE", "Europe/Berlin")
        monkeypatch.setenv("CARBON_REPORT_ORG", "测试单位")
        get_settings.cache_clear()
        assert labels.local_time(noon_utc) == "2026-01-02 05:30（UTC+01:00）"
        assert labels.report_org() == "测试单位"
    finally:
        get_settings.cache_clear()


def test_citations_keep_their_references_without_the_english_words():
    assert labels.source_table_zh("Ch.2 Table 2.2 (energy industries)") == "第2章 表2.2"
    assert labels.source_table_zh("Ch.7 §7.5 Tier 2b mass balance (Eq. 7.9 [check]): …") == "第7章 §7.5 式7.9"
    assert labels.source_table_zh("local_factors.csv row 3") == "地方实测因子第3行"
    assert labels.source_table_zh("单位热值含碳量") == "单位热值含碳量"
    assert labels.uncertainty_source_zh("§5.7.1 CH4 and N2O factors of incineration: +/-100% or more") == \
        "《2006年IPCC国家温室气体清单指南》 §5.7.1"
    assert labels.without_file_names("indicator carbon_intensity (ordos_plan_indicators.csv): 规划第二章") == "规划第二章"


def test_the_api_job_prints_the_sign_off_names_it_was_given(client, auth_headers, session, monkeypatch):
    """POST /reports/inventory with 编制人/审核人/批准人: stored with the job, printed by the worker (the layout
    step is replaced: the PDF's text is checked above); a name too long is a 422 naming the field."""
    import time

    from carbon.reporting.render import Rendered

    load_sample(session)
    session.commit()
    seen: list[str] = []

    def fake_pdf(html: str) -> Rendered:
        seen.append(html)
        return Rendered(pdf=b"%PDF-1.7 fake", pages=1)

    monkeypatch.setattr(report_service, "html_to_pdf", fake_pdf)
    bureau = auth_headers("bureau")
    bad = client.post("/api/v1/reports/inventory", json={"year": 2022, "approved_by": "长" * 101}, headers=bureau)
    assert bad.status_code == 422 and "approved_by" in bad.text
    r = client.post("/api/v1/reports/inventory", json={"year": 2022, "draws": 200, "prepared_by": "王五",
                                                       "reviewed_by": "赵六", "approved_by": "孙七"}, headers=bureau)
    assert r.status_code == 202, r.text
    job = r.json()
    assert job["params"]["prepared_by"] == "王五" and job["params"]["approved_by"] == "孙七"
    deadline = time.monotonic() + 60
    while job["status"] in ("queued", "running") and time.monotonic() < deadline:
        time.sleep(0.2)
        job = client.get(f"/api/v1/reports/jobs/{job['id']}", headers=bureau).json()
    assert job["status"] == "done", job
    html = seen[-1]
    assert all(name in html for name in ("王五", "赵六", "孙七")) and "编制单位" in html
