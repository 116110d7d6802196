"""Messages of the reporting domain (the PDF inventory report, its background jobs and the table exports), in
Chinese and English (carbon/core/messages.py). The English text is word for word what the code said before keys
existed: clients and tests read it.
"""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "report_unknown_format": ("未知的导出格式 {fmt!r}: 应为以下之一: {known}", "unknown format {fmt!r}: one of {known}"),
    "report_inventory_year": ("清单 {id} 是 {year} 年的清单, 不是 {wanted} 年的",
                              "inventory {id} is of {year}, not {wanted}"),
    "report_no_city_inventory": ("没有 {year} 年已计算或已发布的全市清单",
                                 "no compiled or published inventory of the city for {year}"),
    "report_inventory_draft": ("清单 {id} 仍是草稿; 请先计算清单再生成报告",
                               "inventory {id} is a draft; compile it before reporting"),
    "report_not_city": ("清单报告只针对全市清单 (全市及各旗区)",
                        "the inventory report is of the city's inventory (city and banners)"),
    "report_co2_source": ("co2_source (二氧化碳数据来源) 应为以下之一: {known}", "co2_source must be one of {known}"),
    "report_job_not_found": ("没有编号为 {id} 的报告任务", "no report job with id {id}"),
    "report_job_not_done": ("报告任务 {id} 的状态为 {status}; 任务完成后才能获取 PDF",
                            "report job {id} is {status}; the PDF is there when it is done"),
}
