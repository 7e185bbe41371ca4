// The parts of GitHub's REST answers the repository layer reads.
export interface GhRepo {
  name: string;
  owner: { login: string; type: string };
  html_url: string;
  description: string | null;
  homepage: string | null;
  archived: boolean;
  private: boolean;
  default_branch: string;
  created_at: string;
  permissions?: { admin?: boolean; push?: boolean };
}

export interface GhRef {
  ref: string;
  object: { sha: string; type: string };
}

export interface GhCommit {
  sha: string;
  html_url: string;
  message: string;
  tree: { sha: string };
  parents: Array<{ sha: string }>;
}

export interface GhTreeEntry {
  path: string;
  mode: string;
  type: "blob" | "tree" | "commit";
  sha: string;
  size?: number;
}

export interface GhTree {
  sha: string;
  tree: GhTreeEntry[];
  truncated: boolean;
}

export interface GhBlob {
  sha: string;
  content: string;
  encoding: "base64" | "utf-8";
}
