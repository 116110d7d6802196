"""Verification of factor rows is data beside the rows (emission_factors/verification/*.csv): checked at load,
append-only (the latest checked_on wins), and a row without a 'verified' line stays an unverified default."""

import pytest

from carbon.core.errors import FactorError
from carbon.factors.library import (_load_library_cached, load_library, load_verification, unverified_defaults,
                                    VERIFICATION_COLUMNS)

from tests.factors.test_library import make_root

ROWS = "F1,1,IPCC2006,1.A,raw_coal,ncv,,25.8,GJ/t,x,y,e,,,,\nF2,1,IPCC2006,1.A,raw_coal,oxidation,CO2,1,dimensionless,x,y,e,,,,\n"
HEAD = ",".join(VERIFICATION_COLUMNS) + ",note\n"


def root_with(tmp_path, *files: str):
    root = make_root(tmp_path, ROWS)
    (root / "verification").mkdir()
    for n, body in enumerate(files, start=1):
        (root / "verification" / f"verification_v{n}.csv").write_text(HEAD + body, encoding="utf-8")
    return root


def test_bundled_verification_file_loads_and_names_existing_rows():
    v = load_verification()
    assert v, "emission_factors/verification/ holds the December 2026 check"
    lib = load_library()
    for ref, line in v.items():
        lib.by_ref(ref)  # every line names an existing row
        assert line.status in ("verified", "unverified")
    assert v["STOICH-C-methanol@v1"].status == "verified"
    assert v["CN2011-NCV-raw_coal@v1"].status == "unverified"  # stays flagged until checked against the yearbook


def test_verification_dir_is_not_read_as_factor_rows(tmp_path):
    root = root_with(tmp_path, "F1,1,verified,Doc,Table 1.2,p. 1.18,2026-12-07,\n")
    _load_library_cached.cache_clear()
    try:
        assert {r.ref for r in load_library(root).rows} == {"F1@v1", "F2@v1"}
        assert unverified_defaults("F1@v1;F2@v1;local-abc:2@v1", root) == ["F2@v1"]
    finally:
        _load_library_cached.cache_clear()


@pytest.mark.parametrize("body, message", [
    ("F9,1,verified,Doc,T,p,2026-12-07,\n", "no factor row F9@v1"),
    ("F1,1,verified,Doc,T,,2026-12-07,\n", "cites document, table and page"),
    ("F1,1,maybe,Doc,T,p,2026-12-07,\n", "status must be one of"),
    ("F1,1,verified,Doc,T,p,7 Dec 2026,\n", "checked_on must be a date"),
])
def test_bad_verification_lines_fail_loudly(tmp_path, body, message):
    root = root_with(tmp_path, body)
    _load_library_cached.cache_clear()
    try:
        with pytest.raises(FactorError, match=message):
            load_verification(root)
    finally:
        _load_library_cached.cache_clear()


def test_a_recheck_is_a_new_line_and_the_latest_wins(tmp_path):
    root = root_with(tmp_path, "F1,1,verified,Doc,T,p. 3,2026-12-07,\n",
                     "F1,1,unverified,Doc,T,,2027-03-01,the value differs from the 2nd printing\n")
    _load_library_cached.cache_clear()
    try:
        line = load_verification(root)["F1@v1"]
        assert (line.status, line.checked_on, line.file) == ("unverified", "2027-03-01", "verification_v2.csv")
        assert unverified_defaults("F1@v1", root) == ["F1@v1"]
    finally:
        _load_library_cached.cache_clear()
