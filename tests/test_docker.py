"""Issue 17 point 1: the Docker image (Dockerfile, compose.yaml).

The first tests read the files and need no container engine. ``test_image_serves_docs`` builds the image,
runs it on SQLite and fetches ``/docs``; it is skipped, saying why, where ``docker info`` fails (no
engine, or no daemon running). The build fetches the Debian packages and PyPI dependencies, so the first
build takes minutes; the build is given 20 minutes.
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import subprocess
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DOCKERFILE = (REPO / "Dockerfile").read_text(encoding="utf-8")


def _bootstrap_apt_packages() -> list[str]:
    text = (REPO / "scripts" / "bootstrap").read_text(encoding="utf-8")
    match = re.search(r"^apt_packages=\(([^)]*)\)", text, re.M)
    assert match, "apt_packages=(...) not found in scripts/bootstrap"
    return match.group(1).split()


def _dockerfile_apt_packages() -> list[str]:
    match = re.search(r"apt-get install -y --no-install-recommends \\\n(.*?)\\\n", DOCKERFILE, re.S)
    assert match, "apt-get install line not found in Dockerfile"
    return match.group(1).split()


def test_image_installs_the_bootstrap_debian_packages():
    assert sorted(_dockerfile_apt_packages()) == sorted(_bootstrap_apt_packages())


def test_image_is_debian_runs_as_non_root_and_serves_by_default():
    bases = re.findall(r"^FROM (\S+)", DOCKERFILE, re.M)
    assert bases and all("bookworm" in b or "debian" in b for b in bases), bases
    users = re.findall(r"^USER (\S+)", DOCKERFILE, re.M)
    assert users and users[-1] not in ("root", "0"), users
    cmd = json.loads(re.findall(r"^CMD (\[.*\])$", DOCKERFILE, re.M)[-1])
    assert cmd[:2] == ["carbon", "serve"] and "0.0.0.0" in cmd
    assert "CARBON_DATABASE_URL=sqlite:" in DOCKERFILE


def test_compose_runs_the_api_on_postgresql_15():
    text = (REPO / "compose.yaml").read_text(encoding="utf-8")
    assert re.search(r"image: postgres:15\b", text)
    assert re.search(r"CARBON_DATABASE_URL: postgresql\+psycopg://\S+@db:5432/", text)
    for secret in ("CARBON_TOKEN_SECRET", "CARBON_PUHUI_OPENID_SECRET", "POSTGRES_PASSWORD"):
        assert f"${{{secret}:?" in text, f"{secret} must be required, not defaulted"


def _docker_or_skip() -> str:
    docker = shutil.which("docker")
    if docker is None:
        pytest.skip("no container engine: the docker command is not installed")
    info = subprocess.run([docker, "info", "--format", "{{.ServerVersion}}"], capture_output=True, text=True,
                          timeout=30)
    if info.returncode != 0:
        reason = (info.stderr.strip().splitlines() or ["docker info failed"])[-1]
        pytest.skip(f"no container engine: `docker info` failed ({reason})")
    return docker


def test_image_serves_docs():
    docker = _docker_or_skip()
    tag = f"carbon-test:{uuid.uuid4().hex[:12]}"
    name = f"carbon-test-{uuid.uuid4().hex[:12]}"
    build = subprocess.run([docker, "build", "-t", tag, str(REPO)], capture_output=True, text=True, timeout=1200)
    assert build.returncode == 0, build.stdout[-4000:] + build.stderr[-4000:]
    try:
        subprocess.run([docker, "run", "-d", "--name", name, "-p", "127.0.0.1::8000",
                        "-e", f"CARBON_TOKEN_SECRET={secrets.token_urlsafe(48)}",
                        "-e", f"CARBON_PUHUI_OPENID_SECRET={secrets.token_urlsafe(48)}", tag],
                       check=True, capture_output=True, text=True, timeout=60)
        mapped = subprocess.run([docker, "port", name, "8000/tcp"], check=True, capture_output=True, text=True,
                                timeout=30).stdout.split()[0]
        page, deadline = None, time.monotonic() + 120
        while page is None and time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://{mapped}/docs", timeout=5) as response:
                    page = response.read().decode()
            except OSError:
                time.sleep(1)
        logs = subprocess.run([docker, "logs", name], capture_output=True, text=True, timeout=30)
        assert page is not None, f"the container did not answer /docs:\n{logs.stdout[-3000:]}{logs.stderr[-3000:]}"
        assert "swagger-ui" in page
        user = subprocess.run([docker, "exec", name, "id", "-u"], capture_output=True, text=True, timeout=30)
        assert user.stdout.strip() not in ("", "0"), user
    finally:
        subprocess.run([docker, "rm", "-f", name], capture_output=True, timeout=60)
        subprocess.run([docker, "rmi", "-f", tag], capture_output=True, timeout=120)
