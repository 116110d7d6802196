"""User-facing messages in Chinese (the default) and English, keyed by a stable message key.

``CARBON_LANG=en`` (or ``en_US.UTF-8``, ...) chooses English; anything else, or nothing, Chinese. A domain error
built with ``key=`` and ``params=`` (see carbon/core/errors.py) keeps the English text as ``exc.message`` (what
logs and existing callers read) and renders itself in either language with ``exc.text(lang)``. Messages not in
this catalogue stay in English in both languages.

Parameters are ``str.format`` fields; a missing one is shown as ``{name}`` rather than failing, since an error
message must never raise. A parameter that is another domain error (a wrapped cause) is worded in the language of
the message that wraps it.

Each domain keeps its own messages in a module of the same shape (``MESSAGES = {key: (zh, en)}``) listed in
``CATALOGUES``; they are merged into this one the first time a key is not found here, so the CLI's start-up
imports none of them. A key defined twice is an error (tests/test_messages_catalogue.py).
"""

from __future__ import annotations

import os
import string

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"

# key: (zh, en)
MESSAGES: dict[str, tuple[str, str]] = {
    # files
    "file_not_found": ("找不到文件 {path}", "file not found: {path}"),
    "file_unreadable": ("无法读取文件 {path}: {reason}", "cannot read {path}: {reason}"),
    "file_parse": ("无法解析文件 {path}: {reason}", "cannot read {path}: {reason}"),
    "file_type": ("不支持的文件类型 {suffix}: 请使用 .csv 或 .xlsx", "unsupported file type {suffix}: use .csv or .xlsx"),
    "no_data_rows": ("文件没有数据行: {path} (只有表头或为空)", "the file has no data rows: {path} (header only or empty)"),
    # columns and cells
    "missing_column": ("缺少必需的列: 请写表头 {headers} (文件中的表头: {found})",
                       "required column is missing: write the header {headers} (the file's headers: {found})"),
    "empty": ("为空", "empty"),
    "unknown_region": ("未知地区 {value!r}; 应为行政区划代码或以下之一: {known}",
                       "unknown region {value!r}; expected a code or one of: {known}"),
    "region_missing": ("缺少地区", "region is missing"),
    "unknown_item": ("未知品种 {value!r}", "unknown item {value!r}"),
    "unknown_category": ("未知类别 {value!r}: {detail}", "{detail}"),
    "unknown_gwp_set": ("未知的全球增温潜势 (GWP) 版本 {value!r}; 应为以下之一: {known}",
                        "unknown GWP set {value!r}; expected one of {known}"),
    "bad_year": ("不是 1950 至 2100 之间的年份", "not a year between 1950 and 2100"),
    "bad_quantity": ("不是数字, 也不是注释符号 ({keys})", "not a number nor a notation key ({keys})"),
    "negative_quantity": ("数量为负 (调出和清除请作为单独的品种填报)",
                          "negative quantity (report exports and removals as their own items)"),
    "empty_unit": ("单位为空", "empty unit"),
    "unknown_unit": ("未知单位 {unit!r}", "unit {unit!r} is not a known unit ({reason})"),
    "unit_dimension": ("单位 {unit!r} 的量纲为 {dimension}; {category} 需要 {expected}",
                       "unit {unit!r} has dimension {dimension}; {category} expects {expected}"),
    "unit_not_convertible": ("单位 {from_unit!r} ({from_dim}) 不能换算为 {to_unit!r} ({to_dim})",
                             "unit {from_unit!r} ({from_dim}) cannot be converted to {to_unit!r} ({to_dim})"),
    "more_bad_cells": ("... 另有 {n} 个错误单元格", "... and {n} more bad cells"),
    # years
    "other_year_rows": ("{year} 年的数据不属于 {inventory_year} 年清单 (只有填埋等时间序列类别可附往年数据作为历史)",
                        "the inventory is for {inventory_year}; rows of {year} do not belong in it (only time-series "
                        "categories such as landfill take earlier years as history)"),
    "rows_skipped": ("跳过 {n} 行其他年份的数据 ({detail})", "skipped {n} rows of other years ({detail})"),
    "rows_of_year": ("{year}: {n} 行", "{year}: {n} rows"),
    "no_rows_of_year": ("文件 {path} 没有 {year} 年的数据 (文件中的年份: {years})",
                        "{path} has no rows of {year} (the file has: {years})"),
    # row reports
    "import_rejected": ("导入被拒绝: {n} 行有误, 未导入任何数据", "{what} rejected: {n} bad row(s); nothing was imported"),
    "compile_rejected": ("计算被拒绝: {n} 行有误, 未保存任何结果", "{what} rejected: {n} bad row(s); nothing was imported"),
    "row_problem": ("第 {row} 行, {column} 列: {reason}{shown}", "row {row}, column {column}: {reason}{shown}"),
    "row_value": (" (值 {value!r})", " (value {value!r})"),
    # records and permissions
    "inventory_not_found": ("没有编号为 {id} 的清单", "no inventory with id {id}"),
    "not_found": ("未找到: {detail}", "{detail}"),
    "forbidden": ("无权限: {detail}", "{detail}"),
    "conflict": ("冲突: {detail}", "{detail}"),
    "unauthorized": ("未认证: {detail}", "{detail}"),
    # request validation (pydantic's error types, api/errors.py); English is pydantic's own message ({msg})
    "request_missing": ("缺少必填字段", "{msg}"),
    "request_string_too_long": ("文本过长 (最多 {max_length} 个字符)", "{msg}"),
    "request_string_too_short": ("文本过短 (至少 {min_length} 个字符)", "{msg}"),
    "request_too_long": ("过长 (最多 {max_length} 项)", "{msg}"),
    "request_too_short": ("过短 (至少 {min_length} 项)", "{msg}"),
    "request_int_parsing": ("应为整数", "{msg}"),
    "request_int_type": ("应为整数", "{msg}"),
    "request_int_from_float": ("应为整数", "{msg}"),
    "request_float_parsing": ("应为数字", "{msg}"),
    "request_float_type": ("应为数字", "{msg}"),
    "request_finite_number": ("应为有限的数字", "{msg}"),
    "request_bool_parsing": ("应为布尔值 (true 或 false)", "{msg}"),
    "request_string_type": ("应为文本", "{msg}"),
    "request_greater_than_equal": ("应不小于 {ge}", "{msg}"),
    "request_greater_than": ("应大于 {gt}", "{msg}"),
    "request_less_than_equal": ("应不大于 {le}", "{msg}"),
    "request_less_than": ("应小于 {lt}", "{msg}"),
    "request_enum": ("应为以下之一: {expected}", "{msg}"),
    "request_literal_error": ("应为以下之一: {expected}", "{msg}"),
    "request_string_pattern_mismatch": ("格式不符 (应匹配 {pattern})", "{msg}"),
    "request_json_invalid": ("JSON 格式错误", "{msg}"),
    "request_dict_type": ("应为 JSON 对象", "{msg}"),
    "request_model_type": ("应为 JSON 对象", "{msg}"),
    "request_list_type": ("应为列表", "{msg}"),
    "request_date_parsing": ("应为日期 (YYYY-MM-DD)", "{msg}"),
    "request_date_from_datetime_parsing": ("应为日期 (YYYY-MM-DD)", "{msg}"),
    "request_datetime_parsing": ("应为日期时间 (ISO 8601)", "{msg}"),
    "request_datetime_from_date_parsing": ("应为日期时间 (ISO 8601)", "{msg}"),
    "request_extra_forbidden": ("不接受的字段", "{msg}"),
    "request_invalid": ("请求参数无效: {msg}", "{msg}"),
    # text the database cannot hold (api/guards.py)
    "text_nul": ("含有 NUL 字符 (\\u0000), 无法保存", "contains a NUL character (\\u0000), which cannot be stored"),
    "text_nul_raw": ("含有 NUL 字符 (%00), 无法保存", "contains a NUL character (%00), which cannot be stored"),
    "text_surrogate": ("含有单独的代理字符 (如 \\ud800), 不是可编码的文本",
                       "contains a lone surrogate (e.g. \\ud800), which is not encodable text"),
    "text_not_utf8": ("不是有效的 UTF-8 文本", "is not valid UTF-8 text"),
    "text_in_key": ("键名{problem}", "key {problem}"),
    "text_refused": ("{field}: {problem}", "{field} {problem}"),
    "value_out_of_range": ("请求中的某个值超出了数据库可保存的范围",
                           "a value in the request is out of the range the database can store"),
    # the CLI itself
    "error_prefix": ("错误", "error"),
    "field_suffix": (" (字段 {field})", " (field {field})"),
    "internal_error": ("内部错误: {detail} (加 --debug 重新运行可查看详细信息)",
                       "internal error: {detail} (rerun with --debug for the traceback)"),
    "server_error": ("服务器内部错误", "internal server error"),
    "interrupted": ("已中断", "interrupted"),
    # what a command wrote
    "cli_wrote": ("已写入 {path}", "wrote {path}"),
    "cli_wrote_rows": ("已写入 {n} 行: {path}", "wrote {n} rows to {path}"),
    "cli_wrote_balances": ("已写入 {n} 个碳平衡: {path}", "wrote {n} carbon balances to {path}"),
    "cli_wrote_template": ("已写入 {sector} 的模板: {path}", "wrote template for {sector} to {path}"),
    "cli_wrote_report": ("已写入 {path} ({pages} 页, {kb} KB, {seconds} 秒)", "wrote {path} ({pages} pages, {kb} KB, {seconds} s)"),
}


