"""The bureau's XLSX data-collection template for one sector (``carbon template SECTOR --out X.xlsx``,
``GET /api/v1/templates/{sector}?format=xlsx``).

Sheets:

- ``activity``: the data sheet, headers in Chinese with the English contract name in brackets (``地区(region)``:
  the import reads either, carbon/core/tabular.py), no rows: whatever is on it is the user's. Drop-down lists
  (XLSX data validation) for region, category, item and unit from the catalogue; a year between 1950 and 2100.
  The lists warn rather than refuse, so a code (150621, 1.A.1.a) or an alias may still be typed.
- ``示例``: example rows (the synthetic Ordos sample's rows of the sector, which import as they are) and, below them,
  every category of the sector with its activity dimensions and a suggested unit.
- ``items``: the sector's items (code, 名称, name, 别名), as before.
- ``lists`` (hidden): the values of the drop-down lists, referenced by the validations.

The CSV template (``blank_template``) is unchanged: English headers, one row per category.
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from carbon.core.errors import CarbonError, ValidationError
from carbon.core.regions import REGIONS
from carbon.core.tabular import ZH_HEADERS
from carbon.inventory.catalog import SECTOR_NAMES_ZH, Catalog, load_catalog

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data" / "ordos_2022_synthetic.csv"
DATA_COLUMNS = ("region", "year", "category", "item", "quantity", "unit", "note", "facility")
DATA_ROWS = 2000  # rows of the data sheet covered by the drop-down lists
EXAMPLES_PER_SECTOR = 12
# Units offered per activity dimension; only those that parse and fit a category of the sector are listed.
UNIT_CHOICES = {
    "mass": ("t", "万t", "kg"),
    "volume": ("万m3", "m3", "亿m3", "万Nm3", "Nm3"),
    "energy": ("tce", "万tce", "GJ", "TJ", "万kWh", "MWh", "kWh"),
    "volume/mass": ("m3/t",),
    "area": ("公顷", "hm2", "亩", "km2"),
    "livestock": ("头", "万头", "只", "万只"),
}


def header(column: str) -> str:
    """The data sheet's header of a column: 地区(region)."""
    zh = ZH_HEADERS["activity"].get(column)
    return f"{zh}({column})" if zh else column


def _resolvable(names: list[tuple[str, str]], resolve, code_of) -> list[str]:
    """The names that resolve back to their own entry (else the code is listed)."""
    out = []
    for name, code in names:
        try:
            out.append(name if code_of(resolve(name)) == code else code)
        except CarbonError:
            out.append(code)
    return out


def template_lists(sector: str, catalog: Catalog | None = None) -> dict[str, list[str]]:
    """The drop-down values: region names, category names, item names, units of the sector."""
    catalog = catalog or load_catalog()
    if sector not in SECTOR_NAMES_ZH:
        raise ValidationError(key="inventory_unknown_sector", params={"value": sector, "known": ", ".join(SECTOR_NAMES_ZH)},
                              field="sector")
    cats = catalog.leaf_categories(sector)
    wanted = {sector} | ({"energy"} if sector == "memo" else set())
    items = [i for i in catalog.items.values() if i.sector in wanted]
    unit_list: list[str] = []
    for dim in dict.fromkeys(d for c in cats for d in c.activity):
        for u in UNIT_CHOICES.get(dim, ()):
            if u in unit_list:
                continue
            for c in cats:
                try:
                    c.check_unit(u)
                except CarbonError:
                    continue
                unit_list.append(u)
                break
    return {
        "region": [r.name_zh for r in REGIONS],
        "category": _resolvable([(c.name_zh, c.code) for c in cats], catalog.category, lambda c: c.code),
        "item": _resolvable([(i.name_zh, i.code) for i in items], catalog.item, lambda i: i.code),
        "unit": unit_list,
    }


@lru_cache(maxsize=1)
def _sample() -> pd.DataFrame:
    if not SAMPLE.exists():
        return pd.DataFrame(columns=list(DATA_COLUMNS))
    return pd.read_csv(SAMPLE, comment="#", dtype=str, keep_default_na=False)


