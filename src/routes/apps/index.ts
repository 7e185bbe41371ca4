import { createRouter } from "../../lib/router";
import { deleteAppRoute } from "./delete";
import { getAppRoute } from "./get";
import { historyRoute } from "./history";
import { listAppsRoute } from "./list";
import { readUrlRoute } from "./read-url";

/** The /apps area. A new route file is one import and one `route` line here. */
export const appsRoutes = createRouter();
appsRoutes.route("/", listAppsRoute);
appsRoutes.route("/", getAppRoute);
appsRoutes.route("/", historyRoute);
appsRoutes.route("/", readUrlRoute);
appsRoutes.route("/", deleteAppRoute);
