// PostGraphile v5 as a benchmark peer of the leadgen GraphQL server, on the same database, under the same RLS.
//
// bench/peers.py copies this file next to its node_modules (bench/.scratch/postgraphile/) and runs
//   <node 22> node_modules/postgraphile/dist/cli-run.js -C graphile.config.mjs
// with these environment variables:
//   LEADGEN_PG_DATABASE_URL  connection string of the NOINHERIT login role leadgen_api (never a superuser), e.g.
//                            postgres://leadgen_api@/leadgen?host=/path/to/socket/dir
//   LEADGEN_PG_JWKS_FILE     the public JWK set that verifies access tokens (what our dev key publishes)
//   LEADGEN_PG_JWT_ISSUER    expected `iss` (default: the Supabase CLI's local Auth URL, as our dev tokens carry)
//   LEADGEN_PG_PORT          port to listen on, on 127.0.0.1 (default 5678)
//
// Each request: a verified Bearer token -> role `authenticated` with its claims; no token -> role `anon`; the
// pgSettings are set transaction-locally by PostGraphile before the operation's SQL, as our server does.
import { createPublicKey } from "node:crypto";
import { readFileSync } from "node:fs";

import jsonwebtoken from "jsonwebtoken";
import { makePgService } from "postgraphile/adaptors/pg";
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { addPgTableCondition, jsonPgSmartTags } from "postgraphile/utils";

const DEV_ISSUER = "http://127.0.0.1:54321/auth/v1";
const AUDIENCE = "authenticated";
const LEEWAY_SECONDS = 30;
const ANON_CLAIMS = JSON.stringify({ role: "anon" });

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

function loadKeys(path) {
  const document = JSON.parse(readFileSync(path, "utf8"));
  const keys = new Map();
  for (const jwk of document.keys ?? []) {
    const algorithm = jwk.kty === "EC" && jwk.crv === "P-256" ? "ES256" : jwk.kty === "RSA" ? "RS256" : null;
    if (!jwk.kid || !algorithm || (jwk.use && jwk.use !== "sig")) continue;
    const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, k: _k, ...publicMembers } = jwk;
    keys.set(jwk.kid, { key: createPublicKey({ key: publicMembers, format: "jwk" }), algorithm });
  }
  if (keys.size === 0) throw new Error(`no usable signing key in ${path}`);
  return keys;
}

const KEYS = loadKeys(required("LEADGEN_PG_JWKS_FILE"));
const ISSUER = process.env.LEADGEN_PG_JWT_ISSUER || DEV_ISSUER;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

class Unauthenticated extends Error {}

/** The verified claims of `Authorization: Bearer <token>`; null without a header; throws when refused. */
function verifiedClaims(authorization) {
  if (authorization == null) return null;
  const match = /^\s*bearer\s+([A-Za-z0-9_.-]+)\s*$/i.exec(authorization);
  if (!match) throw new Unauthenticated("the Authorization header must be 'Bearer <access token>'");
  const decoded = jsonwebtoken.decode(match[1], { complete: true });
  const entry = decoded && KEYS.get(decoded.header.kid);
  if (!entry || decoded.header.alg !== entry.algorithm) throw new Unauthenticated("token signing key is unknown");
  let claims;
  try {
    claims = jsonwebtoken.verify(match[1], entry.key, {
      algorithms: [entry.algorithm],
      audience: AUDIENCE,
      issuer: ISSUER,
      clockTolerance: LEEWAY_SECONDS,
    });
  } catch {
    throw new Unauthenticated("invalid token");
  }
  const complete = ["exp", "iat", "sub", "aud", "iss", "role"].every((name) => name in claims);
  if (!complete || claims.role !== "authenticated" || !UUID.test(claims.sub)) {
    throw new Unauthenticated("token claims are not accepted");
  }
  return claims;
}

// Full-text search on leads without touching the database schema: a `search` condition on allLeads with the
// same SQL as our LeadFilter.search (websearch_to_tsquery over the generated search_vector column).
const LeadSearchConditionPlugin = addPgTableCondition(
  { schemaName: "public", tableName: "leads" },
  "search",
  (build) => ({
    description: "Full-text search: names, email, job title.",
    type: build.graphql.GraphQLString,
  }),
  (value, { sql, sqlTableAlias, sqlValueWithCodec, build }) =>
    value == null
      ? null
      : sql`${sqlTableAlias}.search_vector @@ websearch_to_tsquery('simple', ${sqlValueWithCodec(
          value,
          build.dataplanPg.TYPES.text,
        )})`,
);

// leads.assigned_to references auth.users, which is not exposed; point it at the public profile instead
// (profiles.id = auth.users.id), as our Lead.assignedTo does. A smart tag in the config, not a schema change.
const SmartTagsPlugin = jsonPgSmartTags({
  version: 1,
  config: {
    class: {
      leads: {
        tags: { foreignKey: ["(assigned_to) references public.profiles (id)|@fieldName assignedToProfile"] },
      },
    },
    // the copy of a lead's scope on its activities is written by a trigger, never by clients
    attribute: {
      "lead_activities.lead_owner_id": { tags: { behavior: ["-insert", "-update"] } },
      "lead_activities.space_id": { tags: { behavior: ["-insert", "-update"] } },
    },
  },
});

/** @type {GraphileConfig.Preset} */
const preset = {
  extends: [PostGraphileAmberPreset],
  plugins: [LeadSearchConditionPlugin, SmartTagsPlugin],
  pgServices: [
    makePgService({
      connectionString: required("LEADGEN_PG_DATABASE_URL"),
      schemas: ["public"],
      poolConfig: { max: 10, options: "-c timezone=UTC -c jit=off" },
      pubsub: false,
    }),
  ],
  gather: { installWatchFixtures: false },
  grafserv: {
    host: "127.0.0.1",
    port: Number(process.env.LEADGEN_PG_PORT || 5678),
    graphqlPath: "/graphql",
    graphiql: false,
    watch: false,
    websockets: false,
  },
  grafast: {
    explain: false,
    context(requestContext) {
      const req = requestContext.node?.req;
      const claims = verifiedClaims(req?.headers?.authorization);
      return {
        pgSettings: claims
          ? { role: "authenticated", "request.jwt.claims": JSON.stringify(claims) }
          : { role: "anon", "request.jwt.claims": ANON_CLAIMS },
      };
    },
  },
};

export default preset;
