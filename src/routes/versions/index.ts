import { createRouter } from "../../lib/router";
import { versionFilesRoute } from "./files";
import { listVersionsRoute } from "./list";
import { restoreVersionRoute } from "./restore";

/** The versions of an app: their list, and going back to one. */
export const versionsRoutes = createRouter();
versionsRoutes.route("/", listVersionsRoute);
versionsRoutes.route("/", restoreVersionRoute);
versionsRoutes.route("/", versionFilesRoute);
