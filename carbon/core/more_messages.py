"""Messages of the domain core (units, gases, carbon balance, file text, input limits, API tokens): ``{key: (zh, en)}``.

Merged into carbon/core/messages.py's catalogue on first use (see its docstring). Keys: ``core_`` for the core's
checks, ``limit_`` for the input limits (carbon/core/input_limits.py), ``auth_`` for API tokens (carbon/core/auth.py, api/deps.py).
The English text is word for word what the code said before the catalogue.

An input limit is worded in two parts (carbon/core/errors.py ``LimitExceeded``): what was measured (a ``limit_``
entry, e.g. "the file has at least") completed by ``limit_exceeded`` with the figures, the limit's unit
(``limit_unit_<limit>``) and the setting that raises it.
"""

from __future__ import annotations

_SAVE_AS_ZH = "请另存为 'CSV UTF-8 (逗号分隔)' 或 'CSV (逗号分隔)' (GBK), 或另存为 .xlsx"
_SAVE_AS_EN = "save it as 'CSV UTF-8 (逗号分隔)' or as 'CSV (逗号分隔)' (GBK), or as .xlsx"

MESSAGES: dict[str, tuple[str, str]] = {
    # gases and GWP (carbon/core/gases.py)
    "core_gwp_file_name": ("{name}: GWP 文件应命名为 gwp100_v<N>.csv", "{name}: a GWP file is named gwp100_v<N>.csv"),
    "core_gas_not_string": ("气体应为文本, 实际为 {name!r}", "gas must be a string, got {name!r}"),
    "core_unknown_gas": ("未知气体 {name!r}", "unknown gas {name!r}"),
    "core_gwp_missing": ("{species} 在 {gwp_set} 中没有 GWP-100 值; 请选择其他 GWP 版本",
                         "{species} has no GWP-100 value in {gwp_set}; choose another GWP set"),
    "core_unknown_ch4_variant": ("未知的 AR6 CH4 取值方式 {value!r}; 应为 combined 或 split",
                                 "unknown AR6 CH4 variant {value!r}; expected combined or split"),
    "core_gwp_file_unknown_set": ("{name}: {species} 的 GWP 版本 {gwp_set!r} 未知",
                                  "{name}: unknown GWP set {gwp_set!r} for {species}"),
    "core_gwp_family_changed": ("{name}: {species} 在此处属于 {family!r} 类, 而在之前的版本中属于 {earlier!r} 类",
                                "{name}: {species} is in family {family!r} here but {earlier!r} earlier"),
    # units (carbon/core/units.py)
    "core_unit_not_string": ("单位应为文本, 实际为 {value!r}", "unit must be a string, got {value!r}"),
    "core_unit_bare_number": ("单位 {unit!r} 为空或只是一个数字, 不是单位",
                              "unit {unit!r} is empty or a bare number, not a unit"),
    "core_unit_is_number": ("单位 {unit!r} 是一个数字, 不是单位", "unit {unit!r} is a number, not a unit"),
    "core_unit_not_fraction": ("单位 {unit!r} 不是无量纲单位 (请填写 1、%、‰、dimensionless、无量纲, 或留空)",
                               "unit {unit!r} is not a dimensionless unit (write 1, %, ‰, dimensionless, 无量纲 or "
                               "leave it blank)"),
    "core_unit_dimension": ("{what}: 单位 {unit!r} 的量纲为 {dimension}, 应为 {expected}",
                            "{what}: unit {unit!r} has dimension {dimension}, expected {expected}"),
    # carbon mass balance (carbon/core/carbon_balance.py)
    "core_flow_role": ("物料流角色 {role!r} 不是以下之一: {known}", "flow role {role!r} is not one of {known}"),
    "core_flow_source": ("物料流数据来源 {source!r} 不是 'measured' (实测) 或 'default' (缺省)",
                         "flow source {source!r} is not 'measured' or 'default'"),
    "core_flow_not_carbon_mass": ("{item}: 以 {quantity_unit} 计的数量乘以以 {content_unit} 计的含碳量, 得不到碳的质量 "
                                  "(质量 t 请用质量分数, 体积请用 kg C/Nm3, 能量请用 t C/TJ)",
                                  "{item}: a quantity in {quantity_unit} with a carbon content in {content_unit} does "
                                  "not give a mass of carbon (use a mass fraction for t, kg C/Nm3 for a volume, t C/TJ "
                                  "for an energy)"),
    "core_balance_no_flows": ("设施 {facility}: 没有可供平衡的输入或输出", "facility {facility}: no inputs or outputs to balance"),
    "core_balance_no_input": ("设施 {facility}: 碳平衡至少需要一项输入 (原料)",
                              "facility {facility}: a carbon balance needs at least one input (原料)"),
    "core_flow_negative_carbon": ("设施 {facility}, {item}: 含碳量为负 ({carbon})",
                                  "facility {facility}, {item}: negative carbon ({carbon})"),
    "core_balance_negative": ("设施 {facility}: 碳平衡为负: 输入含碳 {inputs:,.6g} t C, 产品 {products:,.6g} t C, "
                              "废弃物 {wastes:,.6g} t C, 回收 CO2 {recovered:,.6g} t C (输出比输入多 {excess:,.6g} t C); "
                              "请核对数量和含碳率",
                              "facility {facility}: the carbon balance is negative: inputs carry {inputs:,.6g} t C, "
                              "products {products:,.6g} t C, wastes {wastes:,.6g} t C and recovered CO2 "
                              "{recovered:,.6g} t C ({excess:,.6g} t C more out than in); check the quantities and "
                              "carbon fractions"),
    # file text (carbon/core/tabular.py): "the file", or a named file (_named)
    "core_text_bad_bom": (f"文件以 UTF-8 字节顺序标记 (BOM) 开头, 但不是 UTF-8 文本 (第 {{byte}} 字节: {{reason}}); {_SAVE_AS_ZH}",
                          f"the file starts with a UTF-8 byte-order mark but is not UTF-8 ({{reason}} at byte {{byte}}); "
                          f"{_SAVE_AS_EN}"),
    "core_text_bad_bom_named": (f"{{what}} 以 UTF-8 字节顺序标记 (BOM) 开头, 但不是 UTF-8 文本 (第 {{byte}} 字节: "
                                f"{{reason}}); {_SAVE_AS_ZH}",
                                f"{{what}} starts with a UTF-8 byte-order mark but is not UTF-8 ({{reason}} at byte "
                                f"{{byte}}); {_SAVE_AS_EN}"),
    "core_text_wide": (f"文件是 {{encoding}} 文本 (Excel 的 'Unicode 文本'), 不是 UTF-8 或 GBK 编码的 CSV; {_SAVE_AS_ZH}",
                       f"the file is {{encoding}} text (Excel's 'Unicode text'), not a CSV in UTF-8 or GBK; {_SAVE_AS_EN}"),
    "core_text_wide_named": (f"{{what}} 是 {{encoding}} 文本 (Excel 的 'Unicode 文本'), 不是 UTF-8 或 GBK 编码的 CSV; "
                             f"{_SAVE_AS_ZH}",
                             f"{{what}} is {{encoding}} text (Excel's 'Unicode text'), not a CSV in UTF-8 or GBK; "
                             f"{_SAVE_AS_EN}"),
    "core_text_not_gbk": (f"文件既不是 UTF-8 也不是 GB18030/GBK 文本 (第 {{byte}} 字节: {{reason}}); {_SAVE_AS_ZH}",
                          f"the file is neither UTF-8 nor GB18030/GBK text ({{reason}} at byte {{byte}}); {_SAVE_AS_EN}"),
    "core_text_not_gbk_named": (f"{{what}} 既不是 UTF-8 也不是 GB18030/GBK 文本 (第 {{byte}} 字节: {{reason}}); "
                                f"{_SAVE_AS_ZH}",
                                f"{{what}} is neither UTF-8 nor GB18030/GBK text ({{reason}} at byte {{byte}}); "
                                f"{_SAVE_AS_EN}"),
    "core_text_not_data": (f"文件既不是 UTF-8 也不是 GB18030/GBK 文本 (第 {{utf8_byte}} 字节处不是 UTF-8; 按 GB18030 读取, "
                           f"第 {{byte}} 字节为 {{char!r}} (U+{{code:04X}}), 不是数据文件中的文字); {_SAVE_AS_ZH}",
                           f"the file is neither UTF-8 nor GB18030/GBK text (not UTF-8 at byte {{utf8_byte}}; read as "
                           f"GB18030 it gives {{char!r}} (U+{{code:04X}}) at byte {{byte}}, not text of a data file); "
                           f"{_SAVE_AS_EN}"),
    "core_text_not_data_named": (f"{{what}} 既不是 UTF-8 也不是 GB18030/GBK 文本 (第 {{utf8_byte}} 字节处不是 UTF-8; "
                                 f"按 GB18030 读取, 第 {{byte}} 字节为 {{char!r}} (U+{{code:04X}}), 不是数据文件中的文字); "
                                 f"{_SAVE_AS_ZH}",
                                 f"{{what}} is neither UTF-8 nor GB18030/GBK text (not UTF-8 at byte {{utf8_byte}}; read "
                                 f"as GB18030 it gives {{char!r}} (U+{{code:04X}}) at byte {{byte}}, not text of a data "
                                 f"file); {_SAVE_AS_EN}"),
    "core_column_twice": ("该列出现了两次: {first!r} 和 {second!r}", "the column is given twice: {first!r} and {second!r}"),
    # workbooks (carbon/core/input_limits.py)
    "core_xlsx_not_zip": ("不是 XLSX 文件 (不是 zip 压缩包: {reason})", "not an XLSX file (not a zip archive: {reason})"),
    "core_xlsx_member_unreadable": ("无法读取工作簿中的 {name}: {reason}", "cannot read {name} of the workbook: {reason}"),
    "core_xlsx_unreadable": ("无法读取工作簿: {reason}", "cannot read the workbook: {reason}"),
    # input limits: the frame, the limits' units, what was measured
    "limit_exceeded": ("{what}: {actual:,} {unit}, 超过上限 {limit_value:,} (设置项 {setting})",
                       "{what}: {actual:,} {unit}, more than the limit of {limit_value:,} (setting {setting})"),
    "limit_unit_upload_bytes": ("字节", "bytes"),
    "limit_unit_rows": ("行", "rows"),
    "limit_unit_columns": ("列", "columns"),
    "limit_unit_cells": ("个单元格", "cells"),
    "limit_unit_text_chars": ("个字符", "characters"),
    "limit_unit_xlsx_uncompressed_bytes": ("字节 (解压后)", "bytes uncompressed"),
    "limit_unit_compression_ratio": ("倍 (压缩比)", "times compressed"),
    "limit_upload_too_large": ("上传的文件过大", "file is too large"),
    "limit_file_too_large": ("文件 {name} 过大", "{name} is too large"),
    "limit_workbook_inflates": ("工作簿解压后过大", "the workbook inflates too much"),
    "limit_member_ratio": ("压缩包成员 {name} 从 {compressed:,} 字节解压为 {size:,} 字节",
                           "zip member {name} inflates from {compressed:,} to {size:,} bytes"),
    "limit_sheet_declares": ("{name} 声明的范围为 {ref}", "{name} declares {ref}"),
    "limit_strings_declared": ("{name} 声明的共享字符串数", "{name} declares that many strings"),
    "limit_sheet_at_least": ("工作表 {title!r} 至少有", "sheet {title!r} has at least"),
    "limit_cell_too_long": ("工作表 {title!r} 的单元格 {cell} 过长", "cell {cell} of sheet {title!r} is too long"),
    "limit_sheet_row_has": ("工作表 {title!r} 第 {row} 行有", "row {row} of sheet {title!r} has"),
    "limit_line_has": ("第 {line} 行有", "line {line} has"),
    "limit_line_too_long": ("第 {line} 行过长, {columns} 个字段各按最多 {chars:,} 个字符计也容纳不下; 该行有",
                            "line {line} is too long for {columns} fields of at most {chars:,} characters; it has"),
    "limit_field_too_long": ("第 {line} 行有字段过长", "a field on line {line} is too long"),
    "limit_file_at_least": ("文件至少有", "the file has at least"),
    # API tokens (carbon/core/auth.py, api/deps.py)
    "auth_unknown_role": ("未知角色 {role!r}; 应为以下之一: {known}", "unknown role {role!r}; expected one of {known}"),
    "auth_token_name_missing": ("令牌需要一个名称 (由谁或什么持有)", "a token needs a name (who or what holds it)"),
    "auth_missing_token": ("缺少 Bearer 令牌", "missing bearer token"),
    "auth_invalid_token": ("令牌无效或已被吊销", "invalid or revoked token"),
    "auth_malformed_header": ("Authorization 请求头格式有误; 应为 `Authorization: Bearer <token>`",
                              "malformed Authorization header; expected `Authorization: Bearer <token>`"),
    "auth_role_forbidden": ("角色 {role!r} 无权执行此操作; 需要以下角色之一: {roles}",
                            "role {role!r} may not do this; needs one of: {roles}"),
    "auth_token_not_found": ("没有编号为 {id} 的令牌", "no token with id {id}"),
    # the request body bound (api/body_limit.py)
    "limit_body": ("请求体 {size} 字节, 超过上限 {limit} 字节 (设置 {setting}, 另加 1 MiB 用于 multipart 封装)",
                   "request body of {size} bytes, more than the limit of {limit} (setting {setting}, plus 1 MiB for "
                   "the multipart envelope)"),
    "limit_body_at_least": ("请求体至少 {size} 字节, 超过上限 {limit} 字节 (设置 {setting}, 另加 1 MiB 用于 multipart 封装)",
                            "request body of at least {size} bytes, more than the limit of {limit} (setting {setting}, "
                            "plus 1 MiB for the multipart envelope)"),
}
