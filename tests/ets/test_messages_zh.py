"""ETS errors speak Chinese by default and their old English on request (issue 19, point 5).

Through the API (``Accept-Language``), the CLI (``CARBON_LANG``) and the domain functions: the machine ``code`` and
``field`` are the same in both languages, the English text is the one clients read before the catalogue.
"""

from __future__ import annotations

import copy
import json

import pytest
from typer.testing import CliRunner

from carbon.cli import app
from carbon.core.errors import CarbonError, Conflict
from carbon.ets import workflow
from carbon.ets.report import compute_report
from tests.ets.helpers import e1
from tests.ets.test_chemical import METHANOL

API = "/api/v1/ets"
EN = {"Accept-Language": "en"}
BAD_CHECK = "91440300708461136U"  # check character U; GB 32100-2015 gives T


def both(client, method, url, headers, **kwargs):
    """The error body in the default language and in English (the same request twice)."""
    zh = client.request(method, url, headers=headers, **kwargs)
    en = client.request(method, url, headers={**headers, **EN}, **kwargs)
    assert zh.status_code == en.status_code
    return zh.status_code, zh.json()["error"], en.json()["error"]


def test_registration_error_is_chinese_by_default_and_english_on_request(client, world):
    status, zh, en = both(client, "POST", f"{API}/emitters", world.headers["bureau"],
                          json={"uscc": BAD_CHECK, "name": "x"})
    assert status == 422
    assert (zh["code"], zh["field"]) == (en["code"], en["field"]) == ("validation_error", "uscc")
    assert zh["message"] == f"统一社会信用代码 '{BAD_CHECK}': 校验码为 'U', 按 GB 32100-2015 应为 'T'; 代码有误"
    assert en["message"] == (f"统一社会信用代码 '{BAD_CHECK}': check character is 'U', GB 32100-2015 gives 'T'; "
                             "the code is mistyped")


def test_not_found_and_payload_errors_through_the_api(client, world):
    status, zh, en = both(client, "GET", f"{API}/engagements/999999", world.headers["bureau"])
    assert status == 404 and (zh["code"], zh["field"]) == (en["code"], en["field"]) == ("not_found", "engagement_id")
    assert (zh["message"], en["message"]) == ("没有编号为 999999 的核查任务", "no engagement 999999")

    status, zh, en = both(client, "POST", f"{API}/compute", world.headers["verifier_a"], json=e1(type="nuclear"))
    assert status == 422 and zh["field"] == en["field"] == "units[0].type" and zh["code"] == en["code"]
    assert zh["message"].startswith("units[0].type 应为以下之一: coal_300_plus, ") and "实际为 'nuclear'" in zh["message"]
    assert en["message"].startswith("units[0].type must be one of coal_300_plus, ")
    assert en["message"].endswith(", got 'nuclear'")


def test_cli_compute_errors_in_both_languages(tmp_path):
    path = tmp_path / "report.json"
    path.write_text("{", encoding="utf-8")
    runner = CliRunner()
    zh = runner.invoke(app, ["ets", "compute", str(path)])
    en = runner.invoke(app, ["ets", "compute", str(path)], env={"CARBON_LANG": "en"})
    assert zh.exit_code == en.exit_code == 2
    assert f"{path} 不是有效的 JSON: " in zh.output and "(第 1 行)" in zh.output and "(字段 report)" in zh.output
    assert f"{path} is not JSON: " in en.output and " at line 1" in en.output and "(field report)" in en.output

    path.write_text(json.dumps({**e1(), "year": 2025}), encoding="utf-8")  # no grid factor for 2025
    zh = runner.invoke(app, ["ets", "compute", str(path)])
    en = runner.invoke(app, ["ets", "compute", str(path)], env={"CARBON_LANG": "en"})
    assert zh.exit_code == en.exit_code == 2
    assert "没有 2025 年的全国碳市场电网排放因子 (现有 2019-" in zh.output and "(字段 year)" in zh.output
    assert "no ETS grid emission factor for 2025 (have 2019-" in en.output


def test_a_unit_error_located_in_the_report_keeps_both_languages():
    report = copy.deepcopy(METHANOL)
    report["facilities"][0]["flows"][0]["unit"] = "bananas"
    with pytest.raises(CarbonError) as info:
        compute_report(report)
    exc, where = info.value, "facilities[0].flows[0].unit"
    assert (exc.code, exc.field) == ("unit_error", where)
    assert exc.message.startswith(f"{where}: unit 'bananas' is not a known unit (")  # the registry's reason follows
    assert exc.text("zh") == f"{where}: 未知单位 'bananas'"
    assert exc.text("en") == exc.message


def test_a_refused_transition_in_both_languages():
    with pytest.raises(Conflict) as info:
        workflow.next_state("final", "conclude", "verifier")  # nothing is allowed once final
    assert info.value.message == "cannot conclude an engagement that is final (allowed: nothing)"
    assert info.value.text("zh") == "状态为 final 的核查任务不能执行 conclude (无可执行的操作)"
    with pytest.raises(Conflict) as info:
        workflow.next_state("concluded", "conclude", "verifier")
    assert info.value.message == "cannot conclude an engagement that is concluded (allowed: accept, finalise, request_recheck)"
    assert info.value.text("zh").endswith("(可执行: accept, finalise, request_recheck)")
