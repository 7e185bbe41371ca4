import { createRouter } from "../../lib/router";
import { cancelRoute } from "./cancel";
import { eventsRoute } from "./events";
import { messageRoute } from "./message";

export const generationRoutes = createRouter();
for (const r of [messageRoute, eventsRoute, cancelRoute]) generationRoutes.route("/", r);
