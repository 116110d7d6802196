"""Messages of carbon monitoring (carbon/monitoring/): HJ 212-2017 frames, CEMS stacks, measured emissions and
their comparison with the calculated ones. ``MESSAGES = {key: (zh, en)}``, merged by carbon/core/messages.py; the
English is word for word what the code said before. HJ 212 field names (QN, ST, CN, PW, MN, Flag, CP, DataTime)
and pollutant codes are kept as the standard writes them.
"""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    # HJ 212 frames (hj212.py)
    "monitoring_frame_no_header": ("数据帧必须以 '##' 开头", "frame must start with '##'"),
    "monitoring_frame_too_short": ("数据帧过短 ({length} 个字符)", "frame too short ({length} characters)"),
    "monitoring_length_not_digits": ("数据段长度 {length!r} 不是 4 位十进制数字", "data length {length!r} is not 4 decimal digits"),
    "monitoring_length_too_large": ("数据段长度 {length} 超过上限 {limit}", "data length {length} exceeds {limit}"),
    "monitoring_length_mismatch": ("长度不符: 包头声明 {declared} 个字符, 数据段实有 {actual} 个",
                                   "bad length: header says {declared} characters, data segment has {actual}"),
    "monitoring_crc_not_hex": ("CRC 校验码 {crc!r} 不是 4 位十六进制数字", "CRC {crc!r} is not 4 hex digits"),
    "monitoring_crc_mismatch": ("CRC 校验失败: 数据帧中为 {crc}, 按数据段计算为 {expected:04X}",
                                "bad CRC: frame says {crc}, data segment gives {expected:04X}"),
    "monitoring_cp_missing": ("缺少 CP 字段 (应为 'CP=&&...&&')", "missing field CP (expected 'CP=&&...&&')"),
    "monitoring_cp_not_closed": ("CP 字段未以 '&&' 结束", "CP is not closed with '&&'"),
    "monitoring_header_no_equals": ("包头字段 {part!r} 缺少 '='", "header field {part!r} has no '='"),
    "monitoring_header_twice": ("包头字段 {name} 重复出现", "header field {name} given twice"),
    "monitoring_fields_missing": ("缺少字段: {fields}", "missing field(s): {fields}"),
    "monitoring_cn_not_code": ("CN {cn!r} 不是 4 位命令编码", "CN {cn!r} is not a 4-digit command code"),
    "monitoring_flag_not_number": ("Flag {flag!r} 不是数字", "Flag {flag!r} is not a number"),
    "monitoring_cp_item_no_equals": ("CP 数据项 {item!r} 缺少 '='", "CP item {item!r} has no '='"),
    "monitoring_cp_item_not_code_field": ("CP 数据项 {item!r} 不是 '监测因子编码-字段' 的形式",
                                          "CP item {item!r} is not 'code-Field'"),
    "monitoring_unknown_flag": ("{code} 的数据标记 {flag!r} 未知 (已知: {known})",
                                "unknown flag {flag!r} for {code} (known: {known})"),
    "monitoring_value_not_number": ("{item} 的值 {value!r} 不是数字", "{item} value {value!r} is not a number"),
    "monitoring_value_not_finite": ("{item} 的值 {value!r} 不是有限数值", "{item} value {value!r} is not finite"),
    "monitoring_datatime_missing": ("CP 中缺少 DataTime 字段", "missing field DataTime in CP"),
    "monitoring_datatime_format": ("DataTime {value!r} 不是 YYYYMMDDhhmmss 格式", "DataTime {value!r} is not YYYYMMDDhhmmss"),
    "monitoring_datatime_invalid": ("DataTime {value!r} 不是有效的日期和时间", "DataTime {value!r} is not a valid date and time"),
    # measured emissions (compute.py)
    "monitoring_humidity_range": ("烟气湿度 {humidity} % 不在 [0, 100) 范围内", "humidity {humidity} % is outside [0, 100)"),
    "monitoring_period_naive": ("时段的起止时间必须带时区", "period start and end must be timezone-aware"),
    "monitoring_period_order": ("时段的结束时间必须晚于开始时间", "period end must be after its start"),
    "monitoring_hourly_column": ("小时数据缺少列 {column!r}", "hourly data needs a column {column!r}"),
    "monitoring_flatline_hours": ("判定数值恒定 (flat line) 至少需要 n >= 2 小时", "a flat line needs n >= 2 hours"),
    "monitoring_basis": ("{name} 的基准应为以下之一: {known}", "basis {name} must be one of {known}"),
    "monitoring_calculated_not_positive": ("用于比较的核算排放量必须大于 0",
                                           "the calculated emissions must be > 0 to compare with"),
    "monitoring_no_threshold": ("行业 {industry!r} 没有偏差阈值", "no deviation threshold for industry {industry!r}"),
    # stacks, records and comparison (service.py)
    "monitoring_stack_code_required": ("必须填写排放口编号", "stack code is required"),
    "monitoring_mn_required": ("必须填写 MN (最多 64 个字符)", "MN is required (at most 64 characters)"),
    "monitoring_mn_taken": ("MN {mn} 已登记给一个排放口", "MN {mn} is already registered for a stack"),
    "monitoring_stack_taken": ("排放口 {code!r} 已为 {uscc} 登记", "stack {code!r} is already registered for {uscc}"),
    "monitoring_stack_not_found": ("没有排放口 {ref!r} (请给出其 MN 或 统一社会信用代码:排放口编号)",
                                   "no stack {ref!r} (give its MN or USCC:code)"),
    "monitoring_hours_naive": ("小时记录的时间必须带时区 (UTC)", "hourly records need timezone-aware hours (UTC)"),
    "monitoring_time_naive": ("{name} 必须带时区", "{name} must be timezone-aware"),
    "monitoring_no_ets_report": ("{uscc} 没有 {year} 年的碳市场排放报告: 请给出核算排放量",
                                 "no ETS report of {uscc} for {year}: give the calculated emissions"),
    "monitoring_no_stack": ("{uscc} 没有受监测的排放口", "{uscc} has no monitored stack"),
    "monitoring_calculated_or_year": ("请给出 calculated_t (核算排放量), 或一份碳市场排放报告的年份",
                                      "give calculated_t, or the year of an ETS report"),
    "monitoring_api_time_no_offset": ("{name} 需要带 UTC 偏移, 例如 2024-01-01T00:00:00+08:00",
                                      "{name} needs a UTC offset, e.g. 2024-01-01T00:00:00+08:00"),
    # the CLI (commands.py)
    "monitoring_option_not_iso": ("--{name} {value!r} 不是 ISO 格式的日期/时间", "--{name} {value!r} is not an ISO date/time"),
    "monitoring_option_no_offset": ("--{name} 需要带 UTC 偏移, 例如 2024-01-01T00:00+08:00",
                                    "--{name} needs a UTC offset, e.g. 2024-01-01T00:00+08:00"),
    # a finding opened as a non-conformity (findings.py)
    "monitoring_no_finding": ("监测对比没有发现问题 (偏差 {deviation:+.2f}%, 阈值 {threshold:g}%), 无需开具不符合项",
                              "the comparison has no finding (deviation {deviation:+.2f} %, threshold {threshold:g} %): "
                              "nothing to open as a non-conformity"),
}
