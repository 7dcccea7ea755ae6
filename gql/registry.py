"""GraphQL object types and the catalog tables they show, filled by gql.types.fields.entity."""

from __future__ import annotations

from strawberry.types.base import get_object_definition

# GraphQL type name <-> table
TYPE_BY_NAME: dict[str, type] = {}
TABLE_OF_TYPE: dict[str, str] = {}
TYPE_OF_TABLE: dict[str, str] = {}
TABLE_OF_CLASS: dict[type, str] = {}


def type_name_of(cls: type) -> str:
    return get_object_definition(cls, strict=True).name


def add(cls: type, table_name: str) -> None:
    name = type_name_of(cls)
    TYPE_BY_NAME[name] = cls
    TABLE_OF_TYPE[name] = table_name
    TYPE_OF_TABLE[table_name] = name
    TABLE_OF_CLASS[cls] = table_name


def class_of(table_name: str) -> type:
    """The GraphQL object type of a table."""
    return TYPE_BY_NAME[TYPE_OF_TABLE[table_name]]
