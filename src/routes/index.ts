import { adminRoutes } from "./admin";
import { appsRoutes } from "./apps";
import { deploymentsRoutes } from "./deployments";
import { generationRoutes } from "./generation";
import { githubRoutes } from "./github";
import { healthRoutes } from "./health";
import { identityRoutes } from "./identity";
import { limitsRoutes } from "./limits";
import { versionsRoutes } from "./versions";

/** Every area's router; `createApp` mounts them at the root. */
export const routes = [
  healthRoutes,
  identityRoutes,
  appsRoutes,
  generationRoutes,
  versionsRoutes,
  deploymentsRoutes,
  limitsRoutes,
  adminRoutes,
  githubRoutes,
];
