"""Issue 15: the console's pages through TestClient: sign-in and its cookie, CSRF, the API left to bearer tokens,
upload with the row report, compile, publish, the results tree, the public pages, the vendored ECharts."""

from __future__ import annotations

import hashlib
import re
import time

from carbon.core.db import session_scope
from carbon.core.auth import revoke_token
from carbon.core.models import ApiToken
from carbon.inventory import service
from tests.web.conftest import LOCAL_FACTORS, SAMPLE, compile_sample, csrf_of
from web import session as cookies
from web.deps import STATIC_DIR

BAD_ROWS = ("region,year,category,item,quantity,unit,note\n"
            "东胜区,2022,1.A.1.a,原煤,368,万t,ok\n"
            "东胜区,2022,1.A.1.a,原煤,12,万米,bad unit\n"
            "火星,2022,1.A.1.a,原煤,5,万t,bad region\n")


def _new_inventory(client, csrf: str, year: int = 2022) -> int:
    response = client.post("/console/inventories", data={"csrf": csrf, "year": str(year), "region": "150600",
                                                         "gwp_set": "AR5"}, follow_redirects=False)
    assert response.status_code == 303, response.text
    return int(re.search(r"/console/inventories/(\d+)\?done=created", response.headers["location"]).group(1))


# --- sign-in, cookie, CSRF ----------------------------------------------------------------------------

