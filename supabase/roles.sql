-- Custom roles (applied by `leadgen db migrate` before the migrations, by the Supabase CLI on local
-- `db start/reset`, and on a hosted project with `supabase db push --include-roles`).
--
-- leadgen_api: the only role the GraphQL server logs in as. LOGIN NOINHERIT NOBYPASSRLS: on its own it can
-- read nothing; each request switches, transaction-locally, to `anon` or `authenticated` (the only roles
-- granted to it), so Row Level Security decides every row. Like PostgREST's `authenticator`.
-- Its password is set out of band (`alter role leadgen_api password '...'`), never in git.
do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'leadgen_api') then
    create role leadgen_api login noinherit nosuperuser nocreatedb nocreaterole nobypassrls;
  end if;
end
$$;

alter role leadgen_api noinherit nosuperuser nocreatedb nocreaterole nobypassrls;
grant anon, authenticated to leadgen_api;
alter role leadgen_api set statement_timeout = '8s';
alter role leadgen_api set lock_timeout = '8s';
