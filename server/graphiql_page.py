"""GraphiQL (development only), served from this server's own assets with a Content-Security-Policy to match.

The page loads React, GraphiQL and its explorer plugin from /graphiql/ (pinned npm builds shipped gzipped in
server/static/graphiql, refreshed by tools/vendor_graphiql.py): it works with no network. Its settings (the
endpoint, an example query, and for `leadgen serve --demo` the demo user's Authorization header) travel as a
JSON data block, so no inline script needs allowing.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from dataclasses import dataclass
from importlib import resources

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

MEDIA_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
SCRIPTS = ("react.js", "react-dom.js", "graphiql.js", "explorer.js", "start.js")
STYLES = ("graphiql.css", "explorer.css")

EXAMPLE_QUERY = """# The dashboard: the best-scored leads with their company, stage and latest activities.
query Dashboard {
  viewer { email }
  leads(first: 10, orderBy: SCORE_DESC) {
    totalCount
    nodes {
      firstName lastName email score status
      company { name industry }
      stage { name color }
      activities(first: 3) { nodes { activityType description createdAt } }
    }
  }
}
"""

CSP = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",  # GraphiQL's components set inline styles
        "font-src 'self' data:",
        "img-src 'self' data:",
        "connect-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "form-action 'none'",
    ]
)


@dataclass(frozen=True)
class GraphiQLAsset:
    gzipped: bytes
    media_type: str
    etag: str

    @classmethod
    def load(cls, name: str) -> GraphiQLAsset:
        folder = resources.files("server").joinpath("static", "graphiql")
        stored = folder.joinpath(f"{name}.gz")
        if stored.is_file():
            gzipped = stored.read_bytes()
        else:  # our own start.js, kept readable in git
            gzipped = gzip.compress(folder.joinpath(name).read_bytes(), 9, mtime=0)
        media_type = MEDIA_TYPES["." + name.rsplit(".", 1)[1]]
        return cls(gzipped, media_type, '"' + hashlib.sha256(gzipped).hexdigest()[:20] + '"')

    def response(self, request: Request) -> Response:
        headers = {"etag": self.etag, "cache-control": "public, max-age=86400", "vary": "accept-encoding"}
        if self.etag in request.headers.get("if-none-match", ""):
            return Response(status_code=304, headers=headers)
        if "gzip" in request.headers.get("accept-encoding", "").lower():
            return Response(self.gzipped, media_type=self.media_type, headers={**headers, "content-encoding": "gzip"})
        return Response(gzip.decompress(self.gzipped), media_type=self.media_type, headers=headers)


ASSETS = {name: GraphiQLAsset.load(name) for name in (*SCRIPTS, *STYLES)}


async def graphiql_asset(request: Request) -> Response:
    asset = ASSETS.get(request.path_params["name"])
    if asset is None:
        return Response("not found", status_code=404, media_type="text/plain")
    return asset.response(request)


def graphiql_asset_route() -> Route:
    return Route("/graphiql/{name}", graphiql_asset, methods=["GET"])


def graphiql_response(endpoint: str = "/graphql", authorization: str | None = None) -> HTMLResponse:
    """The page; `authorization` prefills GraphiQL's headers (the demo user's token with `leadgen serve --demo`)."""
    headers = json.dumps({"Authorization": authorization}, indent=2) if authorization else ""
    config = json.dumps({"url": endpoint, "query": EXAMPLE_QUERY, "headers": headers})
    # a data block (never executed); `<`, `>` and `&` occur only inside JSON strings, escaped there, so the
    # text cannot end the element early
    config = config.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    styles = "".join(f'<link rel="stylesheet" href="/graphiql/{name}?v={ASSETS[name].etag[1:9]}">' for name in STYLES)
    scripts = "".join(f'<script src="/graphiql/{name}?v={ASSETS[name].etag[1:9]}"></script>' for name in SCRIPTS)
    page = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Leadgen GraphQL · GraphiQL</title>{styles}"
        "<style>html,body,#graphiql{height:100%;margin:0}</style></head><body>"
        '<div id="graphiql">Loading GraphiQL…</div>'
        f'<script type="application/json" id="graphiql-config">{config}</script>'
        f"{scripts}</body></html>"
    )
    return HTMLResponse(page, headers={"content-security-policy": CSP})
