export type ResourceState = "present" | "gone" | "archived" | string;
export interface Probes {
  githubCommit(repositoryUrl: string, sha: string): Promise<ResourceState>;
  leftovers(appId: string, repositoryUrl: string | null): Promise<Record<string, ResourceState>>;
}
export declare function createProbes(
  vars: Record<string, string | undefined>,
  opts: { githubToken: () => Promise<string>; fetch?: typeof fetch },
): Probes;
export declare function installationToken(opts: {
  apiUrl?: string;
  org: string;
  jwt: string;
  fetch?: typeof fetch;
}): Promise<string>;
