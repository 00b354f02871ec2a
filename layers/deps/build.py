"""Build the dependency layer without Docker: pip picks Lambda's wheels by platform tag.

    python -m layers.deps.build            # from the repository root

The layer is installed into layers/deps/build/python (the layout Lambda expects under /opt)
from requirements.txt alone, with `pip install --platform <Lambda's manylinux tag>
--implementation cp --python-version <runtime's> --only-binary :all: --target ...`, so no
compiler and no container is involved and every native wheel matches the runtime.

A stamp next to it records what the build was made from (the requirements' bytes, the
platform and the Python version). The build is skipped while the stamp matches, and the CDK
app uses the stamp's hash as the asset hash so it never re-hashes the tens of MB of the layer.
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REQUIREMENTS = HERE / "requirements.txt"
BUILD = HERE / "build"
STAMP_NAME = ".stamp.json"

# Lambda's arm64 Python runtime; infra builds the layer for the runtime its functions use.
PLATFORM = "manylinux2014_aarch64"
PYTHON_VERSION = "3.14"

# The Lambda runtime ships the AWS SDK. aws-xray-sdk pulls botocore in; a copy in the layer
# would shadow the runtime's botocore underneath the runtime's boto3, so it is left out.
PROVIDED_BY_RUNTIME = ("boto3", "botocore", "s3transfer")


@dataclass(frozen=True)
class Layer:
    """A built dependency layer: the folder to ship (it holds `python/`) and what it was built from."""

    root: Path
    fingerprint: str

    @property
    def site_packages(self) -> Path:
        return self.root / "python"


def fingerprint(
    requirements: Path = REQUIREMENTS, *, platform: str = PLATFORM, python_version: str = PYTHON_VERSION
) -> str:
    """sha256 of everything the layer's content depends on."""
    digest = hashlib.sha256()
    digest.update(requirements.read_bytes())
    for part in (platform, python_version, *PROVIDED_BY_RUNTIME):
        digest.update(b"\0" + part.encode())
    return digest.hexdigest()


def _stamp(root: Path) -> dict[str, str]:
    try:
        content = json.loads((root / STAMP_NAME).read_text())
    except (OSError, ValueError):
        return {}
    return content if isinstance(content, dict) else {}


def _pip_install(requirements: Path, target: Path, *, platform: str, python_version: str) -> None:
    command = [
        sys.executable, "-m", "pip", "install",
        "--platform", platform,
        "--implementation", "cp",
        "--python-version", python_version,
        "--only-binary", ":all:",
        "--target", str(target),
        "--requirement", str(requirements),
        "--no-compile",
        "--quiet",
        "--disable-pip-version-check",
    ]  # fmt: skip
    subprocess.run(command, check=True)  # our own interpreter's pip, arguments built above


def _prune(site_packages: Path) -> None:
    """Drop what the runtime provides, and the console scripts nothing in Lambda runs."""
    for name in PROVIDED_BY_RUNTIME:
        for path in [site_packages / name, *site_packages.glob(f"{name}-*.dist-info")]:
            shutil.rmtree(path, ignore_errors=True)
    shutil.rmtree(site_packages / "bin", ignore_errors=True)


def ensure_built(
    requirements: Path = REQUIREMENTS,
    root: Path = BUILD,
    *,
    platform: str = PLATFORM,
    python_version: str = PYTHON_VERSION,
    force: bool = False,
) -> Layer:
    """The layer for these requirements, built only if the stamp says it is missing or stale."""
    wanted = fingerprint(requirements, platform=platform, python_version=python_version)
    layer = Layer(root, wanted)
    if not force and _stamp(root).get("fingerprint") == wanted and layer.site_packages.is_dir():
        return layer
    root.mkdir(parents=True, exist_ok=True)
    with (root / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another process (a parallel test worker) may be building it
        if not force and _stamp(root).get("fingerprint") == wanted and layer.site_packages.is_dir():
            return layer
        _build(requirements, root, layer, platform=platform, python_version=python_version)
    return layer


def _build(requirements: Path, root: Path, layer: Layer, *, platform: str, python_version: str) -> None:
    wanted = layer.fingerprint
    staging = root / f"python.partial-{wanted[:12]}"
    shutil.rmtree(staging, ignore_errors=True)
    _pip_install(requirements, staging, platform=platform, python_version=python_version)
    _prune(staging)
    # Swap in the finished build, then stamp it: an interrupted build leaves no valid stamp.
    (root / STAMP_NAME).unlink(missing_ok=True)
    shutil.rmtree(layer.site_packages, ignore_errors=True)
    staging.rename(layer.site_packages)
    stamp = {"fingerprint": wanted, "platform": platform, "python_version": python_version}
    (root / STAMP_NAME).write_text(json.dumps(stamp, indent=2) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--force", action="store_true", help="rebuild even if the stamp matches")
    arguments = parser.parse_args(argv)
    layer = ensure_built(force=arguments.force)
    print(f"dependency layer {layer.fingerprint[:12]} at {layer.site_packages}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
