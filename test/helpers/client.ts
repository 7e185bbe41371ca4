import { SELF } from "cloudflare:test";
import { type AppEvent, type ClientOptions, createClient, type FetchLike } from "../../client/src/index";

export const BASE_URL = "https://api.test";

/** The real Worker in workerd, as the client's `fetch`. */
export const workerFetch: FetchLike = (url, init) => SELF.fetch(url, init);

/**
 * The typed client (client/) against the real Worker, acting as the user whose token it is (none:
 * anonymous). Reconnection waits are short so resume tests do not wait for the server's 2 s.
 */
export function clientFor(token: string | undefined, options: Partial<ClientOptions> = {}) {
  return createClient({
    baseUrl: BASE_URL,
    getToken: () => token,
    fetch: workerFetch,
    reconnect: { initialDelayMs: 5, maxDelayMs: 50 },
    ...options,
  });
}

/** Every event of a stream, until it ends. */
export async function collect(stream: AsyncIterable<AppEvent>): Promise<AppEvent[]> {
  const out: AppEvent[] = [];
  for await (const e of stream) out.push(e);
  return out;
}
