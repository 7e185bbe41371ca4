import { healthRoutes } from "./health";

/** Every area's router; `createApp` mounts them at the root. */
export const routes = [healthRoutes];
