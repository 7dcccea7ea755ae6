"""Data layer: connection pool, per-request transactions as the caller, migrations and SQL."""
