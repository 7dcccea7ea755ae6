"""The README's examples do what the README says they do."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.support.api import ALICE, ApiClient

README = Path(__file__).resolve().parents[2] / "README.md"


async def test_the_create_lead_example_returns_the_score_the_readme_promises(api: ApiClient) -> None:
    text = README.read_text()
    body = re.search(r"# a mutation\n.*?-d '(\{.*?\})'\n```", text, re.DOTALL)
    promised = re.search(r'comes back with `"score": (\d+)`', text)
    assert body is not None and promised is not None
    request = json.loads(body.group(1))
    response = await api.gql(request["query"], request["variables"], as_user=ALICE)  # the demo token is Alice's
    assert response.errors == [], response.errors
    assert response.data["createLead"]["score"] == int(promised.group(1))
