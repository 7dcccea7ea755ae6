"""The Relay Node interface."""

from __future__ import annotations

import asyncpg
import strawberry


@strawberry.interface(description="An object with a globally unique ID, fetchable with `node(id:)`.")
class Node:
    id: strawberry.ID
    row: strawberry.Private[asyncpg.Record]
