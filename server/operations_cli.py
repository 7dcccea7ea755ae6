"""`leadgen operations add|list|remove`: the trusted documents that LEADGEN_OPERATIONS=trusted allows."""

from __future__ import annotations

import argparse
from pathlib import Path

import asyncpg

from db.trusted_operations import ADD_TRUSTED, LIST_TRUSTED, REMOVE_TRUSTED
from gql.schema import build_schema
from server.database_target import open_target
from server.operation_manifests import ManifestError, read_documents
from server.settings import Settings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    commands = parser.add_subparsers(dest="operations_command", required=True)
    add = commands.add_parser("add", help="trust the documents of .graphql files or manifests (Apollo, Codegen, Relay)")
    add.add_argument("files", nargs="+", type=Path)
    commands.add_parser("list", help="list the trusted documents")
    remove = commands.add_parser("remove", help="stop trusting documents, by SHA-256")
    remove.add_argument("hashes", nargs="+")


async def run(args: argparse.Namespace, settings: Settings) -> int:
    target = await open_target(settings)
    try:
        conn = await asyncpg.connect(target.admin_dsn)
        try:
            if args.operations_command == "add":
                return await _add(conn, args.files)
            if args.operations_command == "list":
                for row in await conn.fetch(LIST_TRUSTED):
                    print(
                        f"{row['hash']}  {row['added_at']:%Y-%m-%d %H:%M}  {row['size']:>7} chars  {row['name'] or ''}"
                    )
                return 0
            removed = await conn.fetch(REMOVE_TRUSTED, [h.lower() for h in args.hashes])
            print(f"removed {len(removed)} of {len(args.hashes)}")
            return 0 if len(removed) == len(args.hashes) else 1
        finally:
            await conn.close()
    finally:
        target.close()


async def _add(conn: asyncpg.Connection, files: list[Path]) -> int:
    """Trust every document of the files, all or none: a document that does not validate is refused."""
    documents = build_schema().documents
    try:
        found = [doc for path in files for doc in read_documents(path)]
    except (ManifestError, OSError) as exc:
        print(f"leadgen operations: {exc}")
        return 1
    invalid = [(doc, documents.prepare(doc.body).errors) for doc in found]
    invalid = [(doc, errors) for doc, errors in invalid if errors]
    for doc, errors in invalid:
        print(f"not valid for this schema: {doc.name or doc.hash}: {errors[0].message}")
    if invalid:
        return 1
    added = 0
    async with conn.transaction():
        for doc in found:
            added += bool(await conn.fetchval(ADD_TRUSTED, doc.hash, doc.body, doc.name))
            if doc.note:
                print(f"note: {doc.name or doc.hash}: {doc.note}")
    print(f"{added} document(s) added, {len(found) - added} already trusted")
    return 0
