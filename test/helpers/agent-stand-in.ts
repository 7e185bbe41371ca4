import { createParser } from "eventsource-parser";
import { standInUrl } from "./env";

export const AGENT_SECRET = "test-agent-secret";

/** A request to the Agent Server stand-in as the stand-in recorded it. */
export interface AgentRequestRecord {
  receivedAt: string;
  headers: Record<string, string>;
  body: Record<string, unknown> | null;
  /** The body text exactly as received (big numbers in agentState survive here). */
  raw: string;
  status: number;
  scenario: string | null;
  options: Record<string, string | number> | null;
  outcome: "rejected" | "streaming" | "completed" | "client_closed" | "cut";
  eventsSent: number;
}

/** Makes the stand-in answer the app's next agent request with `scenario` (queued per app). */
export async function setAgentScenario(
  applicationId: string,
  scenario: string,
  options: Record<string, string | number> = {},
): Promise<void> {
  const res = await fetch(`${standInUrl("agent")}/__dev/scenario`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ applicationId, scenario, options }),
  });
  if (res.status !== 201) throw new Error(`agent stand-in refused scenario: ${await res.text()}`);
}

/** Every request the stand-in received for the app, oldest first. */
export async function agentRequests(applicationId: string): Promise<AgentRequestRecord[]> {
  const res = await fetch(
    `${standInUrl("agent")}/__dev/requests?applicationId=${encodeURIComponent(applicationId)}`,
  );
  return (await res.json()) as AgentRequestRecord[];
}

/** The `data` payloads of an SSE body, in order, read with a spec-compliant parser. */
export async function readSseData(res: Response): Promise<string[]> {
  const out: string[] = [];
  const parser = createParser({ onEvent: (e) => out.push(e.data) });
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    parser.feed(value);
  }
  return out;
}
