"""Filter inputs built from the catalog's filters, and their translation into the data layer's filter tree."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import TYPE_CHECKING, Any, TypeAlias

import strawberry

from db.catalog import FilterField, Kind, table
from db.catalog.model import SEARCH_OPS
from db.filter_sql import AllOf, AnyOf, Cond, FilterNode, Not
from domain.errors import bad_input
from gql.enums import COLUMN_ENUMS
from gql.ids import decode_id
from gql.inputs.custom_field_filter import CustomFieldValueFilter, custom_field_conditions
from gql.inputs.operators import OPERATORS, DateFilter, DateTimeFilter, EnumFilter, IDFilter, IntFilter, StringFilter
from gql.registry import TYPE_OF_TABLE

# The input type of a column filter with operators, by the column's kind (enums: EnumFilter of the column's enum).
OPERATOR_INPUTS: dict[Kind, type] = {
    Kind.UUID: IDFilter,
    Kind.TEXT: StringFilter,
    Kind.INT: IntFilter,
    Kind.TIMESTAMPTZ: DateTimeFilter,
    Kind.DATE: DateFilter,
}
LOGIC = (("and_", "and"), ("or_", "or"), ("not_", "not"))

# The filter input of each table, and back.
FILTER_INPUTS: dict[str, type] = {}
TABLE_OF_INPUT: dict[type, str] = {}


def input_type(table_name: str, spec: FilterField) -> Any:
    """The GraphQL input type of one catalog filter."""
    if spec.kind is Kind.JSONB:  # conditions on keys of the object (custom fields)
        return list[CustomFieldValueFilter]
    if spec.ops == SEARCH_OPS:
        return str
    if spec.kind is Kind.BOOL:
        return bool
    if spec.kind is Kind.ENUM:
        generic: Any = EnumFilter  # subscripted with a value, which mypy reads as a type
        return generic[COLUMN_ENUMS[(table_name, spec.column)]]
    return OPERATOR_INPUTS[spec.kind]


def filter_input(table_name: str, name: str, description: str) -> type:
    """The input type `name` filtering a table: one field per catalog filter, then and/or/not."""
    cls = type(name, (), {"__module__": __name__, "__qualname__": name})
    annotations: dict[str, Any] = {}
    for api_name, spec in table(table_name).filters.items():
        annotations[api_name] = input_type(table_name, spec) | None
        setattr(cls, api_name, strawberry.field(default=None, description=spec.description or None))
    annotations.update({"and_": list[cls] | None, "or_": list[cls] | None, "not_": cls | None})  # type: ignore[valid-type]
    for python_name, graphql_name in LOGIC:
        setattr(cls, python_name, strawberry.field(default=None, name=graphql_name))
    cls.__annotations__ = annotations
    built = strawberry.input(description=description)(cls)
    FILTER_INPUTS[table_name] = built
    TABLE_OF_INPUT[built] = table_name
    return built


if TYPE_CHECKING:
    LeadFilter: TypeAlias = Any  # generated: mypy cannot see its fields
else:
    LeadFilter = filter_input("leads", "LeadFilter", "Filter leads; fields combine with AND.")
filter_input("companies", "CompanyFilter", "Filter companies; fields combine with AND.")
filter_input("customers", "CustomerFilter", "Filter customers; fields combine with AND.")
filter_input("lead_stages", "LeadStageFilter", "Filter pipeline stages; fields combine with AND.")
filter_input("lead_sources", "LeadSourceFilter", "Filter lead sources; fields combine with AND.")
filter_input("lead_forms", "LeadFormFilter", "Filter forms; fields combine with AND.")
filter_input("lead_activities", "ActivityFilter", "Filter activities; fields combine with AND.")
filter_input("lead_scoring_rules", "ScoringRuleFilter", "Filter scoring rules; fields combine with AND.")
filter_input("lead_workflows", "WorkflowFilter", "Filter workflows; fields combine with AND.")
filter_input(
    "lead_workflow_executions", "WorkflowExecutionFilter", "Filter workflow executions; fields combine with AND."
)
filter_input("lead_campaigns", "CampaignFilter", "Filter campaigns; fields combine with AND.")
filter_input("lead_integrations", "IntegrationFilter", "Filter integrations; fields combine with AND.")
filter_input("lead_custom_fields", "CustomFieldFilter", "Filter custom field definitions; fields combine with AND.")
filter_input("spaces", "SpaceFilter", "Filter spaces; fields combine with AND.")


def to_filter_node(value: Any, path: str = "filter") -> FilterNode | None:
    """Translate a filter input into the data layer's tree; IDs decoded, enums to their stored text."""
    if value is None:
        return None
    table_name = TABLE_OF_INPUT[type(value)]
    parts: list[FilterNode] = []
    for name, spec in table(table_name).filters.items():
        given = getattr(value, name)
        if given is None:
            continue
        where = f"{path}.{_camel(name)}"
        if isinstance(given, list):  # custom field conditions, each on a field of its own
            parts.extend(custom_field_conditions(given, where))
            continue
        if isinstance(given, bool | str):
            parts.append(Cond(name, "search" if spec.ops == SEARCH_OPS else "eq", given))
            continue
        for op in OPERATORS:
            operand = getattr(given, op, None)
            if operand is None:
                continue
            op_name = op.rstrip("_")
            parts.append(Cond(name, op_name, _value(operand, spec.refs, f"{where}.{_camel(op_name)}")))
    for items, combine in ((value.and_, AllOf), (value.or_, AnyOf)):
        if items is not None:
            parts.append(
                combine(tuple(node for i, item in enumerate(items) if (node := _required(item, path, i)) is not None))
            )
    if value.not_ is not None:
        inner = to_filter_node(value.not_, f"{path}.not")
        if inner is not None:
            parts.append(Not(inner))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else AllOf(tuple(parts))


def _required(item: Any, path: str, index: int) -> FilterNode | None:
    return to_filter_node(item, f"{path}[{index}]")


def _value(operand: Any, refs: str, where: str) -> Any:
    if isinstance(operand, list):
        return tuple(_value(v, refs, where) for v in operand)
    if isinstance(operand, Enum):
        return operand.value
    if refs and isinstance(operand, str):
        return str(decode_id(operand, TYPE_OF_TABLE[refs], where))
    if isinstance(operand, dt.datetime | dt.date | int | float | str | bool):
        return operand
    raise bad_input(where, f"{where}: unsupported value")


def _camel(name: str) -> str:
    head, *rest = name.rstrip("_").split("_")
    return head + "".join(part.title() for part in rest)


__all__ = ["FILTER_INPUTS", "LeadFilter", "filter_input", "to_filter_node"]
