"""SQL of the trusted documents registry (private.trusted_operations), written by `leadgen operations`."""

ADD_TRUSTED = """
insert into private.trusted_operations (hash, body, name) values ($1, $2, $3)
on conflict (hash) do update set name = coalesce(excluded.name, private.trusted_operations.name)
returning (xmax = 0) as added
"""
LIST_TRUSTED = (
    "select hash, name, added_at, length(body) as size from private.trusted_operations order by added_at, hash"
)
REMOVE_TRUSTED = "delete from private.trusted_operations where hash = any($1::text[]) returning hash"
