"""The inventory REST API end to end, through HTTP, on SQLite and (when configured) PostgreSQL."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from sqlalchemy import text

from carbon.inventory.io import RESULTS_COLUMNS, results_table
from carbon.inventory.engine import CompileOptions, compile_activity
from carbon.inventory.io import read_activity
from tests.inventory.store_helpers import (  # noqa: F401  (energy_factors is an autouse fixture)
    ACTIVITY_CSV,
    BAD_CSV,
    EXPECTED_BAD_ROWS,
    LOCAL_FACTORS_CSV,
    energy_factors,
)

API = "/api/v1/inventories"


def upload(client, inventory_id, content, headers, filename="activity.csv", **params):
    return client.post(f"{API}/{inventory_id}/activity", files={"file": (filename, content, "text/csv")},
                       headers=headers, params=params)


def create(client, headers, **body):
    response = client.post(API, json={"year": 2022, **body}, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def count(engine, table, inventory_id=None):
    where = f" WHERE inventory_id = {int(inventory_id)}" if inventory_id is not None else ""
    with engine.connect() as conn:
        return conn.execute(text(f"SELECT count(*) FROM {table}{where}")).scalar_one()


def test_lifecycle_create_upload_compile_publish_correct(client, auth_headers, engine, energy_factors):
    bureau = auth_headers("bureau")
    inv = create(client, bureau, label="2022年初步清单", factor_profile="IPCC2006")
    assert (inv["status"], inv["version"], inv["region"], inv["gwp_set"]) == ("draft", 1, "150600", "AR5")
    iid = inv["id"]

    r = upload(client, iid, ACTIVITY_CSV, bureau)
    assert r.status_code == 201, r.text
    assert r.json()["rows"] == 6 and r.json()["status"] == "draft"
    assert count(engine, "activity_records", iid) == 6

    # a draft is invisible without the bureau's token: anonymously a 401 (issue 19: a token may show it)
    assert client.get(f"{API}/{iid}").status_code == 401
    assert client.get(f"{API}/{iid}/results").status_code == 401
    detail = client.get(f"{API}/{iid}", headers=bureau).json()
    assert detail["records"] == 6 and len(detail["batches"]) == 1 and detail["totals"] is None
    # no results before a compile
    assert client.get(f"{API}/{iid}/results", headers=bureau).status_code == 409

    r = client.post(f"{API}/{iid}/compile", headers=bureau)
    assert r.status_code == 200, r.text
    compiled = r.json()
    assert compiled["inventory"]["status"] == "compiled"
    assert compiled["inventory"]["factor_fingerprint"]
    assert set(compiled["totals"]["by_sector"]) == {"energy"}
    assert set(compiled["totals"]["by_gas"]) == {"CO2", "CH4", "N2O"}
    assert compiled["totals"]["co2e_t"] == pytest.approx(sum(compiled["totals"]["by_sector"].values()))
    assert compiled["double_counts"] == []
    assert {(k["region"], k["category"], k["notation"]) for k in compiled["notation_keys"]
            if not k["note"].startswith("自动")} == {("150626", "1.B.2.a", "NO"), ("150626", "1.B.1.a.i", "NO")}
    # completeness: every other category without a figure is NE with a reason, for each region of the result
    auto = {(k["region"], k["category"]) for k in compiled["notation_keys"] if k["note"].startswith("自动")}
    assert ("150600", "4.A") in auto and ("150626", "1.B.1.a.i.1") not in auto

    # filtered results: 达拉特旗's public-power raw coal, 1000 + 500 t
    r = client.get(f"{API}/{iid}/results", params={"region": "达拉特旗", "category": "1.A"}, headers=bureau)
    assert r.status_code == 200, r.text
    page = r.json()
    figures = [row for row in page["items"] if not row["notation"]]
    assert len(figures) == 3 and {row["gas"] for row in figures} == {"CO2", "CH4", "N2O"}
    assert {row["category"] for row in figures} == {"1.A.1.a"}
    # the other 1.A categories of 达拉特旗 are there too, as NE with the reason
    keyed = [row for row in page["items"] if row["notation"]]
    assert page["total"] == len(figures) + len(keyed) and "1.A.2" in {row["category"] for row in keyed}
    assert all(row["notation"] == "NE" and row["note"].startswith("自动") for row in keyed)
    co2 = next(row for row in page["items"] if row["gas"] == "CO2")
    # 1500 t x 25.8 GJ/t x 25.8 t C/TJ x 1.0 x 44/12
    assert co2["mass_t"] == pytest.approx(1500 * 25.8e-3 * 25.8 * 44 / 12)
    assert co2["region_name"] == "达拉特旗" and co2["category_name"] == "电力和热力生产"
    r = client.get(f"{API}/{iid}/results", params={"level": "item", "gas": "CH4", "sector": "energy",
                                                   "limit": 2, "offset": 1}, headers=bureau)
    page = r.json()
    assert page["level"] == "item" and page["total"] > 2 and len(page["items"]) == 2
    assert all(row["gas"] == "CH4" and row["item"] for row in page["items"])

    # export: CSV = exactly what the stateless `carbon compile` gives for the same file
    r = client.get(f"{API}/{iid}/export", params={"format": "csv"}, headers=bureau)
    assert r.status_code == 200
    assert r.headers["content-disposition"] == 'attachment; filename="inventory-150600-2022-v1.csv"'
    exported = pd.read_csv(io.BytesIO(r.content), dtype={"region": str}, keep_default_na=False)
    assert list(exported.columns) == RESULTS_COLUMNS
    from carbon.factors.service import library

    expected = results_table(compile_activity(read_activity(ACTIVITY_CSV, "a.csv"), library("IPCC2006"),
                                              CompileOptions(year=2022)))
    assert len(exported) == len(expected)
    assert list(exported["category"]) == list(expected["category"])
    assert exported["co2e_t"].replace("", float("nan")).astype(float).fillna(-1).tolist() == pytest.approx(
        expected["co2e_t"].astype(float).fillna(-1).tolist())

    # export: XLSX with the factor rows used and their sources
    r = client.get(f"{API}/{iid}/export", params={"format": "xlsx"}, headers=bureau)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheets = pd.read_excel(io.BytesIO(r.content), sheet_name=None, dtype={"region": str})
    assert set(sheets) == {"results", "factors", "double_counts", "carbon_balances", "cross_sector", "inventory"}
    assert list(sheets["results"].columns) == RESULTS_COLUMNS
    factors = sheets["factors"].set_index("ref")
    used = {ref for refs in sheets["results"]["factor_refs"].dropna() for ref in refs.split(";") if ref}
    assert used and used <= set(factors.index)
    ncv = factors.loc["IPCC06-V2-T1.2-NCV-raw_coal@v1"]
    assert (ncv["value"], ncv["unit"], ncv["parameter"]) == (25.8, "GJ/t", "ncv")
    assert "2006 IPCC Guidelines" in ncv["source"] and ncv["source_table"].startswith("Ch.1 Table 1.2")

    r = client.post(f"{API}/{iid}/publish", headers=bureau)
    assert r.status_code == 200 and r.json()["status"] == "published" and r.json()["published_at"]
    published_at = r.json()["published_at"]
    published_results = client.get(f"{API}/{iid}/results", params={"level": "item"}).json()

    # published: public, immutable
    public = client.get(f"{API}/{iid}")
    assert public.status_code == 200 and public.json()["records"] is None and public.json()["batches"] is None
    assert public.json()["totals"]["co2e_t"] == pytest.approx(compiled["totals"]["co2e_t"])
    assert client.get(f"{API}/{iid}/export").status_code == 200
    assert upload(client, iid, ACTIVITY_CSV.replace(b"1000", b"1001"), bureau).status_code == 409
    assert client.post(f"{API}/{iid}/compile", headers=bureau).status_code == 409
    assert client.post(f"{API}/{iid}/publish", headers=bureau).status_code == 409
    assert client.delete(f"{API}/{iid}", headers=bureau).status_code == 409
    assert client.delete(f"{API}/{iid}/activity/1", headers=bureau).status_code == 409

    # correct it: a new draft version with the same data, plus a forgotten banner's gas use
    r = client.post(f"{API}/{iid}/versions", json={"label": "2022年修订"}, headers=bureau)
    assert r.status_code == 201, r.text
    v2 = r.json()
    assert (v2["version"], v2["parent_id"], v2["status"], v2["label"]) == (2, iid, "draft", "2022年修订")
    assert count(engine, "activity_records", v2["id"]) == 6
    extra = "region,year,category,item,quantity,unit\n伊金霍洛旗,2022,1.A.4.b,天然气,30,万m3\n".encode()
    assert upload(client, v2["id"], extra, bureau, filename="补充.csv").status_code == 201
    r = client.post(f"{API}/{v2['id']}/compile", headers=bureau)
    assert r.status_code == 200
    assert r.json()["totals"]["co2e_t"] > compiled["totals"]["co2e_t"]
    assert client.post(f"{API}/{v2['id']}/publish", headers=bureau).status_code == 200

    # the published v1 is unchanged
    assert client.get(f"{API}/{iid}/results", params={"level": "item"}).json() == published_results
    v1 = client.get(f"{API}/{iid}").json()
    assert (v1["status"], v1["compiled_at"], v1["published_at"], v1["factor_fingerprint"]) == (
        "published", compiled["inventory"]["compiled_at"], published_at, compiled["inventory"]["factor_fingerprint"])
    assert count(engine, "activity_records", iid) == 6

    listed = client.get(API).json()
    assert [(i["id"], i["version"]) for i in listed["items"]] == [(v2["id"], 2), (iid, 1)]


def test_anonymous_and_other_roles_see_published_only(client, auth_headers):
    bureau = auth_headers("bureau")
    draft = create(client, bureau)
    other = create(client, bureau, year=2021)
    assert upload(client, other["id"], ACTIVITY_CSV.replace(b"2022", b"2021"), bureau).status_code == 201
    assert client.post(f"{API}/{other['id']}/compile", headers=bureau).status_code == 200
    assert client.post(f"{API}/{other['id']}/publish", headers=bureau).status_code == 200

    emitter = auth_headers("emitter")
    for headers in ({}, emitter):
        listed = client.get(API, headers=headers).json()
        assert [i["id"] for i in listed["items"]] == [other["id"]] and listed["total"] == 1
        assert client.get(API, params={"status": "draft"}, headers=headers).json()["total"] == 0
        assert client.get(f"{API}/{draft['id']}", headers=headers).status_code == (401 if not headers else 404)
        assert client.get(f"{API}/{other['id']}", headers=headers).status_code == 200
    assert client.get(API, headers=bureau).json()["total"] == 2
    assert client.get(API, params={"status": "draft"}, headers=bureau).json()["total"] == 1

    # writes: 401 without a token, 403 for another role
    assert client.post(API, json={"year": 2020}).status_code == 401
    assert client.post(API, json={"year": 2020}, headers=emitter).status_code == 403
    assert upload(client, draft["id"], ACTIVITY_CSV, emitter).status_code == 403
    assert client.post(f"{API}/{draft['id']}/compile").status_code == 401


def test_bad_upload_is_422_with_every_row_and_stores_nothing(client, auth_headers, engine):
    bureau = auth_headers("bureau")
    inv = create(client, bureau)
    r = upload(client, inv["id"], BAD_CSV, bureau)
    assert r.status_code == 422
    body = r.json()
    assert body["error"]["code"] == "import_rejected"
    assert {(row["row"], row["column"]) for row in body["error"]["rows"]} == EXPECTED_BAD_ROWS
    assert all(row["reason"] for row in body["error"]["rows"])
    assert count(engine, "activity_records") == 0
    assert count(engine, "import_batches") == 0
    # a later year does not belong in a 2022 inventory, nor (issue 19) an earlier one outside a time series
    for year in (b"2023", b"2021"):
        r = upload(client, inv["id"], ACTIVITY_CSV.replace(b"2022,1.B.2.a", year + b",1.B.2.a"), bureau)
        assert r.status_code == 422
        assert [(row["row"], row["column"]) for row in r.json()["error"]["rows"]] == [(6, "year")]
    assert count(engine, "activity_records") == 0
    # not a CSV/XLSX at all
    r = upload(client, inv["id"], b"\x00\x01", bureau, filename="data.pdf")
    assert r.status_code == 422 and r.json()["error"]["field"] == "file"


def test_same_file_twice_is_a_conflict_unless_replacing(client, auth_headers, engine):
    bureau = auth_headers("bureau")
    inv = create(client, bureau)
    assert upload(client, inv["id"], ACTIVITY_CSV, bureau).status_code == 201
    r = upload(client, inv["id"], ACTIVITY_CSV, {**bureau, "Accept-Language": "en"})
    assert r.status_code == 409 and "count it twice" in r.json()["error"]["message"]
    r = upload(client, inv["id"], ACTIVITY_CSV, bureau, replace="true")
    assert r.status_code == 201
    assert count(engine, "activity_records", inv["id"]) == 6
    batches = client.get(f"{API}/{inv['id']}", headers=bureau).json()["batches"]
    assert [b["removed_at"] is not None for b in batches] == [True, False]


def test_idempotent_retries(client, auth_headers, engine):
    bureau = auth_headers("bureau")
    key = {"Idempotency-Key": "create-2022-a"}
    first = client.post(API, json={"year": 2022}, headers={**bureau, **key})
    again = client.post(API, json={"year": 2022}, headers={**bureau, **key})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again.headers["Idempotent-Replayed"] == "true"
    assert count(engine, "inventories") == 1
    iid = first.json()["id"]

    # same key, same file (a new multipart boundary): one batch, the same answer
    key = {"Idempotency-Key": "upload-1"}
    a = upload(client, iid, ACTIVITY_CSV, {**bureau, **key})
    b = upload(client, iid, ACTIVITY_CSV, {**bureau, **key})
    assert a.status_code == b.status_code == 201
    assert a.json() == b.json()
    assert count(engine, "import_batches") == 1 and count(engine, "activity_records") == 6

    # same key, another request: 422, nothing added
    c = upload(client, iid, ACTIVITY_CSV.replace(b"1000", b"999"), {**bureau, **key})
    assert c.status_code == 422 and c.json()["error"]["code"] == "idempotency_key_reused"
    d = client.post(f"{API}/{iid}/compile", headers={**bureau, **key})
    assert d.status_code == 422
    assert count(engine, "import_batches") == 1

    # a failed request does not use up its key
    key = {"Idempotency-Key": "upload-2"}
    assert upload(client, iid, BAD_CSV, {**bureau, **key}).status_code == 422
    extra = "region,year,category,item,quantity,unit\n东胜区,2022,1.A.4.b,天然气,5,万m3\n".encode()
    assert upload(client, iid, extra, {**bureau, **key}).status_code == 201
    assert count(engine, "import_batches") == 2

    # compile, publish and new version replay too
    key = {"Idempotency-Key": "compile-1"}
    a = client.post(f"{API}/{iid}/compile", headers={**bureau, **key})
    b = client.post(f"{API}/{iid}/compile", headers={**bureau, **key})
    assert a.status_code == b.status_code == 200 and a.json() == b.json()
    key = {"Idempotency-Key": "publish-1"}
    a = client.post(f"{API}/{iid}/publish", headers={**bureau, **key})
    b = client.post(f"{API}/{iid}/publish", headers={**bureau, **key})
    assert a.status_code == b.status_code == 200 and a.json() == b.json()
    assert client.post(f"{API}/{iid}/publish", headers=bureau).status_code == 409  # without the key: a real retry
    key = {"Idempotency-Key": "version-1"}
    a = client.post(f"{API}/{iid}/versions", headers={**bureau, **key})
    b = client.post(f"{API}/{iid}/versions", headers={**bureau, **key})
    assert a.status_code == b.status_code == 201 and a.json()["id"] == b.json()["id"]
    assert count(engine, "inventories") == 2

    # keys belong to a token: another bureau token with the same key is a new request
    other = auth_headers("bureau", "another bureau client")
    r = client.post(API, json={"year": 2023}, headers={**other, "Idempotency-Key": "create-2022-a"})
    assert r.status_code == 201 and r.json()["year"] == 2023


def test_compile_with_local_factors(client, auth_headers):
    bureau = auth_headers("bureau")
    inv = create(client, bureau, factor_profile="IPCC2006")
    assert upload(client, inv["id"], ACTIVITY_CSV, bureau).status_code == 201
    default = client.post(f"{API}/{inv['id']}/compile", headers=bureau).json()
    r = client.post(f"{API}/{inv['id']}/compile", headers=bureau,
                    files={"factors": ("实测.csv", LOCAL_FACTORS_CSV, "text/csv")})
    assert r.status_code == 200, r.text
    local = r.json()
    assert "+local-" in local["inventory"]["factor_fingerprint"]
    # measured NCV 20.0 GJ/t instead of the default 25.8: power-plant coal CO2 scales by 20/25.8
    by = lambda page: {(x["region"], x["category"], x["gas"]): x for x in page["items"]}  # noqa: E731
    params = {"region": "达拉特旗", "category": "1.A.1.a"}
    rows = by(client.get(f"{API}/{inv['id']}/results", params=params, headers=bureau).json())
    co2 = rows[("150621", "1.A.1.a", "CO2")]
    assert co2["mass_t"] == pytest.approx(1500 * 20.0e-3 * 25.8 * 44 / 12)
    assert "local" in co2["basis"]
    ref = next(r for r in co2["factor_refs"].split(";") if r.startswith("local-"))
    factor = client.get(f"/api/v1/factors/{ref}")
    assert factor.status_code == 200 and factor.json()["value"] == 20.0 and factor.json()["basis"] == "local"
    assert factor.json()["source"] == "鄂尔多斯市能源统计实测 2022"
    assert local["totals"]["co2e_t"] < default["totals"]["co2e_t"]
    # a bad local factor file: 422 with rows, and the earlier results stay
    bad = "category,item,parameter,value,unit\n1.A.1.a,原煤,ncv,20,t\n".encode()
    r = client.post(f"{API}/{inv['id']}/compile", headers=bureau, files={"factors": ("bad.csv", bad, "text/csv")})
    assert r.status_code == 422 and r.json()["error"]["rows"][0]["column"] == "unit"
    assert client.get(f"{API}/{inv['id']}", headers=bureau).json()["status"] == "compiled"


def test_factor_library_is_public(client, auth_headers):
    bureau = auth_headers("bureau")
    inv = create(client, bureau)
    upload(client, inv["id"], ACTIVITY_CSV, bureau)
    client.post(f"{API}/{inv['id']}/compile", headers=bureau)
    page = client.get("/api/v1/factors", params={"parameter": "ncv", "item": "raw_coal"}).json()
    assert {f["ref"] for f in page["items"]} >= {"IPCC06-V2-T1.2-NCV-raw_coal@v1", "CN2011-NCV-raw_coal@v1"}
    assert client.get("/api/v1/factors/no-such@v1").status_code == 404
    assert client.get("/api/v1/factors/garbage").status_code == 422


def test_remove_batch_and_delete(client, auth_headers, engine):
    bureau = auth_headers("bureau")
    inv = create(client, bureau)
    first = upload(client, inv["id"], ACTIVITY_CSV, bureau).json()
    extra = "region,year,category,item,quantity,unit\n东胜区,2022,1.A.4.b,天然气,5,万m3\n".encode()
    upload(client, inv["id"], extra, bureau)
    client.post(f"{API}/{inv['id']}/compile", headers=bureau)
    r = client.delete(f"{API}/{inv['id']}/activity/{first['batch_id']}", headers=bureau)
    assert r.status_code == 200 and r.json()["removed"] == 6
    detail = client.get(f"{API}/{inv['id']}", headers=bureau).json()
    assert detail["status"] == "draft" and detail["records"] == 1  # new data state: compile again
    assert client.delete(f"{API}/{inv['id']}/activity/{first['batch_id']}", headers=bureau).status_code == 404
    assert client.delete(f"{API}/{inv['id']}", headers=bureau).status_code == 204
    assert client.get(f"{API}/{inv['id']}", headers=bureau).status_code == 404
    assert count(engine, "activity_records") == 0 and count(engine, "import_batches") == 0


def test_create_validation_and_conflicts(client, auth_headers):
    bureau = auth_headers("bureau")
    assert client.post(API, json={"year": 1800}, headers=bureau).status_code == 422
    assert client.post(API, json={"year": 2022, "gwp_set": "AR9"}, headers=bureau).status_code == 422
    r = client.post(API, json={"year": 2022, "region": "火星"}, headers=bureau)
    assert r.status_code == 422 and r.json()["error"]["field"] == "region"
    banner = create(client, bureau, region="达拉特旗", gwp_set="AR6", ch4_ar6="split")
    assert (banner["region"], banner["region_name"], banner["gwp_set"]) == ("150621", "达拉特旗", "AR6")
    create(client, bureau)
    r = client.post(API, json={"year": 2022}, headers={**bureau, "Accept-Language": "en"})
    assert r.status_code == 409 and "new version" in r.json()["error"]["message"]
    # a banner's inventory takes that banner's rows only
    r = upload(client, banner["id"], ACTIVITY_CSV, bureau)
    assert r.status_code == 422
    assert {row["row"] for row in r.json()["error"]["rows"]} == {5, 6, 7}
    assert client.get(f"{API}/999999", headers=bureau).status_code == 404


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_template_download(client, fmt):
    r = client.get("/api/v1/templates/energy", params={"format": fmt})
    assert r.status_code == 200
    assert f'filename="template-energy.{fmt}"' in r.headers["content-disposition"]
    if fmt == "csv":
        frame = pd.read_csv(io.BytesIO(r.content), dtype=str)
        assert list(frame.columns)[:6] == ["region", "year", "category", "item", "quantity", "unit"]
        assert "1.A.1.a" in set(frame["category"])
    else:
        sheets = pd.read_excel(io.BytesIO(r.content), sheet_name=None)  # issue 19: examples and lists beside them
        assert set(sheets) == {"activity", "示例", "items", "lists"} and "原煤" in set(sheets["items"]["名称"])
        assert sheets["activity"].empty and list(sheets["activity"].columns)[0] == "地区(region)"
    assert client.get("/api/v1/templates/space").status_code == 422
    assert client.get("/api/v1/templates/space", params={"format": "xlsx"}).status_code == 422


def test_idempotency_race_replays_the_request_that_committed_first(client, auth_headers, engine, monkeypatch):
    """Two requests with one key: the second one's INSERT of the key hits the unique constraint (it waited
    for the first transaction), and it answers with the first one's stored response."""
    import api.idempotency as idem

    bureau = auth_headers("bureau")
    key = {"Idempotency-Key": "race"}
    first = client.post(API, json={"year": 2022}, headers={**bureau, **key})
    assert first.status_code == 201
    real_lookup = idem._lookup
    calls = []

    def lookup_before_the_other_commit(session, token_id, k):
        calls.append(k)
        return None if len(calls) == 1 else real_lookup(session, token_id, k)

    monkeypatch.setattr(idem, "_lookup", lookup_before_the_other_commit)
    second = client.post(API, json={"year": 2022}, headers={**bureau, **key})
    assert len(calls) == 2  # missed it, tried to insert, conflicted, looked again
    assert second.status_code == 201 and second.json() == first.json()
    assert second.headers["Idempotent-Replayed"] == "true"
    assert count(engine, "inventories") == 1 and count(engine, "idempotency_keys") == 1