# the domains' catalogues, merged on first use (see the module docstring)
CATALOGUES = (
    "carbon.ets.messages",
    "carbon.ets.sector_messages",
    "carbon.puhui.messages",
    "carbon.monitoring.messages",
    "carbon.intensity.messages",
    "carbon.factors.messages",
    "carbon.inventory.messages",
    "carbon.reporting.messages",
    "carbon.reconcile.messages",
    "carbon.core.more_messages",
    "carbon.inventory.explain_messages",
)
_all: dict[str, tuple[str, str]] | None = None


def catalogue() -> dict[str, tuple[str, str]]:
    """Every message: this module's and each domain catalogue's (imported once, on first use)."""
    global _all
    if _all is None:
        import importlib

        merged = dict(MESSAGES)
        for name in CATALOGUES:
            try:
                module = importlib.import_module(name)
            except ModuleNotFoundError as exc:
                if exc.name != name:
                    raise
                continue
            for key, value in module.MESSAGES.items():
                if key in merged:
                    raise RuntimeError(f"message key {key!r} of {name} is already defined")
                merged[key] = value
        _all = merged
    return _all


def current_lang() -> str:
    """``en`` when CARBON_LANG starts with ``en``, else ``zh``."""
    return normalise(os.environ.get("CARBON_LANG"))


