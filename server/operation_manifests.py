"""Read GraphQL documents to trust: .graphql files, and the manifests that client compilers write.

Accepted: a `.graphql`/`.gql` file (one document, its whole text); Apollo's persisted query manifest
(`{"format": "apollo-persisted-query-manifest", "operations": [{"id", "name", "body"}]}`); and a map of hash to
document (GraphQL Codegen's client preset, Relay's persisted queries). Documents are registered by the SHA-256
of their text, which is what clients send as `persistedQuery.sha256Hash`; an id that is not that hash (Relay
uses MD5 by default) is reported, and the document is registered under its SHA-256.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gql.documents import document_hash


@dataclass(frozen=True)
class TrustedDocument:
    hash: str
    body: str
    name: str | None
    note: str | None = None  # e.g. "the manifest's id is not the SHA-256 of the document"


class ManifestError(ValueError):
    """A file that is neither a document nor a manifest this command knows."""


def read_documents(path: Path) -> list[TrustedDocument]:
    text = path.read_text(encoding="utf-8")
    if path.suffix in (".graphql", ".gql"):
        if not text.strip():
            raise ManifestError(f"{path}: an empty document")
        return [TrustedDocument(document_hash(text), text, path.stem)]
    if path.suffix != ".json":
        raise ManifestError(f"{path}: expected a .graphql/.gql document or a .json manifest")
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ManifestError(f"{path}: not JSON ({exc.msg})") from None
    if isinstance(data, dict) and data.get("format") == "apollo-persisted-query-manifest":
        operations = data.get("operations")
        if not isinstance(operations, list):
            raise ManifestError(f"{path}: an Apollo manifest needs a list of operations")
        return [
            _document(path, op.get("id"), op.get("body"), op.get("name")) for op in operations if isinstance(op, dict)
        ]
    if isinstance(data, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
        return [_document(path, key, body, None) for key, body in data.items()]
    raise ManifestError(f"{path}: not an Apollo persisted query manifest nor a map of hash to document")


def _document(path: Path, given_id: Any, body: Any, name: Any) -> TrustedDocument:
    if not isinstance(body, str) or not body.strip():
        raise ManifestError(f"{path}: an operation without a document body")
    sha = document_hash(body)
    note = None if given_id in (None, sha) else f"id {given_id!r} is not its SHA-256: clients must send {sha}"
    return TrustedDocument(sha, body, name if isinstance(name, str) else None, note)
