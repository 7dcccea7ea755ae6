"""Invitations over GraphQL: a membership exists only once the invitee accepts, nothing about the invitee shows
before, the answer is the same for any address, and ended or foreign invitations cannot be accepted."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from tests.support.api import ALICE, BOB, CAROL, EMAILS, ERIN, SPACE, ApiClient
from tests.support.http_app import custom_app
from tests.support.mutations import admin_val, count_rows, gid, ok, raw_id, refused

CREATE_SPACE = "mutation($name: String!) { createSpace(input: {name: $name}) { id } }"
INVITATION_FIELDS = "id email role status spaceName inviterName expiresAt respondedAt emailSentAt"
INVITE = f"""
mutation($space: ID!, $email: String!, $role: SpaceRole) {{
  inviteToSpace(space: $space, email: $email, role: $role) {{ {INVITATION_FIELDS} space {{ id }} }}
}}
"""
ACCEPT = """
mutation($id: ID, $token: String) {
  acceptInvitation(id: $id, token: $token) { id role space { id name } user { id email } }
}
"""
DECLINE = "mutation($id: ID, $token: String) { declineInvitation(id: $id, token: $token) { id status } }"
REVOKE = "mutation($id: ID!) { revokeInvitation(id: $id) { id status respondedAt } }"
MY_INVITATIONS = f"{{ viewer {{ invitations {{ {INVITATION_FIELDS} space {{ id }} }} }} }}"
SPACE_VIEW = """
query($id: ID!) {
  node(id: $id) { ... on Space { name members { role user { id email fullName } } invitations { email status } } }
}
"""
USER = "query($id: ID!) { node(id: $id) { ... on User { id email fullName } } }"
MY_LEADS = "{ leads(first: 5) { totalCount nodes { id space { id } } } spaces { nodes { id } } }"
VOLATILE = ("id", "email", "expiresAt", "space")


async def new_space(api: ApiClient, name: str, as_user: str = ALICE) -> str:
    return str(ok(await api.gql(CREATE_SPACE, {"name": name}, as_user=as_user))["createSpace"]["id"])


async def invite(api: ApiClient, space: str, email: str, role: str = "MEMBER", as_user: str = ALICE) -> dict[str, Any]:
    data = ok(await api.gql(INVITE, {"space": space, "email": email, "role": role}, as_user=as_user))
    return dict(data["inviteToSpace"])


async def open_invitations(api: ApiClient, user: str, space_name: str) -> list[dict[str, Any]]:
    """`viewer.invitations` of `user`, of the spaces named so (other tests invite the same users)."""
    mine = ok(await api.gql(MY_INVITATIONS, as_user=user))["viewer"]["invitations"]
    return [i for i in mine if i["spaceName"] == space_name]


async def members(api: ApiClient, space: str) -> list[str]:
    data = ok(await api.gql(SPACE_VIEW, {"id": space}, as_user=ALICE))
    return sorted(m["user"]["id"] for m in data["node"]["members"])


async def test_adding_a_member_directly_is_refused(api: ApiClient) -> None:
    space = await new_space(api, "No back door")
    old = "mutation($input: AddSpaceMemberInput!) { addSpaceMember(input: $input) { id } }"
    response = await api.gql(old, {"input": {"space": space, "user": gid("User", ERIN)}}, as_user=ALICE)
    assert set(response.codes) == {"BAD_USER_INPUT"} and response.data is None  # no such mutation (nor input) now
    names = ok(await api.gql('{ __type(name: "Mutation") { fields { name } } }'))["__type"]["fields"]
    assert [f["name"] for f in names if "Member" in f["name"]] == ["updateSpaceMember", "removeSpaceMember"]
    assert await count_rows(api, "space_members", "user_id = $1", uuid.UUID(ERIN)) == 0


async def test_the_answer_is_the_same_whether_or_not_the_address_has_an_account(api: ApiClient) -> None:
    space = await new_space(api, "Same answer")
    known, unknown = EMAILS[ERIN], f"nobody.{uuid.uuid4().hex[:8]}@example.org"
    answers = [await invite(api, space, email) for email in (known, unknown)]
    assert [a["email"] for a in answers] == [known, unknown]
    same = [{k: v for k, v in a.items() if k not in VOLATILE} for a in answers]
    assert (
        same[0]
        == same[1]
        == {
            "role": "MEMBER",
            "status": "PENDING",
            "spaceName": "Same answer",
            "inviterName": "Alice Anderson",
            "respondedAt": None,
            "emailSentAt": None,
        }
    )
    # the refusals are alike too: invited already, and an unknown space
    for code, variables, user in [
        ("CONFLICT", {"space": space}, ALICE),
        ("NOT_FOUND", {"space": space}, ERIN),
    ]:
        errors = [
            (await api.gql(INVITE, {**variables, "email": email, "role": "MEMBER"}, as_user=user)).errors
            for email in (known, unknown)
        ]
        assert errors[0] == errors[1] and errors[0][0]["extensions"]["code"] == code


async def test_a_membership_exists_only_after_acceptance_and_nothing_shows_before(api: ApiClient) -> None:
    space = await new_space(api, "Consent first")
    erin_before = ok(await api.gql(MY_LEADS, as_user=ERIN))
    invitation = await invite(api, space, "Erin@Example.com", "ADMIN")
    assert invitation["email"] == EMAILS[ERIN]
    # before: the inviter learns nothing about Erin, and Erin's data and spaces are as they were
    assert await members(api, space) == [gid("User", ALICE)]
    assert ok(await api.gql(USER, {"id": gid("User", ERIN)}, as_user=ALICE))["node"] is None
    assert ok(await api.gql(MY_LEADS, as_user=ERIN)) == erin_before
    [seen] = await open_invitations(api, ERIN, "Consent first")
    assert {k: seen[k] for k in ("id", "role", "status", "spaceName", "inviterName")} == {
        "id": invitation["id"],
        "role": "ADMIN",
        "status": "PENDING",
        "spaceName": "Consent first",
        "inviterName": "Alice Anderson",
    }
    assert seen["space"] is None  # not a member yet
    assert await open_invitations(api, CAROL, "Consent first") == []
    # after
    member = ok(await api.gql(ACCEPT, {"id": invitation["id"]}, as_user=ERIN))["acceptInvitation"]
    assert member["role"] == "ADMIN"
    assert member["space"] == {"id": space, "name": "Consent first"}
    assert member["user"] == {"id": gid("User", ERIN), "email": EMAILS[ERIN]}
    assert await members(api, space) == sorted([gid("User", ALICE), gid("User", ERIN)])
    assert ok(await api.gql(USER, {"id": gid("User", ERIN)}, as_user=ALICE))["node"]["email"] == EMAILS[ERIN]
    assert await open_invitations(api, ERIN, "Consent first") == []
    view = ok(await api.gql(SPACE_VIEW, {"id": space}, as_user=ALICE))["node"]
    assert view["invitations"] == [{"email": EMAILS[ERIN], "status": "ACCEPTED"}]
    refused(await api.gql(ACCEPT, {"id": invitation["id"]}, as_user=ERIN), "CONFLICT")


async def test_an_expired_revoked_or_declined_invitation_cannot_be_accepted(api: ApiClient) -> None:
    space = await new_space(api, "Closed doors")
    revoked = await invite(api, space, EMAILS[ERIN])
    done = ok(await api.gql(REVOKE, {"id": revoked["id"]}, as_user=ALICE))["revokeInvitation"]
    assert done["status"] == "REVOKED" and done["respondedAt"] is not None
    refused(await api.gql(ACCEPT, {"id": revoked["id"]}, as_user=ERIN), "CONFLICT")
    expired = await invite(api, space, EMAILS[ERIN])
    await admin_val(
        api,
        "update public.space_invitations set expires_at = now() - interval '1 minute' where id = $1 returning id",
        uuid.UUID(raw_id(expired["id"])),
    )
    assert ok(await api.gql(SPACE_VIEW, {"id": space}, as_user=ALICE))["node"]["invitations"][0]["status"] == "EXPIRED"
    assert await open_invitations(api, ERIN, "Closed doors") == []
    refused(await api.gql(ACCEPT, {"id": expired["id"]}, as_user=ERIN), "CONFLICT")
    declined = await invite(api, space, EMAILS[ERIN])
    answer = ok(await api.gql(DECLINE, {"id": declined["id"]}, as_user=ERIN))["declineInvitation"]
    assert answer == {"id": declined["id"], "status": "DECLINED"}
    refused(await api.gql(ACCEPT, {"id": declined["id"]}, as_user=ERIN), "CONFLICT")
    assert await members(api, space) == [gid("User", ALICE)]


async def test_someone_else_s_invitation_or_token_cannot_be_accepted(api: ApiClient) -> None:
    space = await new_space(api, "Erin only")
    invitation = await invite(api, space, EMAILS[ERIN])
    token = "inv1_" + uuid.uuid4().hex
    await admin_val(
        api,
        "update public.space_invitations set token_hash = $2 where id = $1 returning id",
        uuid.UUID(raw_id(invitation["id"])),
        hashlib.sha256(token.encode()).digest(),
    )
    for variables in ({"id": invitation["id"]}, {"token": token}, {"id": invitation["id"], "token": token}):
        refused(await api.gql(ACCEPT, variables, as_user=CAROL), "NOT_FOUND")
        refused(await api.gql(DECLINE, variables, as_user=CAROL), "NOT_FOUND")
    refused(await api.gql(ACCEPT, {"token": token + "x"}, as_user=ERIN), "NOT_FOUND")
    assert await members(api, space) == [gid("User", ALICE)]
    ok(await api.gql(ACCEPT, {"token": token}, as_user=ERIN))
    assert await members(api, space) == sorted([gid("User", ALICE), gid("User", ERIN)])


async def test_who_invites_revokes_and_sees_invitations(api: ApiClient) -> None:
    demo = gid("Space", SPACE)
    address = f"prospect.{uuid.uuid4().hex[:8]}@example.org"
    refused(await api.gql(INVITE, {"space": demo, "email": address, "role": "ADMIN"}, as_user=BOB), "FORBIDDEN")
    refused(await api.gql(INVITE, {"space": demo, "email": address}, as_user=CAROL), "FORBIDDEN")
    by_admin = await invite(api, demo, address, "VIEWER", as_user=BOB)
    by_owner = await invite(api, demo, f"boss.{address}", "OWNER")
    refused(await api.gql(REVOKE, {"id": by_owner["id"]}, as_user=BOB), "FORBIDDEN")
    refused(await api.gql(REVOKE, {"id": by_owner["id"]}, as_user=CAROL), "NOT_FOUND")
    for user, seen in [(ALICE, 2), (BOB, 2), (CAROL, 0)]:
        view = ok(await api.gql(SPACE_VIEW, {"id": demo}, as_user=user))["node"]
        assert len([i for i in view["invitations"] if i["email"].endswith(address)]) == seen, user
    assert ok(await api.gql(REVOKE, {"id": by_admin["id"]}, as_user=BOB))["revokeInvitation"]["status"] == "REVOKED"
    ok(await api.gql(REVOKE, {"id": by_owner["id"]}, as_user=ALICE))


async def test_bad_input_names_the_field(api: ApiClient) -> None:
    space = await new_space(api, "Careful")
    refused(
        await api.gql(INVITE, {"space": space, "email": "not an address"}, as_user=ALICE), "BAD_USER_INPUT", "email"
    )
    refused(
        await api.gql(INVITE, {"space": gid("Lead", uuid.uuid4()), "email": "a@example.org"}, as_user=ALICE),
        "BAD_USER_INPUT",
        "space",
    )
    refused(await api.gql(ACCEPT, {}, as_user=ERIN), "BAD_USER_INPUT", "id")
    refused(await api.gql(ACCEPT, {"token": "x" * 500}, as_user=ERIN), "BAD_USER_INPUT", "token")
    refused(await api.gql(ACCEPT, {"id": space}, as_user=ERIN), "BAD_USER_INPUT", "id")
    refused(await api.gql(INVITE, {"space": space, "email": "a@example.org"}), "FORBIDDEN")  # anonymous
    assert await count_rows(api, "space_invitations", "space_id = $1", uuid.UUID(raw_id(space))) == 0


async def test_both_read_paths_show_invitations_alike(api: ApiClient) -> None:
    space = await new_space(api, "Two paths")
    pending = await invite(api, space, EMAILS[ERIN])
    lapsed = await invite(api, space, f"late.{uuid.uuid4().hex[:8]}@example.org", "VIEWER")
    await admin_val(
        api,
        "update public.space_invitations set expires_at = now() - interval '1 minute' where id = $1 returning id",
        uuid.UUID(raw_id(lapsed["id"])),
    )
    query = f"""
    query($id: ID!) {{
      node(id: $id) {{ ... on Space {{ name invitations {{ {INVITATION_FIELDS} createdAt space {{ id name }} }} }} }}
    }}
    """
    async with custom_app(api, compiled_reads=False) as general_path:
        general = await general_path.client.gql(query, {"id": space}, as_user=ALICE)
    fast = await api.gql(query, {"id": space}, as_user=ALICE)
    assert fast.statements == 3 and general.statements != 3  # the compiled path took it: one statement
    assert fast.body == general.body
    listed = ok(general)["node"]["invitations"]
    assert [(i["id"], i["status"]) for i in listed] == [(lapsed["id"], "EXPIRED"), (pending["id"], "PENDING")]
