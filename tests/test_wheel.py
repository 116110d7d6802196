"""Issue 17 point 1: a wheel that runs anywhere.

The smoke test builds the wheel from a copy of the checkout, installs it in a fresh virtualenv outside
the checkout and runs the main job from an empty folder: ``carbon db upgrade``, import and compile the
bundled sample, render the inventory report, serve ``/docs``. Nothing is downloaded: the wheel is built
with ``--no-build-isolation`` (setuptools from this venv) and installed with ``--no-deps``; the new venv
sees this venv's dependencies through a ``.pth`` file (``.pth`` files inside that folder, such as the
editable install's finder, are not processed, so ``carbon`` itself comes from the wheel only).
It takes about half a minute and runs in CI with the rest of the suite (.ci/run -> scripts/test).
"""

from __future__ import annotations

import ast
import os
import shutil
import socket
import subprocess
import sys
import sysconfig
import time
import urllib.request
from pathlib import Path

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory

from carbon.core import migrate, resources

REPO = Path(__file__).resolve().parents[1]
COPY_IGNORE = shutil.ignore_patterns(".git", ".venv", "__pycache__", "*.egg-info", "build", "dist", "out", "*.db",
                                     ".hypothesis", ".pytest_cache", "node_modules")


def test_setup_py_maps_the_folders_resources_looks_up():
    """setup.py (the build) and carbon.core.resources (the lookup) name the same folders."""
    tree = ast.parse((REPO / "setup.py").read_text(encoding="utf-8"))
    assigned = [n.value for n in tree.body if isinstance(n, ast.Assign) and n.targets[0].id == "DATA_DIRS"]
    assert len(assigned) == 1
    assert ast.literal_eval(assigned[0]) == resources.DATA_DIRS
    for name, folder in resources.DATA_DIRS.items():
        assert (REPO / folder).is_dir(), folder
        assert f'"carbon._data.{name}"' in (REPO / "pyproject.toml").read_text(encoding="utf-8"), f"package-data of {name}"


def test_code_built_alembic_config_matches_alembic_ini():
    """carbon db upgrade builds its Config in code; alembic.ini (for the alembic CLI) must not drift from it."""
    ini = Config(str(REPO / "alembic.ini"))
    code = migrate.alembic_config("sqlite://")
    assert code.config_file_name is None
    for key in migrate.ALEMBIC_OPTIONS:
        assert code.get_main_option(key) == ini.get_main_option(key), key
    assert Path(code.get_main_option("script_location")).resolve() == Path(ini.get_main_option("script_location")).resolve()


def test_data_dir_in_a_checkout_is_the_repository_folder():
    assert resources.data_dir("templates") == REPO / "reports" / "templates"
    assert resources.data_dir("emission_factors") == REPO / "emission_factors"


def test_data_dir_prefers_the_packaged_copy(tmp_path, monkeypatch):
    package = tmp_path / "site-packages" / "carbon"
    (package / "_data" / "migrations").mkdir(parents=True)
    monkeypatch.setattr(resources, "package_root", lambda: package)
    assert resources.data_dir("migrations") == package / "_data" / "migrations"


def test_data_dir_missing_names_both_places(tmp_path, monkeypatch):
    package = tmp_path / "site-packages" / "carbon"
    package.mkdir(parents=True)
    monkeypatch.setattr(resources, "package_root", lambda: package)
    with pytest.raises(FileNotFoundError) as err:
        resources.data_dir("emission_factors")
    assert str(package / "_data" / "emission_factors") in str(err.value)
    assert str(tmp_path / "site-packages" / "emission_factors") in str(err.value)
    with pytest.raises(KeyError, match="unknown data folder 'factors'"):
        resources.data_dir("factors")