def normalise(value: str | None) -> str:
    """A language tag (``en``, ``en-US``, ``zh_CN.UTF-8``, an Accept-Language header) as ``zh`` or ``en``."""
    if not value:
        return DEFAULT_LANG
    first = value.split(",")[0].strip().lower()
    return "en" if first.startswith("en") else "zh"


class _Lenient(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def text(key: str, lang: str | None = None, /, **params) -> str:
    """The message ``key`` in ``lang`` (default: current_lang()) with its parameters filled in."""
    entry = MESSAGES.get(key) or catalogue()[key]
    zh, en = entry
    lang = "en" if (lang or current_lang()) == "en" else "zh"
    template = en if lang == "en" else zh
    # a parameter that is itself an error (CarbonError: it has ``text(lang)``) is worded in this message's language
    params = {k: v.text(lang) if callable(getattr(v, "text", None)) and hasattr(v, "key") else v
              for k, v in params.items()}
    try:
        return string.Formatter().vformat(template, (), _Lenient(params))
    except (ValueError, IndexError, KeyError):  # a template/parameter mismatch: show the raw template
        return template


def request_error_text(error: dict, lang: str | None = None) -> str:
    """A pydantic validation error (one item of ``errors()``) in ``lang``: pydantic's own message in English, a
    message of this catalogue by the error's type in Chinese (``request_invalid`` with pydantic's words for a type
    the catalogue does not name)."""
    kind = f"request_{error.get('type', '')}"
    key = kind if kind in catalogue() else "request_invalid"
    return text(key, lang, msg=error.get("msg", ""), **(error.get("ctx") or {}))


def help_text(zh: str, en: str) -> str:
    """A CLI help text in the current language (CARBON_LANG, read when the command module is imported)."""
    return en if current_lang() == "en" else zh
