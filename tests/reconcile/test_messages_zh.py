"""Reconciliation errors in Chinese by default, in English on request (issue 19, point 5)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from carbon.core.errors import ValidationError
from carbon.core.settings import get_settings
from carbon.reconcile.compare import MappingError, read_mapping
from carbon.reconcile.service import load_mapping

EN = {"Accept-Language": "en"}


def test_no_inventory_through_the_api_and_the_cli(client, auth_headers, migrated_url, monkeypatch):
    bureau = auth_headers("bureau")
    zh = client.get("/api/v1/reconcile", params={"year": 2019}, headers=bureau)
    en = client.get("/api/v1/reconcile", params={"year": 2019}, headers={**bureau, **EN})
    assert zh.status_code == en.status_code == 404
    zh, en = zh.json()["error"], en.json()["error"]
    assert (zh["code"], zh["field"]) == (en["code"], en["field"]) == ("not_found", "year")
    assert zh["message"] == "没有 2019 年已计算或已发布的全市清单"
    assert en["message"] == "no compiled or published city inventory for 2019"

    from carbon.cli import app

    monkeypatch.setenv("CARBON_DATABASE_URL", migrated_url)
    get_settings.cache_clear()
    zh_cli = CliRunner().invoke(app, ["reconcile", "--year", "2019"])
    en_cli = CliRunner().invoke(app, ["reconcile", "--year", "2019"], env={"CARBON_LANG": "en"})
    assert zh_cli.exit_code == en_cli.exit_code != 0
    assert "没有 2019 年已计算或已发布的全市清单" in zh_cli.stderr
    assert "no compiled or published city inventory for 2019" in en_cli.stderr


def test_a_bad_mapping_row_is_a_value_error_and_a_worded_422():
    with pytest.raises(ValueError, match="mapping row 2: no categories"):  # read_mapping's contract
        read_mapping("industry,uscc,categories\npower,,\n")
    with pytest.raises(MappingError):
        read_mapping("industry,categories\npower,1.A.1.a\n")
    with pytest.raises(ValidationError) as info:
        load_mapping("industry,uscc,categories\npower,P1,1.A.1.a\n")
    assert info.value.field == "mapping"
    assert info.value.message == "mapping row 2: give exactly one of industry or uscc"
    assert info.value.text("zh").startswith("对照表第 2 行: ")
