import { createRouter } from "../../lib/router";
import { messageLimit } from "./get";

export const limitsRoutes = createRouter();
limitsRoutes.route("/", messageLimit);
