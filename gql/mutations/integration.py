"""Mutations of integrations, of their write-only credentials, and the webhook test."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from strawberry.scalars import JSON

from gql.ids import decode_id, global_id
from gql.inputs.integration import CreateIntegrationInput, IntegrationPatch
from gql.inputs.values import to_values
from gql.mutations.base import DeletePayload, delete_entity
from gql.types.base import Info, build
from gql.types.integration import Integration, IntegrationTestResult
from resolvers import integrations as resolve

# A separate argument, not an input field: GraphQL's errors about an input object quote the whole object.
CREDENTIALS = (
    'Secret values as a JSON object of strings, e.g. {"signingSecret": "..."} for a WEBHOOK (16+ characters) '
    'or {"apiKey": "..."}. Encrypted by the server; afterwards only hasCredentials and credentialsHint show.'
)
OptionalCredentials = Annotated[JSON | None, strawberry.argument(description=CREDENTIALS)]


def _id(value: strawberry.ID) -> Any:
    return decode_id(value, "Integration", "id")


@strawberry.type
class IntegrationMutations:
    @strawberry.mutation(description="Create an integration (space owners and admins, or personal).")
    async def create_integration(
        self, info: Info, input: CreateIntegrationInput, credentials: OptionalCredentials = None
    ) -> Integration:
        row = await resolve.create_integration(info.context, to_values(input), credentials)
        return build(Integration, row)

    @strawberry.mutation(
        description="Change an integration; fields left out stay as they are, credentials given replace the old ones."
    )
    async def update_integration(
        self, info: Info, id: strawberry.ID, patch: IntegrationPatch, credentials: OptionalCredentials = None
    ) -> Integration:
        row = await resolve.update_integration(info.context, _id(id), to_values(patch, "patch"), credentials)
        return build(Integration, row)

    @strawberry.mutation(description="Replace an integration's credentials.")
    async def rotate_integration_credentials(
        self, info: Info, id: strawberry.ID, credentials: Annotated[JSON, strawberry.argument(description=CREDENTIALS)]
    ) -> Integration:
        return build(Integration, await resolve.rotate_credentials(info.context, _id(id), credentials))

    @strawberry.mutation(description="Remove an integration's credentials.")
    async def clear_integration_credentials(self, info: Info, id: strawberry.ID) -> Integration:
        return build(Integration, await resolve.clear_credentials(info.context, _id(id)))

    @strawberry.mutation(
        description="Send a signed test event to a WEBHOOK integration's settings.url (its owners and admins); "
        "the result tells whether the receiver accepted it."
    )
    async def test_integration(self, info: Info, id: strawberry.ID) -> IntegrationTestResult:
        row_id = _id(id)
        result = await resolve.run_integration_test(info.context, row_id, global_id("Integration", row_id))
        return IntegrationTestResult(
            ok=result.ok,
            status_code=result.status_code,
            error=result.error,
            duration_ms=result.duration_ms,
            delivery_id=result.delivery_id or None,
        )

    @strawberry.mutation(description="Delete an integration.")
    async def delete_integration(self, info: Info, id: strawberry.ID) -> DeletePayload:
        return await delete_entity(info, Integration, id)
