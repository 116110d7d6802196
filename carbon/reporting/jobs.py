"""Report jobs that survive a crash: worker names, the lease, heartbeats, and taking back orphaned jobs.

A worker is named ``<prefix>@<host>:<pid>`` (``worker_name``). While it renders a job it refreshes
``report_jobs.heartbeat_at`` every third of the lease (``Heartbeat``), in short transactions of its own. A
``running`` job is claimable again (``claimable``) once its heartbeat (before the first one: its start) is older
than the lease, setting ``report_job_lease_seconds`` (``CARBON_REPORT_JOB_LEASE_SECONDS``, default 120 s), at most
``MAX_ATTEMPTS`` claims in all: a job whose process was killed is picked up by any worker after one lease.

A worker on the same host does better (``recover``, run before each round of claims): a running job whose worker
pid no longer exists on this host goes back to ``queued`` at once. A job that has used up its attempts is marked
``failed`` with the reason, instead of being retried forever (a report that kills its worker every time).

The worker stores its result only while the job is still its own (``owned``): a worker that lost the job (it
stalled past the lease and another took it) does not overwrite the other's result.

Functions take the session first and commit nothing; ``Heartbeat`` owns its transactions (it is a job's side line).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from carbon.core.db import session_scope, utcnow
from carbon.core.settings import get_settings
from carbon.reporting.models import ReportJob

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3


def lease() -> timedelta:
    """How long a running job may go without a heartbeat before another worker takes it."""
    return timedelta(seconds=get_settings().report_job_lease_seconds)


def worker_name(prefix: str) -> str:
    """``prefix@host:pid``: unique per process, and tells a worker on the same host whose process to look for."""
    return f"{prefix}@{socket.gethostname()}:{os.getpid()}"[-100:]


def host_and_pid(worker: str | None) -> tuple[str, int] | None:
    """The host and pid of a ``worker_name``, or None for any other name (older rows: then only the lease applies)."""
    if not worker or "@" not in worker:
        return None
    host, _, pid = worker.rsplit("@", 1)[1].rpartition(":")
    return (host, int(pid)) if host and pid.isdigit() else None


def pid_alive(pid: int) -> bool:
    """Whether a process with this pid exists on this host (a pid we may not signal exists too)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _beat():
    return func.coalesce(ReportJob.heartbeat_at, ReportJob.started_at)


def claimable(now: datetime | None = None):
    """Queued jobs, and running jobs whose lease ran out that have attempts left."""
    stale = (now or utcnow()) - lease()
    return or_(ReportJob.status == "queued",
               and_(ReportJob.status == "running", _beat() < stale, ReportJob.attempts < MAX_ATTEMPTS))


def owned(job_id: int, worker: str | None):
    """The job, while it is running under ``worker`` (any worker when None)."""
    mine = and_(ReportJob.id == job_id, ReportJob.status == "running")
    return and_(mine, ReportJob.worker == worker) if worker else mine


def recover(session: Session, *, host: str | None = None) -> dict[str, list[int]]:
    """Running jobs whose worker died on this host back to ``queued``; jobs out of attempts (a dead worker here, or
    a lease run out anywhere) to ``failed``. Returns the ids {"requeued": [...], "failed": [...]}. Caller commits."""
    host = host or socket.gethostname()
    stale = utcnow() - lease()
    out: dict[str, list[int]] = {"requeued": [], "failed": []}
    rows = session.execute(select(ReportJob.id, ReportJob.worker, ReportJob.attempts, _beat())
                           .where(ReportJob.status == "running")).all()
    for job_id, worker, attempts, beat in rows:
        where = host_and_pid(worker)
        dead = where is not None and where[0] == host and not pid_alive(where[1])
        expired = beat is not None and beat < stale
        if not dead and not (expired and attempts >= MAX_ATTEMPTS):
            continue
        if attempts >= MAX_ATTEMPTS:
            values = {"status": "failed", "finished_at": utcnow(),
                      "error": f"报告任务的工作进程中断了 {attempts} 次（最后一次：{worker}），不再重试；"
                               f"the worker rendering this job stopped {attempts} times; not retried again"}
            key = "failed"
        else:
            values = {"status": "queued", "worker": None, "heartbeat_at": None}
            key = "requeued"
        changed = session.execute(update(ReportJob).where(owned(job_id, worker), ReportJob.attempts == attempts)
                                  .values(**values)).rowcount
        if changed:
            log.warning("report job %s of %s (attempt %s): %s", job_id, worker, attempts, key)
            out[key].append(job_id)
    return out


class Heartbeat:
    """``with Heartbeat(factory, job_id=..., worker=...):`` refreshes the job's heartbeat every third of the lease
    from a thread, each time in a transaction of its own, until the block ends."""

    def __init__(self, factory: sessionmaker[Session], *, job_id: int, worker: str | None,
                 interval: float | None = None):
        self.factory = factory
        self.job_id = job_id
        self.worker = worker
        self.interval = interval if interval is not None else lease().total_seconds() / 3
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"report-heartbeat-{job_id}", daemon=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def beat(self) -> bool:
        """One heartbeat now; False when the job is no longer this worker's."""
        with session_scope(self.factory) as session:
            return session.execute(update(ReportJob).where(owned(self.job_id, self.worker))
                                   .values(heartbeat_at=utcnow())).rowcount == 1

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                if not self.beat():
                    log.warning("report job %s is no longer %s's; heartbeat stopped", self.job_id, self.worker)
                    return
            except Exception:  # noqa: BLE001 - a missed beat is retried at the next one; the lease allows three
                log.exception("report job %s heartbeat", self.job_id)
