"""Issue 19 item 3: /docs and /redoc work on an intranet, from assets the app serves itself.

Two kinds of check:

* the HTML of both pages names only same-origin URLs, and every asset it names is served (TestClient);
  the vendored files match the sha256 recorded in api/static/README.md;
* a headless Chromium, allowed to reach 127.0.0.1 only, renders the operation list of both pages from a
  real uvicorn server. Skipped only when Debian's ``chromium`` is not installed (scripts/bootstrap
  installs it, so CI runs it).

How Chromium is kept off every other host: ``--host-resolver-rules="MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"``
makes every host name but 127.0.0.1 fail to resolve, and ``--proxy-server=http://127.0.0.1:9`` sends
every non-loopback request (IP literals too) to a closed local port; loopback bypasses the proxy.
``test_browser_blocks_other_hosts`` checks that a CDN script does fail to load under these flags.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import pytest

from api.main import STATIC_DIR
from tests.web.live import live_server, sqlite_copy

PAGES = ["/docs", "/redoc"]
CONTENT_TYPES = {".js": ("text/javascript", "application/javascript"), ".css": ("text/css",), ".png": ("image/png",)}
CHROMIUM = shutil.which("chromium")
requires_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (scripts/bootstrap installs it)"
)
BLOCK_OTHER_HOSTS = [
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    "--proxy-server=http://127.0.0.1:9",
]


class _Refs(HTMLParser):
    """Every src and href attribute in a page."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [value for name, value in attrs if name in ("src", "href") and value]


def _refs(html: str) -> list[str]:
    parser = _Refs()
    parser.feed(html)
    return parser.urls


# --- the HTML and the assets (TestClient) ---------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES)
def test_docs_page_names_only_same_origin_urls(client, page: str) -> None:
    response = client.get(page)
    assert response.status_code == 200
    html = response.text
    assert "http://" not in html and "https://" not in html
    assert "fonts.googleapis" not in html and "fonts.gstatic" not in html
    refs = _refs(html)
    assert refs, "the page names its script, style and favicon"
    for url in refs:
        assert url.startswith("/") and not url.startswith("//"), url


@pytest.mark.parametrize("page", PAGES)
def test_docs_assets_are_served(client, page: str) -> None:
    refs = _refs(client.get(page).text)
    kinds = {Path(url).suffix for url in refs}
    assert ".js" in kinds and ".png" in kinds  # script and favicon (Swagger UI: its CSS too)
    for url in refs:
        response = client.get(url)
        assert response.status_code == 200, url
        content_type = response.headers["content-type"].split(";")[0]
        assert content_type in CONTENT_TYPES[Path(url).suffix], (url, content_type)
        if url.endswith(".css"):
            assert not re.search(r"url\(\s*['\"]?(https?:)?//", response.text), "a CSS url() to another host"
        if url.endswith(".js"):
            assert "fonts.googleapis" not in response.text


def test_oauth2_redirect_page_kept(client) -> None:
    response = client.get("/docs/oauth2-redirect")
    assert response.status_code == 200
    assert "https://" not in response.text


def test_docs_pages_not_in_schema(client) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert not {"/docs", "/redoc", "/docs/oauth2-redirect"} & set(paths)


def test_vendored_files_match_readme() -> None:
    """Every vendored file is in api/static/README.md's table with its sha256, and a LICENSE sits beside it."""
    table = dict(
        re.findall(r"^\| (\S+) \| [^|]+ \| ([0-9a-f]{64}) \|$", (STATIC_DIR / "README.md").read_text(), re.M)
    )
    files = {p.relative_to(STATIC_DIR).as_posix(): p for p in STATIC_DIR.glob("*/*")}
    assert set(files) == set(table)
    for name, path in files.items():
        assert hashlib.sha256(path.read_bytes()).hexdigest() == table[name], name
    for folder in ("swagger-ui", "redoc"):
        assert (STATIC_DIR / folder / "LICENSE").is_file()


# --- a real browser on a real server ------------------------------------------------------------------


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory, _sqlite_head_template: Path) -> Iterator[str]:
    """uvicorn on a free port of 127.0.0.1, in a thread, on a copy of the migrated SQLite template."""
    url = sqlite_copy(_sqlite_head_template, tmp_path_factory.mktemp("docs_server"))
    with live_server(url) as base:
        yield base


def _rendered_dom(url: str, profile: Path) -> str:
    """The DOM after the page's scripts ran (virtual time lets fetches and rendering finish)."""
    result = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",  # as root (CI)
            "--disable-gpu",
            "--no-first-run",
            f"--user-data-dir={profile}",
            *BLOCK_OTHER_HOSTS,
            "--virtual-time-budget=15000",
            "--dump-dom",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


@requires_chromium
def test_browser_blocks_other_hosts(tmp_path: Path) -> None:
    """The flags work: a script from the CDN FastAPI uses by default does not load."""
    page = (
        "<html><body><p id=r>pending</p>"
        "<script src='https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui-bundle.js'"
        " onload=\"r.textContent='loaded'\" onerror=\"r.textContent='blocked'\"></script></body></html>"
    )
    dom = _rendered_dom("data:text/html," + quote(page), tmp_path / "profile")
    assert '<p id="r">blocked</p>' in dom


@requires_chromium
def test_swagger_ui_renders_offline(server_url: str, tmp_path: Path) -> None:
    dom = _rendered_dom(server_url + "/docs", tmp_path / "profile")
    assert 'class="opblock opblock-get' in dom
    assert 'data-path="/api/v1/health"' in dom
    assert len(re.findall(r'class="opblock opblock-', dom)) >= 10


@requires_chromium
def test_redoc_renders_offline(server_url: str, tmp_path: Path) -> None:
    dom = _rendered_dom(server_url + "/redoc", tmp_path / "profile")
    assert 'data-section-id="operation/health_api_v1_health_get"' in dom
    assert "/api/v1/health" in dom
    assert len(re.findall(r'data-section-id="operation/', dom)) >= 10
