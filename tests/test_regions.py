"""Pure region lookup, no database."""

from __future__ import annotations

import pytest

from carbon.core.errors import ValidationError
from carbon.core.regions import BANNER_CODES, BY_CODE, CITY_CODE, REGIONS, resolve_region


def test_constants():
    assert CITY_CODE == "150600"
    assert len(REGIONS) == 10
    assert len(BANNER_CODES) == 9 and CITY_CODE not in BANNER_CODES
    assert all(BY_CODE[c].parent == CITY_CODE and BY_CODE[c].level == "county" for c in BANNER_CODES)


@pytest.mark.parametrize(("text", "code"), [
    ("150600", "150600"),
    (" 150627 ", "150627"),
    ("鄂尔多斯市", "150600"),
    ("鄂尔多斯", "150600"),
    ("准格尔旗", "150622"),
    ("鄂托克前旗", "150623"),
    ("鄂托克旗", "150624"),
    ("东胜区", "150602"),
    ("东胜", "150602"),
    ("Ejin Horo", "150627"),
    ("otog front", "150623"),
    ("ORDOS", "150600"),
])
def test_resolve_region(text, code):
    assert resolve_region(text) == code


@pytest.mark.parametrize("text", ["北京市", "150601", "", "鄂托克", "Otog Rear"])
def test_unknown_region(text):
    with pytest.raises(ValidationError) as err:
        resolve_region(text)
    assert err.value.field == "region"
