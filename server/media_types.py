"""Which media type a GraphQL answer takes, from the request's Accept header (GraphQL over HTTP).

`application/graphql-response+json` says what kind of answer this is, and lets status codes carry meaning: a
document that does not parse or validate is a 400. Clients that only accept `application/json` get it with
status 200 for such errors (the spec's legacy rule), so that GraphQL clients read the `errors` they expect.
"""

from __future__ import annotations

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"


def _ranges(accept: str) -> list[tuple[str, float, int]]:
    """(media range, quality, position) of each Accept item that has a quality above 0."""
    ranges = []
    for position, item in enumerate(accept.split(",")):
        parts = [p.strip() for p in item.split(";")]
        media = parts[0].lower()
        quality = 1.0
        for parameter in parts[1:]:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if media and quality > 0:
            ranges.append((media, quality, position))
    return ranges


def _match(ranges: list[tuple[str, float, int]], media_type: str) -> tuple[float, int]:
    """(quality, specificity) of the most specific range that matches: exact 2, `type/*` 1, `*/*` 0."""
    kind = media_type.split("/")[0]
    best = (0.0, -1)
    for media, quality, _ in ranges:
        specificity = {media_type: 2, f"{kind}/*": 1, "*/*": 0}.get(media)
        if specificity is not None and specificity > best[1]:
            best = (quality, specificity)
    return best


def negotiate(accept: str | None) -> str | None:
    """The media type of the answer, or None when the client accepts neither (HTTP 406).

    No Accept header, or one that names neither type exactly (`*/*`), means `application/json` (the spec's legacy
    rule): the GraphQL media type goes to clients that ask for it."""
    if accept is None or not accept.strip():
        return JSON
    ranges = _ranges(accept)
    graphql, plain = _match(ranges, GRAPHQL_RESPONSE), _match(ranges, JSON)
    if graphql[0] == 0 and plain[0] == 0:
        return None
    if graphql[0] > plain[0] or (graphql[0] == plain[0] and graphql[1] > plain[1]):
        return GRAPHQL_RESPONSE
    return JSON
