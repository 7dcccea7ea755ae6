"""Mutations of spaces, their members and the caller's profile."""

from __future__ import annotations

import uuid

from tests.support.api import ALICE, BOB, CAROL, DAVE, EMAILS, ERIN, SPACE, ApiClient
from tests.support.mutations import admin_val, count_rows, gid, ok, raw_id, refused

CREATE_SPACE = """
mutation($input: CreateSpaceInput!) {
  createSpace(input: $input) { id name createdBy { id } members { role user { id } } }
}
"""
UPDATE_SPACE = "mutation($id: ID!, $patch: SpacePatch!) { updateSpace(id: $id, patch: $patch) { id name } }"
DELETE_SPACE = "mutation($id: ID!) { deleteSpace(id: $id) { deletedId } }"
INVITE = "mutation($space: ID!, $email: String!) { inviteToSpace(space: $space, email: $email) { id } }"
ACCEPT = "mutation($id: ID!) { acceptInvitation(id: $id) { id role space { id } user { id } } }"
UPDATE_MEMBER = """
mutation($id: ID!, $patch: SpaceMemberPatch!) { updateSpaceMember(id: $id, patch: $patch) { id role } }
"""
REMOVE_MEMBER = "mutation($id: ID!) { removeSpaceMember(id: $id) { deletedId } }"
UPDATE_VIEWER = """
mutation($patch: UserPatch!) { updateViewer(patch: $patch) { id fullName avatarUrl } }
"""


async def new_space(api: ApiClient, name: str, as_user: str = ALICE) -> str:
    data = ok(await api.gql(CREATE_SPACE, {"input": {"name": name}}, as_user=as_user))
    return str(data["createSpace"]["id"])


async def test_create_space_makes_the_caller_its_owner(api: ApiClient) -> None:
    data = ok(await api.gql(CREATE_SPACE, {"input": {"name": "Erin Studio"}}, as_user=ERIN))
    space = data["createSpace"]
    assert space["name"] == "Erin Studio"
    assert space["createdBy"] == {"id": gid("User", ERIN)}
    assert space["members"] == [{"role": "OWNER", "user": {"id": gid("User", ERIN)}}]
    read = ok(
        await api.gql("query($id: ID!) { node(id: $id) { ... on Space { name } } }", {"id": space["id"]}, as_user=ERIN)
    )
    assert read["node"] == {"name": "Erin Studio"}


async def test_create_space_validates_the_name(api: ApiClient) -> None:
    refused(await api.gql(CREATE_SPACE, {"input": {"name": "   "}}, as_user=ALICE), "BAD_USER_INPUT", "input.name")
    refused(await api.gql(CREATE_SPACE, {"input": {"name": "x" * 201}}, as_user=ALICE), "BAD_USER_INPUT", "input.name")
    assert await count_rows(api, "spaces", "length(name) > 200 or btrim(name) = ''") == 0


async def test_update_space_patch_semantics(api: ApiClient) -> None:
    space = await new_space(api, "Renamed Soon")
    data = ok(await api.gql(UPDATE_SPACE, {"id": space, "patch": {"name": "Renamed"}}, as_user=ALICE))
    assert data["updateSpace"] == {"id": space, "name": "Renamed"}
    data = ok(await api.gql(UPDATE_SPACE, {"id": space, "patch": {}}, as_user=ALICE))
    assert data["updateSpace"]["name"] == "Renamed"
    refused(
        await api.gql(UPDATE_SPACE, {"id": space, "patch": {"name": None}}, as_user=ALICE),
        "BAD_USER_INPUT",
        "patch.name",
    )
    assert await admin_val(api, "select name from public.spaces where id = $1", uuid.UUID(raw_id(space))) == "Renamed"


async def test_space_permissions(api: ApiClient) -> None:
    demo = gid("Space", SPACE)
    refused(await api.gql(UPDATE_SPACE, {"id": demo, "patch": {"name": "Carol's"}}, as_user=CAROL), "FORBIDDEN")
    refused(await api.gql(UPDATE_SPACE, {"id": demo, "patch": {"name": "Erin's"}}, as_user=ERIN), "NOT_FOUND")
    refused(await api.gql(DELETE_SPACE, {"id": demo}, as_user=BOB), "FORBIDDEN")
    refused(await api.gql(DELETE_SPACE, {"id": demo}, as_user=ERIN), "NOT_FOUND")
    assert await admin_val(api, "select name from public.spaces where id = $1", uuid.UUID(SPACE)) == "Acme Agency"
    data = ok(await api.gql(UPDATE_SPACE, {"id": demo, "patch": {"name": "Acme Agency"}}, as_user=BOB))
    assert data["updateSpace"]["name"] == "Acme Agency"


