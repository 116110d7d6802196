"""Build step that maps the repository's top-level data folders into the wheel (issue 17 point 1).

The repository keeps ``emission_factors/``, ``migrations/``, ``reports/templates/`` and ``sample_data/`` at
the top level; the wheel carries them as ``carbon/_data/<name>/`` so ``carbon.core.resources`` finds them
through ``importlib.resources`` from any folder. Everything else about the build, including which files of
these folders ship (package-data), is in pyproject.toml. Keep ``DATA_DIRS`` equal to ``carbon.core.resources.DATA_DIRS`` (tests/test_wheel.py checks it).
"""

from setuptools import find_namespace_packages, setup

# name under carbon/_data -> folder in the repository
DATA_DIRS = {
    "emission_factors": "emission_factors",
    "migrations": "migrations",
    "templates": "reports/templates",
    "sample_data": "sample_data",
}

setup(
    packages=find_namespace_packages(include=["carbon*", "api*", "web*"], exclude=["*.__pycache__"])
    + [f"carbon._data.{name}" for name in DATA_DIRS],
    package_dir={f"carbon._data.{name}": folder for name, folder in DATA_DIRS.items()},
)
