"""HTTP app, settings, JWT verification, request context, CLI and the embedded Postgres."""
