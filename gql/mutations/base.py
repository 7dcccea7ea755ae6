"""The create / update / delete pattern every entity's mutations follow."""

from __future__ import annotations

from typing import Any, TypeVar

import strawberry

from gql.ids import decode_id, global_id
from gql.inputs.values import to_values
from gql.registry import TABLE_OF_TYPE, type_name_of
from gql.types.base import Info, build
from resolvers.writes import create_row, delete_row, update_row

T = TypeVar("T")


@strawberry.type(description="The result of deleting one object.")
class DeletePayload:
    deleted_id: strawberry.ID


async def create_entity(info: Info, cls: type[T], input_obj: Any, extra: dict[str, Any] | None = None) -> T:
    values = {**to_values(input_obj), **(extra or {})}
    row = await create_row(info.context, TABLE_OF_TYPE[type_name_of(cls)], values)
    return build(cls, row)


async def update_entity(info: Info, cls: type[T], id: strawberry.ID, patch: Any) -> T:
    name = type_name_of(cls)
    row_id = decode_id(id, name, "id")
    row = await update_row(info.context, TABLE_OF_TYPE[name], row_id, to_values(patch, "patch"), name)
    return build(cls, row)


async def delete_entity(info: Info, cls: type[Any], id: strawberry.ID) -> DeletePayload:
    name = type_name_of(cls)
    row_id = decode_id(id, name, "id")
    deleted = await delete_row(info.context, TABLE_OF_TYPE[name], row_id, name)
    return DeletePayload(deleted_id=strawberry.ID(global_id(name, deleted)))
