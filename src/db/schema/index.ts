export * from "./app-prompts";
export * from "./app-versions";
export * from "./apps";
export * from "./deployments";
export * from "./idempotency-keys";
export * from "./limits";
export * from "./user-profiles";
