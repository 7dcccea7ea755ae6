-- Trusted documents: the GraphQL operations an operator registered (`leadgen operations add`), by the SHA-256 of
-- their text. With LEADGEN_OPERATIONS=trusted the server runs only these (an allow-list, as Hasura's); clients
-- may also send just the hash (Apollo's persisted queries). Private: no API role reads the table; the server's
-- login role looks documents up by hash through one function, outside any caller's transaction.

create table private.trusted_operations (
  hash text primary key check (hash ~ '^[0-9a-f]{64}$'),
  body text not null check (length(body) between 1 and 1000000),
  name text check (name is null or length(name) <= 200),
  added_at timestamptz not null default now()
);
comment on table private.trusted_operations is
  'GraphQL documents allowed when LEADGEN_OPERATIONS=trusted, by sha256 (hex) of their text.';
revoke all on table private.trusted_operations from public;

create function leadgen.trusted_operation(p_hash text) returns text
language sql stable security definer set search_path = '' as $$
  select t.body from private.trusted_operations t where t.hash = lower(p_hash)
$$;
comment on function leadgen.trusted_operation(text) is
  'The trusted document with this sha256 (hex), or null; called by the API login role only.';
revoke all on function leadgen.trusted_operation(text) from public;
grant execute on function leadgen.trusted_operation(text) to leadgen_api;
