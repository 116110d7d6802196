"""API errors: ``code`` and ``field`` for machines, ``message`` for people in Chinese by default, English with
Accept-Language: en or CARBON_LANG=en (issue 19 point 5)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

API = "/api/v1/inventories"
OTHER_YEARS = ("region,year,category,item,quantity,unit\n达拉特旗,2022,1.A.1.a,原煤,10,t\n"
               "达拉特旗,2021,1.A.1.a,原煤,8,t\n达拉特旗,2023,1.A.1.a,原煤,9,t\n").encode()


@pytest.fixture(autouse=True)
def default_language(monkeypatch):
    monkeypatch.delenv("CARBON_LANG", raising=False)


def upload(client, iid, content, headers):
    return client.post(f"{API}/{iid}/activity", files={"file": ("a.csv", content, "text/csv")}, headers=headers)


def test_rows_of_other_years_are_refused_with_their_row_numbers(client, auth_headers, engine, monkeypatch):
    bureau = auth_headers("bureau")
    iid = client.post(API, json={"year": 2022}, headers=bureau).json()["id"]
    r = upload(client, iid, OTHER_YEARS, bureau)
    assert r.status_code == 422
    error = r.json()["error"]
    assert (error["code"], error["field"]) == ("import_rejected", "file")
    assert [(row["row"], row["column"], row["value"]) for row in error["rows"]] == [(3, "year", "2021"), (4, "year", "2023")]
    assert error["message"] == "导入被拒绝: 2 行有误, 未导入任何数据"
    assert error["row_messages"][0].startswith("第 3 行, year 列: 2021 年的数据不属于 2022 年清单")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM activity_records")).scalar_one() == 0

    english = upload(client, iid, OTHER_YEARS, {**bureau, "Accept-Language": "en-US,en;q=0.9"}).json()["error"]
    assert english["message"] == "activity import rejected: 2 bad row(s); nothing was imported"
    assert english["row_messages"][0].startswith("row 3, column year: the inventory is for 2022")
    assert english["rows"] == error["rows"]  # the machine-readable part does not depend on the language

    monkeypatch.setenv("CARBON_LANG", "en")
    assert upload(client, iid, OTHER_YEARS, bureau).json()["error"]["message"] == english["message"]


def test_not_found_in_chinese_and_english(client, auth_headers, monkeypatch):
    bureau = auth_headers("bureau")
    r = client.get(f"{API}/999", headers=bureau)
    assert r.status_code == 404
    assert r.json()["error"] == {"code": "not_found", "message": "没有编号为 999 的清单", "field": "inventory_id"}
    r = client.get(f"{API}/999", headers={**bureau, "Accept-Language": "en"})
    assert r.json()["error"]["message"] == "no inventory with id 999"


def test_uncatalogued_conflict_leads_with_chinese(client, auth_headers):
    from carbon.core.errors import Conflict

    assert Conflict("the row changed meanwhile").text("zh") == "冲突: the row changed meanwhile"
    bureau = auth_headers("bureau")
    created = client.post(API, json={"year": 2022}, headers=bureau).json()
    r = client.post(API, json={"year": 2022}, headers=bureau)
    assert r.status_code == 409 and r.json()["error"]["code"] == "conflict"
    # the inventory's own conflict is in the catalogue (carbon/inventory/messages.py): Chinese throughout
    assert r.json()["error"]["message"] == f"鄂尔多斯市 2022 年的清单已存在 (编号 {created['id']}, v1, draft); 请以新版本更正"


def test_request_validation_messages_are_chinese_by_default(client, auth_headers):
    bureau = auth_headers("bureau")
    r = client.post(API, json={"year": 1800}, headers=bureau)
    assert r.status_code == 422
    error = r.json()["error"]
    assert (error["code"], error["field"]) == ("validation_error", "body.year")
    assert error["message"] == "应不小于 1990" and error["details"][0]["message"] == "应不小于 1990"  # inventories start in 1990
    missing = client.post(API, json={}, headers=bureau).json()["error"]
    assert (missing["field"], missing["message"]) == ("body.year", "缺少必填字段")
    english = client.post(API, json={"year": 1800}, headers={**bureau, "Accept-Language": "en"}).json()["error"]
    assert english["message"] == "Input should be greater than or equal to 1990"  # pydantic's own words


def test_every_request_error_type_falls_back_to_a_chinese_lead():
    from carbon.core import messages

    assert messages.request_error_text({"type": "no_such_type", "msg": "odd"}, "zh") == "请求参数无效: odd"
    assert messages.request_error_text({"type": "string_too_long", "msg": "m", "ctx": {"max_length": 5}}, "zh") \
        == "文本过长 (最多 5 个字符)"
    assert messages.request_error_text({"type": "string_too_long", "msg": "m", "ctx": {"max_length": 5}}, "en") == "m"
