"""Files holding local secrets (development keys): created once, atomically, readable by the owner only."""

from __future__ import annotations

import logging
import os
import stat
import uuid
from pathlib import Path

log = logging.getLogger(__name__)


def create_exclusively(path: Path, data: bytes) -> bool:
    """Write `data` to `path` (mode 0600) unless it exists; False if another process was first.

    Atomic: the file is written in full under a temporary name and then linked into place, so a concurrent
    reader never sees half a key and two processes starting at once agree on one key."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex}.tmp")
    try:
        with open(tmp, "xb", opener=lambda name, flags: os.open(name, flags, 0o600)) as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(tmp, path)  # fails if another process created the file meanwhile
        except FileExistsError:
            return False
        return True
    finally:
        tmp.unlink(missing_ok=True)


def restrict_to_owner(path: Path) -> None:
    """Make an existing secret file 0600 again if someone loosened it (with a warning)."""
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        log.warning("%s was readable by others (mode %o); restricting it to 0600", path, mode)
        path.chmod(0o600)
