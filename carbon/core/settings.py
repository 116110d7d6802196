"""Process-wide configuration, read from the environment (prefix ``CARBON_``).

Why pydantic-settings: one typed place for every knob, so the CLI, the API and the tests read the same
values the same way. ``get_settings()`` is cached because settings are read on every request; tests
that change the environment call ``get_settings.cache_clear()`` (or pass a ``Settings`` explicitly).

Environment variables:

- ``CARBON_DATABASE_URL``: SQLAlchemy URL. Default ``sqlite:///./carbon.db`` (a file in the current
  working directory: the embedded, one-process mode). Production: ``postgresql+psycopg://...``.
- ``CARBON_TOKEN_SECRET``: server-side secret for signing things that are not stored (e.g. future
  WeChat state or signed links). The default is a *development* value and must be overridden in
  any shared deployment. API tokens themselves are random and stored only as SHA-256 hashes, so they
  do not depend on this secret.
- ``CARBON_PUHUI_DEV_LOGIN``: allow the 碳普惠 development login (no WeChat). Off by default.
- ``CARBON_FORWARDED_ALLOW_IPS``: the proxies whose ``X-Forwarded-For`` / ``X-Forwarded-Proto`` are believed
  (comma-separated addresses or networks, ``*`` for any; uvicorn's ``forwarded_allow_ips``). Empty by default:
  no header is believed and the client address (rate limits, logs) is the socket peer. Behind nginx on the
  same host: ``CARBON_FORWARDED_ALLOW_IPS=127.0.0.1``.
- ``carbon serve`` on an interface other than loopback refuses to start while ``CARBON_TOKEN_SECRET`` or
  ``CARBON_PUHUI_OPENID_SECRET`` has its development default (``insecure_defaults``).
- ``CARBON_TIMEZONE`` (default ``Asia/Shanghai``) and ``CARBON_REPORT_ORG`` (default 鄂尔多斯市生态环境局): the
  inventory report's local time and the 编制单位 of its sign-off block.
- ``CARBON_INPUT_MAX_*``: bounds on uploaded and imported files and on request bodies (issue 19), checked
  before and while a file is parsed (``carbon/core/input_limits.py``): ``UPLOAD_BYTES`` (20 MiB; a request body
  may be 1 MiB larger for its multipart envelope), ``ROWS`` (200,000 data rows), ``COLUMNS`` (64), ``CELLS``
  (2,000,000), ``TEXT_CHARS`` (10,000 characters in one cell), ``XLSX_UNCOMPRESSED_BYTES`` (200 MiB in all
  the workbook's zip members) and ``COMPRESSION_RATIO`` (100, per zip member). Raise them for a bigger import
  (a million activity rows is ~60 MB of CSV): ``CARBON_INPUT_MAX_ROWS=1000000 CARBON_INPUT_MAX_CELLS=8000000``.
- ``CARBON_CSV_BOM`` (default on): CSV files and downloads start with a UTF-8 BOM, so that Excel on a Chinese
  Windows opens them (issue 19); ``--no-excel`` / ``excel=false`` asks for bare UTF-8 per export, ``0`` here for all.
  Text printed to standard output never has one.
- ``CARBON_REPORT_JOB_LEASE_SECONDS``: a running report job whose worker sent no heartbeat for this long (default
  120 s) is taken again by another worker; a worker on the same host takes it at once when the pid is gone.
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_TOKEN_SECRET = "dev-insecure-change-me"  # noqa: S105 - documented development default


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CARBON_", extra="ignore")

    database_url: str = "sqlite:///./carbon.db"
    token_secret: str = DEV_TOKEN_SECRET
    puhui_dev_login: bool = False
    # 碳普惠 (carbon/puhui, api/routes/puhui.py). WeChat code2Session: app id, secret and base URL (the
    # secret never leaves the server). Openids are stored as HMAC-SHA256(puhui_openid_secret, openid):
    # set a long random value in any shared deployment (changing it later orphans existing users).
    # Rate limits are per minute; with puhui_redis_url they are shared by all API workers, otherwise each
    # process counts on its own (and Redis being unreachable falls back to that).
    puhui_wechat_app_id: str = ""
    puhui_wechat_app_secret: str = ""
    puhui_wechat_base_url: str = "https://api.weixin.qq.com"
    puhui_openid_secret: str = DEV_TOKEN_SECRET
    puhui_redis_url: str | None = None
    puhui_rate_user_per_minute: int = 120
    puhui_rate_ip_per_minute: int = 600
    # Issue 17: 碳普惠 evidence must match operator records (carbon/puhui/operators.py). False: evidence taken as
    # given (a deployment whose operators are not registered yet; claims are marked 'unchecked').
    puhui_evidence_check: bool = True
    # Proxies trusted for X-Forwarded-For (api/main.py installs uvicorn's ProxyHeadersMiddleware with them).
    forwarded_allow_ips: str = ""
    # Bounded input (carbon/core/input_limits.py, which reads them; api/main.py sets the body limit from them).
    input_max_upload_bytes: int = Field(20 * 1024 * 1024, gt=0)
    input_max_rows: int = Field(200_000, gt=0)
    input_max_columns: int = Field(64, gt=0)
    input_max_cells: int = Field(2_000_000, gt=0)
    input_max_text_chars: int = Field(10_000, gt=0)
    input_max_xlsx_uncompressed_bytes: int = Field(200 * 1024 * 1024, gt=0)
    input_max_compression_ratio: int = Field(100, gt=0)
    # The inventory report (carbon/reporting/labels.py): dates in this time zone; the 编制单位 of its sign-off block.
    timezone: str = "Asia/Shanghai"
    report_org: str = "鄂尔多斯市生态环境局"
    # CSV exports (carbon/inventory/io.py csv_encoding): a UTF-8 BOM unless the caller asks otherwise.
    csv_bom: bool = True
    # Report jobs (carbon/reporting/jobs.py): a running job whose worker has not refreshed its heartbeat for this
    # many seconds is taken again by another worker (the worker refreshes it every third of this).
    report_job_lease_seconds: float = Field(120, gt=0)

    @property
    def input_max_body_bytes(self) -> int:
        """The largest request body: an upload at its limit plus room for the multipart envelope and form fields."""
        return self.input_max_upload_bytes + 1024 * 1024


DEV_SECRETS = {"token_secret": "CARBON_TOKEN_SECRET", "puhui_openid_secret": "CARBON_PUHUI_OPENID_SECRET"}


def insecure_defaults(settings: Settings) -> list[str]:
    """The environment variables still at their development value: a server others can reach must set them."""
    return [variable for name, variable in DEV_SECRETS.items() if getattr(settings, name) == DEV_TOKEN_SECRET]


def is_loopback(host: str) -> bool:
    """Whether ``host`` (an address or name given to ``--host``) listens on this machine only."""
    import ipaddress

    if host.strip().lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip().strip("[]")).is_loopback
    except ValueError:
        return False  # another name: it may resolve to any interface


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process, read once. Reset with ``get_settings.cache_clear()``."""
    return Settings()
