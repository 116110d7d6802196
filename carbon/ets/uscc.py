"""统一社会信用代码 (USCC, unified social credit code): format and check character, GB 32100-2015.

Layout (GB 32100-2015 §4): 18 characters from the 31-character set ``0-9 A-H J-N P-R T U W-Y`` (no I, O,
S, V, Z):

    pos 1     登记管理部门代码 (registration authority: 1-9, A-G, Y)
    pos 2     机构类别代码 (organisation type)
    pos 3-8   登记管理机关行政区划码 (GB/T 2260 division code, digits)
    pos 9-17  主体标识码 (organisation code, GB 11714)
    pos 18    校验码 (check character)

Check character (GB 32100-2015 §5 and Annex B): each of the first 17 characters has a value (its index in
the character set) and a weight W_i = 3^(i-1) mod 31; C18 = 31 - (Σ value_i × W_i mod 31), where 31 maps
to 0; the check character is the set's character with value C18.
"""

from __future__ import annotations

import re

from carbon.core.errors import ValidationError

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUES = {c: i for i, c in enumerate(CHARSET)}
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28
_SHAPE = re.compile(r"^[0-9A-HJ-NP-RTUW-Y]{2}[0-9]{6}[0-9A-HJ-NP-RTUW-Y]{10}$")


def check_character(first17: str) -> str:
    """The check character (position 18) for the first 17 characters of a USCC."""
    if len(first17) != 17 or any(c not in VALUES for c in first17):
        raise ValidationError(key="ets_uscc_first17", params={"charset": CHARSET, "first17": first17}, field="uscc")
    total = sum(VALUES[c] * w for c, w in zip(first17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def validate_uscc(text: str, *, field: str = "uscc") -> str:
    """The normalised USCC (upper case, spaces removed), or ValidationError saying what is wrong."""
    if not isinstance(text, str):
        raise ValidationError(key="ets_uscc_not_text", field=field)
    code = text.strip().replace(" ", "").upper()
    if len(code) != 18:
        raise ValidationError(key="ets_uscc_length", params={"text": text, "length": len(code)}, field=field)
    bad = [c for c in code if c not in VALUES]
    if bad:
        raise ValidationError(
            key="ets_uscc_charset", params={"text": text, "bad": "".join(sorted(set(bad)))}, field=field)
    if not _SHAPE.match(code):
        raise ValidationError(key="ets_uscc_division", params={"text": text}, field=field)
    expected = check_character(code[:17])
    if code[17] != expected:
        raise ValidationError(
            key="ets_uscc_check", params={"text": text, "given": code[17], "expected": expected}, field=field)
    return code


def make_uscc(first17: str) -> str:
    """A complete USCC from its first 17 characters (for tests and sample data)."""
    return first17 + check_character(first17)
