"""Key category analysis, Approach 1, on hand-computed cases."""

from __future__ import annotations

import pandas as pd
import pytest

from carbon.intensity.key_categories import level_assessment, trend_assessment


def frame(rows):
    return pd.DataFrame(rows, columns=["category", "gas", "co2e_t"])


# |E|: 600 + 200 + 100 (sink) + 60 + 30 + 10 = 1000
LEVEL = frame([("1.A.1.a", "CO2", 600.0), ("1.B.1.a.i", "CH4", 200.0), ("3.B.1.a", "CO2", -100.0),
               ("2.A.1", "CO2", 60.0), ("3.A.1", "CH4", 30.0), ("4.A", "CH4", 10.0)])


def test_level_ranking_shares_and_the_95_percent_cut_by_hand():
    out = level_assessment(LEVEL)
    # ranked: 600 (60 %, cum 60), 200 (20, 80), sink |−100| (10, 90), 60 (6, 96), 30 (3, 99), 10 (1, 100)
    assert out["category"].tolist() == ["1.A.1.a", "1.B.1.a.i", "3.B.1.a", "2.A.1", "3.A.1", "4.A"]
    assert out["share"].tolist() == pytest.approx([0.6, 0.2, 0.1, 0.06, 0.03, 0.01])
    assert out["cumulative"].tolist() == pytest.approx([0.6, 0.8, 0.9, 0.96, 0.99, 1.0])
    # 2.A.1 crosses 95 % (90 -> 96): it is key; the ones after it are not. The sink is key by |E|.
    assert out["key"].tolist() == [True, True, True, True, False, False]
    assert out["rank"].tolist() == [1, 2, 3, 4, 5, 6]


def test_a_category_exactly_at_the_threshold_ends_the_key_list():
    out = level_assessment(frame([("a", "CO2", 95.0), ("b", "CO2", 4.0), ("c", "CO2", 1.0)]))
    assert out["key"].tolist() == [True, False, False]  # cumulative 95 % reached by the first


def test_trend_assessment_by_hand():
    # Base: A 100, B 50, sink C −50, E 5 -> Σ|E0| = 205, ΣE0 = 105.
    # Current: A 150, B 70, C −40, new D 20, E 5 -> ΣEt = 205; total trend (205 − 105)/105 = 0.952381.
    # T_A = 100/205 × |0.5 − 0.952381| = 0.220674      T_B = 50/205 × |0.4 − 0.952381| = 0.134727
    # T_C = 50/205 × |(−40+50)/50 − 0.952381| = 50/205 × |0.2 − 0.952381| = 0.183507  (a sink: |E0| weights it)
    # T_D (absent in the base year) = |20|/205 = 0.097561   T_E = 5/205 × |0 − 0.952381| = 0.023229
    # ΣT = 0.659698; shares A 33.45 %, C 27.82 (cum 61.27), B 20.42 (81.69), D 14.79 (96.48, crosses 95 %), E 3.52
    base = frame([("A", "CO2", 100.0), ("B", "CO2", 50.0), ("C", "CO2", -50.0), ("E", "CH4", 5.0)])
    cur = frame([("A", "CO2", 150.0), ("B", "CO2", 70.0), ("C", "CO2", -40.0), ("D", "CO2", 20.0), ("E", "CH4", 5.0)])
    out = trend_assessment(base, cur).set_index("category")
    assert out.loc[["A", "B", "C", "D", "E"], "trend"].tolist() == pytest.approx(
        [0.220674, 0.134727, 0.183507, 0.097561, 0.023229], abs=1e-6)
    assert out.loc["A", "total_trend_pct"] == pytest.approx(95.2381, abs=1e-4)
    assert out.sort_values("rank").index.tolist() == ["A", "C", "B", "D", "E"]
    assert out.loc["D", "cumulative"] == pytest.approx(0.9648, abs=1e-4)
    assert out.loc[["A", "C", "B", "D", "E"], "key"].tolist() == [True, True, True, True, False]
    assert out.loc["D", "co2e_t_base"] == 0.0
