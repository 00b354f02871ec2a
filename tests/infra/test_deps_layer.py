"""The dependency layer is rebuilt only when what it is built from changes."""

from __future__ import annotations

from pathlib import Path

import pytest

from layers.deps import build


@pytest.fixture
def pip_runs(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, str]]:
    """Record pip's runs instead of downloading; each run installs one fake package."""
    runs: list[dict[str, str]] = []

    def fake_pip(requirements: Path, target: Path, *, platform: str, python_version: str) -> None:
        runs.append({"requirements": requirements.read_text(), "platform": platform, "python": python_version})
        (target / "package").mkdir(parents=True)
        (target / "botocore").mkdir()  # pulled in by aws-xray-sdk; the runtime has its own

    monkeypatch.setattr(build, "_pip_install", fake_pip)
    return runs


def test_build_is_skipped_while_the_stamp_matches(tmp_path: Path, pip_runs: list[dict[str, str]]):
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("pydantic==2.14.3\n")
    first = build.ensure_built(requirements, tmp_path / "build")
    second = build.ensure_built(requirements, tmp_path / "build")
    assert len(pip_runs) == 1
    assert first == second
    assert (second.site_packages / "package").is_dir()
    assert not (second.site_packages / "botocore").exists()


def test_changed_requirements_or_python_version_rebuild(tmp_path: Path, pip_runs: list[dict[str, str]]):
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("pydantic==2.14.3\n")
    before = build.ensure_built(requirements, tmp_path / "build")
    requirements.write_text("pydantic==2.14.4\n")
    after = build.ensure_built(requirements, tmp_path / "build")
    other_python = build.ensure_built(requirements, tmp_path / "build", python_version="3.15")
    assert len({before.fingerprint, after.fingerprint, other_python.fingerprint}) == 3
    assert [run["python"] for run in pip_runs] == ["3.14", "3.14", "3.15"]
    assert {run["platform"] for run in pip_runs} == {"manylinux2014_aarch64"}


def test_interrupted_build_leaves_no_stamp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("pydantic==2.14.3\n")

    def failing_pip(requirements: Path, target: Path, *, platform: str, python_version: str) -> None:
        raise OSError("network down")

    monkeypatch.setattr(build, "_pip_install", failing_pip)
    with pytest.raises(OSError, match="network down"):
        build.ensure_built(requirements, tmp_path / "build")
    assert not (tmp_path / "build" / build.STAMP_NAME).exists()