def _run(args: list[str], *, cwd: Path, env: dict[str, str], timeout: float = 300) -> str:
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{' '.join(map(str, args))} -> {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def wheel_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(a fresh virtualenv outside the checkout with only the built wheel installed in it, the source copy
    the wheel was built from)."""
    try:
        import setuptools  # noqa: F401  (the build backend, used without build isolation)
    except ImportError:
        pytest.skip("setuptools is not installed in this venv: cannot build the wheel offline (pip install -e '.[test]')")
    work = tmp_path_factory.mktemp("wheel")
    source = work / "src"
    shutil.copytree(REPO, source, ignore=COPY_IGNORE)
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-q",
          "-w", str(work / "dist"), str(source)], cwd=work, env=dict(os.environ))
    wheels = list((work / "dist").glob("carbon-*.whl"))
    assert len(wheels) == 1, wheels
    venv = work / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=work, env=dict(os.environ))
    python = venv / "bin" / "python"
    purelib = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                        cwd=work, env=dict(os.environ)).strip())
    (purelib / "carbon_test_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index", "-q",
          str(wheels[0])], cwd=work, env=dict(os.environ))
    return venv, source


@pytest.fixture(scope="module")
def wheel_venv(wheel_build: tuple[Path, Path]) -> Path:
    return wheel_build[0]


def test_wheel_holds_every_file_the_program_reads(wheel_build: tuple[Path, Path]):
    """Every file of the packages and of the mapped folders is installed (a data file added later under a
    new pattern would otherwise be missing from the wheel only)."""
    venv, source = wheel_build
    (site,) = venv.glob("lib/python3*/site-packages")
    expected = {}
    for top in ("carbon", "api", "web"):
        for path in (source / top).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                expected[path] = site / path.relative_to(source)
    for name, folder in resources.DATA_DIRS.items():
        for path in (source / folder).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                expected[path] = site / "carbon" / "_data" / name / path.relative_to(source / folder)
    missing = sorted(str(src.relative_to(source)) for src, dest in expected.items() if not dest.is_file())
    assert len(expected) > 200
    assert missing == []


def test_wheel_runs_the_main_job_from_an_empty_folder(wheel_venv: Path, tmp_path: Path, backend: str, db_url: str):
    """On SQLite (a file relative to the empty folder) and, when configured, on PostgreSQL."""
    empty = tmp_path / "empty"
    empty.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CARBON_", "PYTHON"))}
    env["CARBON_DATABASE_URL"] = "sqlite:///./smoke.db" if backend == "sqlite" else db_url
    env["COLUMNS"] = "200"  # rich tables unwrapped
    carbon = str(wheel_venv / "bin" / "carbon")
    python = str(wheel_venv / "bin" / "python")

    # the package and every data folder come from the venv, none from the checkout
    where = _run([python, "-c", "import carbon; from carbon.core.resources import DATA_DIRS, data_dir; "
                  "print(carbon.__file__); [print(data_dir(n)) for n in DATA_DIRS]"], cwd=empty, env=env).split()
    assert len(where) == 1 + len(resources.DATA_DIRS)
    for path in where:
        assert Path(path).is_relative_to(wheel_venv), path
    sample = Path(where[1 + list(resources.DATA_DIRS).index("sample_data")])

    # the store-free compile (category tables, factor library, GWP table): every sector, no row rejected
    out = _run([carbon, "compile", str(sample / "ordos_2022_synthetic.csv"), "--year", "2022",
                "--factors", str(sample / "ordos_local_factors.csv")], cwd=empty, env=env)
    for sector in ("能源活动", "工业生产过程", "农业", "土地利用", "废弃物"):
        assert sector in out, out

    out = _run([carbon, "db", "upgrade"], cwd=empty, env=env)
    head = ScriptDirectory(str(REPO / "migrations")).get_current_head()  # the checkout's newest revision
    assert out.strip().endswith(f" at {head}"), out
    assert backend != "sqlite" or (empty / "smoke.db").is_file()
    inventory_id = _run([carbon, "inventory", "create", "--year", "2022", "--gwp", "AR5", "--label", "smoke"],
                        cwd=empty, env=env).strip()
    rows = sum(1 for line in (sample / "ordos_2022_synthetic.csv").read_text(encoding="utf-8-sig").splitlines()
               if line.strip() and not line.startswith("#")) - 1  # less the header
    out = _run([carbon, "inventory", "import", inventory_id, str(sample / "ordos_2022_synthetic.csv")], cwd=empty, env=env)
    assert f"imported {rows} rows" in out, out
    _run([carbon, "inventory", "compile", inventory_id, "--factors", str(sample / "ordos_local_factors.csv")],
         cwd=empty, env=env)
    _run([carbon, "intensity", "import-economy", str(sample / "ordos_economy_synthetic.csv")], cwd=empty, env=env)
    _run([carbon, "intensity", "import-plan", str(sample / "ordos_plan_indicators.csv")], cwd=empty, env=env)
    _run([carbon, "report", "inventory", "--year", "2022", "--out", "out/report.pdf"], cwd=empty, env=env)
    pdf = (empty / "out" / "report.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and len(pdf) > 20_000

    # the API with its vendored Swagger UI, served from the wheel
    port = _free_port()
    server = subprocess.Popen([carbon, "serve", "--host", "127.0.0.1", "--port", str(port)], cwd=empty, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        page = None
        deadline = time.monotonic() + 60
        while page is None and time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/docs", timeout=5) as response:
                    page = response.read().decode()
            except OSError:
                time.sleep(0.3)
        assert page is not None, f"carbon serve did not answer /docs: {server.poll()=}"
        assert "swagger-ui" in page
    finally:
        server.terminate()
        server.wait(timeout=20)