def example_rows(sector: str, catalog: Catalog | None = None) -> pd.DataFrame:
    """Up to a dozen rows of the synthetic sample in the sector's categories (one per category first)."""
    catalog = catalog or load_catalog()
    sample = _sample()
    codes = {c.code for c in catalog.leaf_categories(sector)}
    rows = sample[sample["category"].isin(codes)]
    rows = pd.concat([rows.drop_duplicates("category"), rows]).drop_duplicates().head(EXAMPLES_PER_SECTOR)
    return rows.reindex(columns=list(DATA_COLUMNS), fill_value="").reset_index(drop=True)


def template_xlsx(sector: str, catalog: Catalog | None = None) -> bytes:
    """The XLSX template of ``sector`` as bytes (see the module docstring)."""
    from carbon.inventory.io import SUGGESTED_UNITS, items_sheet

    catalog = catalog or load_catalog()
    lists = template_lists(sector, catalog)
    wb = Workbook()
    data = wb.active
    data.title = "activity"
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for j, col in enumerate(DATA_COLUMNS, start=1):
        cell = data.cell(row=1, column=j, value=header(col))
        cell.font, cell.fill = bold, fill
        data.column_dimensions[get_column_letter(j)].width = 24 if col in ("category", "item", "note") else 14
    data.cell(row=1, column=DATA_COLUMNS.index("quantity") + 1).comment = Comment(
        "数字，或记录符号 NO / NE / IE / C / NA", "carbon")
    data.freeze_panes = "A2"

    hidden = wb.create_sheet("lists")
    for j, (name, values) in enumerate(lists.items(), start=1):
        hidden.cell(row=1, column=j, value=name)
        for i, v in enumerate(values, start=2):
            hidden.cell(row=i, column=j, value=v)
        letter = get_column_letter(DATA_COLUMNS.index(name) + 1)
        ref = f"lists!${get_column_letter(j)}$2:${get_column_letter(j)}${len(values) + 1}"
        dv = DataValidation(type="list", formula1=ref, allow_blank=True, errorStyle="warning", showErrorMessage=True,
                            errorTitle="不在列表中", error=f"{ZH_HEADERS['activity'][name]}不在目录列表中；代码或别名也可填写",
                            promptTitle=ZH_HEADERS["activity"][name], prompt="从列表中选择", showInputMessage=True)
        dv.add(f"{letter}2:{letter}{DATA_ROWS + 1}")
        data.add_data_validation(dv)
    hidden.sheet_state = "hidden"
    year = get_column_letter(DATA_COLUMNS.index("year") + 1)
    dv = DataValidation(type="whole", operator="between", formula1="1950", formula2="2100", allow_blank=True,
                        showErrorMessage=True, errorTitle="年份", error="年份应为 1950 至 2100 之间的整数")
    dv.add(f"{year}2:{year}{DATA_ROWS + 1}")
    data.add_data_validation(dv)

    examples = wb.create_sheet("示例")
    examples.append([header(c) for c in DATA_COLUMNS])
    for row in example_rows(sector, catalog).itertuples(index=False):
        examples.append([_cell(v) for v in row])
    examples.append([])
    examples.append(["类别代码", "类别名称", "活动水平量纲", "建议单位"])
    for cat in catalog.leaf_categories(sector):
        dim = cat.activity[0] if cat.activity else "mass"
        examples.append([cat.code, cat.name_zh, " / ".join(cat.activity), SUGGESTED_UNITS.get(dim, "")])
    for j in range(1, len(DATA_COLUMNS) + 1):
        examples.column_dimensions[get_column_letter(j)].width = 20
    examples.cell(row=1, column=1).comment = Comment("示例数据（合成，非官方统计）；请在 activity 表填写", "carbon")

    items = wb.create_sheet("items")
    frame = items_sheet(sector, catalog)
    items.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        items.append(list(row))
    wb.move_sheet("lists", offset=len(wb.sheetnames) - 1 - wb.sheetnames.index("lists"))  # the hidden one last
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _cell(value: str):
    """A sample cell as Excel would hold it: numbers as numbers."""
    try:
        return int(value) if value.isdigit() else float(value) if value.replace(".", "", 1).isdigit() else value
    except ValueError:
        return value
