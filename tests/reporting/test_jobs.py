"""Report-job leases (carbon/reporting/jobs.py): heartbeats, the lease setting, orphaned jobs of dead workers.

The end-to-end case (a worker process SIGKILLed while rendering, its job taken by the next worker) is in
tests/test_crash_safety.py; here the rules, on a real database, without a renderer.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from datetime import timedelta

from carbon.core.db import session_factory, utcnow
from carbon.reporting import jobs
from carbon.reporting import service as report_service
from carbon.reporting.models import ReportJob
from carbon.reporting.render import Rendered

HOST = socket.gethostname()


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()  # reaped: the pid names no process now (reuse within the test is vanishingly unlikely)
    return child.pid


def _running(session, *, worker: str, beat_age: timedelta, attempts: int = 1) -> int:
    t = utcnow() - beat_age
    job = ReportJob(kind="inventory", status="running", year=2022, params={}, created_at=t, started_at=t,
                    heartbeat_at=t, attempts=attempts, worker=worker)
    session.add(job)
    session.commit()
    return job.id


def test_worker_names_carry_host_and_pid():
    name = jobs.worker_name("api-7f")
    assert name.startswith("api-7f@") and jobs.host_and_pid(name) == (HOST, __import__("os").getpid())
    assert jobs.host_and_pid("cli-123") is None and jobs.host_and_pid(None) is None  # older names: the lease only
    assert jobs.host_and_pid("a@b@h-1.x:42") == ("h-1.x", 42)


def test_a_running_job_is_claimable_once_its_heartbeat_is_older_than_the_lease(session, monkeypatch):
    monkeypatch.setenv("CARBON_REPORT_JOB_LEASE_SECONDS", "60")
    jobs.get_settings.cache_clear()
    assert jobs.lease() == timedelta(seconds=60)
    fresh = _running(session, worker="api@elsewhere:1", beat_age=timedelta(seconds=30))
    stale = _running(session, worker="api@elsewhere:2", beat_age=timedelta(seconds=90))
    spent = _running(session, worker="api@elsewhere:3", beat_age=timedelta(seconds=90), attempts=jobs.MAX_ATTEMPTS)
    assert report_service.claim(session, worker="w@here:9") == stale
    assert report_service.claim(session, worker="w@here:9") is None  # fresh: its worker is alive elsewhere
    session.commit()
    taken = session.get(ReportJob, stale)
    assert (taken.worker, taken.attempts) == ("w@here:9", 2) and taken.heartbeat_at > utcnow() - timedelta(seconds=5)
    assert jobs.recover(session) == {"requeued": [], "failed": [spent]}  # out of attempts: failed, not retried
    session.commit()
    session.expire_all()
    assert session.get(ReportJob, fresh).status == "running"
    failed = session.get(ReportJob, spent)
    assert failed.status == "failed" and "不再重试" in failed.error


def test_jobs_of_dead_workers_on_this_host_are_queued_again_at_once(session):
    dead = _dead_pid()
    orphan = _running(session, worker=f"cli@{HOST}:{dead}", beat_age=timedelta(0))
    alive = _running(session, worker=jobs.worker_name("cli"), beat_age=timedelta(0))  # this process
    remote = _running(session, worker=f"cli@not-{HOST}:{dead}", beat_age=timedelta(0))  # cannot tell: the lease
    last = _running(session, worker=f"cli@{HOST}:{dead}", beat_age=timedelta(0), attempts=jobs.MAX_ATTEMPTS)
    assert jobs.recover(session) == {"requeued": [orphan], "failed": [last]}
    session.commit()
    session.expire_all()
    assert [session.get(ReportJob, i).status for i in (orphan, alive, remote, last)] == [
        "queued", "running", "running", "failed"]
    assert session.get(ReportJob, orphan).worker is None


def test_heartbeat_refreshes_while_owned_and_a_worker_that_lost_its_job_stores_nothing(session, monkeypatch):
    factory = session_factory(session.get_bind())
    me = "w@here:1"
    job_id = _running(session, worker=me, beat_age=timedelta(minutes=10))
    session.close()
    with jobs.Heartbeat(factory, job_id=job_id, worker=me, interval=0.05):
        time.sleep(0.3)
    with factory() as s:
        assert s.get(ReportJob, job_id).heartbeat_at > utcnow() - timedelta(seconds=5)
    assert not jobs.Heartbeat(factory, job_id=job_id, worker="someone@else:2").beat()

    # the lease ran out while `me` rendered; another worker took the job: me's result is dropped
    def render(session, **kwargs):
        with factory() as s:
            s.query(ReportJob).filter_by(id=job_id).update({"worker": "other@host:3", "attempts": 2})
            s.commit()
        return Rendered(pdf=b"%PDF-1.7 late", pages=1), {}

    monkeypatch.setattr(report_service, "render_inventory_report", render)
    with factory() as s:
        s.get(ReportJob, job_id).params = {"year": 2022, "inventory_id": 1, "inventory_version": 1, "numerator": "x",
                                           "co2_source": "auto", "draws": 100, "seed": 1}
        s.commit()
    assert report_service.run_job(factory, job_id, worker=me) is False
    with factory() as s:
        job = s.get(ReportJob, job_id)
        assert (job.status, job.worker, job.sha256) == ("running", "other@host:3", None)
