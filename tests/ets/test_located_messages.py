"""A unit error inside an ETS report is reported at its JSON path, the inner error worded in the message's language
(the wrapping messages pass the error itself to carbon.core.messages, not its Chinese text)."""

from __future__ import annotations

import pytest

from carbon.core import messages
from carbon.core.errors import UnitError
from carbon.ets import chemical, mrv
from carbon.ets.sectors import common


def _raised(call) -> UnitError:
    with pytest.raises(UnitError) as caught:
        call()
    return caught.value


@pytest.mark.parametrize("call, where", [
    (lambda: mrv._fraction(0.9, "furlong", "units[0].oxidation"), "units[0].oxidation"),
    (lambda: common.fraction({"carbon": 0.5, "carbon_unit": "furlong"}, "carbon", "lines[0]"), "lines[0].carbon_unit"),
    (lambda: chemical._parse_unit("bananas", "streams[0].unit"), "streams[0].unit"),
])
def test_inner_error_in_each_language(call, where):
    exc = _raised(call)
    zh, en = exc.text("zh"), exc.text("en")
    assert zh.startswith(where + ": ") and en.startswith(where + ": ")
    assert en == exc.message
    # the parameters hold the error, not a rendering of it: the catalogue words them in either language
    assert messages.text(exc.key, "en", **exc.params) == exc.message
    assert messages.text(exc.key, "zh", **exc.params) == zh
    inner_zh, inner_en = zh.removeprefix(where + ": "), en.removeprefix(where + ": ")
    assert any("\u4e00" <= ch <= "\u9fff" for ch in inner_zh), zh  # the inner error in Chinese
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in inner_en.replace("无量纲", "")), en  # and in English
    assert exc.field == where
