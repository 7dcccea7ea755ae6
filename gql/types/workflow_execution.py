"""WorkflowExecution: one run of a workflow on a lead, with its steps."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.scalars import JSON

from domain.workflows.model import StepRecord, steps_of
from gql.enums import ActionType, ExecutionStatus, StepStatus
from gql.ids import global_id
from gql.types.fields import entity, relation
from gql.types.node import Node

if TYPE_CHECKING:
    from gql.types.lead import Lead
    from gql.types.workflow import Workflow


@strawberry.type(description="One step of an execution: its action, when it ran, how often, and its outcome.")
class ExecutionStep:
    index: int = strawberry.field(description="Position in the execution's plan, from 0.")
    order: int = strawberry.field(description="The action's actionOrder when the execution started.")
    action_id: strawberry.ID | None = strawberry.field(description="The WorkflowAction (gone if deleted since).")
    action_type: ActionType | None
    delay_seconds: int = strawberry.field(description="The wait before the step.")
    status: StepStatus
    run_at: dt.datetime | None = strawberry.field(description="When a delayed step is due.")
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    next_attempt_at: dt.datetime | None = strawberry.field(description="When a retrying step runs again.")
    attempts: int
    output: JSON | None = strawberry.field(description="What the step did (ids, counts, status codes).")
    error: str | None

    @classmethod
    def of(cls, step: StepRecord) -> ExecutionStep:
        types = {t.value: t for t in ActionType}
        return cls(
            index=step.index,
            order=step.order,
            action_id=strawberry.ID(global_id("WorkflowAction", step.action_id)) if step.action_id else None,
            action_type=types.get(step.type),
            delay_seconds=step.delay_seconds,
            status=StepStatus(step.status),
            run_at=step.run_at,
            started_at=step.started_at,
            finished_at=step.finished_at,
            next_attempt_at=step.next_attempt_at,
            attempts=step.attempts,
            output=step.output,
            error=step.error,
        )


def _steps(root: Any) -> list[ExecutionStep]:
    return [ExecutionStep.of(step) for step in steps_of(root.row["execution_data"])]


@entity("lead_workflow_executions")
@strawberry.type(description="A run of a workflow on a lead, with the outcome of each step.")
class WorkflowExecution(Node):
    status: ExecutionStatus
    execution_data: JSON
    started_at: dt.datetime | None
    completed_at: dt.datetime | None
    error: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
    steps: list[ExecutionStep] = strawberry.field(
        resolver=_steps, description="The steps, in order, with their outcomes (executionData.steps, typed)."
    )
    workflow: Annotated[Workflow, strawberry.lazy("gql.types.workflow")] | None = relation("workflow")
    lead: Annotated[Lead, strawberry.lazy("gql.types.lead")] | None = relation("lead")
