"""Messages of the reconciliation (the inventory beside its key emitters' verified emissions), in Chinese and
English (carbon/core/messages.py). The English text is word for word what the code said before keys existed:
clients and tests read it.
"""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "reconcile_no_city_inventory": ("没有 {year} 年已计算或已发布的全市清单",
                                    "no compiled or published city inventory for {year}"),
    # the emitter-to-category mapping (compare.read_mapping)
    "reconcile_mapping_columns": ("对照表缺少列: {columns}", "mapping lacks column(s) {columns}"),
    "reconcile_mapping_one_of": ("对照表第 {row} 行: industry (行业) 与 uscc (统一社会信用代码) 须填写且只能填写一项",
                                 "mapping row {row}: give exactly one of industry or uscc"),
    "reconcile_mapping_no_categories": ("对照表第 {row} 行: 没有填写排放类别 (categories)",
                                        "mapping row {row}: no categories"),
}
