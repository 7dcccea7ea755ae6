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

-- leadgen_worker: the only role the workflow worker (`leadgen worker`) logs in as. LOGIN NOINHERIT NOBYPASSRLS,
-- never a superuser. Its own privileges (granted by migration 20261125180000_workflow_engine.sql) reach only the
-- queue tables of schema `private` (claiming and leasing events and jobs) and the bookkeeping functions that
-- start executions and record their steps. Every action of a workflow runs after switching, transaction-
-- locally, to `authenticated` with the workflow owner's claims (the one role granted to it), so Row Level
-- Security bounds what automation can touch. Its password is set out of band, like leadgen_api's.
do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'leadgen_worker') then
    create role leadgen_worker login noinherit nosuperuser nocreatedb nocreaterole nobypassrls;
  end if;
end
$$;

alter role leadgen_worker noinherit nosuperuser nocreatedb nocreaterole nobypassrls;
grant authenticated to leadgen_worker;
alter role leadgen_worker set statement_timeout = '30s';
alter role leadgen_worker set lock_timeout = '10s';
