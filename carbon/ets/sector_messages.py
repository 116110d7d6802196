"""Messages of the ETS sector modules (issue 14: cement, aluminium, steel; sector allocation, disclosure, summary,
data-quality control plans), in Chinese and English: ``MESSAGES = {key: (zh, en)}``, merged by
carbon.core.messages. Keys start with ``ets_sector_``; the English is word for word what the code said before.
"""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    # payload checks shared by the sector calculators (sectors/common.py) and the allocation inputs
    "ets_sector_default_unverified": ("缺省值 {key} 未经核实, 不予采用", "default {key} is not verified and is not applied"),
    "ets_sector_not_object": ("{where} 应为 JSON 对象", "{where} must be an object"),
    "ets_sector_object_required": ("{where} 为必填项 (JSON 对象)", "{where} is required (an object)"),
    "ets_sector_unknown_fields": ("{where}: 未知字段 {fields}", "{where}: unknown field(s) {fields}"),
    "ets_sector_unknown_key": ("{where}: 未知字段 {name!r}", "{where}: unknown key {name!r}"),
    "ets_sector_required": ("{field} 为必填项", "{field} is required"),
    "ets_sector_not_list": ("{where} 应为列表", "{where} must be a list"),
    "ets_sector_list_empty": ("{where}: 至少需要一项", "{where}: at least one entry is required"),
    "ets_sector_name_required": ("{field} 应为非空文本", "{field} must be a non-empty string"),
    "ets_sector_number_required": ("{field} 为必填项: 没有经核实的缺省值", "{field} is required: no verified default"),
    "ets_sector_number_required_what": ("{field} 为必填项 ({what}): 没有经核实的缺省值",
                                        "{field} is required ({what}): no verified default"),
    "ets_sector_not_finite": ("{field} 应为有限的数字, 实际为 {value!r}", "{field} must be a finite number, got {value!r}"),
    "ets_sector_positive": ("{field} 应大于 0, 实际为 {value}", "{field} must be > 0, got {value}"),
    "ets_sector_non_negative": ("{field} 应不小于 0, 实际为 {value}", "{field} must be >= 0, got {value}"),
    "ets_sector_number_non_negative": ("{field} 应为不小于 0 的数字, 实际为 {value!r}",
                                       "{field} must be a number >= 0, got {value!r}"),
    "ets_sector_number_positive": ("{field} 应为大于 0 的数字, 实际为 {value!r}", "{field} must be a number > 0, got {value!r}"),
    "ets_sector_unit_required": ("{field} 为必填项 (可换算为 {to_unit} 的单位文本)",
                                 "{field} is required (a unit string convertible to {to_unit})"),
    "ets_sector_unit_not_convertible": ("{field}: {text!r} 不能换算为 {to_unit} ({reason})",
                                        "{field}: {text!r} is not convertible to {to_unit} ({reason})"),
    "ets_sector_unit_not_string": ("{field} 应为文本", "{field} must be a string"),
    "ets_sector_located": ("{where}: {problem}", "{where}: {problem}"),
    "ets_sector_fraction_above": ("{field} 应为不大于 {upper} 的比例, 实际为 {value} (是百分数吗? 请将 {unit_key} 填为 \"%\")",
                                  "{field} must be a fraction <= {upper}, got {value} (a percentage? give {unit_key} \"%\")"),
    "ets_sector_one_of": ("{field} 应为以下之一: {allowed}", "{field} must be one of {allowed}"),
    "ets_sector_one_of_got": ("{field} 应为以下之一: {allowed}, 实际为 {value!r}", "{field} must be one of {allowed}, got {value!r}"),
    "ets_sector_one_of_zh": ("{field} 应为以下之一: {allowed} ({zh})", "{field} must be one of {allowed} ({zh})"),
    # cement (sectors/cement.py)
    "ets_sector_stock_taking_negative": ("{where}: 熟料盘库得出的熟料产量为 {q} t, 不大于 0",
                                         "{where}: stock-taking gives clinker output {q} t <= 0"),
    "ets_sector_clinker_one_of": ("{where}: clinker (计量) 与 clinker_stock (熟料盘库) 须且只能填写其一",
                                  "{where}: give exactly one of clinker (metered) or clinker_stock (熟料盘库)"),
    "ets_sector_non_carbonate_exceeds": ("{where}.substitutes: 替代原料带入的非碳酸盐 CaO/MgO 超过熟料中的含量",
                                         "{where}.substitutes: non-carbonate CaO/MgO exceeds the clinker's content"),
    "ets_sector_line_twice": ("lines[{i}].name {name!r} 重复出现", "lines[{i}].name {name!r} appears twice"),
    # aluminium (sectors/aluminium.py)
    "ets_sector_sulphur_ash": ("{where}: 含硫量与灰分之和应小于 1", "{where}: sulphur + ash must be < 1"),
    "ets_sector_gwp_set_required": (
        "CF4/C2F6 须填写 gwp_set (说明采用指南的或生态环境部门选定的全球增温潜势版本: {sets})",
        "gwp_set is required for CF4/C2F6 (state the guideline's or the bureau's choice: {sets})"),
    "ets_sector_gwp_set_string": ("gwp_set 应为文本", "gwp_set must be a string"),
    "ets_sector_gwp_source_string": ("gwp_source 应为非空文本", "gwp_source must be a non-empty string"),
    "ets_sector_gwp_source_required": ("填写 gwp_values 时须填写 gwp_source", "gwp_source is required when gwp_values are given"),
    # steel (sectors/steel.py)
    "ets_sector_carbon_out_exceeds": (
        "carbon_outputs 含碳 {c_out:.6g} t C, 多于 carbon_inputs ({c_in:.6g} t C): 请检查含碳量或是否遗漏投入物料",
        "carbon_outputs hold {c_out:.6g} t C, more than carbon_inputs ({c_in:.6g} t C): check the carbon contents or "
        "a missing input"),
    "ets_sector_steel_empty": ("钢铁企业排放报告须包含 fuels、fluxes 或 carbon_inputs",
                               "a steel report needs fuels, fluxes or carbon_inputs"),
    # sector allocation 2024-2025 (sector_allocation.py)
    "ets_sector_no_rules_year": ("没有 {year!r} 年度钢铁、水泥、铝冶炼行业的配额分配规则 ({title} 仅适用于 {first}-{last} 年度)",
                                 "no steel/cement/aluminium allocation rules for {year!r} ({title} covers {first}-{last} only)"),
    "ets_sector_industry": ("{title} 的 industry 应为以下之一: {industries}, 实际为 {industry!r}",
                            "industry must be one of {industries} for {title}, got {industry!r}"),
    "ets_sector_lines_list": ("lines 应为非空列表", "lines must be a non-empty list"),
    "ets_sector_carbide_share_fraction": ("carbide_slag_share 应为 0-1 之间的比例, 实际为 {value!r}",
                                          "carbide_slag_share is a fraction 0-1, got {value!r}"),
    "ets_sector_exemption_cement_only": ("{kind} 是 {title} 中水泥行业的豁免情形, 不适用于 {industry}",
                                         "{kind} is a cement exemption of {title}; not for {industry}"),
    "ets_sector_carbide_cement_only": ("carbide_slag_share 仅适用于水泥熟料生产线",
                                       "carbide_slag_share applies to cement clinker lines only"),
    "ets_sector_carbide_share_needed": ("电石渣豁免须填写 carbide_slag_share (电石渣替代率, 0-1 之间的比例)",
                                        "the carbide-slag exemption needs carbide_slag_share (电石渣替代率, fraction 0-1)"),
    "ets_sector_carbide_not_above": ("电石渣替代率 {share:.2%} 未超过 {threshold:.0%}: 该生产线不属于豁免情形 ({kind})",
                                     "电石渣替代率 {share:.2%} is not above {threshold:.0%}: the line is not exempt ({kind})"),
    "ets_sector_plan_number_missing": (
        "未找到 {title} 的 {what}: {version} 中为空值 (未在方案原文中读到); 请明确传入 {field}= (例如按公布值)",
        "{what} of {title} not found: it is null in {version} (not read in the plan's text); pass {field}= "
        "explicitly (e.g. as published)"),
    "ets_sector_product_required": ("{industry} 须填写 product (以下之一: {products})",
                                    "product is required for {industry} (one of {products})"),
    "ets_sector_product_one_of": ("{industry} 的 product 应为以下之一: {products}, 实际为 {value!r}",
                                  "product must be one of {products} for {industry}, got {value!r}"),
    "ets_sector_no_lines": ("重点排放单位至少需要一条生产线", "an emitter needs at least one line"),
    "ets_sector_net_sales_number": ("net_sales_t 应为数字, 实际为 {value!r}", "net_sales_t must be a number, got {value!r}"),
    # disclosure (disclosure.py)
    "ets_sector_disclose_final_only": ("{uscc} {year} 年度: 仅公开最终核查数据", "{uscc} {year}: only final verified figures are disclosed"),
    "ets_sector_already_disclosed": ("{uscc} {year} 年度信息已公开", "{uscc} {year} is already disclosed"),
    "ets_sector_no_disclosure": ("没有 {uscc} {year} 年度已公开的信息", "no published disclosure for {uscc} {year}"),
    # data-quality control plans (quality_plans.py)
    "ets_sector_plan_no_record": (
        "{uscc} 尚无数据质量控制计划记录, 无法仅更换编号: 请通过 {route} 提交计划 (监测参数及适用起始年度)",
        "{uscc} has no data-quality control plan record to put under a new reference: create one with {route} "
        "(its parameters and applies_from)"),
    "ets_sector_plan_ref_required": ("须填写计划编号", "the plan reference is required"),
    "ets_sector_plan_not_found": ("{uscc} 没有第 {version} 版数据质量控制计划", "no plan version {version} for {uscc}"),
    "ets_sector_plan_method_required": ("{where}.method: 实测参数须写明测定方法或标准",
                                        "{where}.method: a measured parameter names its method or standard"),
    "ets_sector_plan_unit_dimension": ("{where}: 单位 {unit!r} 的量纲为 {got}, {parameter} 需要 {needs}",
                                       "{where}: unit {unit!r} has dimension {got}, {parameter} needs {needs}"),
    "ets_sector_not_key_parameter": ("{where} {code!r} 不是关键参数 (已知: {known})",
                                     "{where} {code!r} is not a key parameter (known: {known})"),
    "ets_sector_plan_empty": ("数据质量控制计划至少列出一项参数", "a plan lists at least one parameter"),
    "ets_sector_filing_empty": ("月度存证至少包含一项数值", "a filing holds at least one value"),
    "ets_sector_entries_empty": ("列表为空: {detail}", "{detail}"),
    "ets_sector_entry_listed_twice": ("{where}: {code} {item!r} 重复列出", "{where}: {code} {item!r} is listed twice"),
    "ets_sector_entry_filed_twice": ("{where}: {code} {item!r} 重复填报", "{where}: {code} {item!r} is filed twice"),
    "ets_sector_entry_twice": ("{where}: {code} {item!r} 重复 ({twice})", "{where}: {code} {item!r} is {twice}"),
}
