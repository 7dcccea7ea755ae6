"""Turn connection arguments into page requests, refusing what the API does not allow."""

from __future__ import annotations

from db import sql_builder as sb
from db.catalog import Table
from domain.errors import bad_input
from resolvers.context import Limits


def page_args(
    table: Table,
    node: sb.FilterNode | None,
    order: str | None,
    first: int | None,
    after: str | None,
    limits: Limits,
) -> sb.PageArgs:
    order_name = order or table.default_order
    sb.ordering(table, order_name)  # unknown orderings are a programming error, not user input
    size = limits.default_page_size if first is None else first
    if size < 0 or size > limits.max_page_size:
        raise bad_input("first", f"first must be between 0 and {limits.max_page_size}")
    keyset = None
    if after is not None:
        try:
            keyset = sb.decode_cursor(after, order_name)
        except sb.InvalidCursor as exc:
            raise bad_input("after", f"after: {exc}") from exc
    return sb.PageArgs(filter=node, order=order_name, first=size, after=keyset)
