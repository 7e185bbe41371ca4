import type { Probes } from "./probes.mjs";

export interface StepReport {
  step: string;
  ok: boolean;
  ms: number;
  ids?: Record<string, unknown>;
  detail?: string;
}
export interface JourneyIds {
  appId: string;
  repositoryUrl: string | null;
  [key: string]: unknown;
}
export declare function readEvents(
  res: Response,
  timeoutMs: number,
): Promise<{ event: string; json: unknown }[]>;
export declare function runJourney(opts: {
  api: (method: string, path: string, body?: unknown) => Promise<Response>;
  probes: Probes;
  fetchDeployed: (url: string) => Promise<Response>;
  report?: (s: StepReport) => void;
  message?: string;
  timeouts?: { stream: number; deploy: number; url: number; delete: number };
  everyMs?: number;
}): Promise<{ ok: boolean; steps: StepReport[]; ids: JourneyIds }>;
