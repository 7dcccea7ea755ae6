// Runs every audit of graphql-http (the GraphQL over HTTP spec's test suite) against a server and prints the
// results as JSON: [{name, status, reason}]. Usage: node audit.mjs <url>
import { serverAudits } from 'graphql-http';

const url = process.argv[2];
const results = [];
for (const audit of serverAudits({ url })) {
  const result = await audit.fn();
  results.push({ name: audit.name, status: result.status, reason: result.reason ?? null });
}
process.stdout.write(JSON.stringify(results));
