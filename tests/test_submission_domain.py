"""The pure parts of form submissions: value checks, blanks, spam timing, visitor tokens, hashed addresses."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest

from domain.form_definitions import FieldDefinition, field_problems, publish_problems, settings_problems
from domain.form_values import PublicField, is_blank, value_problem
from domain.submissions import (
    PublicForm,
    VisitContext,
    request_problems,
    timing_problem,
    validate_values,
)
from domain.visitor_tokens import client_hash, network_hash, sign_visitor_token, verify_visitor_token

SECRET = b"0123456789abcdef0123456789abcdef"


def field(field_type: str, options: list[Any] | None = None, **rules: Any) -> PublicField:
    return PublicField(name="f", type=field_type, required=False, options=options or [], rules=rules)


@pytest.mark.parametrize(
    ("spec", "value", "problem"),
    [
        (field("text"), "ok", None),
        (field("text"), 5, "expected a string"),
        (field("text", minLength=3), "ab", "at least 3 characters"),
        (field("email"), " ada@example.org ", None),
        (field("email", allowedDomains=["example.org"]), "ada@mail.example.org", None),
        (field("email", allowedDomains=["example.org"]), "ada@example.com", "this email domain is not accepted"),
        (field("email", blockedDomains=["Example.com"]), "ada@EXAMPLE.com", "this email domain is not accepted"),
        (field("email", blockFreeEmail=True), "ada@googlemail.com", "please use a work email address"),
        (field("phone"), "+44 20 7946 0958", None),
        (field("phone"), "12345", "not a valid phone number"),
        (field("number", min=0), "-1", "must be at least 0"),
        (field("number"), "1e3", None),
        (field("number"), True, "expected a number"),
        (field("number"), float("nan"), "expected a number"),
        (field("url"), "https://example.org/x", None),
        (field("url"), "example.org", "not a valid http(s) URL"),
        (field("date"), "2028-02-29", None),
        (field("date"), "2027-02-29", "not a calendar date"),
        (field("date"), "29/02/2028", "expected a date, YYYY-MM-DD"),
        (field("select", ["a", "b"]), "c", "not one of the options"),
        (field("multiselect", ["a", "b"]), "a", "expected a list of options"),
        (field("multiselect", ["a", "b"]), ["a", "a"], "an option is chosen twice"),
        (field("checkbox"), True, None),
        (field("checkbox"), ["a"], "expected true or false"),
        (field("checkbox", ["a", "b"]), ["b"], None),
        (field("checkbox", ["a", "b"]), "yes", "expected true or false"),
    ],
)
def test_value_problems(spec: PublicField, value: Any, problem: str | None) -> None:
    assert value_problem(spec, value) == problem


def test_blank_values_are_no_values() -> None:
    blanks: list[Any] = [None, False, [], "", " \t\r\n"]
    values: list[Any] = [0, True, ["a"], "x", "\u00a0"]
    assert all(is_blank(v) for v in blanks)
    assert not any(is_blank(v) for v in values)


def test_validation_lists_problems_in_form_order_and_leaves_patterns_to_postgres() -> None:
    form = PublicForm(
        id=uuid.uuid4(),
        settings={},
        fields=[
            PublicField("code", "text", False, [], {"pattern": "^[0-9]+$"}),
            PublicField("email", "email", True, [], {}),
        ],
    )
    found = validate_values(form, {"zzz": 1, "aaa": 2, "code": "12x"})
    assert [c.value for c in found.patterns] == ["12x"]
    assert [p.field for p in found.result()] == ["values.aaa", "values.zzz", "values.email"]
    assert [p.field for p in found.result({0})] == ["values.aaa", "values.zzz", "values.code", "values.email"]


def test_requests_are_checked_for_shape_and_size() -> None:
    context = VisitContext(referrer=" ", utm_source="x" * 201).cleaned()
    assert context.referrer is None
    problems = request_problems({"a": "x" * 40_000}, context, "")
    assert [p.field for p in problems] == ["values", "context.utmSource", "idempotencyKey"]
    assert [p.field for p in request_problems([1], VisitContext(), None)] == ["values"]
    assert [p.field for p in request_problems({"n": float("inf")}, VisitContext(), None)] == ["values"]


def test_time_to_submit() -> None:
    form = PublicForm(id=uuid.uuid4(), settings={"minSecondsToSubmit": 3}, fields=[])
    now = dt.datetime(2026, 11, 25, 12, tzinfo=dt.UTC)
    assert timing_problem(form, now - dt.timedelta(seconds=4), now) is None
    for shown in (None, now - dt.timedelta(seconds=2), now + dt.timedelta(hours=1)):
        problem = timing_problem(form, shown, now)
        assert problem is not None and problem.field == "context.renderedAt"
    assert timing_problem(PublicForm(id=uuid.uuid4(), settings={}, fields=[]), None, now) is None


def test_visitor_tokens_are_signed_and_opaque() -> None:
    submission = uuid.uuid4()
    token = sign_visitor_token(SECRET, submission)
    assert verify_visitor_token(SECRET, token) == submission
    assert str(submission) not in token
    version, body, mac = token.split(".")
    forged = sign_visitor_token(SECRET, uuid.uuid4()).split(".")[1]
    for bad in (f"{version}.{forged}.{mac}", f"vt2.{body}.{mac}", f"{version}.{body}", "", "a.b.c", token + "x"):
        assert verify_visitor_token(SECRET, bad) is None, bad
    assert verify_visitor_token(b"another secret of thirty-two bytes", token) is None
    with pytest.raises(RuntimeError):
        sign_visitor_token(b"", submission)


def test_client_addresses_are_hashed_per_subscriber() -> None:
    v4 = client_hash(SECRET, "203.0.113.7")
    assert v4 is not None and len(v4) == 64 and "203" not in v4
    assert client_hash(SECRET, "::ffff:203.0.113.7") == v4
    same_64 = client_hash(SECRET, "2001:db8:1:2::1"), client_hash(SECRET, "2001:db8:1:2:ffff::9")
    assert same_64[0] == same_64[1] != client_hash(SECRET, "2001:db8:1:3::1")
    assert client_hash(SECRET, None) is None
    assert client_hash(b"another secret of thirty-two bytes", "203.0.113.7") != v4


def test_client_networks_are_hashed_per_slash_24_and_slash_48() -> None:
    v4 = network_hash(SECRET, "203.0.113.7")
    assert v4 is not None and v4 == network_hash(SECRET, "203.0.113.200") == network_hash(SECRET, "::ffff:203.0.113.1")
    assert v4 != network_hash(SECRET, "203.0.114.7") and v4 != client_hash(SECRET, "203.0.113.7")
    v6 = network_hash(SECRET, "2001:db8:1:2::1")
    assert v6 == network_hash(SECRET, "2001:db8:1:ffff::9") != network_hash(SECRET, "2001:db8:2::1")
    assert network_hash(SECRET, None) is None


def test_definitions_and_settings() -> None:
    email = FieldDefinition("email", "email", True, [], {"allowedDomains": ["example.org"], "blockFreeEmail": True})
    assert field_problems(email, "input") == []
    assert [p.field for p in field_problems(FieldDefinition("x", "color", False, [], {}), "input")] == [
        "input.fieldType"
    ]
    assert settings_problems({"theme": {"a": "b" * 5000}}, "s")[0].field == "s.theme"
    trap = FieldDefinition("trap", "hidden", True, [], {})
    assert [p.field for p in publish_problems({"honeypotField": "trap"}, [email, trap])] == [
        "formSettings.honeypotField"  # a required honeypot would refuse every human
    ]
