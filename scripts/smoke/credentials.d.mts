export declare const SMOKE_NEEDS: Record<string, string>;
export declare function missingCredentials(
  vars: Record<string, string | undefined>,
): { name: string; what: string }[];
