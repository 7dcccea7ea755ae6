// The benchmark's load generator: autocannon, driven programmatically, rotating pre-serialised requests.
//
// bench/loadgen.py copies this file next to its node_modules (bench/.scratch/autocannon/) and runs
//   node loadgen.mjs <plan.json> [duration seconds, overriding the plan's: warm-ups reuse the plan]
// with the machine's Node (20 works). The plan, written by the Python side before timing:
//   {"url": "http://127.0.0.1:8101/graphql", "connections": 16, "duration": 10,
//    "requests": [{"authorization": "Bearer ...", "body": "{\"query\": ...}"}, ...]}
// Every request is POSTed with its own Authorization header and body, in the plan's order, round-robin over
// all connections (one shared cursor), so every user's token and every prepared body take their turn.
// One JSON object goes to stdout: completed requests, req/s, latency percentiles (ms, from every response),
// and what went wrong: non-2xx answers, bodies with GraphQL "errors", connection errors and timeouts.
import { readFileSync } from "node:fs";

import autocannon from "autocannon";

const planPath = process.argv[2];
if (!planPath) {
  console.error("usage: node loadgen.mjs <plan.json>");
  process.exit(2);
}
const plan = JSON.parse(readFileSync(planPath, "utf8"));
const duration = process.argv[3] ? Number(process.argv[3]) : plan.duration;
if (!Array.isArray(plan.requests) || plan.requests.length === 0) {
  console.error("the plan has no requests");
  process.exit(2);
}

const prepared = plan.requests.map((r) => ({
  headers: { "content-type": "application/json", authorization: r.authorization },
  body: Buffer.from(r.body),
}));
let cursor = 0;

function setupRequest(request) {
  const next = prepared[cursor];
  cursor = (cursor + 1) % prepared.length;
  return { ...request, headers: next.headers, body: next.body };
}

// a GraphQL error answered with status 200: `"errors":` never occurs inside a JSON string value unescaped
function verifyBody(body) {
  return !String(body).includes('"errors":');
}

function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

const latencies = [];
let firstBadStatus = null;
const instance = autocannon(
  {
    url: plan.url,
    connections: plan.connections,
    duration,
    timeout: plan.timeout ?? 30,
    method: "POST",
    requests: [{ method: "POST", setupRequest }],
    verifyBody,
  },
  (error, result) => {
    if (error) {
      console.error(String(error));
      process.exit(1);
    }
    latencies.sort((a, b) => a - b);
    const completed = latencies.length;
    const seconds = result.duration;
    const mean = completed ? latencies.reduce((sum, value) => sum + value, 0) / completed : null;
    const out = {
      url: plan.url,
      connections: plan.connections,
      duration_s: seconds,
      requests: completed,
      rps: seconds > 0 ? completed / seconds : 0,
      latency_ms: {
        mean,
        p50: percentile(latencies, 50),
        p95: percentile(latencies, 95),
        p99: percentile(latencies, 99),
        max: completed ? latencies[completed - 1] : null,
      },
      non2xx: result.non2xx,
      error_bodies: result.mismatches,
      errors: result.errors,
      timeouts: result.timeouts,
      first_bad_status: firstBadStatus,
      bytes: result.throughput.total,
    };
    process.stdout.write(`${JSON.stringify(out)}\n`);
  },
);
instance.on("response", (client, statusCode, bytes, responseTime) => {
  latencies.push(responseTime);
  if (firstBadStatus === null && (statusCode < 200 || statusCode >= 300)) firstBadStatus = statusCode;
});
process.once("SIGTERM", () => instance.stop());
process.once("SIGINT", () => instance.stop());
