"""Messages of the emission-factor library (carbon/factors/): ``MESSAGES = {key: (zh, en)}``, merged by
carbon/core/messages.py. The English is word for word what the code said before.

Loading a factor file fails on the first bad row and names file, line and row; ``{where}`` is that location
(``emission_factors/... 第 N 行 (factor_id, parameter=value unit)`` in Chinese). ``{what}`` is the location a check
was given (a row location, or ``parameter value unit`` of a local factor).
"""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    # parameter catalogue and unit checks
    "factor_unknown_dimension": ("{file}: 参数 {parameter}: 未知量纲 {dimension!r}",
                                 "{file}: parameter {parameter}: unknown dimension {dimension!r}"),
    "factor_parameter_declared_twice": ("{file}: 参数 {parameter!r} 已在另一个参数文件中声明",
                                        "{file}: parameter {parameter!r} is already declared in another parameters file"),
    "factor_unknown_parameter": ("{what}: 未知参数 {parameter!r}", "{what}: unknown parameter {parameter!r}"),
    "factor_unit_dimensions": ("{what}: 单位 {unit!r} 的量纲为 {dimension}, 应为以下之一: {expected}",
                               "{what}: unit {unit!r} has dimension {dimension}, expected one of {expected}"),
    "factor_implausible": ("{what}: {name} = {value:.6g} {unit} 超出合理范围 [{lo}, {hi}] {unit}",
                           "{what}: {name} = {value:.6g} {unit} is outside the plausible range [{lo}, {hi}] {unit}"),
    "factor_implausible_percent": ("{what}: {name} = {value:.6g} {unit} 超出合理范围 [{lo}, {hi}] {unit} "
                                   "(是百分数吗? 请将单位写为 %)",
                                   "{what}: {name} = {value:.6g} {unit} is outside the plausible range [{lo}, {hi}] {unit} "
                                   "(a percentage? write the unit %)"),
    # profiles and rows
    "factor_unknown_profile": ("未知的排放因子方案 {profile!r}; 应为以下之一: {known}",
                               "unknown factor profile {profile!r}; expected one of {known}"),
    "factor_row_not_found": ("排放因子库中没有因子行 {ref}", "no factor row {ref}"),
    "factor_stored_not_found": ("数据库中没有已保存的因子行 {ref}", "no stored factor row {ref}"),
    "factor_bad_ref": ("{ref!r} 不是因子引用: 应为 'factor_id@vN'", "not a factor reference {ref!r}: expected 'factor_id@vN'"),
    "factor_edited_in_place": ("因子行 {refs} 与首次使用时保存的副本不一致: 已被引用的排放因子不得原地修改, "
                               "请为该 factor_id 新增一个版本",
                               "factor row(s) {refs} differ from the copy stored when they were first used: "
                               "cited factors are never edited in place; add a new version of the factor_id instead"),
    # factor files (emission_factors/)
    "factor_missing_columns": ("{file}: 缺少列 {columns}", "{file}: missing columns {columns}"),
    "factor_row_unknown_profile": ("未知方案 {profile!r}", "unknown profile {profile!r}"),
    "factor_row_uncited": ("{column} 为空: 每一行排放因子都必须注明来源",
                           "empty {column}: every factor row must cite its source"),
    "factor_row_unparsed": ("{where}: 无法解析 ({reason})", "{where}: {reason}"),
    "factor_row_at": ("{where}: {reason}", "{where}: {reason}"),
    "factor_duplicate": ("排放因子 {ref} 重复: 见 {file} 和 {other}", "duplicate factor {ref} in {file} and {other}"),
    "factor_derived_mismatch": ("派生排放因子与其组成参数不符:\n{problems}", "derived factor mismatch:\n{problems}"),
    "factor_derived_line": ("{file}: {ref} 中 {item} 的 ef_CO2 为 {stored:.4g} t/TJ, 但 含碳量 × 碳氧化率 × 44/12 "
                            "= {derived:.4g} t/TJ ({cc}, {of})",
                            "{file}: {ref} ef_CO2 for {item} is {stored:.4g} t/TJ but carbon_content × oxidation × 44/12 "
                            "= {derived:.4g} t/TJ ({cc}, {of})"),
    # verification files (emission_factors/verification/)
    "factor_verification_unparsed": ("verification/{file} 第 {line} 行 ({ref}): 无法解析 ({reason})",
                                     "verification/{file} line {line} ({ref}): {reason}"),
    "factor_verification_status": ("verification/{file} 第 {line} 行 ({ref}): status 应为以下之一: {known}",
                                   "verification/{file} line {line} ({ref}): status must be one of {known}"),
    "factor_verification_unknown_row": ("verification/{file} 第 {line} 行 ({ref}): emission_factors/ 中没有因子行 {row}",
                                        "verification/{file} line {line} ({ref}): no factor row {row} in emission_factors/"),
    "factor_verification_uncited": ("verification/{file} 第 {line} 行 ({ref}): 已核实 (verified) 的记录须注明文件、表和页码 (或章节)",
                                    "verification/{file} line {line} ({ref}): a verified line cites document, table and page "
                                    "(or section)"),
    "factor_verification_date": ("verification/{file} 第 {line} 行 ({ref}): checked_on 应为日期 YYYY-MM-DD",
                                 "verification/{file} line {line} ({ref}): checked_on must be a date YYYY-MM-DD"),
    # local factors (地方实测), row report
    "factor_local_empty_unit": ("{what}: 单位为空; {parameter} 的量纲应为 {expected}",
                                "{what}: empty unit; {parameter} expects {expected}"),
    "factor_local_not_number": ("不是数字", "not a number"),
    "factor_local_unknown_parameter": ("未知参数; 已知参数: {known}", "unknown parameter; known: {known}"),
    "factor_local_not_year": ("不是整数年份", "not a whole year"),
}
