#!/usr/bin/env node
// npm run client:types: writes client/src/openapi.ts, the client's types, from the OpenAPI
// document the Worker serves at GET /openapi.json. The document comes from the Worker's own code
// (src/app.ts, bundled for Node), answered with a local configuration: no server, no database.
// test/client/openapi-types.node.test.ts fails while the committed file differs from this output.
import fs from "node:fs";
import path from "node:path";
import openapiTS, { astToString } from "openapi-typescript";
import {
  DEFAULT_PORTS,
  githubAppKey,
  importWorkerModule,
  planWorkerVars,
  root,
  SERVICES,
} from "../dev/local-config.mjs";

export const TYPES_FILE = path.join(root, "client/src/openapi.ts");

const HEADER = `/**
 * Generated from the Worker's GET /openapi.json (development: the /github routes included) by
 * \`npm run client:types\`. Do not edit: change the routes' schemas and run it again.
 */

`;

/** The document GET /openapi.json answers in development, without `servers` (the request's origin). */
export async function servedDocument() {
  const { createApp } = await importWorkerModule("src/app.ts");
  const vars = planWorkerVars({
    configured: {},
    standIns: Object.keys(SERVICES),
    ports: DEFAULT_PORTS,
    databaseUrl: `postgres://app:app@127.0.0.1:${DEFAULT_PORTS.pg}/app`,
    wsProxy: `127.0.0.1:${DEFAULT_PORTS.wsProxy}`,
    githubKey: githubAppKey({}),
  });
  // The Worker logs each request as a JSON line; that line is not this command's output.
  const log = console.log;
  console.log = () => {};
  let res;
  try {
    res = await createApp().request("http://localhost/openapi.json", {}, vars);
  } finally {
    console.log = log;
  }
  if (res.status !== 200) throw new Error(`GET /openapi.json answered ${res.status}: ${await res.text()}`);
  const { servers: _origin, ...doc } = await res.json();
  return doc;
}

/** The client's types for a document, as the committed file holds them. */
export async function renderTypes(doc) {
  return HEADER + astToString(await openapiTS(doc, { defaultNonNullable: false }));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const doc = await servedDocument();
  fs.writeFileSync(TYPES_FILE, await renderTypes(doc));
  const routes = Object.values(doc.paths).reduce((n, item) => n + Object.keys(item).length, 0);
  console.log(`wrote ${path.relative(root, TYPES_FILE)} (${routes} routes)`);
}
