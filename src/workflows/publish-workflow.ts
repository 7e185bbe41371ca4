import { WorkflowEntrypoint } from "cloudflare:workers";

export class PublishWorkflow extends WorkflowEntrypoint<Env, unknown> {
  async run(): Promise<void> {}
}
