from __future__ import annotations

import pytest

from carbon.core.errors import ValidationError
from carbon.ets.uscc import check_character, validate_uscc
from tests.ets.helpers import TENCENT


def test_check_character_by_hand():
    # 91440300708461136T: values 9,1,4,4,0,3,0,0,7,0,8,4,6,1,1,3,6 × weights 1,3,9,27,19,26,16,17,20,29,25,13,8,
    # 24,10,30,28 = 9+3+36+108+0+78+0+0+140+0+200+52+48+24+10+90+168 = 966; 966 mod 31 = 5; 31-5 = 26 -> 'T'
    assert check_character(TENCENT[:17]) == "T"
    assert validate_uscc(" 91440300708461136t ") == TENCENT


@pytest.mark.parametrize("code, words", [
    ("91440300708461136U", "check character is 'U'"),
    ("9144030070846113", "16 characters"),
    ("91440300708461136I", "not in the GB 32100"),
    ("9144O300708461136T", "not in the GB 32100"),
    ("91A40300708461136T", "division code"),
])
def test_bad_codes_are_rejected_with_reason(code, words):
    with pytest.raises(ValidationError) as info:
        validate_uscc(code)
    assert words in info.value.message and info.value.field == "uscc"
