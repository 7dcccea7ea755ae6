"""The static files of public forms (/f/form.css, /f/embed.js): read once, served cacheable, gzipped when asked."""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass
from importlib import resources

from starlette.requests import Request
from starlette.responses import Response


@dataclass(frozen=True)
class Asset:
    body: bytes
    gzipped: bytes
    media_type: str
    etag: str
    max_age: int

    @classmethod
    def load(cls, name: str, media_type: str, max_age: int) -> Asset:
        body = resources.files("server").joinpath("static", name).read_bytes()
        digest = hashlib.sha256(body).hexdigest()[:20]
        return cls(body, gzip.compress(body, 9, mtime=0), media_type, f'"{digest}"', max_age)

    @property
    def version(self) -> str:
        """A short hash of the content, for URLs that change when the file does."""
        return self.etag.strip('"')[:10]

    def response(self, request: Request) -> Response:
        headers = {
            "etag": self.etag,
            "cache-control": f"public, max-age={self.max_age}",
            "vary": "accept-encoding",
            # any site may load them: the stylesheet from <link>, the script from <script>
            "access-control-allow-origin": "*",
            "cross-origin-resource-policy": "cross-origin",
        }
        if self.etag in request.headers.get("if-none-match", ""):
            return Response(status_code=304, headers=headers)
        if "gzip" in request.headers.get("accept-encoding", "").lower():
            return Response(self.gzipped, media_type=self.media_type, headers={**headers, "content-encoding": "gzip"})
        return Response(self.body, media_type=self.media_type, headers=headers)


STYLESHEET = Asset.load("form.css", "text/css; charset=utf-8", 86_400)
# the snippets on websites name /f/embed.js itself: a shorter life, so that a new version reaches them soon
EMBED_SCRIPT = Asset.load("embed.js", "text/javascript; charset=utf-8", 3_600)
