"""Tables of the intensity domain: economic and energy statistics, intensity targets, plan indicators.

- ``economic_indicators``: one row per region × year × price basis. GDP is money: whole yuan as BIGINT
  (an auditor compares it with the statistical yearbook; Numeric is a float on SQLite). ``gdp_yuan`` is at
  constant prices of ``price_base_year`` (= ``year`` for current prices); ``gdp_current_yuan`` optional.
  Energy consumption in whole kgce (BIGINT, exact), shares as fractions, population in persons. The
  optional ``energy_co2_t`` is the statistics' own energy-CO2 accounting (能源活动二氧化碳排放统计核算), used as
  the intensity numerator only when asked for (``co2_source='statistics'``), never mixed with inventories.
- ``intensity_targets``: a city target (metric, base and target year, value) and the banner targets a
  decomposition produced (``parent_id`` = the city target, ``method`` = how). ``value`` is a reduction in
  percent for intensity metrics, tce for an energy cap, percent for shares.
- ``plan_indicators`` / ``plan_indicator_values``: the plan's indicator table and yearly values.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from carbon.core.db import Base, UTCDateTime, choice, utcnow

TARGET_METRICS = ("carbon_intensity", "energy_intensity", "energy_total", "non_fossil_share", "coal_share")
TARGET_KINDS = ("binding", "expected")
INDICATOR_DIRECTIONS = ("decrease", "increase", "max", "min", "keep")


class EconomicIndicator(Base):
    __tablename__ = "economic_indicators"
    __table_args__ = (UniqueConstraint("region_code", "year", "price_base_year"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    year: Mapped[int] = mapped_column(Integer)
    price_base_year: Mapped[int] = mapped_column(Integer)
    gdp_yuan: Mapped[int] = mapped_column(BigInteger)  # constant prices of price_base_year
    gdp_current_yuan: Mapped[int | None] = mapped_column(BigInteger)
    energy_kgce: Mapped[int | None] = mapped_column(BigInteger)
    coal_share: Mapped[float | None] = mapped_column(Float)  # fraction of energy consumption
    non_fossil_share: Mapped[float | None] = mapped_column(Float)
    population: Mapped[int | None] = mapped_column(BigInteger)  # persons
    energy_co2_t: Mapped[float | None] = mapped_column(Float)  # the statistics' own energy CO2 (optional)
    source: Mapped[str | None] = mapped_column(Text)
    filename: Mapped[str | None] = mapped_column(String(255))
    source_row: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class IntensityTarget(Base):
    __tablename__ = "intensity_targets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    metric: Mapped[str] = mapped_column(choice(TARGET_METRICS, name="metric"))
    kind: Mapped[str] = mapped_column(choice(TARGET_KINDS, name="kind", length=16), default="binding")
    base_year: Mapped[int] = mapped_column(Integer)
    target_year: Mapped[int] = mapped_column(Integer)
    value: Mapped[float] = mapped_column(Float)  # see module docstring for its unit per metric
    unit: Mapped[str] = mapped_column(String(16))  # '%' or 'tce'
    price_base_year: Mapped[int | None] = mapped_column(Integer)
    numerator: Mapped[str | None] = mapped_column(String(40))  # carbon intensity: what CO2 counts
    method: Mapped[str | None] = mapped_column(String(40))  # decomposition method for banner targets
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("intensity_targets.id", ondelete="CASCADE"), index=True)
    gdp_path: Mapped[dict | None] = mapped_column(JSON)  # {region: target-year GDP 10^4 CNY} the split assumed
    source: Mapped[str | None] = mapped_column(Text)
    label: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    parent: Mapped[IntensityTarget | None] = relationship(remote_side=[id])


class PlanIndicator(Base):
    __tablename__ = "plan_indicators"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    seq: Mapped[int] = mapped_column(Integer)
    group_zh: Mapped[str] = mapped_column(String(40))
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(choice(TARGET_KINDS, name="kind", length=16))
    direction: Mapped[str] = mapped_column(choice(INDICATOR_DIRECTIONS, name="direction", length=16))
    baseline_year: Mapped[int] = mapped_column(Integer)
    baseline: Mapped[float | None] = mapped_column(Float)
    target_year: Mapped[int] = mapped_column(Integer)
    target: Mapped[float | None] = mapped_column(Float)
    target_text: Mapped[str | None] = mapped_column(String(200))
    metric: Mapped[str | None] = mapped_column(String(40))  # the target metric this indicator sets, if any
    source: Mapped[str | None] = mapped_column(Text)

    values: Mapped[list[PlanIndicatorValue]] = relationship(back_populates="indicator", cascade="all, delete-orphan",
                                                            order_by="PlanIndicatorValue.year")


class PlanIndicatorValue(Base):
    __tablename__ = "plan_indicator_values"
    __table_args__ = (UniqueConstraint("indicator_id", "year"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("plan_indicators.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)
    value: Mapped[float] = mapped_column(Float)
    note: Mapped[str | None] = mapped_column(Text)

    indicator: Mapped[PlanIndicator] = relationship(back_populates="values")
