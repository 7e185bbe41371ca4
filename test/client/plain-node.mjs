// Run by plain-node.node.test.ts in a plain `node` (no vitest, no transform): the client as
// built (client/dist, through the package's exports) against API_URL. Prints what it saw as JSON.
import { ApiError, createClient } from "@appbuilder/client";

const api = createClient({
  baseUrl: process.env.API_URL,
  getToken: () => "node-token",
  reconnect: { initialDelayMs: 10 },
});

const me = await api.get("/me");
const problem = await api.get("/apps/{id}", { path: { id: "missing" } }).catch((err) => err);
const run = api.sendMessage({ message: "Build a todo app" });
const events = [];
for await (const e of run) events.push({ id: e.id, event: e.event });
const after = [];
for await (const e of api.followEvents(run.appId, { after: run.lastEventId })) after.push(e.id);

console.log(
  JSON.stringify({
    me: me.data,
    problem: { isApiError: problem instanceof ApiError, status: problem.status, code: problem.code },
    events,
    appId: run.appId,
    idempotencyKey: run.idempotencyKey,
    after,
  }),
);
