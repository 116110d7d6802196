"""Report endpoints: submit an inventory report (a background job), poll its status, download the PDF.

A report takes seconds to lay out (WeasyPrint), too long for a request: ``POST /reports/inventory`` stores a
job and returns 202 at once; the worker thread this router starts with the application (its lifespan)
renders it (carbon.reporting.service.ReportWorker); ``GET /reports/jobs/{id}`` tells the status and
``GET /reports/jobs/{id}/pdf`` downloads the file when it is done.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime

from fastapi import APIRouter, BackgroundTasks, FastAPI, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from api.deps import BureauUser, SessionDep
from api.params import Count63, Id63
from api.idempotency import KeyHeader, idempotent
from carbon.intensity.intensity import DEFAULT_NUMERATOR
from carbon.intensity.uncertainty import DEFAULT_DRAWS, DEFAULT_SEED
from carbon.reporting import jobs, service
from carbon.reporting.models import ReportJob


@asynccontextmanager
async def report_worker(app: FastAPI) -> AsyncIterator[None]:
    """Start this process's report worker with the application and stop it (after its current job) at shutdown."""
    worker = service.ReportWorker(app.state.session_factory, name=jobs.worker_name(f"api-{id(app):x}"))
    app.state.report_worker = worker
    worker.start()
    try:
        yield
    finally:
        worker.stop()


router = APIRouter(prefix="/reports", tags=["reports"], lifespan=report_worker)


class InventoryReportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    year: int = Field(ge=1990, le=2100)
    inventory_id: Id63 | None = Field(None, description="default: the city's latest published, else compiled, inventory")
    numerator: str = Field(DEFAULT_NUMERATOR, max_length=64)
    co2_source: str = Field("auto", max_length=64)
    draws: int = Field(DEFAULT_DRAWS, ge=100, le=200_000, description="Monte Carlo draws (uncertainty)")
    seed: Count63 = DEFAULT_SEED
    prepared_by: str | None = Field(None, max_length=100, description="编制人 (default: a blank line to sign)")
    reviewed_by: str | None = Field(None, max_length=100, description="审核人 (default: a blank line to sign)")
    approved_by: str | None = Field(None, max_length=100, description="批准人 (default: a blank line to sign)")


class JobOut(BaseModel):
    id: int
    kind: str
    status: str
    year: int
    inventory_id: int | None
    params: dict
    requested_by: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    attempts: int
    error: str | None
    pages: int | None
    size_bytes: int | None
    seconds: float | None
    sha256: str | None
    download: str | None


def job_out(job: ReportJob, request: Request) -> JobOut:
    download = str(request.url_for("download_report", job_id=job.id).path) if job.status == "done" else None
    return JobOut(id=job.id, kind=job.kind, status=job.status, year=job.year, inventory_id=job.inventory_id,
                  params=job.params, requested_by=job.requested_by, created_at=job.created_at,
                  started_at=job.started_at, finished_at=job.finished_at, attempts=job.attempts, error=job.error,
                  pages=job.pages, size_bytes=job.size_bytes, seconds=job.seconds, sha256=job.sha256,
                  download=download)


def _wake(request: Request) -> None:
    worker = getattr(request.app.state, "report_worker", None)
    if worker is not None:
        worker.wake()


@router.post("/inventory", status_code=202, response_model=JobOut)
def submit_inventory_report(body: InventoryReportIn, session: SessionDep, user: BureauUser, request: Request,
                            background: BackgroundTasks, idempotency_key: KeyHeader = None):
    """Queue the Chinese inventory report of ``year``; poll ``GET /reports/jobs/{id}``."""
    def produce() -> JobOut:
        job = service.submit(session, **body.model_dump(), requested_by=f"token {user.id} ({user.name})")
        return job_out(job, request)

    background.add_task(_wake, request)  # runs after the response, i.e. after the job row is committed
    return idempotent(session, request=request, user=user, key=idempotency_key, fingerprint=body.model_dump(),
                      status_code=202, produce=produce)


@router.get("/jobs", response_model=list[JobOut])
def list_jobs(session: SessionDep, user: BureauUser, request: Request) -> list[JobOut]:
    return [job_out(j, request) for j in service.list_jobs(session)]


@router.get("/jobs/{job_id}", response_model=JobOut)
def get_job(job_id: Id63, session: SessionDep, user: BureauUser, request: Request) -> JobOut:
    return job_out(service.get_job(session, job_id=job_id), request)


@router.get("/jobs/{job_id}/pdf", name="download_report", response_class=Response,
            responses={200: {"content": {"application/pdf": {}}}, 409: {"description": "not done yet"}})
def download_report(job_id: Id63, session: SessionDep, user: BureauUser) -> Response:
    pdf, filename = service.job_pdf(session, job_id=job_id)
    return Response(pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
