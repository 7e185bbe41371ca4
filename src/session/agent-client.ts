import type { Config } from "../config";
import { need } from "../config";
import type { TreeEntry } from "../lib/tree";

export interface AgentRequestInput {
  allMessages: unknown[];
  applicationId: string;
  traceId: string;
  /** The raw JSON text of the last good agent state, sent back verbatim (lossless). */
  agentStateRaw: string | null;
  allFiles: TreeEntry[] | null;
  templateId: string;
  settings: Record<string, unknown>;
}

/** The request body as text: the agent state is spliced in raw so big integers survive. */
export function agentRequestBody(input: AgentRequestInput): string {
  const files = input.allFiles ? input.allFiles.map((f) => ({ path: f.path, content: f.content })) : null;
  return (
    `{"allMessages":${JSON.stringify(input.allMessages)}` +
    `,"applicationId":${JSON.stringify(input.applicationId)}` +
    `,"traceId":${JSON.stringify(input.traceId)}` +
    `,"agentState":${input.agentStateRaw ?? "null"}` +
    `,"allFiles":${JSON.stringify(files)}` +
    `,"templateId":${JSON.stringify(input.templateId)}` +
    `,"settings":${JSON.stringify(input.settings)}}`
  );
}

const RETRY_DELAY_MS = 250;

/** Its message is ours and reaches the user; what the network or the agent said is its cause. */
export class AgentUnavailableError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "AgentUnavailableError";
  }
}

/**
 * Opens the agent's event stream. Refused connections and non-200 answers throw
 * AgentUnavailableError (the run produced no stream: its message is refunded).
 */
export async function openAgentStream(
  config: Config,
  body: string,
  signal: AbortSignal,
): Promise<ReadableStream<Uint8Array>> {
  const base = need(config, "AGENT_SERVER_URL").replace(/\/+$/, "");
  const send = () =>
    fetch(`${base}/message`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "text/event-stream",
        authorization: `Bearer ${need(config, "AGENT_API_SECRET_AUTH")}`,
      },
      body,
      signal,
    });
  let res: Response;
  try {
    res = await send().catch(async (err) => {
      // A connection that fails before any answer (a pooled keep-alive socket the server just
      // closed, say) never started a run: one more try is safe.
      if (signal.aborted) throw err;
      await new Promise((r) => setTimeout(r, RETRY_DELAY_MS));
      return send();
    });
  } catch (err) {
    if (signal.aborted) throw err;
    throw new AgentUnavailableError("The agent could not be reached", undefined, { cause: err });
  }
  if (res.status !== 200 || !res.body) {
    await res.body?.cancel().catch(() => undefined);
    throw new AgentUnavailableError(`The agent answered ${res.status}`, res.status);
  }
  return res.body;
}
