"""How numbers and times read on the console: 万吨CO2当量 with thousands separators, China time."""

from __future__ import annotations

from datetime import datetime

from carbon.reporting.labels import local_time

STATUS_ZH = {"draft": "草稿", "compiled": "已编制", "published": "已发布"}
ROLE_ZH = {"bureau": "生态环境局", "verifier": "核查机构", "emitter": "重点排放单位", "citizen": "公众"}


def wan_t(value: float | None, digits: int = 2) -> str:
    """Tonnes CO2e as 万吨 with thousands separators: 182916466.5 → '18,291.65'; '—' for None."""
    if value is None:
        return "—"
    return f"{value / 1e4:,.{digits}f}"


def tonnes(value: float | None, digits: int = 2) -> str:
    if value is None:
        return "—"
    return f"{value:,.{digits}f}"


def number(value: float | None) -> str:
    """A factor value or a quantity: up to 6 significant digits, thousands separators."""
    if value is None:
        return "—"
    if value != 0 and (abs(value) >= 1e12 or abs(value) < 1e-4):
        return f"{value:.6g}"
    text = f"{value:,.6g}" if abs(value) < 1e6 else f"{value:,.0f}"
    return text


def percent(change: float | None) -> str:
    """A relative change as '+5.2%' / '−3.0%'; '—' without one."""
    if change is None:
        return "—"
    return f"{change * 100:+.1f}%".replace("-", "−")


def china_time(value: datetime | str | None) -> str:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return local_time(value)


FILTERS = {"wan_t": wan_t, "tonnes": tonnes, "number": number, "percent": percent, "china_time": china_time,
           "status_zh": lambda s: STATUS_ZH.get(s, s), "role_zh": lambda r: ROLE_ZH.get(r, r)}
