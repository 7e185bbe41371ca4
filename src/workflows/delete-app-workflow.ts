import { WorkflowEntrypoint } from "cloudflare:workers";

export class DeleteAppWorkflow extends WorkflowEntrypoint<Env, unknown> {
  async run(): Promise<void> {}
}