def test_sign_in_sets_a_signed_httponly_strict_cookie_without_the_token(client, make_token):
    token = make_token("bureau", "科员")
    form = client.get("/console/login")
    assert form.status_code == 200 and "令牌" in form.text
    response = client.post("/console/login", data={"csrf": csrf_of(form.text), "token": token, "next": "/console"},
                           follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/console"
    header = response.headers["set-cookie"]
    assert header.startswith(cookies.COOKIE + "=")
    assert "HttpOnly" in header and "samesite=strict" in header.lower()
    assert token not in header
    value = header.split(";")[0].split("=", 1)[1]
    assert cookies.load(value, "another secret") is None  # signed: another key does not read it
    assert cookies.load(value[:-2] + ("AA" if not value.endswith("AA") else "BB"), client.app.state.settings.token_secret) is None
    page = client.get("/console/inventories")
    assert page.status_code == 200 and "科员" in page.text


def test_bad_token_is_refused_and_pages_need_sign_in(client, make_token):
    form = client.get("/console/login")
    response = client.post("/console/login", data={"csrf": csrf_of(form.text), "token": "nonsense"})
    assert response.status_code == 401 and "令牌无效" in response.text
    response = client.get("/console/inventories", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/console/login?next=")


def test_open_redirect_is_not_followed(client, make_token):
    form = client.get("/console/login")
    response = client.post("/console/login", data={"csrf": csrf_of(form.text), "token": make_token(),
                                                   "next": "//evil.example/x"}, follow_redirects=False)
    assert response.headers["location"] == "/console/inventories"


def test_post_without_or_with_a_wrong_csrf_token_is_403(client, make_token, sign_in):
    form = client.get("/console/login")
    assert client.post("/console/login", data={"token": make_token()}).status_code == 403
    assert client.post("/console/login", data={"token": make_token(), "csrf": "x" + csrf_of(form.text)}).status_code == 403
    csrf = sign_in()
    assert client.post("/console/inventories", data={"year": "2022"}).status_code == 403
    assert client.post("/console/logout", data={}).status_code == 403
    assert client.get("/console/inventories").status_code == 200  # still signed in
    assert "尚无清单" in client.get("/console/inventories").text
    assert _new_inventory(client, csrf) > 0


def test_the_session_cookie_does_not_authenticate_the_api(client, sign_in, engine):
    inventory_id = compile_sample(engine)  # compiled, not published: the API shows it to bearer-token bureau callers only
    sign_in()
    assert client.get(f"/console/inventories/{inventory_id}/results").status_code == 200  # the console sees it
    assert client.get(f"/api/v1/inventories/{inventory_id}").status_code == 401  # the API does not take the cookie
    assert client.post("/api/v1/inventories", json={"year": 2023}).status_code == 401


def test_logout_and_revocation_end_the_session(client, sign_in, engine):
    csrf = sign_in()
    response = client.post("/console/logout", data={"csrf": csrf}, follow_redirects=False)
    assert response.status_code == 303
    assert client.get("/console/inventories", follow_redirects=False).status_code == 303
    sign_in()
    with session_scope(engine) as session:
        for token in session.query(ApiToken).all():
            revoke_token(session, token.id)
    assert client.get("/console/inventories", follow_redirects=False).status_code == 303


def test_other_roles_cannot_open_bureau_pages(client, sign_in):
    sign_in("verifier")
    response = client.get("/console/inventories")
    assert response.status_code == 403 and "仅供生态环境局" in response.text


# --- the bureau's workflow ----------------------------------------------------------------------------

def test_upload_with_bad_rows_shows_the_row_table_and_stores_nothing(client, sign_in, engine):
    csrf = sign_in()
    inventory_id = _new_inventory(client, csrf)
    response = client.post(f"/console/inventories/{inventory_id}/upload", data={"csrf": csrf},
                           files={"file": ("bad.csv", BAD_ROWS.encode("utf-8"), "text/csv")})
    assert response.status_code == 422
    table = re.search(r'<table class="data" id="row-errors">(.*?)</table>', response.text, re.S).group(1)
    rows = re.findall(r"<tr><td>(\d+)</td><td>(\w+)</td><td>([^<]*)</td>", table)
    assert ("3", "unit", "万米") in rows and ("4", "region", "火星") in rows
    assert "2" not in {r[0] for r in rows}
    with session_scope(engine) as session:
        assert service.record_count(session, inventory_id=inventory_id) == 0


def test_upload_compile_publish_and_the_public_page(client, sign_in):
    csrf = sign_in()
    inventory_id = _new_inventory(client, csrf)
    page = f"/console/inventories/{inventory_id}"
    response = client.post(f"{page}/upload", data={"csrf": csrf},
                           files={"file": (SAMPLE.name, SAMPLE.read_bytes(), "text/csv")}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == f"{page}?done=uploaded"
    without = client.post(f"{page}/compile", data={"csrf": csrf})  # the sample's plants need their measured values
    assert without.status_code == 422 and 'id="row-errors"' in without.text and "carbon_fraction" in without.text
    factors = {"factors": (LOCAL_FACTORS.name, LOCAL_FACTORS.read_bytes(), "text/csv")}
    assert client.post(f"{page}/compile", data={"csrf": csrf}, files=factors, follow_redirects=False).status_code == 303
    detail = client.get(f"{page}?done=compiled").text
    assert "已编制" in detail and 'id="city-total"' in detail
    assert client.get(f"/public/inventories/{inventory_id}/results").status_code == 404  # not yet public
    assert client.post(f"{page}/publish", data={"csrf": csrf}, follow_redirects=False).status_code == 303
    client.cookies.clear()  # anybody
    listing = client.get("/public")
    assert listing.status_code == 200 and f"/public/inventories/{inventory_id}/results" in listing.text
    results = client.get(f"/public/inventories/{inventory_id}/results")
    assert results.status_code == 200 and "能源活动" in results.text
    public_why = client.get(f"/public/inventories/{inventory_id}/explain?region=150602&category=1.A.1.a&gas=CO2")
    assert public_why.status_code == 200 and "<th>设施</th>" not in public_why.text


def test_a_failed_compile_shows_its_message(client, sign_in):
    csrf = sign_in()
    inventory_id = _new_inventory(client, csrf)
    response = client.post(f"/console/inventories/{inventory_id}/compile", data={"csrf": csrf})
    assert response.status_code == 422 and "编制失败" in response.text


def test_results_tree_numbers_and_year_on_year(client, sign_in, engine):
    """City → sector → category → banner; each level adds up to its parent; 万吨 with thousands separators;
    the change against the previous year's inventory."""
    current = compile_sample(engine)
    with session_scope(engine) as session:  # a 2021 inventory: the sample's energy rows at 2021 with half the coal
        text = SAMPLE.read_text(encoding="utf-8").replace(",2022,", ",2021,")
        lines = [line for line in text.splitlines() if not line.startswith("#")]
        header, rows = lines[0], [line for line in lines[1:] if ",1.A.1.a,原煤," in line]
        halved = [re.sub(r",原煤,([\d.]+),", lambda m: f",原煤,{float(m.group(1)) / 2},", line) for line in rows]
        previous = service.create_inventory(session, year=2021)
        service.import_activity(session, inventory_id=previous.id, content="\n".join([header, *halved]).encode(),
                                filename="2021.csv")
        service.compile_inventory(session, inventory_id=previous.id,
                                  local_factors=(SAMPLE.parent / "ordos_local_factors.csv").read_bytes())
        city = service.totals(session, inventory_id=current, region="150600")
        banners = service.get_results(session, inventory_id=current, category="1.A.1.a", level="category")
    sign_in()
    top = client.get(f"/console/inventories/{current}/results")
    assert top.status_code == 200
    assert f"{city['co2e_t'] / 1e4:,.2f}" in top.text and "," in f"{city['co2e_t'] / 1e4:,.2f}"
    assert 'data-chart="chart-data"' in top.text and "echarts.min.js" in top.text
    energy = client.get(f"/console/inventories/{current}/results?sector=energy")
    assert f"{city['by_sector']['energy'] / 1e4:,.2f}" in energy.text
    category = client.get(f"/console/inventories/{current}/results?category=1.A.1.a")
    assert "较 2021 年" in category.text
    banner_rows = banners[(banners["region"] != "150600") & ~banners["memo"] & banners["co2e_t"].notna()]  # no keys
    for name, value in banner_rows.groupby("region_name")["co2e_t"].sum().items():
        assert name in category.text and f"{value / 1e4:,.2f}" in category.text
    # the change of the raw-coal-dominated category is close to +100 % (the 2021 coal is half, gas absent)
    change = float(re.search(r"较 2021 年 ([+−][\d.]+)%", category.text).group(1).replace("−", "-"))
    assert 90 < change < 140


def test_downloads(client, sign_in, sample_inventory):
    sign_in()
    csv = client.get(f"/console/inventories/{sample_inventory}/download/csv")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert "1.A.1.a" in csv.content.decode("utf-8-sig")
    xlsx = client.get(f"/console/inventories/{sample_inventory}/download/xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_console_pages_are_not_in_the_openapi_document(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert not [p for p in paths if p.startswith(("/console", "/public"))]
    assert "/api/v1/inventories/{inventory_id}/explain" in paths


def test_vendored_echarts_matches_readme_and_is_served(client):
    vendor = STATIC_DIR / "vendor"
    table = dict(re.findall(r"^\| (\S+) \| [^|]+ \| ([0-9a-f]{64}) \|$", (vendor / "README.md").read_text(), re.M))
    files = {p.relative_to(vendor).as_posix(): p for p in vendor.glob("*/*")}
    assert set(files) == set(table)
    for name, path in files.items():
        assert hashlib.sha256(path.read_bytes()).hexdigest() == table[name], name
    response = client.get("/console-static/vendor/echarts/echarts.min.js")
    assert response.status_code == 200 and response.content == files["echarts/echarts.min.js"].read_bytes()


def test_pdf_report_from_the_inventory_page(client, sign_in, sample_inventory):
    """The PDF report job of the API (carbon.reporting.service.submit), rendered by the app's report worker."""
    csrf = sign_in()
    page = f"/console/inventories/{sample_inventory}"
    response = client.post(f"{page}/report", data={"csrf": csrf, "prepared_by": "张三"}, follow_redirects=False)
    assert response.status_code == 303
    deadline = time.monotonic() + 120
    while True:
        detail = client.get(page).text
        link = re.search(rf'href="({page}/reports/\d+\.pdf)"', detail)
        if link or "失败" in detail or time.monotonic() > deadline:
            break
        assert 'http-equiv="refresh"' in detail  # the page refreshes itself while the job runs
        time.sleep(0.5)
    assert link, detail[-3000:]
    pdf = client.get(link.group(1))
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
