"""Messages of the "why this number" explanation (carbon.inventory.explain), listed in messages.CATALOGUES."""

MESSAGES = {
    "explain_draft": ("清单 {inventory_id} 是草稿, 尚无结果; 请先编制",
                      "inventory {inventory_id} is a draft without current results; compile it first"),
    "explain_no_figure": ("清单 {inventory_id} 中没有 {region} {category}{gas} 的结果",
                          "inventory {inventory_id} has no result for {region} {category}{gas}"),
    "explain_sector": ("未知领域 {sector!r}; 应为以下之一: {known}", "unknown sector {sector!r}; expected one of {known}"),
}
