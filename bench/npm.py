"""Install a pinned npm package set into a scratch folder, once per version of its package files."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

PACKAGE_FILES = ("package.json", "package-lock.json")
STAMP_FILE = ".installed-from"


class NpmError(RuntimeError):
    """npm is missing or `npm ci` failed."""


def package_stamp(source_dir: Path) -> str:
    digest = hashlib.sha256()
    for name in PACKAGE_FILES:
        digest.update((source_dir / name).read_bytes())
    return digest.hexdigest()


def is_current(source_dir: Path, install_dir: Path) -> bool:
    """Installed from the current package files (a stale install counts as missing)."""
    stamp = install_dir / STAMP_FILE
    return stamp.is_file() and stamp.read_text().strip() == package_stamp(source_dir)


def npm_ci(source_dir: Path, install_dir: Path, *, npm: str | None = None) -> None:
    """`npm ci` of `source_dir`'s package files in `install_dir` (the npm registry only, no install scripts)."""
    npm_path = npm or shutil.which("npm")
    if npm_path is None:
        raise NpmError("npm is not installed (Debian: apt-get install npm)")
    install_dir.mkdir(parents=True, exist_ok=True)
    for name in PACKAGE_FILES:
        shutil.copyfile(source_dir / name, install_dir / name)
    (install_dir / STAMP_FILE).unlink(missing_ok=True)
    command = [npm_path, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"]
    result = subprocess.run(command, cwd=install_dir, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise NpmError(f"npm ci failed in {install_dir}:\n{result.stdout}\n{result.stderr}")


def mark_installed(source_dir: Path, install_dir: Path) -> None:
    (install_dir / STAMP_FILE).write_text(package_stamp(source_dir) + "\n")
