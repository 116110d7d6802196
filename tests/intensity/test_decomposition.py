"""Target decomposition across banners, its check against the city target, and the yearly evaluation."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carbon.core.errors import ValidationError
from carbon.intensity import decomposition as dec

A, B = "150621", "150622"


def banners(e0, g0, gT, codes=(A, B)):
    return pd.DataFrame({"region": list(codes), "base_value": e0, "base_gdp": g0, "target_gdp": gT})


def test_equal_rate_with_unchanged_shares_is_the_city_rate():
    # Both banners double their GDP: shares unchanged, so every banner cutting 18 % cuts the city 18 %.
    d = dec.decompose(banners([300.0, 100.0], [100.0, 100.0], [200.0, 200.0]), reduction=0.18, base_year=2020,
                      target_year=2025)
    assert [b.reduction for b in d.banners] == [pytest.approx(0.18), pytest.approx(0.18)]
    assert d.meets and d.implied_city_reduction == pytest.approx(0.18)
    assert d.notes == []


def test_equal_rate_corrects_the_structural_effect_by_hand():
    # Base: A 300 t / 100 (I=3), B 100 t / 100 (I=1); city I0 = 400/200 = 2.
    # GDP path: A grows to 200, B stays 100. Required city intensity 0.8 × 2 = 1.6.
    # Every banner at 18 %: (3×0.82×200 + 1×0.82×100)/300 = 574/300 = 1.91333 -> only −4.33 %: not met.
    naive = dec.implied_city_reduction([300, 100], [100, 100], [200, 100], [0.18, 0.18])
    assert naive == pytest.approx(1 - (574 / 300) / 2)
    assert naive < 0.18
    # The uniform rate that meets it, eq. (2): k = (3×200 + 1×100 − 0.82×2×300)/(3×200 + 1×100) = (700−492)/700.
    d = dec.decompose(banners([300.0, 100.0], [100.0, 100.0], [200.0, 100.0]), reduction=0.18, base_year=2020,
                      target_year=2025, method="equal_rate")
    assert d.k == pytest.approx(208 / 700)
    assert d.meets and d.implied_city_reduction == pytest.approx(0.18)
    assert d.notes and "structural effect" in d.notes[0]


def test_intensity_level_loads_the_intensive_banner_by_hand():
    # Same data, w = I_b/I_c0 = (1.5, 0.5); k = 208 / (3×1.5×200 + 1×0.5×100) = 208/950.
    d = dec.decompose(banners([300.0, 100.0], [100.0, 100.0], [200.0, 100.0]), reduction=0.18, base_year=2020,
                      target_year=2025, method="intensity_level")
    ra, rb = (b.reduction for b in d.banners)
    assert ra == pytest.approx(1.5 * 208 / 950) and rb == pytest.approx(0.5 * 208 / 950)
    assert ra > rb and d.meets


def test_a_split_that_falls_short_is_reported_as_such():
    d = dec.decompose(banners([300.0, 100.0], [100.0, 100.0], [200.0, 100.0]), reduction=0.18, base_year=2020,
                      target_year=2025)
    d.banners[0].reduction -= 0.05  # the bureau edits a banner's target down
    assert not dec.check(d).meets


def test_infeasible_split_is_refused():
    # gdp_share loads the big, clean banner A (I = 0.1, share 0.909, w = 1.818) but the city's intensity is in B
    # (I = 9, w = 0.182): k = (1000 − 0.5 × 1000/1100 × 1100) / (0.1×1.818×1000 + 9×0.182×100) = 500/345.5 = 1.45,
    # so A would need r = 2.6 (> 100 %).
    with pytest.raises(ValidationError, match="cut its intensity"):
        dec.decompose(banners([100.0, 900.0], [1000.0, 100.0], [1000.0, 100.0]), reduction=0.5, base_year=2020,
                      target_year=2025, method="gdp_share")


positive = st.floats(1.0, 1e7)


@settings(max_examples=80, deadline=None)
@given(data=st.lists(st.tuples(positive, positive, st.floats(0.5, 3.0)), min_size=2, max_size=9),
       reduction=st.floats(0.01, 0.3), method=st.sampled_from(list(dec.METHODS)))
def test_every_method_meets_the_city_target_under_its_gdp_path(data, reduction, method):
    codes = ["150602", "150603", "150621", "150622", "150623", "150624", "150625", "150626", "150627"][:len(data)]
    frame = banners([d[0] for d in data], [d[1] for d in data], [d[1] * d[2] for d in data], codes)
    try:
        d = dec.decompose(frame, reduction=reduction, base_year=2020, target_year=2025, method=method)
    except ValidationError:
        return  # infeasible (a banner would need ≥ 100 %): refused, never silently wrong
    assert d.meets
    assert d.implied_city_reduction == pytest.approx(reduction, abs=1e-9)


def test_split_cap_adds_up_to_the_cap():
    frame = banners([600.0, 400.0], [100.0, 100.0], [150.0, 100.0])
    base = dec.split_cap(frame, cap=900.0, method="base_share")
    assert base["cap"].tolist() == [pytest.approx(540.0), pytest.approx(360.0)]  # 900 × 0.6, 900 × 0.4
    path = dec.split_cap(frame, cap=900.0, method="gdp_path")
    # needs 600 × 1.5 = 900 and 400 × 1 = 400 -> shares 9/13 and 4/13 of 900
    assert path["cap"].tolist() == [pytest.approx(900 * 9 / 13), pytest.approx(900 * 4 / 13)]
    assert path["cap"].sum() == pytest.approx(900.0)


def test_ordos_13th_plan_would_have_been_flagged_off_track():
    # ordos.md: the 13th FYP target was −18 % from 2015 to 2020; intensity instead rose 46.23 % in four years.
    ev = dec.evaluate(region="150600", base_intensity=1.0, intensity=1.4623, base_year=2015, year=2019,
                      target_year=2020, reduction=0.18)
    assert ev.status == "off_track"
    assert ev.required_annual == pytest.approx(1 - 0.82 ** 0.2)  # 3.89 % a year
    assert ev.achieved_cumulative == pytest.approx(-0.4623)
    # To still meet it in 2020 the intensity would have to fall from 1.4623 to 0.82 in one year: 1 − 0.82/1.4623.
    assert ev.remaining_annual == pytest.approx(1 - 0.82 / 1.4623)  # 43.9 %


@pytest.mark.parametrize("intensity, status", [
    # −18 % over 2020–2025; path by 2022: 1 − 0.82^(2/5) = 1 − e^(0.4 ln 0.82) = 7.6311 %,
    # by 2021: 1 − 0.82^(1/5) = 3.8913 %
    (1 - 0.07632, "on_track"),
    (1 - 0.07630, "warning"),
    (1 - 0.03892, "warning"),
    (1 - 0.03890, "off_track"),
    (1.05, "off_track"),
])
def test_status_rule_boundaries_by_hand(intensity, status):
    assert dec.path_reduction(0.18, 2020, 2025, 2022) == pytest.approx(0.076311, abs=1e-6)
    assert dec.path_reduction(0.18, 2020, 2025, 2021) == pytest.approx(0.038913, abs=1e-6)
    ev = dec.evaluate(region=A, base_intensity=1.0, intensity=intensity, base_year=2020, year=2022, target_year=2025,
                      reduction=0.18)
    assert ev.status == status


def test_target_year_met_or_not():
    met = dec.evaluate(region=A, base_intensity=2.0, intensity=1.64, base_year=2020, year=2025, target_year=2025,
                       reduction=0.18)
    missed = dec.evaluate(region=A, base_intensity=2.0, intensity=1.66, base_year=2020, year=2025, target_year=2025,
                          reduction=0.18)
    assert (met.status, met.remaining_annual) == ("on_track", None)
    assert missed.status == "off_track"