async def test_delete_space(api: ApiClient) -> None:
    space = await new_space(api, "Short-lived")
    data = ok(await api.gql(DELETE_SPACE, {"id": space}, as_user=ALICE))
    assert data["deleteSpace"] == {"deletedId": space}
    assert await count_rows(api, "spaces", "id = $1", uuid.UUID(raw_id(space))) == 0
    assert await count_rows(api, "space_members", "space_id = $1", uuid.UUID(raw_id(space))) == 0
    refused(await api.gql(DELETE_SPACE, {"id": space}, as_user=ALICE), "NOT_FOUND")


async def test_space_member_lifecycle(api: ApiClient) -> None:
    space = await new_space(api, "Team of two")
    invited = ok(await api.gql(INVITE, {"space": space, "email": EMAILS[ERIN]}, as_user=ALICE))["inviteToSpace"]
    member = ok(await api.gql(ACCEPT, {"id": invited["id"]}, as_user=ERIN))["acceptInvitation"]
    assert member["role"] == "MEMBER"
    assert member["space"] == {"id": space} and member["user"] == {"id": gid("User", ERIN)}
    updated = ok(await api.gql(UPDATE_MEMBER, {"id": member["id"], "patch": {"role": "VIEWER"}}, as_user=ALICE))
    assert updated["updateSpaceMember"] == {"id": member["id"], "role": "VIEWER"}
    unchanged = ok(await api.gql(UPDATE_MEMBER, {"id": member["id"], "patch": {}}, as_user=ALICE))
    assert unchanged["updateSpaceMember"]["role"] == "VIEWER"
    refused(
        await api.gql(UPDATE_MEMBER, {"id": member["id"], "patch": {"role": None}}, as_user=ALICE),
        "BAD_USER_INPUT",
        "patch.role",
    )
    removed = ok(await api.gql(REMOVE_MEMBER, {"id": member["id"]}, as_user=ALICE))
    assert removed["removeSpaceMember"] == {"deletedId": member["id"]}
    assert await count_rows(api, "space_members", "id = $1", uuid.UUID(raw_id(member["id"]))) == 0


async def test_member_roles_and_the_last_owner(api: ApiClient) -> None:
    demo_carol = gid("SpaceMember", "00000000-0000-4000-b001-000000000003")
    refused(await api.gql(UPDATE_MEMBER, {"id": demo_carol, "patch": {"role": "ADMIN"}}, as_user=DAVE), "FORBIDDEN")
    refused(await api.gql(UPDATE_MEMBER, {"id": demo_carol, "patch": {"role": "ADMIN"}}, as_user=ERIN), "NOT_FOUND")
    refused(await api.gql(REMOVE_MEMBER, {"id": demo_carol}, as_user=ERIN), "NOT_FOUND")
    role = await admin_val(api, "select role from public.space_members where id = $1", uuid.UUID(raw_id(demo_carol)))
    assert role == "member"
    space = await new_space(api, "Solo")
    owner = ok(
        await api.gql(
            "query($id: ID!) { node(id: $id) { ... on Space { members { id } } } }", {"id": space}, as_user=ALICE
        )
    )
    owner_id = owner["node"]["members"][0]["id"]
    refused(await api.gql(UPDATE_MEMBER, {"id": owner_id, "patch": {"role": "ADMIN"}}, as_user=ALICE), "BAD_USER_INPUT")
    refused(await api.gql(REMOVE_MEMBER, {"id": owner_id}, as_user=ALICE), "BAD_USER_INPUT")
    assert (
        await admin_val(api, "select role from public.space_members where id = $1", uuid.UUID(raw_id(owner_id)))
        == "owner"
    )


async def test_update_viewer(api: ApiClient) -> None:
    data = ok(await api.gql(UPDATE_VIEWER, {"patch": {"avatarUrl": "https://example.com/c.png"}}, as_user=CAROL))
    assert data["updateViewer"] == {
        "id": gid("User", CAROL),
        "fullName": "Carol Castillo",
        "avatarUrl": "https://example.com/c.png",
    }
    data = ok(await api.gql(UPDATE_VIEWER, {"patch": {"fullName": None}}, as_user=CAROL))
    assert data["updateViewer"]["fullName"] is None
    assert data["updateViewer"]["avatarUrl"] == "https://example.com/c.png"
    refused(
        await api.gql(UPDATE_VIEWER, {"patch": {"avatarUrl": "javascript:alert(1)"}}, as_user=CAROL),
        "BAD_USER_INPUT",
        "patch.avatarUrl",
    )
    refused(await api.gql(UPDATE_VIEWER, {"patch": {"fullName": "Anonymous"}}), "UNAUTHENTICATED")
    stored = await admin_fetch_profile(api, CAROL)
    assert stored == (None, "https://example.com/c.png")


async def admin_fetch_profile(api: ApiClient, user: str) -> tuple[str | None, str | None]:
    name = await admin_val(api, "select full_name from public.profiles where id = $1", uuid.UUID(user))
    avatar = await admin_val(api, "select avatar_url from public.profiles where id = $1", uuid.UUID(user))
    return name, avatar
