"""The bureau's inventories: list, create, upload (with the row report), compile, publish, new version, results
tree, "why this number", downloads. Every action calls the service the API route calls (carbon.inventory.service).

A POST that succeeds redirects (303) to the inventory's page with ``?done=...``; one that fails renders the page
again with the message (and, for a rejected file, the table of bad rows), nothing stored (the session is rolled back).
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, BackgroundTasks, Response
from starlette.datastructures import UploadFile

from api.deps import SessionDep
from api.params import Id63
from api.uploads import read_upload
from carbon.core.errors import CarbonError, ImportRejected
from carbon.core.regions import CITY_CODE
from carbon.inventory import service
from carbon.reporting import service as report_service
from web.deps import BureauPage, CheckedForm, PageError, redirect, render
from web import views

router = APIRouter(prefix="/console/inventories", include_in_schema=False)

DONE = {
    "created": "已创建清单草稿。下一步：上传活动水平数据。",
    "uploaded": "数据已导入，清单回到草稿状态：请重新编制。",
    "compiled": "编制完成，可查看结果。",
    "published": "已发布：清单从此公开且不可修改。",
    "version": "已创建新版本（草稿），活动水平数据已复制。",
    "report": "已提交 PDF 清单报告，正在后台生成（页面会自动刷新）。",
}


def _who(page) -> str:
    return f"token {page.user.id} ({page.user.name}) via console"


def _failed(page, db, inventory_id: int, exc: CarbonError, action: str):
    """The inventory page again with what went wrong; nothing of the failed action is kept."""
    db.rollback()
    rows = [{"row": e.row, "column": e.column, "value": e.value, "reason": e.reason_text("zh")}
            for e in exc.errors] if isinstance(exc, ImportRejected) else []
    return _detail(page, db, inventory_id, status_code=views.status_of(exc),
                   error={"action": action, "message": exc.text("zh"), "rows": rows})


def _detail(page, db, inventory_id: int, *, status_code: int = 200, error: dict | None = None, done: str | None = None):
    try:
        inventory = service.get_inventory(db, inventory_id=inventory_id)
    except CarbonError:
        raise PageError(404, f"没有编号为 {inventory_id} 的清单。") from None
    totals = (service.totals(db, inventory_id=inventory.id, region=inventory.region.code)
              if inventory.status != "draft" else None)
    jobs = [j for j in report_service.list_jobs(db, limit=200) if j.inventory_id == inventory.id]
    return render(page, "inventory.html", status_code=status_code, inventory=inventory, totals=totals, jobs=jobs,
                  pending=any(j.status in ("queued", "running") for j in jobs),
                  records=service.record_count(db, inventory_id=inventory.id),
                  batches=service.batches(db, inventory_id=inventory.id), error=error, done=DONE.get(done or ""),
                  sector_names=views.SECTOR_NAMES_ZH)


@router.get("")
def list_page(page: BureauPage, db: SessionDep):
    rows, total = service.list_inventories(db, limit=200)
    return render(page, "inventories.html", inventories=rows, total=total, regions=views.region_choices(), error=None)


@router.post("")
def create(page: BureauPage, form: CheckedForm, db: SessionDep):
    try:
        year = int(str(form.get("year") or "").strip())
        inventory = service.create_inventory(db, year=year, region=str(form.get("region") or CITY_CODE),
                                             gwp_set=str(form.get("gwp_set") or "AR5"),
                                             label=str(form.get("label") or "").strip() or None, user=_who(page))
    except ValueError:
        db.rollback()
        return _list_error(page, db, "年份应为 1990 至 2100 之间的整数。", 422)
    except CarbonError as exc:
        db.rollback()
        return _list_error(page, db, exc.text("zh"), views.status_of(exc))
    return redirect(f"/console/inventories/{inventory.id}?done=created")


def _list_error(page, db, message: str, status_code: int):
    rows, total = service.list_inventories(db, limit=200)
    return render(page, "inventories.html", status_code=status_code, inventories=rows, total=total,
                  regions=views.region_choices(), error=message)


@router.get("/{inventory_id}")
def detail(inventory_id: Id63, page: BureauPage, db: SessionDep, done: str | None = None):
    return _detail(page, db, inventory_id, done=done)


def _file(form, name: str) -> UploadFile | None:
    value = form.get(name)
    return value if isinstance(value, UploadFile) and value.filename else None


@router.post("/{inventory_id}/upload")
def upload(inventory_id: Id63, page: BureauPage, form: CheckedForm, db: SessionDep):
    file = _file(form, "file")
    if file is None:
        return _detail(page, db, inventory_id, status_code=422,
                       error={"action": "上传", "message": "请选择一个 CSV 或 XLSX 文件。", "rows": []})
    try:
        content = read_upload(file, page.request)
        service.import_activity(db, inventory_id=inventory_id, content=content, filename=file.filename,
                                user=_who(page), replace=form.get("replace") == "1")
    except CarbonError as exc:
        return _failed(page, db, inventory_id, exc, "上传")
    return redirect(f"/console/inventories/{inventory_id}?done=uploaded")


@router.post("/{inventory_id}/compile")
def compile_(inventory_id: Id63, page: BureauPage, form: CheckedForm, db: SessionDep):
    local = _file(form, "factors")
    try:
        content = read_upload(local, page.request) if local is not None else None
        service.compile_inventory(db, inventory_id=inventory_id, local_factors=content,
                                  local_filename=local.filename if local is not None else "local_factors.csv")
    except CarbonError as exc:
        return _failed(page, db, inventory_id, exc, "编制")
    return redirect(f"/console/inventories/{inventory_id}?done=compiled")


@router.post("/{inventory_id}/publish")
def publish(inventory_id: Id63, page: BureauPage, form: CheckedForm, db: SessionDep):
    try:
        service.publish(db, inventory_id=inventory_id)
    except CarbonError as exc:
        return _failed(page, db, inventory_id, exc, "发布")
    return redirect(f"/console/inventories/{inventory_id}?done=published")


@router.post("/{inventory_id}/versions")
def new_version(inventory_id: Id63, page: BureauPage, form: CheckedForm, db: SessionDep):
    try:
        copy = service.new_version(db, inventory_id=inventory_id, user=_who(page),
                                   label=str(form.get("label") or "").strip() or None)
    except CarbonError as exc:
        return _failed(page, db, inventory_id, exc, "新建版本")
    return redirect(f"/console/inventories/{copy.id}?done=version")


@router.post("/{inventory_id}/report")
def submit_report(inventory_id: Id63, page: BureauPage, form: CheckedForm, db: SessionDep,
                  background: BackgroundTasks):
    """The PDF inventory report, as ``POST /api/v1/reports/inventory``: a job the report worker renders."""
    try:
        inventory = service.get_inventory(db, inventory_id=inventory_id)
        report_service.submit(db, year=inventory.year, inventory_id=inventory.id, requested_by=_who(page),
                              prepared_by=str(form.get("prepared_by") or "").strip() or None)
    except CarbonError as exc:
        return _failed(page, db, inventory_id, exc, "生成报告")
    worker = getattr(page.request.app.state, "report_worker", None)
    if worker is not None:
        background.add_task(worker.wake)  # after the response, i.e. after the job row is committed
    return redirect(f"/console/inventories/{inventory_id}?done=report")


@router.get("/{inventory_id}/reports/{job_id}.pdf")
def report_pdf(inventory_id: Id63, job_id: Id63, page: BureauPage, db: SessionDep):
    try:
        pdf, filename = report_service.job_pdf(db, job_id=job_id)
    except CarbonError as exc:
        raise PageError(views.status_of(exc), exc.text("zh")) from None
    return Response(pdf, media_type="application/pdf", headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@router.get("/{inventory_id}/results")
def results(inventory_id: Id63, page: BureauPage, db: SessionDep, sector: str | None = None,
            category: str | None = None, region: str = CITY_CODE):
    return views.results_page(page, db, inventory_id, base=f"/console/inventories/{inventory_id}", public=False,
                              sector=sector, category=category, region=region)


@router.get("/{inventory_id}/explain")
def explain_page(inventory_id: Id63, page: BureauPage, db: SessionDep, region: str = CITY_CODE,
                 category: str | None = None, sector: str | None = None, gas: str | None = None,
                 item: str | None = None):
    return views.explain_page(page, db, inventory_id, base=f"/console/inventories/{inventory_id}", bureau=True,
                              region=region, category=category, sector=sector, gas=gas, item=item)


@router.get("/{inventory_id}/download/{fmt}")
def download(inventory_id: Id63, fmt: Literal["csv", "xlsx", "activity.csv"], page: BureauPage, db: SessionDep):
    """The files of ``GET /api/v1/inventories/{id}/export`` and ``/activity``, for the signed-in bureau (the API
    itself takes bearer tokens only)."""
    try:
        inventory = service.get_inventory(db, inventory_id=inventory_id)
        if fmt == "activity.csv":
            content = service.export_activity(db, inventory_id=inventory.id, fmt="csv", excel=True)
        else:
            content = service.export_results(db, inventory_id=inventory.id, fmt=fmt, excel=fmt == "csv")
    except CarbonError as exc:
        raise PageError(views.status_of(exc), exc.text("zh")) from None
    kind = "activity" if fmt.startswith("activity") else "inventory"
    ext = fmt.rsplit(".", 1)[-1]
    name = f"{kind}-{inventory.region.code}-{inventory.year}-v{inventory.version}.{ext}"
    media = views.MEDIA[ext]
    return Response(content, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})

