"""Refresh the GraphiQL assets the server ships (server/static/graphiql/*.gz) from the pinned npm packages.

Run after changing server/static/graphiql/package.json (then `npm install --package-lock-only` there):

    .venv/bin/python -m tools.vendor_graphiql

It installs the packages of package-lock.json with `npm ci` (the npm registry only, no install scripts) in a
git-ignored scratch folder, copies their browser builds gzipped next to package.json, and writes their
licences to LICENSES.txt. The server serves the files as they are: nothing is fetched at run time.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from bench.npm import npm_ci

ROOT = Path(__file__).resolve().parent.parent
ASSETS = ROOT / "server" / "static" / "graphiql"
SCRATCH = ROOT / "bench" / ".scratch" / "graphiql"

# served name -> (package, file in the package)
FILES = {
    "react.js": ("react", "umd/react.production.min.js"),
    "react-dom.js": ("react-dom", "umd/react-dom.production.min.js"),
    "graphiql.js": ("graphiql", "graphiql.min.js"),
    "graphiql.css": ("graphiql", "graphiql.min.css"),
    "explorer.js": ("@graphiql/plugin-explorer", "dist/index.umd.js"),
    "explorer.css": ("@graphiql/plugin-explorer", "dist/style.css"),
}


def main() -> int:
    npm_ci(ASSETS, SCRATCH)
    modules = SCRATCH / "node_modules"
    licences = []
    for served, (package, path) in FILES.items():
        body = (modules / package / path).read_bytes()
        (ASSETS / f"{served}.gz").write_bytes(gzip.compress(body, 9, mtime=0))
        version = json.loads((modules / package / "package.json").read_text())["version"]
        print(f"{served}: {package}@{version}/{path} ({len(body):,} bytes)")
    for package in sorted({package for package, _ in FILES.values()}):
        version = json.loads((modules / package / "package.json").read_text())["version"]
        files = sorted((modules / package).glob("LICENSE*"))
        manifest = json.loads((modules / package / "package.json").read_text())
        licence = files[0].read_text() if files else f"License: {manifest['license']} (see the package on npm)"
        licences.append(f"{package}@{version}\n{'=' * 60}\n{licence.strip()}\n")
    (ASSETS / "LICENSES.txt").write_text("\n\n".join(licences))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
