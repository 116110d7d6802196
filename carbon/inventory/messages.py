"""Messages of the city inventory (catalogue, calculators, import, store): ``{key: (zh, en)}``, keys ``inventory_``.

Merged into carbon/core/messages.py's catalogue on first use (see its docstring). The English text is word for word
what the code said before the catalogue; the Chinese keeps codes, units, field names and numbers as they are.
"""

from __future__ import annotations

_LOCAL = ("请补充地方实测值", "add a local value (地方实测)")

MESSAGES: dict[str, tuple[str, str]] = {
    # the category tree and its tables (carbon/inventory/catalog.py)
    "inventory_unknown_code_scheme": ("未知的编码体系 {value!r}; 应为以下之一: {known}",
                                      "unknown code scheme {value!r}; expected one of {known}"),
    "inventory_crt_ambiguous": ("CRT 编码 {code} 在此有歧义: 它可表示 {meanings}; 请填写 IPCC 2006 编码或类别名称",
                                "CRT code {code} is ambiguous here: it stands for {meanings}; write the IPCC 2006 code "
                                "or the name"),
    "inventory_table_unknown_sector": ("{name}: 类别 {category}: 未知部门 {sector!r}",
                                       "{name}: category {category}: unknown sector {sector!r}"),
    "inventory_table_duplicate_category": ("{name}: 类别 {category} 重复", "{name}: duplicate category {category}"),
    "inventory_table_duplicate_item": ("{name}: 品种 {item} 重复", "{name}: duplicate item {item}"),
    "inventory_table_item_name_twice": ("{name}: 品种名称 {item_name!r} 同时被 {first} 和 {second} 使用",
                                        "{name}: item name {item_name!r} is used by {first} and {second}"),
    "inventory_table_no_parent": ("类别 {category}: 上级类别 {parent} 未定义", "category {category}: parent {parent} is not defined"),
    # the activity file (carbon/inventory/io.py, templates.py)
    "inventory_unknown_sector": ("未知部门 {value!r}; 应为以下之一: {known}", "unknown sector {value!r}; expected one of {known}"),
    # a category that takes no figure, an unknown category: the reason is composed (Catalog.report_instead,
    # Catalog.unknown_message) from the entries below, in each language
    "inventory_category_no_figure": ("{detail_zh}", "{detail}"),
    "inventory_unknown_category": ("{detail_zh}", "{detail}"),
    "inventory_heading": ("{shown} 是标题类别; 请填报其子类别: {listed}",
                          "{shown} is a heading; report its sub-categories: {listed}"),
    "inventory_heading_more": ("{shown} 是标题类别; 请填报其子类别: {listed} 等 (另有 {more} 个)",
                               "{shown} is a heading; report its sub-categories: {listed} and {more} more"),
    "inventory_heading_none_computed": ("{shown} 是标题类别, 本系统不计算其任何子类别 ({listed}); 请在这些子类别下填写注释符号 "
                                        "(NE 未估算, NO 未发生, IE 已计入其他类别)",
                                        "{shown} is a heading none of whose sub-categories this service computes "
                                        "({listed}); give a notation key (NE not estimated, NO not occurring, IE included "
                                        "elsewhere) under those"),
    "inventory_computed_from": ("{shown} 不填报活动数据: 它由 {sources} 计算得出; 请填报这些类别 (或在此填写注释符号)",
                                "{shown} takes no activity data: it is computed from {sources}; report those (or a "
                                "notation key here)"),
    "inventory_not_computed": ("{shown} 是本系统不计算的 IPCC 2006 类别: 请在数量列填写注释符号 (NE 未估算, NO 未发生, "
                               "IE 已计入其他类别, NA 不适用), 而不是数值",
                               "{shown} is an IPCC 2006 category this service does not compute: give a notation key (NE "
                               "not estimated, NO not occurring, IE included elsewhere, NA not applicable) in the "
                               "quantity column instead of a number"),
    "inventory_hint_crt_is": (" (在 CRT 中, {text} 是 {names}: 如果文件使用 CRT 编码, 请用 --codes crt 导入)",
                              " (in CRT, {text} is {names}: if the file uses CRT codes, import it with --codes crt)"),
    "inventory_hint_crt_heading": (" (在 CRT 中, {text} 是 {listed} 的标题类别: 如果文件使用 CRT 编码, 请用 --codes crt 导入)",
                                   " (in CRT, {text} is a heading of {listed}: if the file uses CRT codes, import it "
                                   "with --codes crt)"),
    "inventory_hint_ipcc_is": (" (在 IPCC 2006 中这是 {shown}: 如果文件使用 IPCC 2006 编码, 请用默认的 --codes ipcc2006 导入)",
                               " (in IPCC 2006 this is {shown}: if the file uses IPCC 2006 codes, import it with --codes "
                               "ipcc2006, the default)"),
    "inventory_hint_legacy": (" (按 IPCC 2006 重新编码之前, 本目录用 {text} 表示 {old}: 现为 {shown})",
                              " (before the IPCC 2006 recode this catalogue used {text} for {old}: now {shown})"),
    "inventory_finer": ("{text}{official} 比本目录更细: 请在 {nearest} 下填报 (由品种列和地方参数说明其具体内容)",
                        "{text}{official} is finer than this catalogue: report it under {nearest} (the item column and "
                        "local parameters say what it is)"),
    "inventory_official_heading": ("{text} ({official}) 是标题类别; 请填报其子类别: {listed}",
                                   "{text} ({official}) is a heading; report its sub-categories: {listed}"),
    "inventory_official_not_computed": ("{text} ({official}) 是本系统不计算的 IPCC 2006 类别; 请从文件中删去 (清单将其报告为"
                                        "未估算)",
                                        "{text} ({official}) is an IPCC 2006 category this service does not compute; "
                                        "leave it out of the file (the inventory reports it as not estimated)"),
    "inventory_unknown_ipcc": ("未知类别 {text!r}: 既不是本目录的 IPCC 2006 编码, 也不是类别名称",
                               "unknown category {text!r}: neither an IPCC 2006 code of this catalogue nor a category "
                               "name"),
    "inventory_crt_finer": ("CRT {text} 比本目录更细: 请在 {nearest} 下填报 (由品种列说明其具体内容)",
                            "CRT {text} is finer than this catalogue: report it under {nearest} (the item column says "
                            "what it is)"),
    "inventory_crt_heading": ("CRT {text} 是标题类别; 请填报其子类别: {listed}",
                              "CRT {text} is a heading; report its sub-categories: {listed}"),
    "inventory_unknown_crt": ("未知类别 {text!r}: 既不是本目录的 CRT 编码 (tables/crt_codes.csv), 也不是类别名称",
                              "unknown category {text!r}: neither a CRT code of this catalogue (tables/crt_codes.csv) "
                              "nor a category name"),
    # calculators (carbon/inventory/calc/)
    "inventory_result_not_mass": ("计算结果的单位为 {units}, 而此处应为质量 ({reason})",
                                  "calculation produced {units} where a mass was expected ({reason})"),
    "inventory_no_factor": (f"{{category}} {{category_zh}} 中没有 {{item_zh}} ({{item}}) 的因子 '{{parameter}}', "
                            f"年份 {{year}}; {_LOCAL[0]}",
                            f"no factor '{{parameter}}' for {{item_zh}} ({{item}}) in {{category}} {{category_zh}}, "
                            f"year {{year}}; {_LOCAL[1]}"),
    "inventory_no_factor_region": (f"{{category}} {{category_zh}} 中没有 {{item_zh}} ({{item}}) 的因子 '{{parameter}}', "
                                   f"地区 {{region}}, 年份 {{year}}; {_LOCAL[0]}",
                                   f"no factor '{{parameter}}' for {{item_zh}} ({{item}}) in {{category}} {{category_zh}}, "
                                   f"region {{region}}, year {{year}}; {_LOCAL[1]}"),
    "inventory_no_factor_dims": (f"{{category}} {{category_zh}} 中没有 {{item_zh}} ({{item}}) 量纲为 {{dims}} 的因子 "
                                 f"'{{parameter}}', 年份 {{year}}; {_LOCAL[0]}",
                                 f"no factor '{{parameter}}' with dimension {{dims}} for {{item_zh}} ({{item}}) in "
                                 f"{{category}} {{category_zh}}, year {{year}}; {_LOCAL[1]}"),
    "inventory_no_factor_dims_region": (f"{{category}} {{category_zh}} 中没有 {{item_zh}} ({{item}}) 量纲为 {{dims}} 的因子 "
                                        f"'{{parameter}}', 地区 {{region}}, 年份 {{year}}; {_LOCAL[0]}",
                                        f"no factor '{{parameter}}' with dimension {{dims}} for {{item_zh}} ({{item}}) in "
                                        f"{{category}} {{category_zh}}, region {{region}}, year {{year}}; {_LOCAL[1]}"),
    "inventory_manure_n_item": ("{category} {category_zh} 应填报某一畜种在粪便管理系统中管理的氮量 (t N, 品种如 绵羊), "
                                "而不是 {item_zh} ({item})",
                                "{category} {category_zh} takes the N managed in manure management systems of an animal "
                                "category (t N, item e.g. 绵羊), not {item_zh} ({item})"),
    "inventory_no_carbon_fraction": ("{category} 中没有 {item_zh} ({item}) 的 carbon_fraction (t C/t), 地区 {region}, "
                                     "年份 {year}; 请补充该厂的实测值 (地方实测)",
                                     "no carbon_fraction (t C/t) for {item_zh} ({item}) in {category}, region {region}, "
                                     "year {year}; add the plant's measured value (地方实测)"),
    "inventory_no_carbon_content": ("{category} 中没有 {item_zh} ({item}) 的 ncv 和 carbon_content (或以 t 填报数量并给出 "
                                    "carbon_fraction), 地区 {region}, 年份 {year}; 请补充该厂的实测值 (地方实测)",
                                    "no ncv and carbon_content (or report the quantity in t with a carbon_fraction) for "
                                    "{item_zh} ({item}) in {category}, region {region}, year {year}; add the plant's "
                                    "measured value (地方实测)"),
    "inventory_verified_and_flows": ("设施 {facility} ({category}) 已有经碳市场核查的过程 CO2 ({verified}, {quantity:,.6g} t), "
                                     "又填报了自身的物料流 ({flows}): 只能保留一种 (删除物料流, 或删除引入的碳市场数据行)",
                                     "facility {facility} ({category}) has its ETS-verified process CO2 ({verified}, "
                                     "{quantity:,.6g} t) and also its own flows ({flows}): keep one (remove the flows, "
                                     "or the pulled ETS rows)"),
    "inventory_verified_not_mass": ("设施 {facility}: {verified} 应为 CO2 的质量 (t)",
                                    "facility {facility}: {verified} is a mass of CO2 (t)"),
    "inventory_not_coal_mining_category": ("类别 {category} 不是煤炭开采类别 (1.B.1.a.i、1.B.1.a.ii 或其 .1/.2)",
                                           "category {category} is not a coal-mining category (1.B.1.a.i, 1.B.1.a.ii or "
                                           "their .1/.2)"),
    "inventory_not_coal_mining_item": ("{name} 不是煤炭开采数据: 煤炭产量请填报为 原煤 (或 原煤(浅部开采) / 原煤(中深开采) / "
                                       "原煤(深部开采), 原煤(低瓦斯矿井) / 原煤(高瓦斯矿井) / 原煤(突出矿井)), 并按矿井填报 "
                                       "相对瓦斯涌出量, 瓦斯抽采利用量, 瓦斯火炬燃烧量",
                                       "{name} is not coal-mining data: report coal production as 原煤 (or 原煤(浅部开采) / "
                                       "原煤(中深开采) / 原煤(深部开采), 原煤(低瓦斯矿井) / 原煤(高瓦斯矿井) / 原煤(突出矿井)), "
                                       "and per mine 相对瓦斯涌出量, 瓦斯抽采利用量, 瓦斯火炬燃烧量"),
    "inventory_gas_grade_surface": ("{name}: 瓦斯等级只适用于井工矿; 露天开采的产量请在 {surface} 下填报为 原煤 或按剥离层分类 "
                                    "(原煤(浅部开采) ...)",
                                    "{name}: a gas grade (瓦斯等级) is assessed for underground mines only; report surface "
                                    "production under {surface} as 原煤 or by overburden class (原煤(浅部开采) ...)"),
    "inventory_drainage_not_post_mining": ("{name} 属于矿井的开采环节 ({root} 或 {root}.1), 而不属于矿后活动 {root}.2: "
                                           "抽采的瓦斯计入开采排放",
                                           "{name} belongs to the mining part of a mine ({root} or {root}.1), not to "
                                           "post-mining {root}.2: drained gas is part of the mining emissions"),
    "inventory_unit_coal_production": ("单位 {unit!r}: {name} 是煤炭产量, 应为质量 (t, 万t)",
                                       "unit {unit!r}: {name} is coal production, a mass (t, 万t)"),
    "inventory_unit_relative_emission": ("单位 {unit!r}: {name} 是每吨煤的 CH4 体积 (m3/t)",
                                         "unit {unit!r}: {name} is a volume of CH4 per tonne of coal (m3/t)"),
    "inventory_unit_ch4_volume": ("单位 {unit!r}: {name} 是纯 CH4 的体积 (m3, 万m3) 或 CH4 的质量 (t)",
                                  "unit {unit!r}: {name} is a volume of pure CH4 (m3, 万m3) or a mass of CH4 (t)"),
    "inventory_no_mine_factor": (f"{{category}} 中没有 {{item}} 的因子 '{{parameter}}', 地区 {{region}}, 年份 {{year}}; "
                                 f"{_LOCAL[0]}",
                                 f"no factor '{{parameter}}' for {{item}} in {{category}}, region {{region}}, year "
                                 f"{{year}}; {_LOCAL[1]}"),
    "inventory_no_mine_ef": ("{category} 中没有 {item} 的因子 '{parameter}' (m3/t), 地区 {region}, 年份 {year}; "
                             "请补充地方实测值或该矿井的相对瓦斯涌出量",
                             "no factor '{parameter}' (m3/t) for {item} in {category}, region {region}, year {year}; "
                             "add a local value (地方实测) or the mine's 相对瓦斯涌出量"),
    "inventory_bad_exclusion": ("重复计算排除项 {text!r} 格式有误: 应为 'all'、'REGION:CATEGORY' 或 'REGION:CATEGORY:ITEM' "
                                "(如 150602:2.C.2 或 东胜区:2.C.2:焦炭)",
                                "double-count exclusion {text!r}: expected 'all', 'REGION:CATEGORY' or "
                                "'REGION:CATEGORY:ITEM' (e.g. 150602:2.C.2 or 东胜区:2.C.2:焦炭)"),
    "inventory_exclusion_matches_nothing": ("重复计算排除项 {unknown} 与本次计算的跨部门核查结果均不匹配; 核查结果的键为: {known}",
                                            "double-count exclusion {unknown} matches no cross-sector finding of this "
                                            "compile; the findings' keys are: {known}"),
    "inventory_volume_without_ncv": ("{item_zh} 以体积 ({unit}) 填报, 但 {category} 中没有它的单位体积 'ncv', 也没有 'density'; "
                                     "请以质量填报数量, 或补充地方实测的单位体积 ncv",
                                     "{item_zh} is given as a volume ({unit}) but there is no 'ncv' per volume and no "
                                     "'density' for it in {category}; give the quantity as a mass or add a local ncv per "
                                     "volume"),
    "inventory_no_grid_factor": ("{category} {category_zh} 没有 {year} 年发布的电网排放因子 (已发布年份: {published}); "
                                 "待生态环境部/国家统计局发布后, 请以地方值填报 {year} 年的因子 (ef_CO2, 类别 {category}, "
                                 "年份 {year})",
                                 "no grid emission factor published for {year} for {category} {category_zh} (published "
                                 "years: {published}); give the factor for {year} as a local value (ef_CO2, category "
                                 "{category}, year {year}) once MEE/NBS publish it"),
    "inventory_no_grid_factor_national": ("{category} {category_zh} 没有 {year} 年发布的电网排放因子 (已发布年份: {published}); "
                                          "{year} 年的全国平均值 ({national:g} {national_unit}, {national_ref}) 是另一种"
                                          "因子, 不能替代使用; 待生态环境部/国家统计局发布后, 请以地方值填报 {year} 年的因子 "
                                          "(ef_CO2, 类别 {category}, 年份 {year})",
                                          "no grid emission factor published for {year} for {category} {category_zh} "
                                          "(published years: {published}); the national average for {year} ({national:g} "
                                          "{national_unit}, {national_ref}) is a different product and is not used in its "
                                          "place; give the factor for {year} as a local value (ef_CO2, category "
                                          "{category}, year {year}) once MEE/NBS publish it"),
    "inventory_no_composition": ("{item_zh} ({item}) 在 {category} {category_zh} 中没有组分 (species_fraction 行): "
                                 "它不是该类别已知的含氟气体",
                                 "{item_zh} ({item}) has no composition (species_fraction rows) for {category} "
                                 "{category_zh}: it is not a fluorinated gas this category knows"),
    "inventory_fractions_not_one": ("{item_zh} 的各组分比例之和为 {total:g}, 不等于 1 ({refs})",
                                    "the species fractions of {item_zh} add up to {total:g}, not 1 ({refs})"),
    "inventory_not_forest_item": ("{item_zh} ({item}) 不能在 {category} {category_zh} 下填报: 请填写林分类型 (乔木林, 灌木林, "
                                  "...) 或 活立木消耗",
                                  "{item_zh} ({item}) cannot be reported under {category} {category_zh}: give a forest "
                                  "type (乔木林, 灌木林, ...) or 活立木消耗"),
    "inventory_stock_not_volume": ("{category} 中的 {item_zh} ({item}) 是活立木消耗量: 应为体积 (m3, 万m3), 而不是 {unit}",
                                   "{item_zh} ({item}) in {category} is the growing stock consumed: a volume (m3, 万m3), "
                                   "not {unit}"),
    "inventory_item_not_in_category": ("{item_zh} ({item}) 不能在 {category} {category_zh} 下填报",
                                       "{item_zh} ({item}) cannot be reported under {category} {category_zh}"),
    "inventory_wastewater_n2o": ("{item_zh}: 废水氮的 N2O 在 4.D.1 生活污水处理 下填报",
                                 "{item_zh}: N2O from wastewater nitrogen is reported under 4.D.1 生活污水处理"),
    "inventory_not_solid_waste": ("{item_zh} ({item}) 不是固体废弃物类型: 4.A 按废弃物类型或 生活垃圾 填报填埋量 (t), "
                                  "另可填报 填埋气甲烷回收",
                                  "{item_zh} ({item}) is not a solid waste type: 4.A takes tonnes of waste deposited by "
                                  "waste type or as 生活垃圾, and 填埋气甲烷回收"),
    "inventory_backcast_proxy_missing": ("--backcast {backcast}: {region} 的 {category} {item} 需要 {years} 年的 {backcast} "
                                         "(该地区的, 否则全市 {city} 的); 代理序列中缺少这些数据",
                                         "--backcast {backcast}: {category} {item} in {region} needs the {backcast} of "
                                         "{years} (for {region} or, failing that, the city {city}); the proxy series "
                                         "lacks them"),
    "inventory_recovery_exceeds_generation": ("地区 {region}, {category}: {year} 年回收的 CH4 ({recovered:.6g} t) 超过了"
                                              "一阶衰减模型计算的 CH4 产生量 ({generated:.6g} t); 请核对回收量 (t CH4, "
                                              "不是填埋气的 m3) 和历年填埋量",
                                              "region {region}, {category}: CH4 recovered ({recovered:.6g} t) exceeds the "
                                              "CH4 generated by the first-order decay model ({generated:.6g} t) in {year}; "
                                              "check the recovery quantity (t CH4, not m3 of landfill gas) and the "
                                              "deposit history"),
    # row problems of a compile (carbon/inventory/engine.py and the series calculators)
    "inventory_no_method": ("类别 {category} 不填报活动数据 (标题类别, 或没有计算方法)",
                            "category {category} takes no activity data (a heading, or no method)"),
    "inventory_row_and_others": ("{reason_zh} (同一类别、品种、地区和单位的其余 {others} 条记录同样如此)", "{detail}"),
    "inventory_double_count": ("重复计算: 地区 {region} 的煤炭产量同时填报在 {root} (开采与矿后活动合计) 和其子类别 "
                               "{root}.1 / {root}.2 下, 属于同一矿井 (已列出所有相关行); 一个矿井请只填报在 {root} 下, "
                               "或只填报在 {root}.1 和 {root}.2 下",
                               "double count: region {region} reports coal production both under {root} (mining and "
                               "post-mining together) and under its sub-categories {root}.1 / {root}.2 for the same mine "
                               "(all rows concerned are listed); report a mine either under {root} or under {root}.1 and "
                               "{root}.2"),
    "inventory_double_count_mine": ("重复计算: 地区 {region} 矿井 {mine} 的煤炭产量同时填报在 {root} (开采与矿后活动合计) "
                                    "和其子类别 {root}.1 / {root}.2 下 (已列出所有相关行); 一个矿井请只填报在 {root} 下, "
                                    "或只填报在 {root}.1 和 {root}.2 下",
                                    "double count: region {region} reports coal production for mine {mine} both under "
                                    "{root} (mining and post-mining together) and under its sub-categories {root}.1 / "
                                    "{root}.2 for the same mine (all rows concerned are listed); report a mine either "
                                    "under {root} or under {root}.1 and {root}.2"),
    "inventory_mine_rates": ("矿井 {mine}: 有 {n} 个不同的相对瓦斯涌出量 ({values} m3/t); 每个矿井只能填报一个",
                             "mine {mine}: {n} different 相对瓦斯涌出量 ({values} m3/t); give one per mine"),
    "inventory_mine_rate_no_production": ("矿井 {mine}: 填报了相对瓦斯涌出量, 但该矿井在 {root} 或 {mining} 下没有煤炭产量",
                                          "mine {mine}: 相对瓦斯涌出量 given but the mine reports no coal production "
                                          "under {root} or {mining}"),
    "inventory_mine_recovery_no_production": ("矿井 {mine}: 填报了回收的煤矿瓦斯, 但该矿井在 {root} 或 {mining} 下没有可供扣减的"
                                              "煤炭产量",
                                              "mine {mine}: recovered coal mine methane given but the mine reports no "
                                              "coal production under {root} or {mining} to subtract it from"),
    "inventory_mine_recovery_exceeds": ("矿井 {mine}: 回收的 CH4 ({parts} CH4) 超过了开采环节的 CH4 ({mining_t:,.6g} t); "
                                        "排放量不可能为负: 请核对单位 (纯 CH4, m3 与 万m3), 并给出该矿井实测的相对瓦斯涌出量 "
                                        "(m3/t) 或其开采深度分类 / 瓦斯等级",
                                        "mine {mine}: CH4 recovered ({parts} CH4) exceeds the CH4 from mining "
                                        "({mining_t:,.6g} t); a negative emission is impossible: check the unit (pure CH4, "
                                        "m3 vs 万m3) and give the mine's measured 相对瓦斯涌出量 (m3/t) or its depth class / "
                                        "gas grade"),
    "inventory_not_balance_item": ("{name} 不是碳平衡的输入或输出: 请填报原料 (原料煤, 燃料煤, 原煤, 天然气)、产品 (甲醇, 乙烯, "
                                   "丙烯, 乙二醇, 煤制油品, 煤制天然气, 焦油, 硫磺, 尿素)、含碳废弃物 或 回收CO2",
                                   "{name} is not an input or output of a carbon balance: report feedstocks (原料煤, 燃料煤, "
                                   "原煤, 天然气), products (甲醇, 乙烯, 丙烯, 乙二醇, 煤制油品, 煤制天然气, 焦油, 硫磺, 尿素), "
                                   "含碳废弃物 or 回收CO2"),
    "inventory_no_fod_factor": (f"{{category}} (填埋一阶衰减法) 中没有 {{item}} 的因子 '{{parameter}}', 地区 {{region}}; "
                                f"{_LOCAL[0]}",
                                f"no factor '{{parameter}}' for {{item}} in {{category}} (landfill FOD), region "
                                f"{{region}}; {_LOCAL[1]}"),
    "inventory_no_fod_factor_year": (f"{{category}} (填埋一阶衰减法) 中没有 {{item}} 的因子 '{{parameter}}', 地区 {{region}}, "
                                     f"填埋年份 {{year}}; {_LOCAL[0]}",
                                     f"no factor '{{parameter}}' for {{item}} in {{category}} (landfill FOD), region "
                                     f"{{region}}, deposit year {{year}}; {_LOCAL[1]}"),
    "inventory_row_located": ("{reason_zh} [文件 {file}, 批次 {batch}]", "{detail}"),
    "inventory_other_region": ("本清单只包括 {region} ({code})", "the inventory is for {region} ({code}) only"),
    "inventory_facility_too_long": ("设施名称或统一社会信用代码最多 {max} 个字符",
                                    "a facility name or USCC of at most {max} characters"),
    # the proxy series of a back-cast (carbon/inventory/proxy.py)
    "inventory_proxy_bad_year": ("不是 1900 至 2100 之间的年份", "not a year between 1900 and 2100"),
    "inventory_proxy_not_positive": ("不是正数", "not a positive number"),
    "inventory_proxy_mixed_units": ("{region} 的序列混用了单位 ({first!r} 和 {second!r}); 回推使用比值, 请保持同一单位",
                                    "the series of {region} mixes units ({first!r} and {second!r}); the back-cast uses "
                                    "ratios, so keep one unit"),
    "inventory_proxy_year_twice": ("{region} {year} 重复出现", "{region} {year} is given twice"),
    # compile options (carbon/inventory/commands.py, engine.py, proxy.py)
    "inventory_proxy_without_backcast": ("--proxy 是 --backcast population|gdp 所用的序列; 请同时给出 --backcast",
                                         "--proxy is the series for --backcast population|gdp; give --backcast too"),
    "inventory_backcast_needs_proxy": ("回推 {backcast} 需要代理序列 (--proxy FILE, 含 region, year, {backcast} 列)",
                                       "backcast {backcast} needs a proxy series (--proxy FILE with region, year, "
                                       "{backcast})"),
    "inventory_unknown_backcast": ("--backcast 应为 {known}, 实际为 {value!r}", "--backcast takes {known}, got {value!r}"),
    # the store (carbon/inventory/service.py, lookup.py, results.py)
    "inventory_bad_year": ("年份 {year!r} 不在 1990 至 2100 之间", "year {year!r} is not between 1990 and 2100"),
    "inventory_bad_ch4_ar6": ("ch4_ar6 应为以下之一: {known}", "ch4_ar6 must be one of {known}"),
    "inventory_unknown_profile": ("未知的因子方案 {value!r}; 应为以下之一: {known}",
                                  "unknown factor profile {value!r}; expected one of {known}"),
    "inventory_region_not_loaded": ("地区 {code} 不在地区表中; 请运行 `carbon db upgrade`",
                                    "region {code} is not in the regions table; run `carbon db upgrade`"),
    "inventory_exists": ("{region} {year} 年的清单已存在 (编号 {id}, v{version}, {status}); 请以新版本更正",
                         "an inventory of {region} {year} exists already (id {id}, v{version}, {status}); correct it "
                         "with a new version"),
    "inventory_created_concurrently": ("{region} {year} 年的清单已被同时创建",
                                       "an inventory of {region} {year} was created at the same time"),
    "inventory_version_created_concurrently": ("该清单的第 {version} 版已被同时创建; 请重试",
                                               "version {version} of this inventory was created at the same time; retry"),
    "inventory_unknown_status": ("未知状态 {statuses}; 应为 {known}", "unknown status {statuses}; expected {known}"),
    "inventory_uploads_in_use": ("清单 {id} 的上传数据仍被后续版本使用; 请先删除后续版本",
                                 "inventory {id} has uploads that later versions still use; delete those first"),
    "inventory_file_imported": ("同一文件 ({filename}, sha256 {digest}…) 已作为批次 {batch} 导入; 再次导入会重复计算 "
                                "(如需替换清单数据, 请使用 replace)",
                                "the same file ({filename}, sha256 {digest}…) is already imported as batch {batch}; "
                                "importing it again would count it twice (use replace to substitute the inventory's "
                                "data)"),
    "inventory_no_batch": ("清单 {id} 没有批次 {batch} 的记录", "inventory {id} has no records of batch {batch}"),
    "inventory_bad_format": ("格式应为 csv 或 xlsx", "format must be csv or xlsx"),
    "inventory_no_activity": ("清单 {id} 没有活动数据; 请先导入文件", "inventory {id} has no activity data; import a file first"),
    "inventory_not_compiled": ("清单 {id} 的状态为 {status}: 发布前请先计算",
                               "inventory {id} is a {status}: compile it before publishing"),
    "inventory_published": ("清单 {id} ({year} v{version}) 已发布, 不能修改 ({doing}); 请创建新版本进行更正",
                            "inventory {id} ({year} v{version}) is published and cannot be changed ({doing}); create a "
                            "new version to correct it"),
    "inventory_draft_no_results": ("清单 {id} 是草稿, 没有当前结果; 请先计算",
                                   "inventory {id} is a draft without current results; compile it first"),
    "inventory_bad_level": ("level 应为以下之一: {known}", "level must be one of {known}"),
}
