"""The whole lead-capture story through GraphQL alone: build a form, submit without a token, see the lead
scored, staged and attributed on the board."""

from __future__ import annotations

from typing import Any

from tests.support.api import ERIN, ApiClient

BUILD = """
mutation Build($name: String!) {
  form: createLeadForm(input: {name: $name, title: "Get a demo"}) { id }
}
"""
FIELD = """
mutation Field($input: CreateFormFieldInput!) { createFormField(input: $input) { id fieldName } }
"""
PUBLISH = "mutation P($id: ID!) { publishForm(id: $id) { id isPublished } }"
RULE = """
mutation R($input: CreateScoringRuleInput!) { createScoringRule(input: $input) { id } }
"""
SUBMIT = """
mutation Submit($form: ID!, $values: JSON!, $context: SubmissionContext) {
  submitForm(formId: $form, values: $values, context: $context) { submissionId visitorToken }
}
"""
BOARD = """
{
  leadStages(orderBy: STAGE_ORDER_ASC) {
    nodes {
      name
      leads(filter: {email: {eq: "grace@hopper.example.org"}}) {
        totalCount
        nodes {
          email jobTitle score
          scoreBreakdown { points rule { name } }
          source { name type utmSource utmMedium utmCampaign }
          company { name website }
          form { name }
          activities { nodes { activityType } }
        }
      }
    }
  }
}
"""


async def _ok(api: ApiClient, query: str, variables: dict[str, Any] | None = None, **kw: Any) -> Any:
    response = await api.gql(query, variables, **kw)
    assert response.errors == [], response.errors
    return response.data


async def test_a_form_built_in_graphql_captures_a_scored_staged_attributed_lead(api: ApiClient) -> None:
    form = (await _ok(api, BUILD, {"name": "Demo request"}, as_user=ERIN))["form"]["id"]
    for order, (name, kind, required) in enumerate(
        [
            ("email", "EMAIL", True),
            ("first_name", "TEXT", True),
            ("job_title", "TEXT", False),
            ("company", "TEXT", False),
            ("website", "URL", False),
        ]
    ):
        field = {"form": form, "fieldName": name, "fieldType": kind, "label": name, "isRequired": required,
                 "fieldOrder": order}  # fmt: skip
        await _ok(api, FIELD, {"input": field}, as_user=ERIN)
    assert (await _ok(api, PUBLISH, {"id": form}, as_user=ERIN))["publishForm"]["isPublished"] is True
    rules = [
        {"name": "Leaders", "criteriaType": "JOB_TITLE", "condition": "CONTAINS", "value": "director", "points": 30},
        {"name": "From ads", "criteriaType": "UTM_MEDIUM", "condition": "EQUALS", "value": "cpc", "points": 15},
        {"name": "Filled the form", "criteriaType": "FORM_SUBMITTED", "condition": "EQUALS", "value": "true",
         "points": 10},
    ]  # fmt: skip
    for rule in rules:
        await _ok(api, RULE, {"input": rule}, as_user=ERIN)

    values = {
        "email": "grace@hopper.example.org",
        "first_name": "Grace",
        "job_title": "Director of Engineering",
        "company": "Hopper Systems",
        "website": "https://hopper.example.org",
    }
    context = {"utmSource": "google", "utmMedium": "cpc", "utmCampaign": "autumn", "referrer": "https://google.com/"}
    submitted = await _ok(api, SUBMIT, {"form": form, "values": values, "context": context})  # no token
    assert submitted["submitForm"]["submissionId"] and submitted["submitForm"]["visitorToken"]

    stages = (await _ok(api, BOARD, as_user=ERIN))["leadStages"]["nodes"]
    placed = [s for s in stages if s["leads"]["totalCount"]]
    assert [s["name"] for s in placed] == ["New"]  # the first stage of Erin's board
    lead = placed[0]["leads"]["nodes"][0]
    assert lead["score"] == 55
    assert sorted((c["rule"]["name"], c["points"]) for c in lead["scoreBreakdown"]) == [
        ("Filled the form", 10),
        ("From ads", 15),
        ("Leaders", 30),
    ]
    assert lead["source"]["utmSource"] == "google" and lead["source"]["utmMedium"] == "cpc"
    assert lead["source"]["type"] == "PAID_SEARCH"
    assert lead["company"] == {"name": "Hopper Systems", "website": "https://hopper.example.org"}
    assert lead["form"] == {"name": "Demo request"}
    assert [a["activityType"] for a in lead["activities"]["nodes"]] == ["FORM_SUBMITTED"]
