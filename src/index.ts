import { createApp } from "./app";

export { AppSession } from "./session/app-session";
export { DeleteAppWorkflow } from "./workflows/delete-app-workflow";
export { PublishWorkflow } from "./workflows/publish-workflow";

const app = createApp();

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
