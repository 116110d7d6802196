"""A CEMS comparison finding opened as a verification non-conformity (issue 16, point 3: "a finding that the
verification workflow can open").

The verifier of an engagement runs the measured vs calculated comparison of the engagement's emitter for a period
(by default the calculated figure is the emitter's ETS report of the engagement's year). When the comparison has a
finding (deviation past the industry's threshold, or too few valid CEMS hours), it becomes a non-conformity of the
engagement through the workflow's own ``raise_nonconformity`` (same state rules, same event log): parameter
``CEMS``, the description in Chinese with the figures and the period, and as conservative adjustment the tonnes the
measurement exceeds the calculation by (0 when it is below: the workflow never lowers verified emissions on a
non-conformity). Opening the same finding again returns the non-conformity already opened (idempotent by its
description, which names the period and the figures). No finding: a Conflict, nothing is written.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from carbon.core.errors import Conflict
from carbon.ets import verification
from carbon.ets.models import NonConformity
from carbon.monitoring import service

PARAMETER = "CEMS"
KIND_ZH = {"cems_deviation": "在线监测 (CEMS) 排放量与核算排放量偏差超过阈值",
           "cems_coverage": "在线监测 (CEMS) 有效小时数不足"}


def description_zh(finding: dict[str, Any]) -> str:
    """The non-conformity's text: what, the period, the two figures, the deviation, the threshold, the coverage."""
    coverage = finding.get("coverage")
    parts = [f"{KIND_ZH.get(finding['kind'], finding['kind'])}：{finding['period_start']} 至 {finding['period_end']}，"
             f"排放口 {'、'.join(finding.get('stacks') or [])}，实测 {finding['measured_t']:,.1f} t CO2，"
             f"核算 {finding['calculated_t']:,.1f} t CO2，偏差 {finding['deviation_pct']:+.2f}%"
             f"（{finding['industry']} 行业阈值 {finding['threshold_pct']:g}%）"]
    if coverage is not None:
        parts.append(f"有效监测小时占 {coverage:.1%}")
    if finding.get("quality_issues"):
        parts.append(f"数据质量问题 {finding['quality_issues']} 项")
    return "；".join(parts) + "。请核查燃料消耗量、含碳量及排放口覆盖情况并说明差异。"


def adjustment_t(finding: dict[str, Any]) -> int:
    """Whole tonnes the measurement exceeds the calculation by (rounded up), else 0."""
    return max(0, math.ceil(finding["measured_t"] - finding["calculated_t"]))


def open_nonconformity(session: Session, *, engagement_id: int, start: datetime, end: datetime, actor: str,
                       calculated_t: float | None = None, thresholds: dict[str, float] | None = None
                       ) -> tuple[NonConformity, dict[str, Any], bool]:
    """(the non-conformity, the comparison, whether it was created now) for the engagement's emitter and period."""
    g = verification.get_engagement(session, engagement_id=engagement_id)
    comparison = service.compare_emitter(session, uscc=g.emitter.uscc, start=start, end=end,
                                         calculated_t=calculated_t, year=None if calculated_t is not None else g.year,
                                         thresholds=thresholds)
    finding = comparison.get("finding")
    if not finding:
        raise Conflict(key="monitoring_no_finding",
                       params={"deviation": comparison["deviation_pct"], "threshold": comparison["threshold_pct"]},
                       field="start")
    text = description_zh(finding)
    for nc in g.nonconformities:
        if nc.parameter == PARAMETER and nc.description == text:
            return nc, comparison, False
    nc = verification.raise_nonconformity(session, engagement_id=g.id, parameter=PARAMETER, description=text,
                                          conservative_adjustment_t=adjustment_t(finding), actor=actor)
    return nc, comparison, True
