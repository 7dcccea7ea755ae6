"""Read GraphQL requests from HTTP: POST JSON (one operation or a batch) or a GET query string, with a size cap."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request

JSON_BODY_TYPES = ("application/json", "application/graphql-response+json", "")


class RequestError(Exception):
    def __init__(self, status: int, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field  # the variable at fault, as a dotted path


@dataclass(frozen=True)
class GraphQLRequest:
    query: str | None  # None: the document is named by extensions.persistedQuery.sha256Hash
    variables: dict[str, Any]
    operation_name: str | None
    is_get: bool
    extensions: dict[str, Any] = field(default_factory=dict)

    @property
    def persisted_hash(self) -> str | None:
        """The SHA-256 (hex) of the document, when the client names it (Apollo's automatic persisted queries)."""
        persisted = self.extensions.get("persistedQuery")
        if not isinstance(persisted, dict):
            return None
        value = persisted.get("sha256Hash")
        return value.lower() if isinstance(value, str) else None


async def read_body(request: Request, max_bytes: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > max_bytes:
        raise RequestError(413, f"request body larger than {max_bytes} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            raise RequestError(413, f"request body larger than {max_bytes} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


async def read_graphql_request(
    request: Request, max_bytes: int, max_batch: int = 0
) -> GraphQLRequest | list[GraphQLRequest]:
    """One operation, or a batch (a JSON array of operations in one POST, at most `max_batch`; 0: no batches)."""
    if request.method == "GET":
        params = request.query_params
        raw_variables, raw_extensions = params.get("variables"), params.get("extensions")
        return _validated(
            params.get("query"),
            _json(raw_variables) if raw_variables else None,
            params.get("operationName"),
            _json(raw_extensions) if raw_extensions else None,
            is_get=True,
        )
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in JSON_BODY_TYPES:
        raise RequestError(415, "send application/json")
    try:
        text = (await read_body(request, max_bytes)).decode("utf-8")
    except UnicodeDecodeError:
        raise RequestError(400, "the body is not valid UTF-8") from None
    body = _json(text)
    if isinstance(body, list):
        if not max_batch:
            raise RequestError(400, "the body must be a JSON object (batches are off)")
        if not body or len(body) > max_batch:
            raise RequestError(400, f"a batch holds 1 to {max_batch} operations")
        return [_from_object(item) for item in body]
    return _from_object(body)


def _from_object(body: Any) -> GraphQLRequest:
    if not isinstance(body, dict):
        raise RequestError(400, "the body must be a JSON object")
    return _validated(
        body.get("query"), body.get("variables"), body.get("operationName"), body.get("extensions"), is_get=False
    )


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise RequestError(400, f"invalid JSON: {exc.msg}") from exc
    except RecursionError:
        raise RequestError(400, "invalid JSON: nested too deeply") from None


def _validated(query: Any, variables: Any, operation_name: Any, extensions: Any, *, is_get: bool) -> GraphQLRequest:
    if extensions is not None and not isinstance(extensions, dict):
        raise RequestError(400, "extensions must be a JSON object")
    request = GraphQLRequest(None, {}, None, is_get, extensions or {})
    if query is None and request.persisted_hash is None:
        raise RequestError(400, "no query given")
    if query is not None and (not isinstance(query, str) or not query.strip()):
        raise RequestError(400, "no query given")
    if variables is not None and not isinstance(variables, dict):
        raise RequestError(400, "variables must be a JSON object")
    if operation_name is not None and not isinstance(operation_name, str):
        raise RequestError(400, "operationName must be a string")
    nul = _path_to_nul(variables or {})
    if nul is not None:
        # Postgres stores no NUL in text or JSON: say which value has one, rather than "invalid value" later
        raise RequestError(400, f"{nul}: text must not contain NUL (\\u0000) characters", field=nul)
    return GraphQLRequest(query, variables or {}, operation_name, is_get, extensions or {})


def _path_to_nul(value: Any, path: str = "") -> str | None:
    """The dotted path of the first string (or object key) holding a NUL character, or None."""
    if isinstance(value, str):
        return path if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            inner = f"{path}.{key}" if path else str(key)
            if "\x00" in str(key):
                return inner
            found = _path_to_nul(item, inner)
            if found is not None:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = _path_to_nul(item, f"{path}.{index}")
            if found is not None:
                return found
    return None
