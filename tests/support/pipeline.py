"""The ids of default pipeline stages, computed as the database computes them (private.default_stage_id)."""

from __future__ import annotations

import hashlib
import uuid

DEFAULT_STAGES = ("New", "Contacted", "Qualified", "Proposal", "Won", "Lost")


def default_stage_id(scope: object, name: str) -> str:
    """md5('leadgen-default-stage:<space or user id>:<name>')::uuid, as text."""
    digest = hashlib.md5(f"leadgen-default-stage:{scope}:{name}".encode(), usedforsecurity=False).hexdigest()
    return str(uuid.UUID(digest))
